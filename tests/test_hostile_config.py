"""Configuration and data as an attacker writes them: nothing reaches a shell, a browser or a spreadsheet
as code."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import FIXTURES, ROOT

from patroon.pipeline.stages import write_csv
from patroon.report import escape

SNAKEMAKE = Path(sys.executable).with_name("snakemake")


@pytest.mark.parametrize("value, expected", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
    ("+31 6 1234", "'+31 6 1234"),
    ("-2+3", "'-2+3"),
    ("\tcmd", "'\tcmd"),
    ("\rcmd", "'\rcmd"),
    ("+", "+"), ("-", "-"),  # the codebook's codes are no formulas
    ("-1", "-1"), ("+0.5", "+0.5"),  # numbers stay numbers
    ("volgen", "volgen"), (3, 3),
])
def test_spreadsheet_cells_are_neutralised_as_owasp_advises(value, expected):
    assert escape.spreadsheet_cell(value) == expected


def test_every_csv_goes_through_the_neutraliser(tmp_path):
    import pandas as pd

    frame = pd.DataFrame({"name": ["=1+1", "Rijn"], "weten": ["+", "-"]}, index=["@a", "b"])
    write_csv(tmp_path / "x.csv", frame, index=True)
    rows = list(csv.reader((tmp_path / "x.csv").open(encoding="utf-8")))
    assert rows[1] == ["'@a", "'=1+1", "+"]
    assert rows[2] == ["b", "Rijn", "-"]


def test_a_formula_in_a_case_name_reaches_the_csv_inert(tmp_path):
    study = tmp_path / "data" / "mini"
    shutil.copytree(FIXTURES / "mini", study)
    case = study / "gemeenten" / "a.yaml"
    data = yaml.safe_load(case.read_text(encoding="utf-8"))
    data["name"] = '=HYPERLINK("http://evil","klik")'
    case.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "patroon", "tables", "--data", "data", "--study", "mini",
                          "--results", "results", "--config", "none.yaml"], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    cells = [c for row in csv.reader((tmp_path / "results" / "mini" / "cases.csv").open(encoding="utf-8")) for c in row]
    assert "'=HYPERLINK(\"http://evil\",\"klik\")" in cells
    assert not any(c.startswith("=") for c in cells)


def test_code_span_holds_backticks_and_html_literally():
    span = escape.code_span("data`<img src=x onerror=alert(1)>`")
    assert span.startswith("`` ") and span.endswith(" ``")


def _workdir(tmp_path: Path, data_dir: str) -> Path:
    data = tmp_path / data_dir
    data.mkdir(parents=True)
    shutil.copytree(FIXTURES / "mini", data / "mini")
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.yaml").write_text(yaml.safe_dump(
        {"studies": ["mini"], "formats": ["html"], "renderer": "pandoc", "data_dir": data_dir}), encoding="utf-8")
    return tmp_path


def test_data_dir_never_reaches_a_shell_and_may_hold_spaces_and_markup(tmp_path):
    """A data_dir with a space, shell syntax and HTML builds, runs nothing, and shows as text."""
    hostile = "my data;touch PWNED;#`<img src=x onerror=alert(1)>`"
    workdir = _workdir(tmp_path, hostile)
    run = subprocess.run([str(SNAKEMAKE), "--snakefile", str(ROOT / "Snakefile"), "--cores", "2"],
                         cwd=workdir, capture_output=True, text=True)
    assert not (workdir / "PWNED").exists()
    assert run.returncode == 0, run.stderr[-3000:]
    page = (workdir / "reports" / "mini" / "synthese.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(page, "html.parser")
    assert not soup.find_all("img", attrs={"onerror": True})
    assert "onerror=alert(1)" in soup.get_text()
