"""The reproduction register: what became of every table, figure and conclusion of the source, and, for
what the pipeline derives, whether it agrees with the author.

The agreement is computed here from the block results and the author's values entered in study.yaml
(`reproduction[].compare`, or a block's own `reported` / `compare_with`); it is never typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from babel.numbers import format_decimal

from patroon.analysis.blocks import TOTAL, part_label
from patroon.analysis.tables import place_ref
from patroon.data.models import AGREEMENT, ContinuumBlock, MatrixBlock, RegisterItem
from patroon.data.study_data import StudyData

STATUSES = ("afgeleid", "gecodeerd", "niet-overgenomen")

WORDS = {
    "nl": {"eens": "eens", "deels": "deels eens", "oneens": "oneens", "niet-vergelijkbaar": "niet vergelijkbaar",
           "geen-oordeel": "geen oordeel van de auteur", "n.v.t.": "n.v.t.",
           "afgeleid": "afgeleid", "gecodeerd": "gecodeerd", "niet-overgenomen": "niet overgenomen"},
    "en": {"eens": "agrees", "deels": "partly agrees", "oneens": "disagrees", "niet-vergelijkbaar": "not comparable",
           "geen-oordeel": "no judgement of the author", "n.v.t.": "n/a",
           "afgeleid": "derived", "gecodeerd": "coded", "niet-overgenomen": "not taken over"},
}


@dataclass
class RegisterRow:
    item: RegisterItem
    agreement: str
    sentences: list[str] = field(default_factory=list)
    author_view: pd.DataFrame | None = None  # the author's rows in the source's layout, when asked for

    def __post_init__(self) -> None:
        assert self.agreement in AGREEMENT, self.agreement


def _verdict(n_agree: int, n_total: int) -> str:
    if n_total == 0:
        return "geen-oordeel"
    if n_agree == n_total:
        return "eens"
    return "oneens" if n_agree == 0 else "deels"


def _names(items: list[str], language: str) -> str:
    if not items:
        return "geen" if language == "nl" else "none"
    joiner = " en " if language == "nl" else " and "
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + joiner + items[-1]


class _Namer:
    """Case ids as names and variable ids as labels, so sentences read like the source."""

    def __init__(self, data: StudyData, language: str):
        self.data, self.language = data, language

    def __call__(self, value: object) -> str:
        text = str(value)
        if text == TOTAL:
            return "Totaal" if self.language == "nl" else "Total"
        if text in self.data.cases:
            return self.data.cases[text].name
        variable = self.data.codebook.variable(text)
        return getattr(variable.label, self.language) if variable else text

    def row(self, values: tuple) -> str:
        return " / ".join(self(v) for v in values)

    def cell(self, row: dict, column: str) -> str:
        """A crosstab's columns are the codes of the row's variable: name the cell by the code's label."""
        variable = self.data.codebook.variable(str(row.get("variable", "")))
        if variable is not None:
            labels = {v.code: getattr(v.label, self.language) for v in self.data.codebook.allowed_values(variable)}
            if column in labels:
                return f"{self(variable.id)}: {labels[column]}"
        return f"{self.row(tuple(row.values()))} / {self(column)}"


def _matching(table: pd.DataFrame, where: dict) -> pd.DataFrame:
    for column, value in where.items():
        if column not in table.columns:
            return table.iloc[0:0]
        table = table[table[column].astype(str) == str(value)]
    return table


