"""Start and stop the warm server of one build (patroon.warm): `make reports` runs Snakemake with it, so
that each job's `python -m patroon ...` forks from a process that has the libraries imported instead of
starting cold. Here only the process is managed, by module name: the server itself runs the command line,
a layer above this package."""

from __future__ import annotations

import os
import socket
import sys

ENV = "PATROON_WARM"  # the socket of this build's server; a command without it runs cold
FOLDER, PREFIX = "/tmp", "patroon-warm-"  # /tmp/patroon-warm-<runner's pid>-<random>/socket


def _remove_dead_servers_folders() -> None:
    """The socket folders of builds killed with `kill -9` (their runner could not remove them)."""
    import shutil

    try:
        names = os.listdir(FOLDER)
    except OSError:
        return
    for name in names:
        pid = name.removeprefix(PREFIX).split("-", 1)[0]
        if not name.startswith(PREFIX) or not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(os.path.join(FOLDER, name), ignore_errors=True)
        except OSError:  # another user's process: not ours to judge
            continue


def available() -> bool:
    """Forking with file descriptors passed over a Unix socket, and pidfds: Linux (3.9+ Python)."""
    return hasattr(os, "pidfd_open") and hasattr(socket, "send_fds") and hasattr(socket, "AF_UNIX")


class Server:
    """`with Server() as env:` a warm server for one build; `env` holds the variable its commands need
    (empty when this platform cannot have one, and then every command starts cold as before)."""

    def __init__(self) -> None:
        self.process = None
        self.folder: str | None = None

    def __enter__(self) -> dict[str, str]:
        import subprocess
        import tempfile

        if not available():
            return {}
        _remove_dead_servers_folders()
        # A short folder: a Unix socket's path may have at most 107 bytes.
        self.folder = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=FOLDER)
        path = os.path.join(self.folder, "socket")
        self.process = subprocess.Popen([sys.executable, "-m", "patroon.warm", path], stdin=subprocess.PIPE,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return {ENV: path}

    def __exit__(self, *exc) -> None:
        import shutil
        import subprocess

        if self.process is not None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:  # pragma: no cover
                self.process.kill()
                self.process.wait()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
