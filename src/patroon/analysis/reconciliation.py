"""The two codings of a study, and the decisions that settle where they disagree.

A study that declares `coding:` in study.yaml has two independent codings under `coders/<name>/` and a
reconciliation file with one decision per disagreement. The study's own case files are the reconciled
coding. `check_coding` holds all three together; `patroon validate` fails on any of:

- a coder's file that is invalid (the same checks as the study's own files);
- a disagreement without a decision, or a decision for something the coders did not disagree on (unless
  it corrects a value both coded alike, giving that value for both), or one whose recorded values are not
  what the coders wrote;
- a study file whose value is not the decided one (the decision was taken but not carried out);
- a study file whose value is neither what both coders coded nor a recorded decision (the analysis would
  use a value no coder gave while the synthesis reports the coders' agreement), or that lacks a value
  both coders gave;
- a coder's folder without a case file the other coder or the study has.

Decisions come in rounds: the first is the file's `decisions`, later ones (`rounds`) re-decide values
under revised coding rules on a stated date. The latest round's decision is the one the study's files
must carry; the earlier ones stay in the file as the record of what was decided before. A decision of
any round counts as recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from patroon.analysis.agreement import Coded, Comparison, ItemKey, coded_items, compare
from patroon.data.derive import unit_refs
from patroon.data.load import _display, load_study
from patroon.data.models import Decision, ReconciliationFile
from patroon.data.study_data import CODERS_DIR, StudyData
from patroon.data.yamlfile import Document, LoadError, Problem, parse_model, read_yaml


@dataclass
class CodingCheck:
    comparison: Comparison | None
    reconciliation: ReconciliationFile | None
    problems: list[Problem]
    # (variable, item) of decisions that correct a value both coders agreed on
    corrections: set[tuple[str, str]] = field(default_factory=set)


def _item_places(data: StudyData) -> dict[tuple[str, str], tuple[Path, tuple]]:
    """(level, item id) -> the file that holds it and the location of its `coded` (or unit) in that file."""
    places: dict[tuple[str, str], tuple[Path, tuple]] = {}
    for case in data.cases.values():
        places[("case", case.id)] = (data.files[f"{case.kind}/{case.id}"], ("coded",))
    organisation_kind = data.organisation_kind()
    for organisation in data.organisations.values():
        places[("organisation", organisation.id)] = (data.files[f"{organisation_kind}/{organisation.id}"], ("coded",))
    for ref in unit_refs(data):
        index = ref.organisation.units.index(ref.unit)
        places[("unit", ref.unit_id)] = (data.files[f"{organisation_kind}/{ref.organisation.id}"], ("units", index))
    return places


def _line(path: Path, loc: tuple, cache: dict[Path, Document | None]) -> int:
    if path not in cache:
        cache[path] = read_yaml(path)[0]
    document = cache[path]
    return document.line(loc) if document is not None else 1


def check_coding(study_dir: Path, main: StudyData, base: Path, measures: bool = True) -> CodingCheck:
    """Both codings, their comparison (with the agreement measures unless `measures=False`: validation
    needs the disagreements only) and the reconciliation, with every problem found."""
    settings = main.study.coding
    if settings is None:
        return CodingCheck(None, None, [])
    problems: list[Problem] = []
    codings = []
    for coder in settings.coders:
        folder = study_dir / CODERS_DIR / coder
        if not folder.is_dir():
            problems.append(Problem(_display(study_dir / "study.yaml", base), 1, "coding.coders",
                                    f"no folder {_display(folder, base)} for coder '{coder}'"))
            continue
        try:
            codings.append(load_study(study_dir, base=base, coder=coder))
        except LoadError as exc:
            problems.extend(exc.problems)
    if all((study_dir / CODERS_DIR / coder).is_dir() for coder in settings.coders):
        problems = _missing_files(study_dir, main, settings.coders, base) + problems
    if problems:
        return CodingCheck(None, None, problems)
    coders = (settings.coders[0], settings.coders[1])
    comparison = compare(codings[0], codings[1], coders, measures)

    path = study_dir / settings.reconciliation
    shown = _display(path, base)
    if not path.exists():
        if comparison.n_disagreements:
            problems.append(Problem(shown, 1, "file", f"missing: {comparison.n_disagreements} disagreements "
                                                      "between the coders need a decision"))
        return CodingCheck(comparison, None, problems)
    document, found = read_yaml(path, shown)
    problems.extend(found)
    if document is None:
        return CodingCheck(comparison, None, problems)
    reconciliation, found = parse_model(document, ReconciliationFile, shown)
    problems.extend(found)
    if reconciliation is None:
        return CodingCheck(comparison, None, problems)

    open_ = {(r.variable, r.item): r for r in comparison.disagreements.itertuples()}
    first_items = coded_items(codings[0])
    agreed = {(k.variable, k.item): v.value for k, v in first_items.items() if (k.variable, k.item) not in open_}
    second_items = coded_items(codings[1])
    # Either coder may have left an item out (ONTBREEKT): its level is known from the other.
    levels = {(k.variable, k.item): k.level for k in (*second_items, *first_items)}
    corrections: set[tuple[str, str]] = set()
    decided: dict[tuple[str, str], int] = {}  # the line of the decision that holds (the latest round's)
    final: dict[tuple[str, str], Decision] = {}
    in_round: dict[tuple[int, tuple[str, str]], int] = {}
    for round_, where, decision in reconciliation.in_order():
        field_ = ".".join(map(str, where))
        key = (decision.variable, decision.item)
        line = document.line(where)
        if (round_, key) in in_round:
            problems.append(Problem(shown, line, field_,
                                    f"{decision.variable} of {decision.item} is decided twice in round {round_} "
                                    f"(first at line {in_round[round_, key]})"))
            continue
        # A later round re-decides under revised rules: its decision holds, the earlier one stays as record.
        in_round[round_, key] = decided[key] = line
        final[key] = decision
        if set(decision.values) != set(coders):
            problems.append(Problem(shown, document.line(where + ("values",)), f"{field_}.values",
                                    f"must give the value of each coder: {', '.join(coders)}"))
            continue
        row = open_.get(key)
        if row is None:
            # Both coders agreed, yet checking against the chapter's conclusions showed the value wrong:
            # a review correction, logged like a decision, with both coders' (equal) value.
            both = agreed.get(key)
            written_values = {str(v) for v in decision.values.values()}
            if both is not None and written_values == {both}:
                corrections.add(key)
                continue
            problems.append(Problem(shown, line, field_,
                                    f"the coders do not disagree on {decision.variable} of {decision.item}"
                                    + (f" (both coded '{both}')" if both is not None else "")
                                    + "; a correction of an agreed value must give that value for both coders"))
            continue
        written = {row.coder_a: row.value_a, row.coder_b: row.value_b}
        for coder, value in decision.values.items():
            if str(value) != written[coder]:
                problems.append(Problem(shown, document.line(where + ("values", coder)), f"{field_}.values.{coder}",
                                        f"'{value}' is not what {coder} coded ('{written[coder]}')"))
    for key, row in open_.items():
        if key not in decided:
            problems.append(Problem(shown, 1, "decisions",
                                    f"no decision for {row.variable} of {row.item} "
                                    f"({row.coder_a}: '{row.value_a}', {row.coder_b}: '{row.value_b}')"))

    # The study's own files must carry every decided value.
    main_items = coded_items(main)
    places = _item_places(main)
    cache: dict[Path, Document | None] = {}
    for key, decision in final.items():
        if key not in open_ and key not in corrections:
            continue
        level = levels[key]
        carried = main_items.get(ItemKey(decision.variable, level, decision.item))
        if carried is not None and carried.value == str(decision.decision):
            continue
        where = _value_place(places, level, decision.item, decision.variable)
        if where is None:
            problems.append(Problem(shown, decided[key], "decision",
                                    f"{decision.item} does not exist in the study's own coding"))
            continue
        file, loc = where
        now = carried.value if carried is not None else "not coded"
        problems.append(Problem(_display(file, base), _line(file, loc, cache), decision.variable,
                                f"'{now}' differs from the reconciled decision '{decision.decision}' for "
                                f"{decision.item} ({shown}:{decided[key]})"))
    problems.extend(_undecided_values(main_items, (first_items, second_items), coders, set(decided), places,
                                      cache, base, shown))
    return CodingCheck(comparison, reconciliation, problems, corrections)


def _value_place(places: dict, level: str, item: str, variable: str) -> tuple[Path, tuple] | None:
    """The file and location of one value of the study's own coding (None: no such item)."""
    place = places.get((level, item))
    if place is None:
        return None
    file, loc = place
    if variable.startswith("reactie."):
        return file, loc + ("reaction",)
    if level == "unit":
        return file, loc + ("coded", variable)
    return file, loc + (variable,)


def _undecided_values(main_items: dict[ItemKey, Coded], coder_items: tuple[dict, dict], coders: tuple[str, str],
                      decided: set[tuple[str, str]], places: dict, cache: dict, base: Path,
                      shown: str) -> list[Problem]:
    """Every value of the study's own coding is what both coders coded, or a recorded decision (checked
    above). A value both coders gave alike that the study's files change or leave out, or a value neither
    coder gave (of a variable the coders coded), has no decision behind it. Where the coders disagree, the
    missing decision is reported already."""
    first, second = coder_items
    # A variable neither coding holds at all (added to the codebook after the two codings) is outside the
    # double coding: the agreement tables do not list it, so nothing claims the coders agreed on it.
    double_coded = {k.variable for k in first} | {k.variable for k in second}
    problems = []

    def report(key: ItemKey, message: str) -> None:
        where = _value_place(places, key.level, key.item, key.variable)
        if where is None:
            return
        file, loc = where
        problems.append(Problem(_display(file, base), _line(file, loc, cache), key.variable, message))

    for key in sorted(main_items.keys() | (first.keys() & second.keys()),
                      key=lambda k: (k.level, k.item, k.variable)):
        if (key.variable, key.item) in decided:
            continue
        a, b, carried = first.get(key), second.get(key), main_items.get(key)
        if a is not None and b is not None and a.value != b.value:
            continue
        if a is None and b is None:
            if key.variable not in double_coded:
                continue
            report(key, f"'{carried.value}' for {key.item} was coded by neither coder ({', '.join(coders)}) "
                        f"and {shown} records no decision for it")
        elif a is None or b is None:
            continue  # one coder left it out: a disagreement, reported as needing a decision
        elif carried is None:
            report(key, f"not coded for {key.item}, while both coders coded '{a.value}' and {shown} records no "
                        "decision for it")
        elif carried.value != a.value:
            report(key, f"'{carried.value}' differs from what both coders coded for {key.item} ('{a.value}') "
                        f"and {shown} records no decision for it; carry their value or record a decision")
    return problems


