"""Render batches of reports side by side, each batch in a process of its own.

Threads do not do it: making a report's .qmd is Python, and Typst's compiler holds the interpreter while
it typesets (measured: eight PDFs take as long on two threads as on one). So the render job, once it has
loaded the study and computed what its reports share, forks a worker per core; a worker inherits all of
that (no copying) and renders one batch: its .qmd files, one pandoc run, HTML and PDF. Then it exits, and
the next batch gets a fresh process: Typst keeps a cache that grows with every document it typesets and
only the end of the process gives that memory back.
"""

from __future__ import annotations

import multiprocessing
import threading
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from patroon.data.study_data import StudyData
from patroon.engines.convert import Pending, render_documents
from patroon.engines.detect import Renderer
from patroon.output.privacy import Guard, PrivacyLeak
from patroon.report.figures import attach_figures
from patroon.report.markdown import render_template
from patroon.report.paths import figure_folder
from patroon.report.views.aanbieder import aanbieder_context
from patroon.report.views.agreement import agreement_context
from patroon.report.views.case import case_context
from patroon.report.views.common import Derived
from patroon.report.views.gemeente import gemeente_context
from patroon.report.views.synthesis import synthesis_context


@dataclass
class Job:
    """What every report of a render job is made from."""

    data: StudyData
    results: dict | None  # the study's analysis (the synthesis; a case report of a study without organisations)
    derived: Derived | None  # the unit and case frames (studies with organisations)
    renderer: Renderer
    out: Path
    formats: list[str]
    guard: Guard
    base: Path

    def prepare(self, target) -> Pending:
        data, base = self.data, self.base
        if target.kind == "synthesis":
            context = synthesis_context(data, self.results, self.renderer, base)
            template = "synthese.qmd.j2"
        elif target.kind == "agreement":
            context = agreement_context(data, self.renderer, base)
            template = "betrouwbaarheid.qmd.j2"
        elif target.kind == "case" and self.derived is None:
            context = case_context(data, target.ident, self.renderer, base, self.results)
            template = "case.qmd.j2"
        elif target.kind == "case":
            context = gemeente_context(data, target.ident, self.renderer, base, self.derived)
            template = "gemeente.qmd.j2"
        else:
            context = aanbieder_context(data, target.ident, self.renderer, base, self.derived)
            template = "aanbieder.qmd.j2"
        context["formats"] = self.formats  # the navigation links the report's own PDF when there is one
        figure_files = attach_figures(context, target.stem, self.out)
        # A report's folder holds exactly its figures of this render: one it no longer has must not stay.
        folder = self.out / figure_folder(target.stem)
        folder.mkdir(parents=True, exist_ok=True)  # a report without figures still has its (declared) folder
        for old in folder.iterdir():
            if old.is_file() and old not in figure_files:
                old.unlink()
        return Pending(self.out / f"{target.stem}.qmd", render_template(template, context), figure_files)

    def render(self, batch: list) -> None:
        render_documents([self.prepare(t) for t in batch], self.formats, self.data.study.language, self.renderer,
                         self.guard, self.out)


# The job and its batches, in a worker process only: set by the pool's initializer from what the worker
# inherited when it was forked (nothing is pickled), read by `_render`.
_ADOPTED: tuple[Job, list[list]] | None = None


def _adopt(job: Job, batches: list[list]) -> None:
    global _ADOPTED
    _ADOPTED = (job, batches)


def _render(index: int) -> tuple[int, tuple | None]:
    """Render batch `index` in a worker; a failure comes back as data (exceptions with their own arguments,
    such as a privacy refusal, do not survive the trip between processes)."""
    job, batches = _ADOPTED
    try:
        job.render(batches[index])
        return index, None
    except PrivacyLeak as leak:
        job.guard.undo()  # what this batch wrote; the job removes what the others wrote
        return index, ("privacy", str(leak.output), leak.term)
    except Exception:  # noqa: BLE001 - reported in the job's process, with the worker's traceback
        return index, ("error", traceback.format_exc())


class WorkerFailed(RuntimeError):
    pass


def render_batches(job: Job, batches: list[list], workers: int) -> Iterator[list]:
    """Render every batch; yields each batch when its files are written (in the order they finish). With
    one worker (or Quarto, which runs its own processes) the batches are rendered here, one after another."""
    # Forking a process that runs other threads can deadlock the child on a lock one of them held (seen:
    # the print-layout test, which renders in-process, hung with both workers waiting on a futex). The
    # render command runs single-threaded; called from a threaded program, render the batches here.
    if workers <= 1 or len(batches) <= 1 or threading.active_count() > 1:
        for batch in batches:
            job.render(batch)
            yield batch
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(min(workers, len(batches)), initializer=_adopt, initargs=(job, batches),
                      maxtasksperchild=1) as pool:
        done: list[list] = []
        for index, failure in pool.imap_unordered(_render, range(len(batches))):
            if failure is None:
                done.append(batches[index])
                yield batches[index]
                continue
            pool.terminate()
            if failure[0] == "privacy":
                raise PrivacyLeak(Path(failure[1]), failure[2])
            raise WorkerFailed(f"rendering a batch of reports failed:\n{failure[1]}")
