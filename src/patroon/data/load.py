"""Load a study folder (study.yaml, codebook.yaml, case files) into models, keeping line numbers.

Reading each file is `yamlfile`'s job; the checks of one file against the codebook are in `checks`, the
checks across files in `consistency`. Everything found is raised together as one `LoadError`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel

from patroon.data.cache import cached
from patroon.data.checks import (
    check_blocks,
    check_codebook,
    check_coded,
    check_notes,
    check_organisation,
    check_register,
)
from patroon.data.consistency import (
    check_cases_together,
    check_codebook_definitions,
    check_study_references,
)
from patroon.data.models import CaseFile, Codebook, OrganisationFile, Study
from patroon.data.names import check_analysis_names, check_register_names
from patroon.data.proposition_checks import check_propositions, check_qca
from patroon.data.study_data import CODERS_DIR, StudyData
from patroon.data.suggest import did_you_mean
from patroon.data.yamlfile import (
    Document,
    LoadError,
    Problem,
    parse_model,
    placeholders,
    read_yaml,
)


def _display(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)


def load_study(study_dir: Path, base: Path | None = None, coder: str | None = None,
               language: str = "nl") -> StudyData:
    """Load and fully check one study. Raises LoadError with every problem found.

    With `coder`, the case files are that coder's independent coding (`coders/<coder>/<plural>/`), checked
    against the same study.yaml and codebook with the same rules. `language` is the report language for a
    study.yaml that sets none (the configured one). Within a build, a valid study loaded by an earlier
    stage is taken from the cache (patroon.data.cache) when none of its files changed.
    """
    return cached(lambda: _load_study(study_dir, base, coder, language), study_dir, coder, language)


def _load_study(study_dir: Path, base: Path | None, coder: str | None, language: str) -> StudyData:
    base = base or study_dir.parent.parent
    files_dir = study_dir / CODERS_DIR / coder if coder else study_dir
    problems: list[Problem] = []

    def load(path: Path, model: type[BaseModel]) -> tuple[Any, Document | None]:
        shown = _display(path, base)
        document, found = read_yaml(path, shown)
        problems.extend(found)
        if document is None:
            return None, None
        problems.extend(placeholders(document, shown))
        obj, found = parse_model(document, model, shown)
        problems.extend(found)
        return obj, document

    study, study_doc = load(study_dir / "study.yaml", Study)
    codebook, codebook_doc = load(study_dir / "codebook.yaml", Codebook)
    if study is None or codebook is None:
        raise LoadError(problems)
    problems.extend(check_codebook(codebook, codebook_doc, _display(study_dir / "codebook.yaml", base)))
    problems.extend(check_blocks(study, codebook, study_doc, _display(study_dir / "study.yaml", base)))
    problems.extend(check_codebook_definitions(codebook, codebook_doc, _display(study_dir / "codebook.yaml", base)))
    problems.extend(check_study_references(study, codebook, study_doc, _display(study_dir / "study.yaml", base),
                                           any(k.role == "organisation" for k in study.unit_kinds)))
    problems.extend(check_register(study, study_doc, _display(study_dir / "study.yaml", base)))
    if study.language is None:
        study = study.model_copy(update={"language": language})
    problems.extend(check_qca(study, codebook, study_doc, _display(study_dir / "study.yaml", base)))
    problems.extend(check_analysis_names(study, codebook, study_doc, _display(study_dir / "study.yaml", base)))
    data = StudyData(study_dir, study, codebook)
    if study.id != study_dir.name:
        problems.append(Problem(_display(study_dir / "study.yaml", base), 1, "id",
                                f"study id '{study.id}' must equal its folder name '{study_dir.name}'"))

    documents: dict[str, tuple[Document, str]] = {}
    for kind in study.unit_kinds:
        folder = files_dir / kind.plural
        model = CaseFile if kind.role == "case" else OrganisationFile
        for path in sorted(folder.iterdir()) if folder.is_dir() else []:
            shown = _display(path, base)
            if path.name.lower().endswith((".yml", ".yaml")) and (not path.name.endswith(".yaml") or path.name == ".yaml"):
                problems.append(Problem(shown, 1, "file", "case files are named <id>.yaml (lower-case "
                                                          "extension .yaml, an id before it)"))
                continue
            if not path.name.endswith(".yaml"):
                continue  # notes, backups and editor files beside the case files are not case files
            obj, document = load(path, model)
            if obj is None:
                continue
            if obj.kind != kind.kind:
                problems.append(Problem(shown, document.line(("kind",)), "kind",
                                        f"'{obj.kind}' in folder {kind.plural}/; expected '{kind.kind}'"
                                        + did_you_mean(obj.kind, [kind.kind])))
                continue
            if obj.id != path.stem:
                problems.append(Problem(shown, document.line(("id",)), "id",
                                        f"id '{obj.id}' must equal the file name '{path.stem}'"))
            target = data.cases if kind.role == "case" else data.organisations
            if obj.id in target:
                problems.append(Problem(shown, document.line(("id",)), "id", f"duplicate id '{obj.id}'"))
                continue
            target[obj.id] = obj
            data.files[f"{kind.kind}/{obj.id}"] = path
            documents[f"{kind.kind}/{obj.id}"] = (document, shown)

    if not problems:
        problems.extend(check_cases_together(data, {k: shown for k, (_, shown) in documents.items()},
                                             _display(study_dir / "study.yaml", base), study_doc))
        problems.extend(check_register_names(study, codebook, {k: list(data.cases_of(k)) for k in data.case_kinds()},
                                             study_doc, _display(study_dir / "study.yaml", base)))
    for key, (document, shown) in documents.items():
        kind, ident = key.split("/", 1)
        if kind in data.case_kinds():
            case = data.cases[ident]
            problems.extend(check_coded(codebook, case.coded, "case", (), document, shown, kind=kind,
                                        complete=coder is None))
            problems.extend(check_notes(codebook, case.coded, case.source_notes, (), document, shown))
            if case.part_of is not None and case.part_of not in data.cases:
                known = ", ".join(sorted(data.cases)) or "none"
                problems.append(Problem(shown, document.line(("part_of",)), "part_of",
                                        f"unknown case '{case.part_of}'; known: {known}"
                                        + did_you_mean(case.part_of, data.cases)))
        else:
            problems.extend(check_organisation(data, data.organisations[ident], document, shown,
                                               complete=coder is None))
    case_ids = {kind: list(data.cases_of(kind)) for kind in data.case_kinds()}
    problems.extend(check_propositions(study, codebook, study_doc, _display(study_dir / "study.yaml", base), case_ids))
    if problems:
        raise LoadError(sorted(set(problems)))
    return data


def load_model(path: Path, model: type[BaseModel]) -> Any:
    """One file into one model, or LoadError."""
    document, problems = read_yaml(path)
    if document is None:
        raise LoadError(problems)
    obj, problems = parse_model(document, model, str(path))
    if model is Codebook and not problems:
        problems = check_codebook(obj, document, str(path))
    if problems:
        raise LoadError(problems)
    return obj


def load_codebook(path: Path) -> Codebook:
    return load_model(path, Codebook)


