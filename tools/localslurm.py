"""A single-node SLURM on this machine, for the cluster test and `make bench`'s cluster part.

Debian's packages (slurmctld, slurmd, slurm-client, munge) are installed when missing and we are root;
everything else lives in a private folder: a fresh munge key, a `slurm.conf` for this host written from
`slurmd -C`, free ports, and the state, spool, pid and log files. The three daemons run in the foreground
as children of this process, so they are stopped by their own process ids and nothing else on the
machine is touched. `SLURM_CONF` in `env()` points sbatch, squeue and the jobs at this cluster.

One file goes where SLURM looks by default, /etc/slurm/slurm.conf: the executor plugin starts each job's
step with an `srun` whose environment it strips of every SLURM_ variable, SLURM_CONF included, so that
srun finds only the default location. It is written only when no such file exists, marked as ours, and
removed when the cluster stops; an existing one (a real cluster's) is never touched.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

DEFAULT_CONF = Path("/etc/slurm/slurm.conf")
MARK = "# written by tools/localslurm.py for a test cluster; removed when it stops\n"
PACKAGES = ["slurmctld", "slurmd", "slurm-client", "munge"]
COMMANDS = ["slurmctld", "slurmd", "sbatch", "squeue", "sinfo", "munged"]


class Unavailable(RuntimeError):
    """SLURM cannot be brought up here (not root, or the packages cannot be installed)."""


def _command(name: str) -> str | None:
    return shutil.which(name) or next((str(p) for p in (Path("/usr/sbin") / name, Path("/usr/bin") / name)
                                        if p.exists()), None)


def ensure_installed() -> None:
    if all(_command(c) for c in COMMANDS):
        return
    if os.geteuid() != 0:
        raise Unavailable("SLURM is not installed and installing Debian's packages needs root")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *PACKAGES]
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True)
        done = subprocess.run(install, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise Unavailable(f"apt-get install {' '.join(PACKAGES)} failed: {done.stderr[-500:]}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def node_line() -> str:
    """`NodeName=... CPUs=... RealMemory=...` as slurmd itself sees this host."""
    found = subprocess.run([_command("slurmd"), "-C"], capture_output=True, text=True, check=True).stdout
    line = found.splitlines()[0].strip()
    if not line.startswith("NodeName="):
        raise Unavailable(f"unexpected `slurmd -C` output: {found!r}")
    return line


def slurm_conf(folder: Path, node: str, ports: tuple[int, int], munge_socket: Path) -> str:
    name = node.split()[0].removeprefix("NodeName=")
    return "\n".join([
        "ClusterName=patroon-test",
        f"SlurmctldHost={name}",
        f"SlurmctldPort={ports[0]}",
        f"SlurmdPort={ports[1]}",
        "SlurmUser=root",
        "SlurmdUser=root",
        "AuthType=auth/munge",
        "CredType=cred/munge",
        f"AuthInfo=socket={munge_socket}",
        f"StateSaveLocation={folder / 'state'}",
        f"SlurmdSpoolDir={folder / 'spool'}",
        f"SlurmctldPidFile={folder / 'slurmctld.pid'}",
        f"SlurmdPidFile={folder / 'slurmd.pid'}",
        f"SlurmctldLogFile={folder / 'slurmctld.log'}",
        f"SlurmdLogFile={folder / 'slurmd.log'}",
        "ProctrackType=proctrack/linuxproc",
        "TaskPlugin=task/none",
        "SwitchType=switch/none",
        "MpiDefault=none",
        # Cores and memory are both consumable: a job gets the memory it declares, as on a real cluster.
        "SelectType=select/cons_tres",
        "SelectTypeParameters=CR_Core_Memory",
        # No accounting database, as on many small clusters: `sacct` cannot report job states here.
        "AccountingStorageType=accounting_storage/none",
        "JobAcctGatherType=jobacct_gather/none",
        "JobCompType=jobcomp/none",
        "ReturnToService=2",
        "SchedulerType=sched/backfill",
        "SchedulerParameters=sched_interval=1",
        "MinJobAge=300",
        "KillWait=5",
        "InactiveLimit=0",
        f"{node} State=UNKNOWN",
        f"PartitionName=patroon Nodes={name} Default=YES MaxTime=INFINITE State=UP",
        "",
    ])


class LocalSlurm:
    """`with LocalSlurm() as cluster: subprocess.run(..., env=cluster.env())`."""

    def __init__(self, startup_timeout: float = 60):
        self.startup_timeout = startup_timeout
        self.processes: list[subprocess.Popen] = []
        self.folder: Path | None = None
        self.wrote_default_conf = False

    def env(self) -> dict[str, str]:
        return {**os.environ, "SLURM_CONF": str(self.folder / "slurm.conf")}

    def _start(self, *command: str) -> None:
        log = open(self.folder / f"{Path(command[0]).name}.out", "wb")
        self.processes.append(subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                               env=self.env(), start_new_session=True))
        log.close()

    def __enter__(self) -> "LocalSlurm":
        if os.geteuid() != 0:
            raise Unavailable("bringing up SLURM's daemons needs root")
        ensure_installed()
        self.folder = Path(tempfile.mkdtemp(prefix="patroon-slurm-"))
        self.folder.chmod(0o755)  # munge's socket must be reachable for everyone
        for name in ("state", "spool"):
            (self.folder / name).mkdir()
        key = self.folder / "munge.key"
        key.write_bytes(os.urandom(1024))
        key.chmod(0o600)
        munge_socket = self.folder / "munge.socket"
        conf = slurm_conf(self.folder, node_line(), (_free_port(), _free_port()), munge_socket)
        (self.folder / "slurm.conf").write_text(conf)
        if DEFAULT_CONF.exists():
            shutil.rmtree(self.folder, ignore_errors=True)
            raise Unavailable(f"{DEFAULT_CONF} exists (a real cluster's, or left by an interrupted test: remove "
                              "it if it starts with the line '" + MARK.strip() + "'); not touching it")
        DEFAULT_CONF.parent.mkdir(parents=True, exist_ok=True)
        with open(DEFAULT_CONF, "x", encoding="utf-8") as handle:  # "x": never over someone else's file
            handle.write(MARK + conf)
        self.wrote_default_conf = True
        try:
            self._start(_command("munged"), "--foreground", "--force", f"--socket={munge_socket}",
                        f"--key-file={key}", f"--log-file={self.folder / 'munged.log'}",
                        f"--pid-file={self.folder / 'munged.pid'}", f"--seed-file={self.folder / 'munged.seed'}")
            self._wait(lambda: munge_socket.exists(), "munged")
            self._start(_command("slurmctld"), "-D", "-i")
            self._start(_command("slurmd"), "-D")
            self._wait(self._idle, "the node to become idle")
        except BaseException:
            self.stop()
            raise
        return self

    def _idle(self) -> bool:
        state = subprocess.run([_command("sinfo"), "-h", "-o", "%t"], env=self.env(), capture_output=True, text=True)
        return state.returncode == 0 and state.stdout.strip() == "idle"

    def _wait(self, ready, what: str) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if ready():
                return
            for process in self.processes:
                if process.poll() is not None:
                    raise Unavailable(f"{process.args[0]} exited with {process.returncode} while waiting for "
                                      f"{what}; logs in {self.folder}")
            time.sleep(0.2)
        raise Unavailable(f"timed out waiting for {what}; logs in {self.folder}")

    def stop(self) -> None:
        """Stop the daemons this object started, by their process ids, newest first."""
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=15)
        self.processes.clear()
        if self.wrote_default_conf:
            DEFAULT_CONF.unlink(missing_ok=True)
            self.wrote_default_conf = False

    def __exit__(self, *exc) -> None:
        self.stop()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
