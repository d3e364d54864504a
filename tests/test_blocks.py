"""The general building blocks on the `vergelijk` fixture. Every expected value is worked out by hand from
the fixture files (tests/fixtures/vergelijk); the working is in the comments."""

from __future__ import annotations

import pandas as pd
import pytest

from patroon.analysis import blocks
from patroon.data.load import load_study
from patroon.data.yamlfile import LoadError
from patroon.pipeline.stages import run_analysis, run_tables
from patroon.report import narrative
from patroon.report.reader import Reader
from tests.conftest import FIXTURES, ROOT


@pytest.fixture(scope="module")
def study():
    return load_study(FIXTURES / "vergelijk", base=ROOT)


@pytest.fixture(scope="module")
def results(study):
    return {r.block_id: r for r in blocks.run_blocks(study)}


def test_matrix_similarity_and_comparison_with_the_source(results):
    table = results["elementen"].table.set_index("variable")
    # a: aanwezig everywhere -> similar; b: aanwezig/deels/aanwezig -> different; c: afwezig everywhere.
    assert table["computed"].to_dict() == {"element.a": "overeenkomst", "element.b": "verschil",
                                           "element.c": "overeenkomst"}
    # The author called a and b similar: a agrees, b does not, c was not judged.
    assert table["agrees"].to_dict() == {"element.a": "ja", "element.b": "nee", "element.c": ""}
    summary = results["elementen"].summary
    assert (summary["n_similar"], summary["n_compared"], summary["differences"]) == (2, 2, ["element.b"])


def test_threshold_per_case_is_a_strict_majority_of_the_denominator(results):
    result = results["gedeeld"]
    # r1 (4 members): x 4/4 passes; y and z 2/4 = exactly half, not more; w 1/4.
    # r2 (3): y 2/3 and z 3/3 pass. r3 (5): x, y, z 3/5 pass; w not coded cannot pass.
    assert result.summary["passing_per_case"] == {"r1": ["waarde.x"], "r2": ["waarde.y", "waarde.z"],
                                                  "r3": ["waarde.x", "waarde.y", "waarde.z"]}
    assert list(result.extra.columns) == ["combination", "value"]
    assert list(result.extra.itertuples(index=False, name=None))[:3] == [
        ("R1", "waarde.x"), ("R2", "waarde.y"), ("R2", "waarde.z")]
    uncoded = result.table[(result.table["case"] == "r3") & (result.table["variable"] == "waarde.w")].iloc[0]
    assert uncoded["passes"] == "nee" and pd.isna(uncoded["share"])


def test_threshold_at_least_share_over_cases(results):
    table = results["factoren"].table.set_index("variable")
    # p named in s1, s2, s4 = 3 of 4 >= 0.5; q named in s1 only = 1 of 4.
    assert table.loc["factor.p", ["count", "n", "passes"]].tolist() == [3, 4, "ja"]
    assert table.loc["factor.q", ["count", "n", "passes"]].tolist() == [1, 4, "nee"]


def test_top_k_keeps_ties_at_the_boundary(results):
    table = results["top-2"].table
    kept = {case: list(zip(group["variable"], group["rank"], group["tie"])) for case, group in table.groupby("case")}
    # r1: x 4 (rank 1), y and z 2 (both rank 2, tied) -> three kept, w (rank 4) not.
    assert kept["r1"] == [("waarde.x", 1, "nee"), ("waarde.y", 2, "ja"), ("waarde.z", 2, "ja")]
    # r2: z 3, y 2 -> exactly two. r3: x, y, z all 3 -> three-way tie at rank 1.
    assert kept["r2"] == [("waarde.z", 1, "nee"), ("waarde.y", 2, "nee")]
    assert [rank for _, rank, _ in kept["r3"]] == [1, 1, 1]
    assert results["top-2"].summary["kept_per_case"] == {"r1": 3, "r2": 2, "r3": 3}


