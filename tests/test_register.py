"""The reproduction register on the `vergelijk` fixture; every expected verdict is worked out by hand from
the fixture files next to the assertion. Then invariants on the four theses."""

from __future__ import annotations

import re
import shutil

import pytest

from patroon.analysis import blocks, propositions, register
from patroon.data.load import load_study
from patroon.data.yamlfile import LoadError
from patroon.report import narrative
from tests.conftest import FIXTURES, REAL_DATA, ROOT

THESES = {"netwerksamenwerking": "000", "inkoop-jeugdhulp": "001", "samenwerken-jeugdzorg": "003",
          "waardevol-samenspel": "004"}
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def study():
    return load_study(FIXTURES / "vergelijk", base=ROOT)


@pytest.fixture(scope="module")
def rows(study):
    return {r.item.id: r for r in register.evaluate(study, blocks.run_blocks(study))}


def test_matrix_item_takes_the_authors_column_of_the_block(rows):
    # The author called a and b similar; the rule gives a similar, b different -> 1 of 2 agree.
    assert rows["elementen"].agreement == "deels"
    assert "geeft de regel er 1 ook; anders: element.b" in rows["elementen"].sentences[0]


def test_rows_are_compared_as_a_set_on_the_key_columns(rows):
    # Derived (passes = ja): r1 x; r2 y, z; r3 x, y, z. Author: r1 x, r2 y, r3 x, r3 w.
    # Both: r1 x, r2 y, r3 x (3); derived only: r2 z, r3 y, r3 z (3); author only: r3 w (1).
    assert rows["gedeeld"].agreement == "deels"
    assert "3 rijen bij beide, 3 alleen berekend" in rows["gedeeld"].sentences[0]
    assert "1 alleen bij de auteur (R3 / waarde.w)" in rows["gedeeld"].sentences[0]


def test_rows_equal_on_the_key_agree_whatever_the_authors_ranks(rows):
    # Top 2 keeps r1 x, y, z (tie), r2 z, y, r3 x, y, z (tie): the author lists the same eight on case and
    # variable, with ranks 1-3 of his own, which are not part of the key.
    assert rows["top-2"].agreement == "eens"
    view = rows["top-2"].author_view
    assert list(view.columns) == ["rank", "R1", "R2", "R3"]
    assert view["R2"].tolist() == ["waarde.z", "waarde.y", ""]


def test_cells_each_compared(rows):
    # factor.p is named in s1, s2, s4 (3) and q in s1 only (1): the author's 3 agrees, his 2 for q does not.
    assert rows["factoren"].agreement == "deels"
    assert "factor.q / count: auteur 2, berekend 1" in rows["factoren"].sentences[0]
    assert rows["factor-q"].agreement == "oneens"


def test_continuum_compares_the_authors_order_within_a_margin(rows):
    # Positions r1 -0.33, r2 +0.67, r3 -0.50; author r3 npm < r1 mengeling < r2 npg.
    # r3<r1: +0.17, not more than equal_within 0.2 -> not given; r3<r2 +1.17 and r1<r2 +1.00 -> given.
    assert rows["posities"].agreement == "deels"
    assert rows["posities"].sentences[0].startswith("Van de 3 verschillen in plaatsing")
    assert "De auteur plaatst R3 (NPM) dichter bij npm dan R1 (mengeling)" in rows["posities"].sentences[1]


def test_statuses_without_comparison(rows):
    assert rows["andere-lijst"].agreement == "niet-vergelijkbaar"
    assert rows["codes"].agreement == "geen-oordeel"  # derived, but the author judged nothing to set beside it
    assert rows["bevinding"].agreement == rows["figuur-1"].agreement == "n.v.t."