def compare_rows(item: RegisterItem, table: pd.DataFrame, name: _Namer, language: str) -> tuple[str, list[str]]:
    compare = item.compare
    key = compare.key or compare.columns
    missing = [c for c in key if c not in table.columns]
    if missing:
        raise ValueError(f"register item '{item.id}': block table has no column(s) {', '.join(missing)}")
    derived = {tuple(str(v) for v in row) for row in _matching(table, compare.where)[key].values.tolist()}
    author = {tuple(str(row[compare.columns.index(c)]) for c in key) for row in compare.rows}
    only_derived = sorted(derived - author)
    only_author = sorted(author - derived)
    both = len(derived & author)
    nl = language == "nl"
    if not only_derived and not only_author:
        return "eens", [f"Berekend en auteur komen overeen: dezelfde {both} rijen." if nl
                        else f"Computed and author agree: the same {both} rows."]
    verdict = "deels" if both else "oneens"
    ties = ""
    if only_derived and "tie" in table.columns:
        tied = {tuple(str(v) for v in row) for row in table[table["tie"] == "ja"][key].values.tolist()}
        if set(only_derived) <= tied:
            ties = (" Alle rijen die alleen berekend zijn, hebben dezelfde score als een rij die de auteur wel koos: "
                    "de auteur brak gelijke scores af zonder genoemde regel." if nl else
                    " Every row computed only has the same score as a row the author kept: the author broke ties "
                    "without a stated rule.")
    sentence = (f"Berekend en auteur verschillen: {both} rijen bij beide, {len(only_derived)} alleen berekend"
                f"{' (' + _names([name.row(r) for r in only_derived], language) + ')' if only_derived else ''}, "
                f"{len(only_author)} alleen bij de auteur"
                f"{' (' + _names([name.row(r) for r in only_author], language) + ')' if only_author else ''}."
                if nl else
                f"Computed and author differ: {both} rows in both, {len(only_derived)} computed only"
                f"{' (' + _names([name.row(r) for r in only_derived], language) + ')' if only_derived else ''}, "
                f"{len(only_author)} the author's only"
                f"{' (' + _names([name.row(r) for r in only_author], language) + ')' if only_author else ''}.")
    return verdict, [sentence + ties]


def compare_cells(item: RegisterItem, table: pd.DataFrame, name: _Namer, language: str) -> tuple[str, list[str]]:
    nl = language == "nl"
    agree, differences = 0, []
    for cell in item.compare.cells:
        rows = _matching(table, cell.row)
        derived = str(rows.iloc[0][cell.column]) if len(rows) and cell.column in rows.columns else "-"
        where = name.cell(cell.row, cell.column)
        if derived == str(cell.value):
            agree += 1
        else:
            differences.append(f"{where}: auteur {cell.value}, berekend {derived}" if nl
                               else f"{where}: author {cell.value}, computed {derived}")
    n = len(item.compare.cells)
    verdict = _verdict(agree, n)
    if not differences:
        if n == 1:
            cell = item.compare.cells[0]
            where = name.cell(cell.row, cell.column)
            return verdict, [f"De waarde van de auteur ({where}: {cell.value}) komt uit de berekening." if nl else
                             f"The author's value ({where}: {cell.value}) comes out of the computation."]
        return verdict, [f"Alle {n} waarden van de auteur komen uit de berekening." if nl
                         else f"All {n} of the author's values come out of the computation."]
    return verdict, [(f"{agree} van {n} waarden van de auteur komen uit de berekening; verschillen: "
                      if nl else f"{agree} of {n} of the author's values come out of the computation; differences: ")
                     + "; ".join(differences) + "."]


def compare_matrix(block: MatrixBlock, result, name: _Namer, language: str, data: StudyData | None = None) -> tuple[str, list[str]]:
    s, nl = result.summary, language == "nl"
    n, differences = s["n_compared"], s["differences"]
    verdict = _verdict(n - len(differences), n)
    table = result.table.set_index("variable")
    listed = [f"{name(v)} ({'berekend' if nl else 'computed'} {table.loc[v, 'computed']}, "
              f"{'auteur' if nl else 'author'} {table.loc[v, 'reported']})" for v in differences]
    sentences = [(f"Van de {n} oordelen van de auteur geeft de regel er {n - len(differences)} ook"
                  f"{'; anders: ' + _names(listed, language) if listed else ''}." if nl else
                  f"Of the author's {n} judgements the rule gives {n - len(differences)} as well"
                  f"{'; different: ' + _names(listed, language) if listed else ''}.")]
    if result.extra is not None and "only_computed" in result.extra.columns:
        extra = result.extra
        same = extra[(extra["only_computed"] == "-") & (extra["only_reported"] == "-")]
        rows = list(same["row"])
        if data is not None and block.collapse_part is not None:
            rows = [part_label(data, list(result.table["variable"]), block.collapse_part, r, language) for r in rows]
        sentences.append(f"Per rij van de brontabel ({len(extra)} rijen) komen {len(same)} rijen overeen: "
                         f"{_names(rows, language)}." if nl else
                         f"Per row of the source's table ({len(extra)} rows), {len(same)} agree: "
                         f"{_names(rows, language)}.")
    return verdict, sentences


