"""The real pipeline (Snakemake + patroon CLI) on the mini fixture study, in a temporary directory."""

import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import FIXTURES, ROOT
from pypdf import PdfReader

SNAKEMAKE = Path(sys.executable).with_name("snakemake")


def snakemake(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(SNAKEMAKE), "--snakefile", str(ROOT / "Snakefile"), "--cores", "2", *args],
                          cwd=workdir, capture_output=True, text=True)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("build")
    data = workdir / "data"
    data.mkdir()
    import shutil

    shutil.copytree(FIXTURES / "mini", data / "mini")
    (workdir / "config").mkdir()
    (workdir / "config" / "config.yaml").write_text(
        f"studies: [mini]\nformats: [html, pdf]\nlanguage: nl\nrenderer: pandoc\ndata_dir: {data}\n")
    run = snakemake(workdir)
    assert run.returncode == 0, run.stderr[-3000:]
    return workdir


def reports(workdir: Path) -> list[Path]:
    return sorted((workdir / "reports" / "mini").rglob("*.html"))


def test_every_report_exists_in_every_format(built):
    stems = ["synthese", "gemeenten/a", "gemeenten/b", "gemeenten/c"] + [f"aanbieders/org{i}" for i in range(1, 5)]
    for stem in stems:
        for ext in ("qmd", "html", "pdf"):
            assert (built / "reports" / "mini" / f"{stem}.{ext}").stat().st_size > 0, f"{stem}.{ext}"
    assert (built / "results" / "mini" / "units.csv").exists()
    assert (built / "results" / "mini" / "qca" / "solutions.json").exists()


def test_html_reports_parse_show_names_and_load_nothing_from_network(built):
    names = {"gemeenten/a": "Alfa", "gemeenten/c": "Gamma", "aanbieders/org1": "Orgeen Alfa",
             "aanbieders/org3": "Orgdrie", "synthese": "Orgeen Beta"}  # unit org1-b by its name, not its id
    for stem, name in names.items():
        soup = BeautifulSoup((built / "reports" / "mini" / f"{stem}.html").read_text(), "html.parser")
        assert name in soup.get_text(), stem
        assert "org1-b" not in soup.get_text(), stem
        for tag in soup.find_all(["script", "link", "img", "iframe", "source"]):
            for attr in ("src", "href"):
                value = tag.get(attr) or ""
                assert not value.startswith(("http:", "https:", "//")), f"{stem}: {tag}"
        # Self-contained: figures are embedded, not linked to files beside the report.
        images = soup.find_all("img")
        assert all(img["src"].startswith("data:image/svg+xml") and img.get("alt") for img in images), stem
        if stem.startswith("gemeenten/"):
            assert len(images) == 3, stem  # conditions, weten/willen/kunnen/moeten, timeline


def test_pdf_reports_open_and_show_names(built):
    for stem, name in {"gemeenten/b": "Beta", "aanbieders/org1": "Orgeen Beta", "synthese": "Synthese"}.items():
        reader = PdfReader(built / "reports" / "mini" / f"{stem}.pdf")
        assert len(reader.pages) >= 1
        text = "".join(page.extract_text() for page in reader.pages)
        assert name in text, stem


def test_colophon_names_renderer_and_data_files(built):
    text = (built / "reports" / "mini" / "gemeenten" / "a.qmd").read_text()
    assert "pandoc" in text and "typst" in text
    assert "gemeenten/a.yaml" in text and "aanbieders/org1.yaml" in text and "codebook.yaml" in text
    assert "pseudoniemen" in text  # the study says so (`source.names`); a study that does not, gets nothing


def test_index_links_every_report(built):
    soup = BeautifulSoup((built / "reports" / "index.html").read_text(), "html.parser")
    links = {a["href"] for a in soup.find_all("a")}
    for path in reports(built):
        assert str(path.relative_to(built / "reports")) in links
    for link in links:
        assert (built / "reports" / link).exists(), link


def test_nothing_to_do_on_second_run(built):
    run = snakemake(built, "--dry-run")
    assert "Nothing to be done" in run.stdout + run.stderr


