"""The build date written into outputs, per the reproducible-builds convention: with SOURCE_DATE_EPOCH set,
PDFs, workbooks and the reports' title blocks carry that date instead of the time of the build, so
rebuilding the same data gives the same bytes (everything else patroon writes is already a function of the
data and the code). Also the version of the data a report was made from: the last commit of its folder."""

from __future__ import annotations

import datetime
import functools
import os
import subprocess
from pathlib import Path


def source_date_epoch() -> int | None:
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(value) if value.isdigit() else None


def build_date() -> datetime.date:
    """The date of the build: SOURCE_DATE_EPOCH's (in UTC) when set, else today."""
    epoch = source_date_epoch()
    if epoch is None:
        return datetime.date.today()
    return datetime.datetime.fromtimestamp(epoch, tz=datetime.timezone.utc).date()


@functools.cache
def data_commit(folder: Path) -> tuple[str, bool] | None:
    """The short hash of the last commit that changed `folder`, and whether the folder has changes not
    yet committed; None outside a git checkout (an unpacked archive) or without git."""
    def git(*args: str) -> str | None:
        try:
            run = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=20)
        except (OSError, subprocess.SubprocessError):
            return None
        return run.stdout.strip() if run.returncode == 0 else None

    commit = git("log", "-1", "--format=%h", "--abbrev=10", "--", ".")
    if not commit:
        return None
    status = git("status", "--porcelain", "--untracked-files=all", "--", ".")
    return commit, bool(status)
