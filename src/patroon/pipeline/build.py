"""Render every report of a study in one process, re-rendering only what is stale.

Starting one Python process per report costs more than rendering the report, and each would re-read the
whole study: at national scale (thousands of reports) that dominates. So Snakemake runs one render job per
study (or shard) and this module decides, per report, whether it is stale: when its fingerprint
(`patroon.pipeline.plan`: the content of exactly the files it is made from and every setting that shapes
it) differs from the one recorded when it was last rendered, or when one of its files is missing or is
not the file that was written then (edited by hand, or written by a preview). The manifest of
fingerprints and written files is saved after every batch, so an interrupted build resumes where it
stopped, and it says why each report was made again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from patroon.data.study_data import StudyData
from patroon.engines.detect import Renderer
from patroon.engines.quarto import PROJECT_FILE
from patroon.output.atomic import NO_GUARD, remove_orphans, write_text
from patroon.output.privacy import Guard, PrivacyLeak
from patroon.pipeline import plan as plans
from patroon.pipeline.stages import analysis_results
from patroon.pipeline.workers import Job, render_batches
from patroon.pipeline.workflow import StudyLayout, coding_files, manifest_name
from patroon.report.paths import AGREEMENT_STEM, figure_folder
from patroon.report.views.common import Derived

@dataclass(frozen=True)
class Target:
    stem: str  # e.g. "gemeenten/rijn" or "synthese"
    kind: str  # "case", "organisation" or "synthesis"
    ident: str


def study_layout(data: StudyData) -> StudyLayout:
    """The layout as the loaded, validated study has it. The render job takes its layout from the raw
    files (`plan.plan_study`), as Snakemake's side does; tests check that the two agree."""
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


def targets(plan: plans.StudyPlan, part: tuple[int, int] = (1, 1)) -> list[Target]:
    """The reports of shard `part` = (index, count) (see workflow.shard); all of them for (1, 1)."""
    lay = plan.layout
    result = []
    for stem in plan.shard(*part):
        plural, _, ident = stem.rpartition("/")
        kind = ("agreement" if stem == AGREEMENT_STEM else "synthesis" if not plural
                else "organisation" if plural == lay.organisation_plural else "case")
        result.append(Target(stem, kind, ident))
    return result


def render_plan(data: StudyData, formats: list[str], renderer_preference: str, privacy_file: str | None,
                state: Path | None = None) -> plans.StudyPlan:
    """The plan a render of this (loaded) study works from; the same settings as the Snakefile's."""
    all_settings = plans.settings(formats, data.study.language, plans.renderer_identity(renderer_preference),
                                  privacy_file)
    return plans.plan_study(data.root, all_settings, state)


# Reports per worker process (patroon.pipeline.workers) and pandoc run: large enough that starting them no
# longer counts, small enough that both workers get work, that a worker's Typst cache stays small, and
# that an interrupted national build keeps most of what it rendered (the manifest is written after every
# batch).
BATCH = 20
# A batch costs a fork and a pandoc start (about 0.1 s): cheaper than a worker left idle while the other
# renders the synthesis. After an edit of one provider four reports are stale, the synthesis among them;
# in one batch they took 2.2 s, on two workers 1.3 s.
SMALLEST_BATCH = 1


# Quarto starts Deno and loads its project for every `quarto render` (about 8 s on the build machine, against
# 2-3 s a report): a study's reports go in as few runs as possible, one at a time (see patroon.quarto).
QUARTO_BATCH = 250