def test_changing_one_provider_rebuilds_only_what_depends_on_it(built):
    # Every write is a new file renamed into place (a new inode); the reports a render job keeps are only
    # touched, so that Snakemake sees its outputs newer than its inputs.
    before = {p: p.stat().st_ino for p in (built / "reports" / "mini").rglob("*.*") if p.is_file()}
    path = built / "data" / "mini" / "aanbieders" / "org2.yaml"
    # A real edit: Snakemake compares content checksums, so a mere touch would rightly rebuild nothing.
    path.write_text(path.read_text().replace("name: Orgtwee", "name: Orgtwee BV", 1))
    run = snakemake(built)
    assert run.returncode == 0, run.stderr[-2000:]
    changed = {str(p.relative_to(built / "reports" / "mini").with_suffix(""))
               for p, inode in before.items() if p.stat().st_ino != inode and not p.parent.name.startswith(".")}
    # org2 works in gemeente a only: its own report, gemeente a's, and the study-wide synthesis; and
    # only those reports' figures (figures/<report stem with dashes>/<figure>.svg).
    # (data/ holds the study's tables copied from results/: they change with any edit, as results/ does.)
    reports = {c for c in changed if not c.startswith(("figures/", "data/"))}
    assert reports == {"aanbieders/org2", "gemeenten/a", "synthese"}
    figures = {c.removeprefix("figures/") for c in changed if c.startswith("figures/")}
    assert figures and all(f.startswith(("aanbieders-org2/", "gemeenten-a/", "synthese/")) for f in figures)
    assert "Orgtwee BV" in (built / "reports" / "mini" / "aanbieders" / "org2.html").read_text()


def broken_mini(workdir: Path) -> None:
    """The mini study in `workdir` with one value the codebook does not allow (gemeenten/b.yaml)."""
    import shutil

    data = workdir / "data"
    shutil.copytree(FIXTURES / "mini", data / "mini")
    bad = data / "mini" / "gemeenten" / "b.yaml"
    bad.write_text(bad.read_text().replace("value: hoog", "value: extreem"))
    (workdir / "config").mkdir()
    (workdir / "config" / "config.yaml").write_text(f"studies: [mini]\nrenderer: pandoc\ndata_dir: {data}\n")


def test_invalid_data_stops_the_build_before_anything_is_written(tmp_path):
    broken_mini(tmp_path)
    run = snakemake(tmp_path)
    assert run.returncode != 0
    log = tmp_path / "logs" / "mini" / "validate.log"
    said = run.stdout + run.stderr + (log.read_text() if log.exists() else "")
    assert "gemeenten/b.yaml:" in said and "onzekerheid.value: 'extreem' is not allowed" in said
    assert not (tmp_path / "results" / "mini" / "units.csv").exists()
    assert not (tmp_path / "reports").exists()


def test_patroon_build_shows_progress_and_says_what_was_rebuilt(built):
    import io

    from patroon.pipeline.runner import build

    assert build(built, stream=io.StringIO(), snakefile=ROOT / "Snakefile") == 0  # records what it built
    path = built / "data" / "mini" / "aanbieders" / "org3.yaml"
    path.write_text(path.read_text().replace("name: Orgdrie", "name: Orgdrie NV", 1))
    out = io.StringIO()
    assert build(built, stream=out, snakefile=ROOT / "Snakefile") == 0
    text = out.getvalue()
    assert "mini: rendered 3 of 8 reports" in text  # org3, its gemeente and the synthesis
    assert "changed: aanbieders/org3.yaml: aanbieders/org3, gemeenten/b, synthese" in text  # what, and why
    assert "mini: 1 changed: " in text and "aanbieders/org3.yaml" in text
    assert text.strip().splitlines()[-1] == f"open {(built / 'reports' / 'index.html').resolve()}"
    again = io.StringIO()
    assert build(built, stream=again, snakefile=ROOT / "Snakefile") == 0
    assert "everything is up to date" in again.getvalue()


def test_a_failed_build_ends_with_its_one_line_cause(tmp_path):
    import io
    import re

    from patroon.pipeline.runner import build

    broken_mini(tmp_path)
    out = io.StringIO()
    assert build(tmp_path, stream=out, snakefile=ROOT / "Snakefile") != 0
    last = out.getvalue().strip().splitlines()[-1]
    assert re.fullmatch(r"build failed: \S*gemeenten/b\.yaml:\d+: onzekerheid\.value: 'extreem' is not allowed.*", last), last