def test_counts_and_the_closing_note(rows, study):
    counts = register.counts(list(rows.values()))
    assert (counts["afgeleid"], counts["gecodeerd"], counts["niet-overgenomen"]) == (8, 1, 1)
    assert counts["agreement"] == {"eens": 1, "deels": 4, "oneens": 1, "niet-vergelijkbaar": 1, "geen-oordeel": 1}
    assert counts["coded_to_match"] == 1
    from patroon.report.reader import Reader

    text = narrative.register_text(Reader.of(study, "nl"), counts)
    assert text["closing"].startswith("Afgeleid: 8 (eens 1, deels 4, oneens 1, niet vergelijkbaar 1")
    assert "gecodeerd: 1; niet overgenomen: 1. Gecodeerd om met de auteur te kloppen (geheel of deels): 1." \
        in text["closing"]


def test_matrix_says_when_it_judges_on_fewer_than_all_cases(study):
    results = {r.block_id: r for r in blocks.run_blocks(study)}
    # element.d: aanwezig in r1, not discussed in r2 and r3 -> one known value of three.
    loose, strict = results["onvolledig-los"], results["onvolledig-streng"]
    assert loose.table.loc[0, ["computed", "known"]].tolist() == ["overeenkomst", "1/3"]
    assert strict.table.loc[0, ["computed", "known"]].tolist() == ["onbepaald", "1/3"]
    from patroon.report.reader import Reader

    reader = Reader.of(study, "nl")
    # The fixture's case kind `regio` gives no plural label: the sentence names its folder, 'regios'.
    assert "1 rij is beoordeeld op minder dan alle regios: element.d (1 van 3 bekend: overeenkomst)" \
        in narrative.block_text(reader, loose)
    assert "Met minder dan 2 bekende waarden oordeelt de regel niet" in narrative.block_text(reader, strict)
    assert "known" not in results["elementen"].table.columns  # every case known: no column


def test_top_k_total_ranks_the_sum_over_cases(study):
    result = {r.block_id: r for r in blocks.run_blocks(study)}["top-2-totaal"]
    total = result.table[result.table["case"] == "totaal"]
    # x 4+1+3 = 8, z 2+3+3 = 8, y 2+2+3 = 7, w 1+0 = 1: x and z tie at rank 1, y (rank 3) is out.
    assert list(zip(total["variable"], total["score"], total["rank"], total["tie"])) == [
        ("waarde.x", 8, 1, "ja"), ("waarde.z", 8, 1, "ja")]


@pytest.mark.parametrize("change, expected", [
    ("reason: De figuur was een afbeelding., ", "reproduction.9.reason: status 'niet-overgenomen' needs `reason`"),
    ("block: codes-per-regio,", "reproduction.7.block: status 'afgeleid' needs `block`"),
    ("block: top-2\n", "reproduction.2.block: unknown block 'top-3'"),
    ("[r3, waarde.w]", "reproduction.1.compare.rows.3: 1 values for 2 columns (case, variable)"),
    ("status: gecodeerd", "reproduction.8.status: 'vermoed' is not allowed"),
])
def test_bad_register_entries_name_file_line_and_field(tmp_path, change, expected):
    target = tmp_path / "vergelijk"
    shutil.copytree(FIXTURES / "vergelijk", target)
    text = (target / "study.yaml").read_text()
    replacement = {"reason: De figuur was een afbeelding., ": "", "block: codes-per-regio,": "",
                   "block: top-2\n": "block: top-3\n", "[r3, waarde.w]": "[r3]",
                   "status: gecodeerd": "status: vermoed"}[change]
    assert change in text
    (target / "study.yaml").write_text(text.replace(change, replacement, 1))
    with pytest.raises(LoadError) as error:
        load_study(target, base=tmp_path)
    messages = [str(p) for p in error.value.problems]
    assert any(re.match(r"vergelijk/study\.yaml:\d+: ", m) and expected in m for m in messages), messages


def test_synthesis_opens_with_the_findings_and_register_and_closes_with_the_counts(study, tmp_path):
    from patroon.engines.detect import detect
    from patroon.pipeline.build import render_study

    render_study(study, tmp_path, ["html"], detect("pandoc"), base=ROOT, log=lambda *_: None)
    qmd = (tmp_path / "synthese.qmd").read_text()
    headings = [line.split(" {")[0] for line in qmd.splitlines() if line.startswith("# ")]
    # The key findings, then the front matter (introduction, method), then the register: before any comparison.
    assert headings[0] == "# Belangrijkste bevindingen"
    assert headings.index("# Reproductieregister") < headings.index("# Overzicht")
    assert "# Slotnotitie" in headings and headings.index("# Slotnotitie") > headings.index("# Bronnotities")
    assert "**Tabel 2 (tegenover de auteur: deels eens).**" in qmd