def _decimal(value: float, language: str, signed: bool = False) -> str:
    """A position or difference with two decimals as the report language writes it ("+0,62"; a minus sign)."""
    text = format_decimal(abs(value), format="0.00", locale=language)
    sign = ("+" if value > 0 else "−" if value < 0 else "") if signed else ("−" if value < 0 else "")
    return sign + text


def compare_continuum(block: ContinuumBlock, result, data: StudyData, name: _Namer,
                      language: str) -> tuple[str, list[str]]:
    """The author places cases in words on an ordered scale (the codebook order of `compare_with`'s values).
    Wherever the author puts one case nearer a pole than another, the computed positions must be ordered
    the same way and lie more than `equal_within` apart."""
    nl = language == "nl"
    variable = data.codebook.variable(block.compare_with)
    scale = [v.code for v in data.codebook.allowed_values(variable)]
    labels = {v.code: getattr(v.label, language) for v in data.codebook.allowed_values(variable)}
    agree, claims, sentences = 0, 0, []
    for part, rows in result.table.groupby("part", sort=False):
        placed = [(r["case"], r["reported"], r["position"]) for _, r in rows.iterrows()
                  if str(r.get("reported", "")) in scale and pd.notna(r["position"])]
        for i, (a, ra, pa) in enumerate(placed):
            for b, rb, pb in placed[i + 1:]:
                if ra == rb:
                    continue  # the author makes no claim between two cases in the same words
                (low, rl, pl), (high, rh, ph) = sorted([(a, ra, pa), (b, rb, pb)], key=lambda t: scale.index(t[1]))
                claims += 1
                where = (f" ({'deel' if nl else 'part'} {part})" if part else "")
                if ph - pl > block.equal_within:
                    agree += 1
                    continue
                # The difference of the numbers as shown (rounded), so that the sentence adds up for its reader.
                shown_low, shown_high = round(float(pl), 2), round(float(ph), 2)
                gap, within = _decimal(shown_high - shown_low, language), _decimal(block.equal_within, language)
                low_text, high_text = _decimal(shown_low, language, True), _decimal(shown_high, language, True)
                sentences.append(
                    f"De auteur plaatst {name(low)} ({labels[rl]}) dichter bij {block.left} dan {name(high)} "
                    f"({labels[rh]}){where}; berekend: {low_text} en {high_text}, "
                    + (f"een verschil van {gap}, niet meer dan {within}: de regel geeft dit "
                       f"verschil niet." if ph >= pl else "omgekeerd.")
                    if nl else
                    f"The author places {name(low)} ({labels[rl]}) nearer {block.left} than {name(high)} "
                    f"({labels[rh]}){where}; computed: {low_text} and {high_text}, "
                    + (f"a difference of {gap}, not more than {within}: the rule does not "
                       f"give this difference." if ph >= pl else "the other way round."))
    verdict = _verdict(agree, claims)
    head = (f"Van de {claims} verschillen in plaatsing die de auteur maakt, geeft de berekening er {agree}."
            if nl else f"Of the author's {claims} differences in placement, the computation gives {agree}.")
    return verdict, [head] + sentences


