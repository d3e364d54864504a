"""Each way an incremental build used to go stale or stop (issue 26), reproduced on the mini study: after
it, `make reports` (patroon.pipeline.runner) ends with the outputs of a clean build, byte for byte
(SOURCE_DATE_EPOCH set), or with a one-line error saying what to do."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT
from incremental import build, clean_outputs, config_of, differences, outputs, project, write_config

SNAKEMAKE = [sys.executable, "-m", "snakemake", "--snakefile", str(ROOT / "Snakefile"), "--cores", "2"]


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> dict[str, str]:
    """The outputs of a clean build of the mini study with the default test config (html)."""
    root = project(tmp_path_factory.mktemp("clean"))
    code, said = build(root)
    assert code == 0, said
    return outputs(root)


@pytest.fixture()
def built(tmp_path) -> Path:
    root = project(tmp_path / "project")
    code, said = build(root)
    assert code == 0, said
    return root


def test_deleted_outputs_are_made_again(built, clean):
    (built / "reports" / "mini" / "gemeenten" / "a.html").unlink()
    (built / "results" / "mini" / "codebook.qdc").unlink()
    shutil.rmtree(built / "reports" / "mini" / "figures" / "gemeenten-b")
    # Snakemake itself sees them missing (every output is a target), without patroon's runner around it.
    run = subprocess.run(SNAKEMAKE, cwd=built, capture_output=True, text=True,
                         env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"})
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Nothing to be done" not in run.stdout + run.stderr
    assert differences(outputs(built), clean) == []


def test_one_figure_deleted_from_its_folder_is_made_again(built, clean):
    # Its folder still exists, so Snakemake alone sees nothing missing; the build must notice the file.
    figures = sorted((built / "reports" / "mini" / "figures" / "gemeenten-b").glob("*.svg"))
    assert figures
    figures[0].unlink()
    code, said = build(built)
    assert code == 0, said
    assert "everything is up to date" not in said
    assert differences(outputs(built), clean) == []


def test_a_deleted_provider_changes_the_counts_in_every_report(built, tmp_path):
    # Every report's method section counts the study's organisations and units, also the reports of
    # gemeenten and providers that never worked with the deleted one.
    (built / "data" / "mini" / "aanbieders" / "org4.yaml").unlink()
    code, said = build(built)
    assert code == 0, said
    _, clean_after, _ = clean_outputs(built, tmp_path / "clean")
    assert differences(outputs(built), clean_after) == []


def test_a_quarto_project_file_goes_when_another_renderer_builds(built, tmp_path):
    # A build with Quarto (renderer auto, Quarto on PATH) writes reports/<study>/_quarto.yml; a clean
    # build with pandoc + Typst has none, so the next render with it removes the file.
    from patroon.engines.quarto import PROJECT_CONFIG, PROJECT_FILE

    (built / "reports" / "mini" / PROJECT_FILE).write_text(PROJECT_CONFIG)
    case = built / "data" / "mini" / "aanbieders" / "org4.yaml"
    case.write_text(case.read_text().replace("\nname: ", "\nname: X ", 1))
    code, said = build(built)
    assert code == 0, said
    assert not (built / "reports" / "mini" / PROJECT_FILE).exists()
    _, clean_after, _ = clean_outputs(built, tmp_path / "clean")
    assert differences(outputs(built), clean_after) == []


def test_a_language_change_rebuilds_in_that_language(built, tmp_path):
    # The configured language counts for a study without a language of its own.
    study = built / "data" / "mini" / "study.yaml"
    study.write_text(study.read_text().replace("language: nl\n", "", 1))
    code, said = build(built)
    assert code == 0, said
    write_config(built, language="en")
    code, said = build(built)
    assert code == 0, said
    assert "settings changed: language" in said
    _, reference, _ = clean_outputs(built, tmp_path / "clean-en")
    assert differences(outputs(built), reference) == []
    assert 'lang="en"' in (built / "reports" / "mini" / "gemeenten" / "a.html").read_text()


def test_formats_added_and_removed_leave_exactly_the_formats_asked_for(built, tmp_path, clean):
    write_config(built, formats=["html", "pdf"])
    code, said = build(built)
    assert code == 0, said
    _, reference, _ = clean_outputs(built, tmp_path / "clean-pdf")
    assert differences(outputs(built), reference) == []
    assert (built / "reports" / "mini" / "synthese.pdf").exists()
    # Back to html only: a clean build has no PDFs, so the incremental one must not keep them.
    write_config(built, formats=["html"])
    code, said = build(built)
    assert code == 0, said
    assert differences(outputs(built), clean) == []
    assert not list((built / "reports").rglob("*.pdf"))


def test_a_study_left_out_of_the_config_leaves_no_outputs_behind(built):
    shutil.copytree(built / "data" / "mini", built / "data" / "mini2")
    study = built / "data" / "mini2" / "study.yaml"
    study.write_text(study.read_text().replace("id: mini", "id: mini2", 1))
    write_config(built, studies=["mini", "mini2"])
    code, said = build(built)
    assert code == 0, said
    assert (built / "reports" / "mini2" / "synthese.html").exists()
    write_config(built, studies=["mini"])
    code, said = build(built)
    assert code == 0, said
    assert not (built / "reports" / "mini2").exists() and not (built / "results" / "mini2").exists()
    assert "mini2" not in (built / "reports" / "index.html").read_text()


def test_a_privacy_term_added_after_a_build_is_found_in_the_reports_that_exist(built, tmp_path):
    (built / "privacy.yaml").write_text("terms: [Orgtwee]\n")  # a provider's name in the mini study
    config = config_of(built)
    write_config(built, **{**config, "privacy_file": "privacy.yaml"})
    code, said = build(built)
    assert code != 0
    last = said.strip().splitlines()[-1]
    assert last.startswith("build failed: ") and "privacy" in last and "Orgtwee" in last, last
    # No output that a build made keeps the term: not the new ones, not those from before it was added.
    for path in list((built / "reports").rglob("*")) + list((built / "results").rglob("*")):
        if path.is_file() and path.suffix in (".qmd", ".html", ".csv", ".json"):
            assert "Orgtwee" not in path.read_text(errors="replace"), path
    clean_code, _, clean_said = clean_outputs(built, tmp_path / "clean-privacy")
    assert clean_code != 0 and "Orgtwee" in clean_said.strip().splitlines()[-1]


def test_a_killed_build_leaves_nothing_the_next_build_stops_on(built, clean):
    # Something to do: an edit that re-renders most reports, undone while the build runs.
    study = built / "data" / "mini" / "study.yaml"
    original = study.read_text()
    study.write_text(original.replace("title:", "title: Bewerkt -", 1))
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    process = subprocess.Popen([sys.executable, "-m", "patroon.pipeline.runner", "--snakefile",
                                str(ROOT / "Snakefile")], cwd=built, env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Snakemake backs up a render job's outputs just before it starts the job: kill while it renders.
    deadline = time.time() + 120
    while time.time() < deadline and not any((built / ".snakemake" / "backups").rglob("*.html")):
        time.sleep(0.02)
    time.sleep(0.5)
    os.killpg(process.pid, signal.SIGKILL)  # the whole build, as a crash or the OOM killer would
    process.wait()
    assert any((built / ".snakemake" / "backups").rglob("*")), "the kill came before the render job backed up"
    study.write_text(original)
    code, said = build(built)
    assert code == 0, said
    assert differences(outputs(built), clean) == []


def test_a_preview_then_reverted_data_leaves_no_preview_behind(built, clean):
    case = built / "data" / "mini" / "gemeenten" / "a.yaml"
    original = case.read_text()
    case.write_text(original.replace("name: Alfa", "name: Alfa Voorbeeld", 1))
    preview = subprocess.run([sys.executable, "-m", "patroon", "render", "--study", "mini", "--report", "gemeenten/a",
                              "--formats", "html", "--renderer", "pandoc"], cwd=built, capture_output=True, text=True)
    assert preview.returncode == 0, preview.stderr
    assert "Alfa Voorbeeld" in (built / "reports" / "mini" / "gemeenten" / "a.html").read_text()
    case.write_text(original)
    code, said = build(built)
    assert code == 0, said
    assert differences(outputs(built), clean) == []


@pytest.mark.parametrize("generated", ["reports/mini/gemeenten/a.qmd", "reports/mini/aanbieders/org1.html",
                                       "results/mini/units.csv"])
def test_a_hand_edited_output_is_made_again(built, clean, generated):
    path = built / generated
    path.write_text(path.read_text() + "\nhand edit\n")
    code, said = build(built)
    assert code == 0, said
    assert f"{generated} differs from what the build wrote: it is generated" in said
    assert differences(outputs(built), clean) == []


def test_a_renamed_case_file_leaves_no_report_of_the_old_name(built, tmp_path):
    old = built / "data" / "mini" / "aanbieders" / "org4.yaml"
    new = old.with_name("org5.yaml")
    new.write_text(old.read_text().replace("id: org4", "id: org5", 1))
    old.unlink()
    code, said = build(built)
    assert code == 0, said
    _, reference, _ = clean_outputs(built, tmp_path / "clean-renamed")
    assert differences(outputs(built), reference) == []
    assert not (built / "reports" / "mini" / "aanbieders" / "org4.html").exists()


def test_nothing_changed_starts_no_snakemake(built):
    log = built / "logs" / "build.log"
    before = log.stat().st_mtime_ns
    code, said = build(built)
    assert code == 0
    assert said.splitlines()[0].startswith("everything is up to date")
    assert log.stat().st_mtime_ns == before


def test_building_one_study_leaves_the_others_and_lists_them_all(built):
    from patroon.pipeline.runner import build as run

    shutil.copytree(built / "data" / "mini", built / "data" / "mini2")
    study = built / "data" / "mini2" / "study.yaml"
    study.write_text(study.read_text().replace("id: mini", "id: mini2", 1))
    write_config(built, studies=["mini", "mini2"])
    before = outputs(built)
    import io

    out = io.StringIO()
    assert run(built, stream=out, snakefile=ROOT / "Snakefile", study="mini2") == 0, out.getvalue()
    assert (built / "reports" / "mini2" / "synthese.html").exists()
    assert {k: v for k, v in outputs(built).items() if "/mini/" in k} == {k: v for k, v in before.items()
                                                                          if "/mini/" in k}
    assert "mini2" in (built / "reports" / "index.html").read_text()
    out = io.StringIO()
    assert run(built, stream=out, snakefile=ROOT / "Snakefile", study="nope") == 1
    assert out.getvalue().strip().splitlines()[-1].startswith("build failed: config/config.yaml: studies: 'nope'")
