"""Before and after Snakemake: make the files on disk say what they are, so a build equals a clean one.

Snakemake reruns a job when an output is missing or an input is newer; it cannot know that an output
was edited by hand, written by a preview, or left from an earlier build whose settings or data made other
files. So `patroon build` (and `make reports`) do three things around it:

- before: outputs that differ from what the last build wrote (by its record in `.patroon/build.json`, or
  for a report by its render manifest) are removed, so Snakemake makes them again; and when nothing at
  all changed since the last complete build (every data file, setting, the code and every output the
  same), Snakemake is not started: that is most of the time of a build with nothing to do;
- after a successful build: files in a study's results/ and reports/ folders that no rule declares any
  more (a removed case's report, the PDFs after `formats: [html]`, a figure a report no longer has) are
  removed, and so are the folders of studies no longer in the configuration; then what was written is
  recorded.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from patroon.output.atomic import write_text
from patroon.pipeline import plan as plans
from patroon.pipeline.config import Config
from patroon.pipeline.workflow import (
    layout,
    manifest_name,
    report_stems,
    shard_count,
    study_outputs,
    study_targets,
)
from patroon.report.paths import figure_folder

STAMP = plans.STATE / "build.json"
STAMP_FORMAT = 1


@dataclass
class Expected:
    """What a build of this configuration reads and writes, relative to the project folder."""

    key: str  # configuration, workflow and code: a change means the last record says nothing
    inputs: dict[str, str]  # data file -> content digest
    outputs: list[str]  # declared files and figure folders
    studies: list[str]
    settings: dict  # study -> its settings (for saying what changed)
    data: Path  # the folder of the studies
    shards: int
    targets: list[str]  # what Snakemake is asked for (rules by name: see workflow.study_targets)


def _workflow_text(snakefile: Path) -> bytes:
    rules = sorted((snakefile.parent / "workflow" / "rules").glob("*.smk"))
    return b"".join(p.read_bytes() for p in [snakefile, *rules] if p.exists())


def expected(root: Path, config: Config, config_text: str, snakefile: Path, extra: list[str],
             study: str | None = None) -> Expected:
    """What a build of `config` (or of its study `study` only) reads and writes. Every configured study's
    data counts as input: the index lists them all."""
    data = root / config.data_dir if not Path(config.data_dir).is_absolute() else Path(config.data_dir)
    privacy = str(root / config.privacy_file) if config.privacy_file else None
    renderer = plans.renderer_identity(config.renderer)
    built = [study] if study else list(config.studies)
    inputs, outputs, settings, targets = {}, [], {}, []
    for name in config.studies:
        lay = layout(data / name, with_units=False)
        for file in lay.all_files():
            try:
                inputs[file] = plans.sha256_file(file)
            except OSError:
                inputs[file] = "unreadable"
        language = plans.study_language(data / name, config.language)
        settings[name] = plans.settings(config.formats, language, renderer, privacy)
        if name in built:
            outputs += study_outputs(lay, name, config.formats, config.report_shards)
            targets += study_targets(lay, name, config.report_shards)
    outputs.append("reports/index.html")
    targets.append("reports/index.html")
    key = hashlib.sha256("\0".join([config_text, config.language, study or "", *extra]).encode() + b"\0" +
                         _workflow_text(snakefile) + json.dumps(settings, sort_keys=True).encode())
    return Expected(key.hexdigest(), inputs, outputs, built, settings, data, config.report_shards, targets)


def _files(root: Path, output: str) -> list[str]:
    """A declared output as files: a figure folder stands for the (not hidden) files in it."""
    path = root / output
    if path.is_dir():
        return sorted(f"{output}/{p.name}" for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
    return [output] if path.is_file() else []


def read_stamp(root: Path) -> dict:
    try:
        stamp = json.loads((root / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return stamp if isinstance(stamp, dict) and stamp.get("format") == STAMP_FORMAT else {}


def up_to_date(root: Path, wanted: Expected) -> bool:
    """Nothing changed since the last complete build: inputs, settings, code and every output as then."""
    stamp = read_stamp(root)
    if stamp.get("key") != wanted.key or stamp.get("inputs") != wanted.inputs:
        return False
    recorded = stamp.get("outputs", {})
    present = []
    for output in wanted.outputs:
        path = root / output
        if not path.exists():
            return False
        present += _files(root, output) if path.is_dir() else [output]
    if set(present) != set(recorded):  # a figure deleted from its folder, or one put there
        return False
    for name in present:
        info = (root / name).stat()
        if recorded[name][:2] != [info.st_size, info.st_mtime_ns]:
            return False
    return True


def changes(root: Path, wanted: Expected) -> list[str]:
    """What changed since the last complete build, per study, in a few lines."""
    stamp = read_stamp(root)
    if not stamp:
        return []
    before_inputs = stamp.get("inputs", {})
    lines = []
    for study in wanted.studies:
        prefix = f"/{study}/"
        mine = {f: d for f, d in wanted.inputs.items() if prefix in f}
        old = {f: d for f, d in before_inputs.items() if prefix in f}
        edited = sorted(f for f in mine if f in old and old[f] != mine[f])
        added = sorted(set(mine) - set(old))
        removed = sorted(set(old) - set(mine))
        def shown(files: list[str]) -> str:
            names = [os.path.relpath(f, root) if os.path.isabs(f) else f for f in files[:3]]
            return ", ".join(names) + (" ..." if len(files) > 3 else "")

        said = [f"{len(v)} {w}: {shown(v)}" for v, w in ((edited, "changed"), (added, "new"), (removed, "removed"))
                if v]
        old_settings = stamp.get("settings", {}).get(study)
        if old_settings is not None:
            keys = [k for k, v in wanted.settings[study].items() if old_settings.get(k) != v]
            if keys:
                said.append("settings changed: " + ", ".join(keys))
        elif study not in stamp.get("studies", []):
            said.append("not built before")
        if said:
            lines.append(f"{study}: " + "; ".join(said))
    return lines


def _manifest_digests(root: Path, study: str) -> dict[str, list]:
    """Every report file a study's render manifests record: path (from the project folder) -> [size, sha256]."""
    found = {}
    for manifest in sorted((root / "reports" / study / ".manifest").glob("*.json")):
        for record in plans.read_manifest(manifest).get("reports", {}).values():
            for name, entry in record.get("files", {}).items():
                found[f"reports/{study}/{name}"] = entry
    return found


