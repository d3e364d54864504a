"""The build date written into outputs, per the reproducible-builds convention: with SOURCE_DATE_EPOCH set,
PDFs and workbooks carry that date instead of the time of the build, so rebuilding the same data gives the
same bytes (everything else patroon writes is already a function of the data and the code)."""

from __future__ import annotations

import os


def source_date_epoch() -> int | None:
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(value) if value.isdigit() else None
