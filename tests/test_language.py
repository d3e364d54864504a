from bs4 import BeautifulSoup
from conftest import FIXTURES

from patroon.cli import main


def test_english_labels_while_evidence_stays_as_coded(tmp_path):
    code = main(["render", "--data", str(FIXTURES), "--study", "mini", "--reports", str(tmp_path),
                 "--report", "gemeenten/a", "--report", "synthese", "--language", "en", "--renderer", "pandoc",
                 "--formats", "html"])
    assert code == 0
    soup = BeautifulSoup((tmp_path / "mini" / "gemeenten" / "a.html").read_text(), "html.parser")
    for number in soup.select(".header-section-number"):
        number.decompose()
    headings = [" ".join(h.get_text().split()) for h in soup.find_all(["h1", "h2"])]
    assert "How the municipality steers" in headings
    assert "Hoe de gemeente stuurt" not in headings
    assert soup.find("html")["lang"] == "en"
    assert "fixture evidence" in soup.get_text()
    synthesis = (tmp_path / "mini" / "synthese.html").read_text()
    assert "Propositions: predicted and observed pattern" in synthesis and "Proposities" not in synthesis
    assert "confirmed" in synthesis and "bevestigd" not in synthesis


def test_dutch_is_the_default(tmp_path):
    assert main(["render", "--data", str(FIXTURES), "--study", "mini", "--reports", str(tmp_path),
                 "--report", "gemeenten/a", "--renderer", "pandoc", "--formats", "html"]) == 0
    assert "Hoe de gemeente stuurt" in (tmp_path / "mini" / "gemeenten" / "a.html").read_text()


def _project(tmp_path, config_language: str, study_language: str | None = None):
    """A project with the example study (its study.yaml sets no language unless `study_language`)."""
    import shutil

    from conftest import FIXTURES

    shutil.copytree(FIXTURES / "lipset", tmp_path / "data" / "lipset")
    if study_language:
        study = tmp_path / "data" / "lipset" / "study.yaml"
        study.write_text(study.read_text().replace("title: Survival", f"language: {study_language}\ntitle: Survival"))
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.yaml").write_text(f"studies: [lipset]\nlanguage: {config_language}\n")
    return ["--data", str(tmp_path / "data"), "--config", str(tmp_path / "config" / "config.yaml")]


def _synthesis_language(tmp_path, common, *extra):
    reports = tmp_path / "reports"
    assert main(["render", *common, "--reports", str(reports), "--report", "synthese", "--renderer", "pandoc",
                 "--formats", "html", *extra]) == 0
    return BeautifulSoup((reports / "lipset" / "synthese.html").read_text(), "html.parser").find("html")["lang"]


def test_the_configured_language_is_honoured_by_render(tmp_path):
    assert _synthesis_language(tmp_path, _project(tmp_path, "en")) == "en"


def test_a_studys_language_overrides_the_config_and_the_command_line_both(tmp_path):
    common = _project(tmp_path, "en", study_language="nl")
    assert _synthesis_language(tmp_path, common) == "nl"
    assert _synthesis_language(tmp_path, common, "--language", "en") == "en"


def test_tables_analysis_and_index_follow_the_same_setting(tmp_path):
    import pandas as pd

    common = _project(tmp_path, "en")
    results, reports = tmp_path / "results", tmp_path / "reports"
    assert main(["tables", *common, "--results", str(results)]) == 0
    coded = pd.read_csv(results / "lipset" / "tables" / "austria-coded.csv").set_index("variable")
    assert coded.loc["survival", "label"] == "Democracy survived (SURV)"
    assert main(["tables", *common, "--results", str(results), "--language", "nl"]) == 0
    coded = pd.read_csv(results / "lipset" / "tables" / "austria-coded.csv").set_index("variable")
    assert coded.loc["survival", "label"] == "Democratie overleefd (SURV)"
    assert main(["index", *common, "--reports", str(reports)]) == 0
    assert '<html lang="en">' in (reports / "index.html").read_text()


def test_snakemake_passes_the_configured_language_without_overriding_a_study(tmp_path):
    """The render rule gives the configured language as the default only: a study's own wins."""
    from conftest import ROOT

    rules = (ROOT / "workflow" / "rules" / "reports.smk").read_text()
    assert "--language" not in rules
    assert "--configured-language" in (ROOT / "workflow" / "rules" / "common.smk").read_text()