# ---------------------------------------------------------------------------------------- the theses


@pytest.fixture(scope="module", params=sorted(THESES))
def thesis(request):
    data = load_study(REAL_DATA / request.param, base=ROOT)
    return data, register.evaluate(data, blocks.run_blocks(data), proposition_results=propositions.evaluate(data))


def test_every_thesis_has_a_register_with_all_three_statuses(thesis):
    data, rows = thesis
    statuses = {r.item.status for r in rows}
    assert statuses == {"afgeleid", "gecodeerd", "niet-overgenomen"}, data.study.id


def test_every_thesis_opens_its_register_conclusions_to_propositions(thesis):
    """Conclusions tested as propositions are derived items whose agreement is the proposition's, and every
    proposition a register item names exists (validate refuses the others)."""
    data, rows = thesis
    tested = [r for r in rows if r.item.proposition is not None]
    assert tested, data.study.id
    found = {p.id: p for p in propositions.evaluate(data)}
    for r in tested:
        assert r.item.status == "afgeleid" and r.agreement == (found[r.item.proposition].agreement or "geen-oordeel")


def test_every_derived_item_is_compared_or_says_why_not(thesis):
    """A derived item either carries a computed verdict or a reason it cannot be compared; 'geen-oordeel'
    is allowed only where the author indeed gave no judgement (no `author` text on the item)."""
    data, rows = thesis
    for r in rows:
        if r.item.status == "afgeleid" and r.agreement == "geen-oordeel":
            assert r.item.author is None, (data.study.id, r.item.id)
        if r.agreement in ("deels", "oneens"):
            assert r.sentences, (data.study.id, r.item.id)  # every disagreement stated in words


def _numbers(ref: str, word: str) -> set[int]:
    found = set()
    for match in re.finditer(word + r" ([0-9]+(?:\s*(?:-|en|,)\s*[0-9]+)*)", ref):
        parts = re.split(r"\s*(?:en|,)\s*", match.group(1))
        for part in parts:
            low, _, high = part.partition("-")
            found.update(range(int(low), int(high or low) + 1))
    return found


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the sources are not beside the repository")
def test_every_numbered_table_and_figure_of_the_thesis_is_in_its_register(thesis):
    data, rows = thesis
    seed = next(SEEDS.glob(f"{THESES[data.study.id]}_*.txt")).read_text(encoding="utf-8")
    for word in ("Tabel", "Figuur"):
        # A caption is a line that starts with the word and its number.
        captions = {int(n) for n in re.findall(rf"(?m)^\s*{word} ([0-9]+)\b", seed)}
        covered = set().union(*(_numbers(r.item.ref, word) for r in rows))
        assert captions <= covered, (data.study.id, word, sorted(captions - covered))


MACHINE_PATH = re.compile(r"(?<![\w.])(/tmp/|/home/|/Users/|/work/|/root/|[A-Za-z]:\\)")


def test_no_coders_machine_paths_in_data():
    found = [f"{path.relative_to(ROOT)}:{n}" for path in sorted(REAL_DATA.rglob("*.yaml"))
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if MACHINE_PATH.search(line)]
    assert not found, found


def test_no_coders_machine_paths_in_a_thesis_report(tmp_path):
    from patroon.engines.detect import detect
    from patroon.pipeline.build import render_study

    data = load_study(REAL_DATA / "netwerksamenwerking", base=ROOT)
    render_study(data, tmp_path, ["html"], detect("pandoc"), base=ROOT, log=lambda *_: None)
    for qmd in sorted(tmp_path.rglob("*.qmd")):
        hits = [line for line in qmd.read_text(encoding="utf-8").splitlines() if MACHINE_PATH.search(line)]
        assert not hits, (qmd.name, hits[:3])
