"""A study's data inside its report folder: the tables (CSV), the workbook, the codebook export and the
intercoder agreement are copied from results/<study>/ into reports/<study>/data/, so that the reports
folder can be shared on its own and every link from a report or the index to data stays inside it.
results/ stays where other tools read it (the contract of DESIGN.md)."""

from __future__ import annotations

from pathlib import Path

from patroon.output.atomic import NO_GUARD, write_text
from patroon.output.privacy import Guard
from patroon.pipeline.workflow import layout, published_outputs
from patroon.report.paths import DATA_FOLDER


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


def publish_study(study_dir: Path, results: Path, reports: Path, guard: Guard = NO_GUARD) -> list[Path]:
    """The copies `make reports` declares for a study (workflow.published_outputs): from
    results/<study>/ into reports/<study>/data/."""
    names = published_outputs(layout(study_dir, with_units=False), study_dir.name)
    return publish(results / study_dir.name, reports / study_dir.name / DATA_FOLDER, names, guard)


def publish_studies(data: Path, studies: list[str], results: Path, reports: Path, guard: Guard = NO_GUARD) -> None:
    for study_id in studies:
        publish_study(data / study_id, results, reports, guard)
