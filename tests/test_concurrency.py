"""Interrupted and concurrent builds: no truncated report, the next build completes, two builds at once
do not corrupt each other (Snakemake's directory lock stops the second with a clear message)."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import FIXTURES, ROOT
from pypdf import PdfReader

SNAKEMAKE = [str(Path(sys.executable).with_name("snakemake")), "--snakefile", str(ROOT / "Snakefile"), "--cores", "2"]


def workdir(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURES / "mini", tmp_path / "data" / "mini")
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.yaml").write_text(
        f"studies: [mini]\nrenderer: pandoc\ndata_dir: {tmp_path / 'data'}\n")
    return tmp_path


def assert_reports_whole(root: Path, orphans_allowed: bool = False) -> None:
    """Every report is whole. A process killed outright cannot remove its hidden temporary files; the
    next build must (`orphans_allowed` only right after such a kill)."""
    for pdf in root.rglob("*.pdf"):
        assert len(PdfReader(pdf).pages) >= 1, pdf
    for html in root.rglob("*.html"):
        assert html.read_text().rstrip().endswith("</html>"), html
    if not orphans_allowed:
        assert not list(root.rglob(".*.tmp")), "temporary files left behind"


def test_interrupted_build_leaves_no_truncated_report_and_next_build_completes(tmp_path):
    root = workdir(tmp_path)
    process = subprocess.Popen(SNAKEMAKE, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and not list((root / "reports").rglob("*.html")):
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    process.wait(timeout=60)
    if (root / "reports").exists():
        assert_reports_whole(root / "reports")
    finished = subprocess.run(SNAKEMAKE + ["--rerun-incomplete"], cwd=root, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert len(list((root / "reports").rglob("*.pdf"))) == 8
    assert_reports_whole(root / "reports")


def test_killed_render_leaves_no_partial_file(tmp_path):
    root = workdir(tmp_path)
    command = [sys.executable, "-m", "patroon", "render", "--data", str(root / "data"), "--study", "mini",
               "--reports", str(root / "reports"), "--renderer", "pandoc"]
    process = subprocess.Popen(command, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and not list((root / "reports").rglob("*.html")):
        time.sleep(0.02)
    process.kill()
    process.wait(timeout=30)
    assert_reports_whole(root / "reports", orphans_allowed=True)
    # The next render finishes the job: every report exists and is whole.
    assert subprocess.run(command, cwd=root).returncode == 0
    assert len(list((root / "reports").rglob("*.pdf"))) == 8
    assert_reports_whole(root / "reports")


def test_second_concurrent_build_stops_with_a_clear_message(tmp_path):
    root = workdir(tmp_path)
    first = subprocess.Popen(SNAKEMAKE, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline and not (root / ".snakemake" / "locks").exists():
        time.sleep(0.02)
    while time.time() < deadline and not list((root / ".snakemake" / "locks").glob("*")):
        time.sleep(0.02)
    # As `make reports` runs it (the profile sets rerun-incomplete), the second build reaches the lock.
    second = subprocess.run(SNAKEMAKE + ["--rerun-incomplete"], cwd=root, capture_output=True, text=True)
    assert first.wait(timeout=120) == 0
    assert second.returncode != 0
    assert "cannot be locked" in second.stderr
    assert_reports_whole(root / "reports")
    assert len(list((root / "reports").rglob("*.pdf"))) == 8


def test_next_build_removes_what_a_killed_process_left_but_not_what_a_live_one_writes(tmp_path):
    from patroon.output.atomic import host_tag, remove_orphans

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    host = host_tag()
    folder = tmp_path / "reports" / "mini" / "gemeenten"
    folder.mkdir(parents=True)
    orphan_file = folder / f".a.pdf.{host}.{gone.pid}.k3j_x9.tmp"
    orphan_dir = folder / f".typst.{host}.{gone.pid}.q8w2e1.tmp"
    live_file = folder / f".b.pdf.{host}.{os.getpid()}.z1y2x3.tmp"
    # Another node of a cluster sharing this folder: its process ids mean nothing here, whether or not a
    # process with that number runs on this host.
    other_node = folder / f".c.pdf.{host}x-other.{gone.pid}.a1b2c3.tmp"
    no_host = folder / f".d.pdf.{gone.pid}.d4e5f6.tmp"  # the old naming: whose it is, is unknown
    report = folder / "a.pdf"
    orphan_file.write_text("half")
    orphan_dir.mkdir()
    (orphan_dir / "report.typ").write_text("half")
    for path in (live_file, other_node, no_host):
        path.write_text("being written")
    report.write_text("whole")
    assert set(remove_orphans(tmp_path / "reports")) == {orphan_file, orphan_dir}
    assert live_file.exists() and report.exists() and not orphan_file.exists() and not orphan_dir.exists()
    assert other_node.exists() and no_host.exists()


def test_temporary_files_are_named_with_host_and_process(tmp_path):
    import re

    from patroon.output.atomic import host_tag, temporary_folder

    with temporary_folder(tmp_path, "typst") as scratch:
        assert re.fullmatch(rf"\.typst\.{re.escape(host_tag())}\.{os.getpid()}\.[A-Za-z0-9_]+\.tmp", Path(scratch).name)
