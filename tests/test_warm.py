"""The build's warm server (patroon.warm, started by patroon.pipeline.warmstart): a command handed to it
runs as it would cold (its folder, environment, streams and exit status), and without a server it runs
where it was started."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from patroon.pipeline import warmstart
from patroon.warm import hand_over

from conftest import FIXTURES, ROOT

pytestmark = pytest.mark.skipif(not warmstart.available(), reason="needs Linux pidfds and fd passing")


def run(args: list[str], cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "patroon", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture()
def study(tmp_path):
    shutil.copytree(FIXTURES / "mini", tmp_path / "data" / "mini")
    return tmp_path


def test_a_command_runs_in_the_server_as_it_runs_cold(study):
    cold = run(["validate", "--data", "data", "--study", "mini"], study, {**os.environ})
    with warmstart.Server() as warm_env:
        assert warm_env.get(warmstart.ENV)
        time.sleep(0.5)
        warm = run(["validate", "--data", "data", "--study", "mini"], study, {**os.environ, **warm_env})
    assert (warm.returncode, warm.stdout, warm.stderr) == (cold.returncode, cold.stdout, cold.stderr)
    assert cold.returncode == 0 and "mini" in cold.stdout


def test_a_failing_command_gives_its_status_and_message_through_the_server(study):
    (study / "data" / "mini" / "codebook.yaml").write_text("variables: [\n", encoding="utf-8")
    cold = run(["validate", "--data", "data", "--study", "mini"], study, {**os.environ})
    with warmstart.Server() as warm_env:
        time.sleep(0.5)
        warm = run(["validate", "--data", "data", "--study", "mini"], study, {**os.environ, **warm_env})
    assert cold.returncode == 1 and "codebook.yaml" in cold.stderr
    assert (warm.returncode, warm.stdout, warm.stderr) == (cold.returncode, cold.stdout, cold.stderr)


def test_the_command_takes_the_callers_folder_and_environment(study, tmp_path):
    """`patroon validate` in the server reads the data folder relative to the caller's folder and writes
    its stamp there; SOURCE_DATE_EPOCH and the like reach it from the caller, not from the server."""
    with warmstart.Server() as warm_env:
        time.sleep(0.5)
        env = {**os.environ, **warm_env, "PATROON_TEST_MARK": "caller"}
        done = run(["validate", "--data", "data", "--study", "mini", "--stamp", "stamp"], study, env)
    assert done.returncode == 0, done.stderr
    assert (study / "stamp").exists()
    assert not (ROOT / "stamp").exists()


def test_without_a_server_the_command_runs_where_it_was_started(monkeypatch, tmp_path):
    monkeypatch.delenv(warmstart.ENV, raising=False)
    assert hand_over(["validate"]) is None
    monkeypatch.setenv(warmstart.ENV, str(tmp_path / "no-such-socket"))
    assert hand_over(["validate"]) is None


def test_the_server_stops_with_the_build(study):
    """When the runner is done the server ends by itself, at once, after the commands it ran."""
    server = warmstart.Server()
    with server as warm_env:
        socket_path = Path(warm_env[warmstart.ENV])
        process = server.process
        done = run(["validate", "--data", "data", "--study", "mini"], study, {**os.environ, **warm_env})
        assert done.returncode == 0
        assert process.poll() is None
        started = time.perf_counter()
    assert time.perf_counter() - started < 5
    assert process.returncode == 0  # it ended, it was not killed
    assert not socket_path.parent.exists()


def test_a_copy_whose_caller_is_killed_is_stopped(study, tmp_path):
    """Snakemake stopping a job kills the command it started: the copy in the server must not go on writing
    outputs. A render of the mini study is killed early; the server's copy goes with it."""
    server = warmstart.Server()
    with server as warm_env:
        time.sleep(0.5)
        env = {**os.environ, **warm_env, "SOURCE_DATE_EPOCH": "1700000000"}
        caller = subprocess.Popen([sys.executable, "-m", "patroon", "render", "--data", "data", "--study", "mini",
                                   "--reports", "reports", "--renderer", "pandoc", "--workers", "1"],
                                  cwd=study, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60  # the server takes the command once it has its libraries imported
        children = []
        while not children and time.time() < deadline and caller.poll() is None:
            time.sleep(0.05)
            children = _children(server.process.pid)
        assert children, "the render was not running in the server"
        caller.kill()
        caller.wait()
        deadline = time.time() + 10
        while time.time() < deadline and any(_alive(pid) for pid in children):
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in children)


def _children(server: int) -> list[int]:
    """The server's forked copies (processes whose parent is the server)."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                stat = (proc / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == server:
                found.append(int(proc.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_build_with_the_warm_server_equals_one_without(tmp_path, monkeypatch):
    """The same mini study built by `make reports` with its jobs forked from the warm server and with every
    job started cold: the same files, byte for byte (HTML and PDF)."""
    from incremental import build, outputs, project

    warm = project(tmp_path / "warm", formats=["html", "pdf"])
    cold = project(tmp_path / "cold", formats=["html", "pdf"])
    code, said = build(warm)
    assert code == 0, said
    monkeypatch.setattr(warmstart, "available", lambda: False)
    code, said = build(cold)
    assert code == 0, said
    assert outputs(warm) == outputs(cold)
    assert any(name.endswith(".pdf") for name in outputs(warm))


def test_the_folder_of_a_killed_builds_server_is_removed_by_the_next(tmp_path, monkeypatch):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    monkeypatch.setattr(warmstart, "FOLDER", str(tmp_path))
    left = tmp_path / f"{warmstart.PREFIX}{dead.pid}-abc"
    left.mkdir()
    (left / "socket").write_text("")
    alive = tmp_path / f"{warmstart.PREFIX}{os.getpid()}-def"
    alive.mkdir()
    with warmstart.Server():
        pass
    assert not left.exists() and alive.exists()