def compare_proposition(result, language: str) -> tuple[str, list[str]]:
    """A conclusion tested as a proposition: its agreement with the author is the proposition's."""
    nl = language == "nl"
    verdict = {"bevestigd": "bevestigd" if nl else "confirmed", "deels": "deels bevestigd" if nl else "partly confirmed",
               "verworpen": "niet bevestigd" if nl else "not confirmed",
               "niet-te-toetsen": "niet te toetsen" if nl else "cannot be tested"}[result.verdict]
    sentence = (f"Getoetst als propositie ‘{result.proposition.label.nl}’: {verdict}." if nl else
                f"Tested as the proposition ‘{result.proposition.label.en}’: {verdict}.")
    return result.agreement or "geen-oordeel", [sentence]


def evaluate(data: StudyData, block_results: list, language: str | None = None,
             proposition_results: list | None = None) -> list[RegisterRow]:
    language = language or data.study.language
    name = _Namer(data, language)
    blocks = {b.id: (b, r) for b, r in zip(data.study.analysis.blocks, block_results)}
    tested = {r.id: r for r in proposition_results or []}
    rows = []
    for item in data.study.reproduction:
        block, result = blocks.get(item.block, (None, None))
        author_view = _author_view(item, name)
        if item.status != "afgeleid":
            rows.append(RegisterRow(item, "n.v.t.", [], author_view))
        elif item.proposition is not None and item.proposition in tested:
            rows.append(RegisterRow(item, *compare_proposition(tested[item.proposition], language), author_view))
        elif item.not_comparable:
            rows.append(RegisterRow(item, "niet-vergelijkbaar", [item.not_comparable], author_view))
        elif item.compare is not None:
            compare = compare_rows if item.compare.rows else compare_cells
            verdict, sentences = compare(item, result.table, name, language)
            rows.append(RegisterRow(item, verdict, sentences, author_view))
        elif isinstance(block, MatrixBlock) and block.reported:
            rows.append(RegisterRow(item, *compare_matrix(block, result, name, language, data), author_view))
        elif isinstance(block, ContinuumBlock) and block.compare_with:
            rows.append(RegisterRow(item, *compare_continuum(block, result, data, name, language), author_view))
        else:
            rows.append(RegisterRow(item, "geen-oordeel", [], author_view))
    return rows


def _author_view(item: RegisterItem, name: _Namer) -> pd.DataFrame | None:
    compare = item.compare
    if compare is None or compare.show is None:
        return None
    frame = pd.DataFrame(compare.rows, columns=compare.columns)
    show = compare.show
    frame[show.values] = [name(v) for v in frame[show.values]]
    cells = frame.groupby([show.index, show.columns], sort=False)[show.values].agg(", ".join).reset_index()
    wide = cells.pivot(index=show.index, columns=show.columns, values=show.values).fillna("")
    wide = wide[list(dict.fromkeys(frame[show.columns]))]
    wide.columns = [name(c) for c in wide.columns]
    return wide.reset_index()


def counts(rows: list[RegisterRow]) -> dict:
    """Per status the number of items, and for derived items the number per agreement."""
    out = {status: sum(r.item.status == status for r in rows) for status in STATUSES}
    out["agreement"] = {a: sum(r.agreement == a for r in rows if r.item.status == "afgeleid")
                        for a in AGREEMENT if a != "n.v.t."}
    out["coded_to_match"] = sum(r.item.coded_to_match is not None for r in rows)
    return out


def table(rows: list[RegisterRow], language: str) -> pd.DataFrame:
    words = WORDS[language]
    nl = language == "nl"
    records = []
    for r in rows:
        item = r.item
        note = item.reason or item.not_comparable or ""
        if item.coded_to_match:
            note = ((note + " ") if note else "") + ("Gecodeerd om te kloppen: " if nl else "Coded to agree: ") \
                + item.coded_to_match
        where = "; ".join(place_ref(e) for e in item.evidence)
        by = item.block or item.proposition or ""
        records.append({"bron": item.ref, "titel": item.title, "status": words[item.status],
                        "blok": by, "met de auteur": words[r.agreement], "waar": where, "toelichting": note}
                       if nl else
                       {"source": item.ref, "title": item.title, "status": words[item.status],
                        "block": by, "with the author": words[r.agreement], "where": where, "note": note})
    return pd.DataFrame(records)
