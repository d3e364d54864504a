"""A study's data inside its report folder: the tables (CSV), the workbook, the codebook export and the
intercoder agreement are copied from results/<study>/ into reports/<study>/data/, so that the reports
folder can be shared on its own and every link from a report or the index to data stays inside it.
results/ stays where other tools read it (the contract of DESIGN.md)."""

from __future__ import annotations

from pathlib import Path

from patroon.output.atomic import NO_GUARD, write_text
from patroon.output.privacy import Guard


def publish(results: Path, target: Path, names: list[str], guard: Guard = NO_GUARD) -> list[Path]:
    """Copy each of `names` (paths under `results`) to the same path under `target`, atomically and
    through the privacy guard; returns the files written."""
    written = []
    for name in names:
        path = target / name
        write_text(path, (results / name).read_bytes(), guard)
        guard.record(path)
        written.append(path)
    return written