def remove_changed_outputs(root: Path, wanted: Expected, log=print) -> list[str]:
    """Remove every output that is not what a build wrote (edited by hand, or written by a preview), so that
    Snakemake makes it again. Generated files are made from templates and data, never edited. Patroon's
    own state among the outputs (hidden: stamps, manifests) is rewritten by every build and not judged."""
    stamp = read_stamp(root).get("outputs", {})
    from_manifests: dict[str, list] = {}
    for study in wanted.studies:
        from_manifests.update(_manifest_digests(root, study))
    removed = []
    for output in wanted.outputs:
        for name in _files(root, output):
            if _is_state(Path(*Path(name).parts[2:])):  # below results/<study>/ or reports/<study>/
                continue
            info = (root / name).stat()
            recorded = stamp.get(name)
            if recorded is not None and recorded[:2] == [info.st_size, info.st_mtime_ns]:
                continue
            entry = from_manifests.get(name) or (recorded[::2] if recorded is not None else None)
            if entry is None:
                continue  # never recorded: Snakemake and the render job judge it
            if entry[0] != info.st_size or entry[1] != plans.sha256_file(root / name):
                (root / name).unlink()
                removed.append(name)
    for name in removed[:10]:
        log(f"{name} differs from what the build wrote: it is generated, so it is made again "
            "(edit the data or the templates in src/patroon/report/templates instead)")
    if len(removed) > 10:
        log(f"... and {len(removed) - 10} more outputs that differed from what the build wrote")
    incomplete = _remove_incomplete_reports(root, wanted)
    for name in incomplete:
        log(f"{name}: a file of this report is missing, so the report is made again")
    return removed + incomplete


def _remove_incomplete_reports(root: Path, wanted: Expected) -> list[str]:
    """A report with a file of its manifest missing (a figure deleted by hand) loses its .qmd too: Snakemake
    sees only the figure folder, which still exists, so without a missing declared file it would not rerun
    the render job that makes the figure again."""
    removed = []
    for study in wanted.studies:
        for manifest in sorted((root / "reports" / study / ".manifest").glob("*.json")):
            for stem, record in plans.read_manifest(manifest).get("reports", {}).items():
                if all((root / "reports" / study / name).is_file() for name in record.get("files", {})):
                    continue
                qmd = root / "reports" / study / f"{stem}.qmd"
                if qmd.is_file():
                    qmd.unlink()
                    removed.append(qmd.relative_to(root).as_posix())
    return removed


