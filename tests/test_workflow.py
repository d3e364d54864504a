"""What the Snakefile declares (patroon.pipeline.workflow) against what the stages write: every file is a declared
output, so the workflow runs where only declared files travel (storage plugins, no shared filesystem);
shards split a study's reports without gaps or overlaps."""

from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT

from patroon.data.load import load_study
from patroon.pipeline import workflow

STUDIES = [ROOT / "data" / s for s in ("sturing-jeugdhulp", "netwerksamenwerking", "inkoop-jeugdhulp",
                                       "samenwerken-jeugdzorg", "waardevol-samenspel")] + [FIXTURES / "mini"]


@pytest.mark.parametrize("study_dir", STUDIES, ids=lambda p: p.name)
def test_declared_table_and_analysis_outputs_are_exactly_what_the_stages_write(study_dir, tmp_path):
    from patroon.pipeline.stages import run_analysis, run_tables

    data = load_study(study_dir, base=ROOT)
    lay = workflow.layout(study_dir, with_units=False)
    out = tmp_path / study_dir.name
    written = {str(p.relative_to(out)) for p in run_tables(data, out)}
    assert written == set(workflow.table_outputs(lay))
    written = {str(p.relative_to(out)) for p in run_analysis(data, out)}
    assert written == set(workflow.analysis_outputs(lay, study_dir.name))
    on_disk = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    assert on_disk == set(workflow.table_outputs(lay)) | set(workflow.analysis_outputs(lay, study_dir.name))


@pytest.mark.parametrize("count", [1, 2, 3, 7, 50])
def test_shards_cover_every_report_once(count):
    lay = workflow.layout(ROOT / "data" / "sturing-jeugdhulp", with_units=False)
    stems = workflow.report_stems(lay)
    assert len(stems) == 1 + 1 + 5 + 15  # synthesis, agreement report (a second coding), gemeenten, aanbieders
    n = workflow.shard_count(stems, count)
    parts = [workflow.shard(stems, i, n) for i in range(1, n + 1)]
    assert all(parts), "no empty shard is planned"
    assert sorted(s for part in parts for s in part) == sorted(stems)
    assert n == min(count, len(stems))


def test_render_job_takes_the_same_shard_as_the_snakefile():
    from patroon.pipeline.build import render_plan, targets

    data = load_study(ROOT / "data" / "sturing-jeugdhulp", base=ROOT)
    plan = render_plan(data, ["html"], "pandoc", None)
    lay = workflow.layout(ROOT / "data" / "sturing-jeugdhulp", with_units=False)
    for index in (1, 2, 3, 4):
        assert sorted(t.stem for t in targets(plan, (index, 4))) == \
            sorted(workflow.shard(workflow.report_stems(lay), index, 4))


def test_a_render_shard_writes_exactly_its_declared_outputs(tmp_path):
    from patroon.engines.detect import detect
    from patroon.pipeline.build import render_study

    data = load_study(FIXTURES / "mini", base=ROOT)
    stems = workflow.report_stems(workflow.layout(FIXTURES / "mini", with_units=False))
    mine = workflow.shard(stems, 2, 3)
    render_study(data, tmp_path, ["html"], detect("pandoc"), part=(2, 3), log=lambda *_: None)
    declared = workflow.shard_outputs(mine, ["html"])
    files = {str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()}
    in_folders = {f for f in files if f.startswith("figures/")}
    assert files - in_folders == set(declared["files"]) | {workflow.manifest_name(2, 3)}
    assert {str(Path(f).parent) for f in in_folders} <= set(declared["folders"])
    assert all((tmp_path / folder).is_dir() for folder in declared["folders"])


def test_resources_grow_with_the_input_and_with_each_attempt():
    assert workflow.render_mem_mb(12, 2000) > workflow.render_mem_mb(1.4, 21) >= 538  # measured peak, MiB
    assert workflow.render_mem_mb(12, 2000) >= 1229  # the national render's 1.2 GiB peak
    assert workflow.render_mem_mb(1.4, 21, attempt=2) > workflow.render_mem_mb(1.4, 21, attempt=1)
    assert workflow.stage_mem_mb(1.4) >= 110 and workflow.stage_mem_mb(1.4, 3) > workflow.stage_mem_mb(1.4, 2)
    assert workflow.render_runtime(1.4, 21) >= 1


def test_dry_run_through_the_slurm_profile_plans_several_render_shards_for_the_dissertation(tmp_path):
    import subprocess
    import sys

    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.yaml").write_text(
        f"studies: [sturing-jeugdhulp]\nrenderer: pandoc\ndata_dir: {ROOT / 'data'}\n")
    # The profile names the slurm executor; a dry run only plans, so it needs no cluster, but the plugin.
    pytest.importorskip("snakemake_executor_plugin_slurm", reason="the [slurm] extra is not installed")
    run = subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(ROOT / "Snakefile"), "-n",
                          "--profile", str(ROOT / "workflow" / "profiles" / "slurm")],
                         cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    shards = {line.split()[0] for line in run.stdout.splitlines() if line.startswith("reports_sturing_jeugdhulp_")}
    assert shards == {f"reports_sturing_jeugdhulp_{i}_of_8" for i in range(1, 9)}


def test_stale_lock_is_removed_but_not_a_live_one(tmp_path):
    import subprocess
    import sys

    (tmp_path / ".snakemake" / "locks").mkdir(parents=True)
    (tmp_path / ".snakemake" / "locks" / "0.input.lock").write_text("x\n")
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)", "snakemake"], cwd=tmp_path)
    import time

    deadline = time.monotonic() + 10  # a loaded machine may take a moment to show the new command line
    while b"snakemake" not in Path(f"/proc/{live.pid}/cmdline").read_bytes() and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        assert workflow.unlock_if_stale(tmp_path, log=lambda *_: None) is False
        assert list((tmp_path / ".snakemake" / "locks").iterdir())
    finally:
        live.kill()
        live.wait()
    (tmp_path / "Snakefile").write_text("rule all:\n    input: []\n")
    assert workflow.unlock_if_stale(tmp_path, log=lambda *_: None) is True
    locks = tmp_path / ".snakemake" / "locks"
    assert not locks.exists() or not list(locks.iterdir())


def test_the_targets_patroon_build_asks_for_plan_the_same_jobs_as_the_all_rule(tmp_path):
    """patroon build asks Snakemake for each study's rules by name (a DAG that is quicker to build at
    national scale); the jobs must be exactly those the `all` rule, which asks file by file, plans."""
    import shutil
    import subprocess
    import sys

    shutil.copytree(ROOT / "data" / "sturing-jeugdhulp", tmp_path / "data" / "sturing-jeugdhulp")
    shutil.copytree(FIXTURES / "mini", tmp_path / "data" / "mini")
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.yaml").write_text(
        "studies: [sturing-jeugdhulp, mini]\nrenderer: pandoc\ndata_dir: data\nreport_shards: 2\n")
    targets = [t for study in ("sturing-jeugdhulp", "mini")
               for t in workflow.study_targets(workflow.layout(tmp_path / "data" / study, with_units=False), study, 2)]

    def planned(*args: str) -> set[str]:
        run = subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(ROOT / "Snakefile"), "-n",
                              "--cores", "2", *args], cwd=tmp_path, capture_output=True, text=True)
        assert run.returncode == 0, run.stderr[-2000:]
        table = run.stdout.split("Job stats:")[1].split("total")[0]
        return {line.split()[0] + " " + line.split()[1] for line in table.splitlines()[3:] if line.strip()}

    by_rule = planned(*targets, "reports/index.html")
    assert by_rule == planned() - {"all 1"}
    assert "reports_sturing_jeugdhulp_2_of_2 1" in by_rule and "agreement 1" in by_rule
