"""The worked example of docs/your-own-study.md (tests/fixtures/lipset: 18 countries, four crisp
conditions and an outcome, evidence pointing at rows of a published data set), built as a newcomer builds
it: by the real pipeline, one study at a time, in English, beside another configured study."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from conftest import FIXTURES, ROOT
from pdf_layout import broken_words, layout_problems

SNAKEMAKE = Path(sys.executable).with_name("snakemake")
# Words of the youth-care studies and of Dutch report text: none may reach an English report of a study
# that declares none of them (matched in lower case, as parts of words).
FOREIGN = ["gemeente", "aanbieder", "jeugd", "totaal", "pseudonym", "municipalit", "provider", "youth",
           "onbekend", "verwachting", "afgeleid", "bijlage", "tabel ", "synthese", "sturing", "volgen", "§"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """`make reports STUDY=lipset` in a project that configures two studies, reports in English."""
    workdir = tmp_path_factory.mktemp("example")
    for study in ("mini", "lipset"):
        shutil.copytree(FIXTURES / study, workdir / "data" / study)
    (workdir / "config").mkdir()
    (workdir / "config" / "config.yaml").write_text(
        "studies: [mini, lipset]\nformats: [html, pdf]\nlanguage: en\nrenderer: pandoc\ndata_dir: data\n")
    run = subprocess.run([str(SNAKEMAKE), "--snakefile", str(ROOT / "Snakefile"), "--cores", "2",
                          "--config", "study=lipset"], cwd=workdir, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    return workdir


def test_only_the_chosen_study_is_built(built):
    assert (built / "reports" / "lipset" / "synthese.pdf").exists()
    assert not (built / "reports" / "mini").exists()
    assert not (built / "results" / "mini").exists()
    assert "Czechoslovakia" in (built / "reports" / "index.html").read_text()


def test_reports_are_english_without_words_of_another_domain(built):
    pages = sorted((built / "reports" / "lipset").rglob("*.html"))
    assert len(pages) == 19  # 18 countries and the synthesis
    for page in pages:
        soup = BeautifulSoup(page.read_text(), "html.parser")
        assert soup.find("html")["lang"] == "en"
        text = soup.get_text(" ").lower()
        found = [word for word in FOREIGN if word in text]
        assert not found, f"{page.name}: {found}"
    austria = BeautifulSoup((built / "reports" / "lipset" / "countries" / "austria.html").read_text(),
                            "html.parser").get_text(" ")
    # The reference as the source writes it: the data set and its row, no section sign in front.
    assert "LR and LC, R package QCA, row AU" in austria
    colophon = (built / "reports" / "lipset" / "synthese.html").read_text()
    assert "Countries are named as in the source" in colophon  # the study's own `source.names`


def test_results_keep_ids_and_speak_the_report_language(built):
    results = built / "results" / "lipset"
    assert sorted(p.name for p in (results / "tables").glob("*-coded.csv"))[0] == "austria-coded.csv"
    assert not list(results.rglob("*gecodeerd*"))
    coded = pd.read_csv(results / "tables" / "austria-coded.csv")
    assert coded.set_index("variable").loc["development", "label"] == "Development (DEV)"
    assert "row AU" in coded.set_index("variable").loc["development", "evidence"]
    units = pd.read_csv(results / "units.csv")
    assert len(units) == 18 and set(units["survival"]) == {0, 1}


def test_every_pdf_is_a4_without_overprinting_or_names_broken_between_letters(built):
    from patroon.data.load import load_study

    names = [case.name for case in load_study(built / "data" / "lipset", base=built).cases.values()]
    pdfs = sorted((built / "reports" / "lipset").rglob("*.pdf"))
    assert len(pdfs) == 19
    problems = [line for pdf in pdfs for line in layout_problems(pdf) + broken_words(pdf, names)]
    assert problems == [], "\n".join(problems[:30])


def test_the_docs_page_shows_the_example_as_it_ships():
    """Every YAML block of docs/your-own-study.md parses, and the files it shows are the fixture's."""
    import re

    import yaml

    page = (ROOT / "docs" / "your-own-study.md").read_text()
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", page, re.S)]
    study = yaml.safe_load((FIXTURES / "lipset" / "study.yaml").read_text())
    shown = next(b for b in blocks if isinstance(b, dict) and b.get("id") == "lipset")
    step_six = ("analysis", "propositions")  # shown in step 6, section by section
    assert {k: v for k, v in shown.items() if k not in step_six} == {k: v for k, v in study.items() if k not in step_six}
    analyses = [b["analysis"] for b in blocks if isinstance(b, dict) and isinstance(b.get("analysis"), dict)]
    assert [a["blocks"] for a in analyses if isinstance((a.get("blocks") or [None])[0], dict)] == [study["analysis"]["blocks"]]
    assert [a["qca"] for a in analyses if "outcome" in (a.get("qca") or {})] == [study["analysis"]["qca"]]
    assert [b["propositions"] for b in blocks if isinstance(b, dict) and isinstance(b.get("propositions"), list)
            and isinstance(b["propositions"][0], dict)] == [study["propositions"]]
    austria = yaml.safe_load((FIXTURES / "lipset" / "countries" / "austria.yaml").read_text())
    case = next(b for b in blocks if isinstance(b, dict) and b.get("id") == "austria")
    assert all(austria["coded"][v] == case["coded"][v] for v in case["coded"])
