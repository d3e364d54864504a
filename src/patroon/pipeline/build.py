"""Render every report of a study in one process, re-rendering only what changed.

Starting one Python process per report costs more than rendering the report, and each would re-read the
whole study: at national scale (thousands of reports) that dominates. So Snakemake runs one render job per
study and this module decides, per report, whether it is stale: a report's fingerprint is the content
hash of exactly the files it is made from (a gemeente: study, codebook, its own file and its providers'
files; a provider: its own file and its gemeenten's; the synthesis: everything), plus the code and templates, the
package version, formats, language and renderer. The manifest of fingerprints is written as reports
finish, so an interrupted build resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from patroon import __version__
from patroon.data.study_data import StudyData
from patroon.engines.convert import Pending, render_documents
from patroon.engines.detect import Renderer
from patroon.output.atomic import NO_GUARD, remove_orphans, write_text
from patroon.output.privacy import Guard
from patroon.pipeline.stages import analysis_results
from patroon.pipeline.workflow import (
    StudyLayout,
    coding_files,
    manifest_name,
    report_stems,
    shard,
)
from patroon.report.figures import attach_figures
from patroon.report.markdown import render_template
from patroon.report.paths import AGREEMENT_STEM, figure_folder
from patroon.report.views.agreement import agreement_context
from patroon.report.views.aanbieder import aanbieder_context
from patroon.report.views.case import case_context
from patroon.report.views.common import Derived
from patroon.report.views.front import data_version
from patroon.report.views.gemeente import gemeente_context
from patroon.report.views.synthesis import synthesis_context


@dataclass(frozen=True)
class Target:
    stem: str  # e.g. "gemeenten/rijn" or "synthese"
    kind: str  # "case", "organisation" or "synthesis"
    ident: str
    inputs: tuple[Path, ...]


def study_layout(data: StudyData) -> StudyLayout:
    """The same layout `workflow.layout` reads for Snakemake, taken from the study already loaded and
    validated (reading every file a second time cost a third of a second per render job, and seconds at
    national scale)."""
    kinds = data.study.unit_kinds
    case_plurals = [k.plural for k in kinds if k.role == "case"]
    organisation_plural = next((k.plural for k in kinds if k.role == "organisation"), None)
    plural_of = {k.kind: k.plural for k in kinds}
    case_ids: dict[str, list[str]] = {}
    for case_id, case in data.cases.items():
        case_ids.setdefault(plural_of[case.kind], []).append(case_id)
    lay = StudyLayout.of_files(data.root, case_plurals, organisation_plural, case_ids, list(data.organisations))
    if data.study.coding is not None:
        lay.coding = coding_files(data.root, data.study.coding.model_dump(), case_plurals + [organisation_plural])
    for org_id in lay.organisations:
        lay.link(org_id, [unit.case for unit in data.organisations[org_id].units])
    if len(case_plurals) > 1:
        for case_id in lay.cases:
            if data.cases[case_id].part_of is not None:
                lay.relate(case_id, data.cases[case_id].part_of)
    return lay


def targets(data: StudyData, part: tuple[int, int] = (1, 1)) -> list[Target]:
    """The reports of shard `part` = (index, count) (see workflow.shard); all of them for (1, 1)."""
    lay = study_layout(data)
    mine = set(shard(report_stems(lay), *part))
    return [t for t in _all_targets(data, lay) if t.stem in mine]


def _all_targets(data: StudyData, lay: StudyLayout) -> list[Target]:
    result = [Target("synthese", "synthesis", "", tuple(Path(f) for f in lay.all_files()))]
    if lay.coding:
        result.append(Target(AGREEMENT_STEM, "agreement", "", tuple(Path(f) for f in lay.all_files())))
    for case_id in data.cases:
        result.append(Target(f"{lay.cases[case_id]}/{case_id}", "case", case_id,
                             tuple(Path(f) for f in lay.case_inputs(case_id))))
    for org_id in data.organisations:
        result.append(Target(f"{lay.organisation_plural}/{org_id}", "organisation", org_id,
                             tuple(Path(f) for f in lay.organisation_inputs(org_id))))
    return result


def _code_digest() -> str:
    """The package's code and templates: a change in how reports are made re-renders them all, even
    without a version bump (the data files did not change, the reports still would)."""
    digest = hashlib.sha256(__version__.encode())
    root = Path(str(resources.files("patroon")))
    for item in sorted(root.rglob("*"), key=lambda p: p.relative_to(root).as_posix()):
        if item.is_file() and item.suffix in (".py", ".j2", ".css", ".lua", ".yaml"):
            digest.update(item.relative_to(root).as_posix().encode() + item.read_bytes())
    return digest.hexdigest()


# Reports per pandoc process: large enough that starting pandoc no longer counts, small enough that both
# threads get work and an interrupted national build keeps most of what it rendered (the manifest is
# written after every batch).
BATCH = 40


# Quarto starts Deno and loads its project for every `quarto render` (about 8 s on the build machine, against
# 2-3 s a report): a study's reports go in as few runs as possible, one at a time (see patroon.quarto).
QUARTO_BATCH = 250


def batches(todo: list[Target], workers: int, limit: int = BATCH) -> list[list[Target]]:
    size = max(1, min(limit, -(-len(todo) // max(1, workers))))
    return [todo[i:i + size] for i in range(0, len(todo), size)]


def fingerprint(target: Target, settings: str, file_digests: dict[Path, str]) -> str:
    digest = hashlib.sha256(settings.encode())
    for path in target.inputs:
        digest.update(str(path.name).encode() + file_digests[path].encode())
    return digest.hexdigest()


def render_study(data: StudyData, out: Path, formats: list[str], renderer: Renderer,
                 guard: Guard = NO_GUARD, only: list[str] | None = None, workers: int = 2,
                 base: Path | None = None, log=print, part: tuple[int, int] = (1, 1)) -> list[str]:
    """Render the stale reports of shard `part` (or exactly `only`); returns the stems rendered.

    Snakemake leaves a shard's outputs in place (`update()`) so that this decides per report what is
    stale; the reports it keeps are touched, so Snakemake sees the shard's outputs newer than its inputs.
    Each shard keeps its own manifest: shards running side by side never write the same file."""
    base = base or Path.cwd()
    remove_orphans(out)  # what a killed render on this host left behind
    manifest_path = out / manifest_name(*part)
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if only is None else {}
    except (OSError, ValueError):
        manifest = {}
    # The data's version (its last commit) is printed in every report: committing data that was already
    # built re-renders, as a clean build would show the new commit.
    settings = "|".join([_code_digest(), ",".join(formats), data.study.language, renderer.name, data_version(data)])
    all_targets = targets(data, part)
    files = {p for t in all_targets for p in t.inputs}
    file_digests = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}

    def stale(target: Target) -> bool:
        if only is not None:
            return target.stem in only
        return manifest.get(target.stem) != fingerprint(target, settings, file_digests) or \
            not all(p.exists() for p in outputs_of(target))

    def outputs_of(target: Target) -> list[Path]:
        return [out / f"{target.stem}.{ext}" for ext in ["qmd", *formats]] + [out / figure_folder(target.stem)]

    todo = [t for t in all_targets if stale(t)]
    if only is not None:
        unknown = set(only) - {t.stem for t in all_targets}
        if unknown:
            raise KeyError(", ".join(sorted(unknown)))
    shard_note = f" (shard {part[0]} of {part[1]})" if part != (1, 1) else ""
    if only is None:
        for target in all_targets:
            if target not in todo:
                for path in outputs_of(target):
                    os.utime(path)
    if not todo:
        log(f"{data.study.id}: all {len(all_targets)} reports up to date{shard_note}")
        return []
    # Studies with organisations share unit/case frames across reports; studies of cases only share the
    # block results (a case report shows its rows of each block).
    has_organisations = data.organisation_kind() is not None
    needs_results = not has_organisations or any(t.kind == "synthesis" for t in todo)
    results = analysis_results(data) if needs_results else None
    derived = Derived.of(data, results) if has_organisations else None

    def prepare(target: Target) -> Pending:
        if target.kind == "synthesis":
            context = synthesis_context(data, results, renderer, base)
            template = "synthese.qmd.j2"
        elif target.kind == "agreement":
            context = agreement_context(data, renderer, base)
            template = "betrouwbaarheid.qmd.j2"
        elif target.kind == "case" and derived is None:
            context = case_context(data, target.ident, renderer, base, results)
            template = "case.qmd.j2"
        elif target.kind == "case":
            context = gemeente_context(data, target.ident, renderer, base, derived)
            template = "gemeente.qmd.j2"
        else:
            context = aanbieder_context(data, target.ident, renderer, base, derived)
            template = "aanbieder.qmd.j2"
        context["formats"] = formats  # the navigation links the report's own PDF when there is one
        figure_files = attach_figures(context, target.stem, out)
        return Pending(out / f"{target.stem}.qmd", render_template(template, context), figure_files)

    def render_batch(batch: list[Target]) -> list[Target]:
        for target in batch:  # a report without figures still has its (declared) folder
            (out / figure_folder(target.stem)).mkdir(parents=True, exist_ok=True)
        render_documents([prepare(t) for t in batch], formats, data.study.language, renderer, guard, out)
        return batch

    done: list[str] = []
    # Threads suffice: the work is in the pandoc process and Typst's compiler, outside the GIL's way. While
    # one batch is in pandoc, the other thread makes its .qmd files or typesets.
    if renderer.name == "quarto":
        workers, limit = 1, QUARTO_BATCH
    else:
        limit = BATCH
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for batch in pool.map(render_batch, batches(todo, workers, limit)):
            for target in batch:
                done.append(target.stem)
                manifest[target.stem] = fingerprint(target, settings, file_digests)
            write_text(manifest_path, json.dumps(manifest, indent=0, sort_keys=True))
    write_text(manifest_path, json.dumps(manifest, indent=0, sort_keys=True) + "\n")
    log(f"{data.study.id}: rendered {len(done)} of {len(all_targets)} reports with {renderer.describe()}{shard_note}")
    log("rendered: " + ", ".join(sorted(done)))
    return done