def batches(todo: list[Target], workers: int, limit: int = BATCH) -> list[list[Target]]:
    """Batches of at most `limit`; with several workers at least four per worker (a slow synthesis in one
    batch then does not leave the other worker idle at the end), down to SMALLEST_BATCH reports."""
    size = limit if workers <= 1 else min(limit, max(SMALLEST_BATCH, -(-len(todo) // (workers * 4))))
    return [todo[i:i + size] for i in range(0, len(todo), size)]


def report_files(out: Path, stem: str, formats: list[str]) -> list[Path]:
    """A report's files: its .qmd, each format, and the figures in its folder (not hidden files such as
    the time stamp Snakemake keeps in a folder it was told is an output)."""
    files = [out / f"{stem}.{ext}" for ext in ["qmd", *formats]]
    folder = out / figure_folder(stem)
    if folder.is_dir():
        files += sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    return files


def file_record(out: Path, paths: list[Path]) -> dict[str, list]:
    """What was written, by size and content digest. Not by modification time: Snakemake touches every
    output of a job after it ends."""
    return {path.relative_to(out).as_posix(): [path.stat().st_size, plans.sha256_file(path)] for path in paths}


def differs(path: Path, size: int, digest: str) -> bool:
    try:
        return path.stat().st_size != size or plans.sha256_file(path) != digest
    except OSError:
        return True


def why_stale(plan: plans.StudyPlan, manifest: dict, stem: str, out: Path, formats: list[str]) -> str | None:
    """Why a report must be rendered again, in a few words; None when it is up to date."""
    record = manifest.get("reports", {}).get(stem)
    if record is None:
        return "new"
    for ext in ["qmd", *formats]:
        if not (out / f"{stem}.{ext}").is_file():
            return f"its .{ext} was missing"
    if not (out / figure_folder(stem)).is_dir():
        return "its figures were missing"
    written = record.get("files", {})
    for name, (size, digest) in written.items():
        if not (out / name).is_file():
            return f"{name} was missing"
        if differs(out / name, size, digest):
            return f"{name} differs from what the build wrote"
    current = {name for name in file_record(out, report_files(out, stem, formats))}
    if current - set(written):
        return f"{sorted(current - set(written))[0]} was not written by the build"
    if record.get("fingerprint") == plan.fingerprint(stem):
        return None
    before = manifest.get("settings", {})
    now = plans.stage_settings(plan.settings, "reports")
    changed = [key for key in now if before.get(key) != now[key]]
    if changed:
        return "settings changed: " + ", ".join(changed)
    root = plan.layout.study_dir
    files = manifest.get("files", {})
    names = [Path(f).relative_to(root).as_posix() for f in plan.inputs[stem]]
    edited = [n for n, f in zip(names, plan.inputs[stem]) if files.get(n) != plan.digests.get(f)]
    if edited:
        return "changed: " + ", ".join(edited[:3]) + (f" and {len(edited) - 3} more" if len(edited) > 3 else "")
    if manifest.get("summary") != plan.summary:
        return "the study's number of cases, organisations or units changed"
    return "its inputs changed"


def render_study(data: StudyData, out: Path, formats: list[str], renderer: Renderer,
                 guard: Guard = NO_GUARD, only: list[str] | None = None, workers: int = 2,
                 base: Path | None = None, log=print, part: tuple[int, int] = (1, 1),
                 plan: plans.StudyPlan | None = None) -> list[str]:
    """Render the stale reports of shard `part` (or exactly `only`, a preview); returns the stems rendered.

    Snakemake leaves a shard's outputs in place (`update()`) so that this decides per report what is
    stale (Snakemake touches every output of the job when it ends). Each shard keeps its own manifest: shards running side by side never write the same file. A preview
    records nothing: its files are not the build's, so the next build makes them again."""
    base = base or Path.cwd()
    if plan is None:  # without a privacy file and with this renderer: what a test or a preview asks for
        plan = render_plan(data, formats, "quarto" if renderer.name == "quarto" else "pandoc", None)
    remove_orphans(out)  # what a killed render on this host left behind
    if renderer.name != "quarto" and only is None:
        # An earlier build with Quarto left its project file; a clean build with this renderer has none.
        (out / PROJECT_FILE).unlink(missing_ok=True)
    manifest_path = out / manifest_name(*part)
    manifest = plans.read_manifest(manifest_path)
    all_targets = targets(plan, part)
    if only is not None:
        unknown = set(only) - {t.stem for t in all_targets}
        if unknown:
            raise KeyError(", ".join(sorted(unknown)))
        reasons = {t.stem: "asked for" for t in all_targets if t.stem in only}
    else:
        reasons = {t.stem: why for t in all_targets
                   if (why := why_stale(plan, manifest, t.stem, out, formats)) is not None}
    todo = [t for t in all_targets if t.stem in reasons]
    shard_note = f" (shard {part[0]} of {part[1]})" if part != (1, 1) else ""
    root = plan.layout.study_dir
    fresh = {
        "format": plans.MANIFEST_FORMAT,
        "settings": plans.stage_settings(plan.settings, "reports"),
        "files": {Path(f).relative_to(root).as_posix(): d for f, d in plan.digests.items()},
        "summary": plan.summary,
        "reports": {stem: record for stem, record in manifest.get("reports", {}).items()
                    if stem in {t.stem for t in all_targets} and stem not in reasons},
    }

    def save() -> None:
        # Compact: with `indent` json uses its Python encoder, a tenth of the speed (13 s of a national
        # render went into saving the manifest after each batch).
        write_text(manifest_path, json.dumps(fresh, sort_keys=True, separators=(",", ":")) + "\n")

    if not todo:
        if only is None:
            save()
        log(f"{data.study.id}: all {len(all_targets)} reports up to date{shard_note}")
        return []
    # Studies with organisations share unit/case frames across reports; studies of cases only share the
    # block results (a case report shows its rows of each block).
    has_organisations = data.organisation_kind() is not None
    needs_results = not has_organisations or any(t.kind == "synthesis" for t in todo)
    results = analysis_results(data) if needs_results else None
    derived = Derived.of(data, results) if has_organisations else None
    job = Job(data, results, derived, renderer, out, formats, guard, base)
    if renderer.name == "quarto":  # Quarto runs its own processes, one project at a time
        workers, limit = 1, QUARTO_BATCH
    else:
        limit = BATCH
    finished: list[Target] = []
    try:
        for batch in render_batches(job, batches(todo, workers, limit), workers):
            finished += batch
            if only is not None:
                continue
            for target in batch:
                fresh["reports"][target.stem] = {"fingerprint": plan.fingerprint(target.stem),
                                                 "files": file_record(out, report_files(out, target.stem, formats))}
            save()
    except PrivacyLeak:
        # A set of outputs of which one was refused is not a build: what the other batches wrote goes too.
        for target in finished:
            for path in report_files(out, target.stem, formats):
                path.unlink(missing_ok=True)
            fresh["reports"].pop(target.stem, None)
        if only is None:
            save()
        raise
    done = [t.stem for t in todo]
    log(f"{data.study.id}: rendered {len(done)} of {len(all_targets)} reports with {renderer.describe()}{shard_note}")
    for stem in sorted(done):
        log(f"rendered: {stem} ({reasons[stem]})")
    return done