def _missing_files(study_dir: Path, main: StudyData, coders: list[str], base: Path) -> list[Problem]:
    """Each coder codes every case: a case file the other coder or the study has and this coder lacks is
    one located problem, not dozens of ONTBREEKT disagreements, a unit whose gemeente is unknown, or a
    crash further on. Read from the folders, so that it is said even when a coding does not load."""
    def case_files(root: Path) -> set[str]:
        return {f"{kind.plural}/{path.name}" for kind in main.study.unit_kinds
                for path in ((root / kind.plural).glob("*.yaml") if (root / kind.plural).is_dir() else [])}

    folders = {coder: study_dir / CODERS_DIR / coder for coder in coders}
    have = {coder: case_files(folder) for coder, folder in folders.items()}
    problems = []
    for coder in coders:
        others = [(f"coder '{name}'", folders[name], have[name]) for name in coders if name != coder]
        others.append(("the study", study_dir, case_files(study_dir)))
        for name in sorted(set().union(*(files for _, _, files in others)) - have[coder]):
            who, root = next((who, root) for who, root, files in others if name in files)
            problems.append(Problem(_display(folders[coder] / name, base), 1, "file",
                                    f"missing: coder '{coder}' has no {name} ({who} has {_display(root / name, base)})"))
    return problems
