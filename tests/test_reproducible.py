"""Rebuilding the same data gives the same bytes: in separate processes (Python varies its hashing per
process, which once changed the order of QCA terms), and with SOURCE_DATE_EPOCH set also for the PDFs and
the workbook, which otherwise carry the time of the build."""

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import FIXTURES


def build(out: Path, epoch: str) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": epoch}
    common = ["--data", str(FIXTURES), "--study", "mini"]
    for command in (["analyse", "--results", str(out / "results")],
                    ["render", "--reports", str(out / "reports"), "--renderer", "pandoc", "--formats", "html,pdf"]):
        subprocess.run([sys.executable, "-m", "patroon", *command, *common], check=True, env=env,
                       capture_output=True)


def contents(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".manifest" not in p.relative_to(root).parts}


def test_two_builds_of_the_same_data_are_identical(tmp_path):
    build(tmp_path / "first", "1700000000")
    build(tmp_path / "second", "1700000000")
    first, second = contents(tmp_path / "first"), contents(tmp_path / "second")
    assert any(name.endswith(".pdf") for name in first) and any(name.endswith(".xlsx") for name in first)
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_the_build_date_comes_from_source_date_epoch(tmp_path):
    build(tmp_path / "a", "1700000000")
    build(tmp_path / "b", "1600000000")
    pdf = "reports/mini/synthese.pdf"
    assert contents(tmp_path / "a")[pdf] != contents(tmp_path / "b")[pdf]
    assert b"D:20231114" in contents(tmp_path / "a")[pdf]  # 1700000000 is 2023-11-14 UTC
