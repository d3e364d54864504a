"""Atomic file writes: a temporary file in the same folder, then a rename, so an interrupted build never
leaves a truncated output, and every text passes the privacy guard first. Kept apart from `stages` so that
commands writing a stamp or the index do not import pandas (half a second a process).

A killed process (SIGKILL, power loss) cannot remove its temporary files. Their names carry the writing
host and process id, so the next build removes those written on this host whose process is gone
(`remove_orphans`) and leaves alone the ones a build running beside it is still writing. On a cluster the
folders are shared between nodes: a process id says nothing about another host's processes, so another
host's temporary files are never removed (a job on that node may still be writing them)."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import tempfile
from pathlib import Path

from patroon.output.privacy import Guard

NO_GUARD = Guard()


def host_tag() -> str:
    """This host's name as it appears in temporary file names: no dots (they separate the parts)."""
    return re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname().split(".")[0]) or "host"


def temporary_prefix(name: str) -> str:
    """`.<name>.<host>.<pid>.`: mkstemp/TemporaryDirectory append a random part and `.tmp`."""
    return f".{name}.{host_tag()}.{os.getpid()}."


def write_text(path: Path, text: str | bytes, guard: Guard = NO_GUARD) -> None:
    guard.check(path, text)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=temporary_prefix(path.name), suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8") if isinstance(text, str) else text)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; reports are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    guard.record(path)


def write_json(path: Path, payload: object, guard: Guard = NO_GUARD) -> None:
    write_text(path, json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n", guard)


def temporary_folder(parent: Path, purpose: str) -> tempfile.TemporaryDirectory:
    """A hidden scratch folder inside `parent` that `remove_orphans` can clean up after a killed process."""
    parent.mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(dir=parent, prefix=temporary_prefix(purpose), suffix=".tmp")


# `.<name>.<host>.<pid>.<random>.tmp`, as made by mkstemp/TemporaryDirectory with `temporary_prefix`.
_TEMPORARY = re.compile(r"^\..+\.(?P<host>[A-Za-z0-9-]+)\.(?P<pid>\d+)\.[A-Za-z0-9_]+\.tmp$")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def remove_orphans(folder: Path) -> list[Path]:
    """Remove the temporary files and folders under `folder` that a process of this host wrote and that
    process no longer exists. Names without a host (or of another host) are left alone."""
    removed = []
    if not folder.is_dir():
        return removed
    host = host_tag()
    for path in sorted(folder.rglob(".*.tmp")):
        match = _TEMPORARY.match(path.name)
        if match is None or match["host"] != host or _alive(int(match["pid"])):
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed
