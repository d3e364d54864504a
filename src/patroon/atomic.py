"""Atomic file writes: a temporary file in the same folder, then a rename, so an interrupted build never
leaves a truncated output, and every text passes the privacy guard first. Kept apart from `stages` so that
commands writing a stamp or the index do not import pandas (half a second a process).

A killed process (SIGKILL, power loss) cannot remove its temporary files. Their names carry the writing
process's id, so the next build removes those whose process is gone (`remove_orphans`) and leaves alone
the ones a build running beside it is still writing."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from patroon.privacy import Guard

NO_GUARD = Guard()


def write_text(path: Path, text: str | bytes, guard: Guard = NO_GUARD) -> None:
    guard.check(path, text)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp")
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
    return tempfile.TemporaryDirectory(dir=parent, prefix=f".{purpose}.{os.getpid()}.", suffix=".tmp")


# `.<name>.<pid>.<random>.tmp`, as made by mkstemp/TemporaryDirectory with the prefixes above.
_TEMPORARY = re.compile(r"^\..+\.(?P<pid>\d+)\.[A-Za-z0-9_]+\.tmp$")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def remove_orphans(folder: Path) -> list[Path]:
    """Remove the temporary files and folders under `folder` whose writing process no longer exists."""
    removed = []
    if not folder.is_dir():
        return removed
    for path in sorted(folder.rglob(".*.tmp")):
        match = _TEMPORARY.match(path.name)
        if match is None or _alive(int(match["pid"])):
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed
