"""Atomic file writes: a temporary file in the same folder, then a rename, so an interrupted build never
leaves a truncated output, and every text passes the privacy guard first. Kept apart from `stages` so that
commands writing a stamp or the index do not import pandas (half a second a process)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from patroon.privacy import Guard

NO_GUARD = Guard()


def write_text(path: Path, text: str | bytes, guard: Guard = NO_GUARD) -> None:
    guard.check(path, text)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8") if isinstance(text, str) else text)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; reports are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: Path, payload: object, guard: Guard = NO_GUARD) -> None:
    write_text(path, json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n", guard)
