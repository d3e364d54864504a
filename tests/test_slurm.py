"""The workflow on a real SLURM: a single-node cluster brought up here (tools/localslurm.py), the fixture
study built through workflow/profiles/slurm with its reports in two shards, and every output compared
byte for byte with a local build of one shard. Needs root (to install Debian's packages and start the
daemons) and the `[slurm]` extra; without them the test is skipped with the reason, except in CI, where
it must run."""

import importlib.util
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT

SNAKEMAKE = [sys.executable, "-m", "snakemake", "--snakefile", str(ROOT / "Snakefile")]


def _unavailable() -> str | None:
    if os.geteuid() != 0:
        return "SLURM test needs root (installs Debian's slurm packages and starts munged, slurmctld, slurmd)"
    if importlib.util.find_spec("snakemake_executor_plugin_slurm") is None:
        return "snakemake-executor-plugin-slurm is not installed: pip install -e '.[slurm]'"
    return None


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the SLURM test: {reason}")
    pytest.skip(reason)


def workdir(root: Path) -> Path:
    shutil.copytree(FIXTURES / "mini", root / "data" / "mini")
    (root / "config").mkdir(parents=True)
    (root / "config" / "config.yaml").write_text("studies: [mini]\nrenderer: pandoc\ndata_dir: data\n")
    return root


def outputs(root: Path) -> dict[str, bytes]:
    """Every file under results/ and reports/ except the render manifests (one per shard, so their
    names and number follow the shard count)."""
    found = {}
    for top in ("results", "reports"):
        for path in sorted((root / top).rglob("*")):
            relative = path.relative_to(root)
            if path.is_file() and ".manifest" not in relative.parts:
                found[str(relative)] = path.read_bytes()
    return found


def test_slurm_build_matches_local_build_byte_for_byte(tmp_path):
    reason = _unavailable()
    if reason:
        _skip_or_fail(reason)
    from localslurm import LocalSlurm, Unavailable

    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    local = workdir(tmp_path / "local")
    run = subprocess.run(SNAKEMAKE + ["--cores", "2"], cwd=local, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]

    cluster_dir = workdir(tmp_path / "cluster")
    try:
        cluster = LocalSlurm()
        cluster.__enter__()
    except Unavailable as exc:
        _skip_or_fail(str(exc))
    try:
        started = time.monotonic()
        run = subprocess.run(
            SNAKEMAKE + ["--profile", str(ROOT / "workflow" / "profiles" / "slurm"), "--config", "report_shards=2",
                         "--seconds-between-status-checks", "2", "--slurm-init-seconds-before-status-checks", "2"],
            cwd=cluster_dir, env={**cluster.env(), "SOURCE_DATE_EPOCH": "1700000000"},
            capture_output=True, text=True, timeout=300)
        elapsed = time.monotonic() - started
        daemons = [p.pid for p in cluster.processes]
    finally:
        cluster.__exit__(None, None, None)
    said = run.stdout + run.stderr
    assert run.returncode == 0, said[-4000:]
    # The jobs went through SLURM, and the reports in two shards (one job each).
    assert "Job" in said and "has been submitted with SLURM jobid" in said, said[-3000:]
    for index in (1, 2):
        assert (cluster_dir / "reports" / "mini" / ".manifest" / f"{index}-of-2.json").is_file()
    # The daemons this test started are gone (stopped by their pids).
    for pid in daemons:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()

    expected, got = outputs(local), outputs(cluster_dir)
    assert any(name.endswith(".pdf") for name in expected) and any(name.endswith(".xlsx") for name in expected)
    assert sorted(got) == sorted(expected)
    assert [name for name in expected if expected[name] != got[name]] == []
    print(f"SLURM build of the fixture study: {elapsed:.1f} s")