def remove_leaks(root: Path, wanted: Expected, privacy_file: Path, log=print) -> list[str]:
    """After a privacy refusal: remove every output that holds a protected term, whichever build made it.
    A term added after a build is found in the reports that exist too, and Snakemake restores a failed
    render job's earlier outputs; none of them may stay. A report goes as a whole (its PDF is typeset
    from the text that was refused)."""
    from patroon.output.privacy import PrivacyLeak, load_guard

    guard = load_guard(privacy_file)
    leaking = []
    for output in wanted.outputs:
        for name in _files(root, output):
            path = root / name
            if path.suffix == ".pdf":
                continue
            try:
                guard.check(path, path.read_bytes())
            except PrivacyLeak:
                leaking.append(name)
    removed = []
    for name in leaking:
        path = root / name
        parts = Path(name).parts
        # A report goes with its siblings; the data copied into reports/<study>/data/ is a file of its own.
        if parts[0] == "reports" and len(parts) > 2 and path.suffix in (".qmd", ".html", ".pdf") \
                and parts[2] != "figures":
            stem = Path(*parts[2:]).with_suffix("").as_posix()
            siblings = [path.with_suffix(s) for s in (".qmd", ".html", ".pdf")]
            siblings += list((root / "reports" / parts[1] / figure_folder(stem)).glob("*"))
        else:
            siblings = [path]
        for sibling in siblings:
            if sibling.is_file():
                sibling.unlink()
                removed.append(sibling.relative_to(root).as_posix())
    if removed:
        log(f"removed {len(removed)} outputs that hold a protected term (some made before the term was listed)")
    return removed


def _is_state(under_study: Path) -> bool:
    """Hidden files and folders (stamps, manifests, Quarto's state, temporary files) and Quarto's project
    files (`_quarto.yml`) are not outputs a clean build is compared by."""
    return any(part.startswith((".", "_")) for part in under_study.parts)


def prune(root: Path, wanted: Expected, other_studies: bool, log=print) -> list[str]:
    """After a successful build: remove what no rule declares any more (see the module's docstring)."""
    declared = set(wanted.outputs)
    removed: list[str] = []
    for study in wanted.studies:
        figures = {}
        for manifest in (root / "reports" / study / ".manifest").glob("*.json"):
            for stem, record in plans.read_manifest(manifest).get("reports", {}).items():
                figures[f"reports/{study}/{figure_folder(stem)}"] = {
                    f"reports/{study}/{name}" for name in record.get("files", {})}
        for top in (root / "results" / study, root / "reports" / study):
            if not top.is_dir():
                continue
            for path in sorted(top.rglob("*"), reverse=True):
                relative = path.relative_to(root)
                name = relative.as_posix()
                if _is_state(path.relative_to(top)):
                    continue
                if path.is_dir():
                    if name not in declared and not any(path.iterdir()):
                        path.rmdir()
                    continue
                folder = relative.parent.as_posix()
                keep = name in declared or (folder in declared and name in figures.get(folder, {name}))
                if not keep:
                    path.unlink()
                    removed.append(name)
        # Manifests of another shard count: what they record is not this build's.
        count = shard_count(report_stems(layout(wanted.data / study, with_units=False)), wanted.shards)
        current = {Path(manifest_name(i, count)).name for i in range(1, count + 1)}
        for manifest in (root / "reports" / study / ".manifest").glob("*.json"):
            if manifest.name not in current:
                manifest.unlink()
    if other_studies:
        for parent in ("results", "reports", str(plans.STATE)):
            for folder in sorted((root / parent).glob("*")):
                made_by_us = (folder / ".validated").exists() or (folder / ".manifest").is_dir() or \
                    parent == str(plans.STATE)
                if folder.is_dir() and folder.name not in wanted.studies and made_by_us:
                    shutil.rmtree(folder)
                    removed.append(folder.relative_to(root).as_posix() + "/")
    if removed:
        log(f"removed {len(removed)} outputs no rule makes any more: " + ", ".join(removed[:5]) +
            (" ..." if len(removed) > 5 else ""))
    return removed


def record(root: Path, wanted: Expected) -> None:
    """What this complete build wrote: by size and modification time (a quick check that nothing changed)
    and content digest (render manifests have those of the reports; the rest are hashed here)."""
    outputs = {}
    for study in wanted.studies:
        outputs.update(_manifest_digests(root, study))
    stamp = {}
    for output in wanted.outputs:
        for name in _files(root, output):
            info = (root / name).stat()
            digest = outputs.get(name, [None, None])[1] or plans.sha256_file(root / name)
            stamp[name] = [info.st_size, info.st_mtime_ns, digest]
    write_text(root / STAMP, json.dumps({"format": STAMP_FORMAT, "key": wanted.key, "studies": wanted.studies,
                                         "inputs": wanted.inputs, "settings": wanted.settings, "outputs": stamp},
                                        indent=0, sort_keys=True) + "\n")