def test_continuum_positions_overall_and_per_relation(study, results):
    table = results["npm-npg"].table.set_index(["case", "part"])
    # r1: npm, npm, npg -> (1 - 2) / 3; r2: npg, beide, npg -> (2.5 - 0.5) / 3; r3: beide, -, npm -> (0.5 - 1.5) / 2
    assert results["npm-npg"].summary["positions"] == {"r1": -0.3333, "r2": 0.6667, "r3": -0.5}
    assert table.loc[("r1", "aanbieders"), "position"] == -1.0
    assert table.loc[("r3", "aanbieders"), "position"] == 0.0
    assert table.loc[("r3", ""), "n_coded"] == 2
    text = narrative.block_text(Reader.of(study, "nl"), results["npm-npg"])
    names = {case_id: study.cases[case_id].name for case_id in ("r1", "r2", "r3")}
    assert text.index(names["r3"]) < text.index(names["r1"]) < text.index(names["r2"])
    assert "(−0,50)" in text  # the locale's decimal comma and a true minus sign


def test_crosstab_counts_every_coded_value_with_totals(results):
    table = results["codes-per-regio"].table.set_index("case")
    assert table.loc["r1", ["npm", "npg", "beide"]].tolist() == [2, 1, 0]
    assert table.loc["totaal", "totaal"] == 9  # 3 regions x 3 variables
    assert table.loc["totaal", "niet-besproken"] == 1


def test_stages_write_block_tables_and_contract_file(study, tmp_path):
    run_tables(study, tmp_path)
    written = run_analysis(study, tmp_path)
    assert (tmp_path / "tables" / "gedeelde.csv").read_text().splitlines()[0] == "combination,value"
    assert (tmp_path / "tables" / "s1-coded.csv").exists()
    units = pd.read_csv(tmp_path / "units.csv")
    assert len(units) == 7 and set(units["kind"]) == {"regio", "verhaal"}
    assert tmp_path / "patterns.json" in written


def test_bad_block_declarations_name_the_field(tmp_path):
    import shutil

    target = tmp_path / "vergelijk"
    shutil.copytree(FIXTURES / "vergelijk", target)
    text = (target / "study.yaml").read_text()
    text = text.replace("variables: {prefix: npm-npg.}\n      rows: case", "variables: {prefix: nergens.}\n      rows: case")
    text = text.replace("denominator: bestuurders", "denominator: element.a")
    (target / "study.yaml").write_text(text)
    with pytest.raises(LoadError) as error:
        load_study(target, base=tmp_path)
    messages = [str(p) for p in error.value.problems]
    assert any("blocks.5.variables" in m and "selects no variable" in m for m in messages)
    assert any("blocks.1.denominator" in m and "integer" in m for m in messages)


def test_part_of_must_name_an_existing_case(tmp_path):
    import shutil

    target = tmp_path / "vergelijk"
    shutil.copytree(FIXTURES / "vergelijk", target)
    story = target / "verhalen" / "s1.yaml"
    story.write_text(story.read_text().replace("part_of: r1", "part_of: r9"))
    with pytest.raises(LoadError) as error:
        load_study(target, base=tmp_path)
    assert any("s1.yaml:4: part_of: unknown case 'r9'" in str(p) for p in error.value.problems)


def test_case_tables_only_for_case_studies(study, tmp_path):
    paths = run_tables(study, tmp_path)
    coded = pd.read_csv(tmp_path / "tables" / "s1-coded.csv")
    assert coded["variable"].tolist() == ["factor.p", "factor.q"]  # only the variables of its kind
    assert len(paths) == 2 + 7


def test_case_study_renders_every_case_and_the_synthesis(study, tmp_path):
    from bs4 import BeautifulSoup
    from pypdf import PdfReader

    from patroon.engines.detect import detect
    from patroon.pipeline.build import render_study

    done = render_study(study, tmp_path, ["html", "pdf"], detect("pandoc"), base=ROOT, log=lambda *_: None)
    assert sorted(done) == ["regios/r1", "regios/r2", "regios/r3", "synthese",
                            "verhalen/s1", "verhalen/s2", "verhalen/s3", "verhalen/s4"]
    page = BeautifulSoup((tmp_path / "regios" / "r1.html").read_text(), "html.parser")
    assert "Regio R1" in page.title.text
    assert "Omvat: S1, S2, S3, S4" in page.text  # the stories told in this region
    # The colophon says what the names are, per study (not every study is pseudonymised).
    assert "De regio's heten echt zo in deze fixture." in page.text and "pseudoniemen" not in page.text
    synthesis = BeautifulSoup((tmp_path / "synthese.html").read_text(), "html.parser").text
    assert "wijken er 1 af: element.b" in synthesis
    assert len(PdfReader(tmp_path / "synthese.pdf").pages) >= 1
