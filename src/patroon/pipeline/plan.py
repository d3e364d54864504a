"""What shapes each output of a study, condensed into a few small files Snakemake can watch.

Snakemake decides what to rerun from the modification times of a job's inputs and outputs and from its
own record of each output, which lists every input of its job. For a render job of a national study
(3,700 data files in, 8,600 files out) those records made building the DAG quadratic: over ten minutes
after a failed build. So before Snakemake builds its DAG, `prepare` writes per study, under
`.patroon/<study>/`, files whose content is a digest of what shapes a stage's outputs, and rewrites each
only when that content changes:

- `settings-<stage>.json`: the settings the stage's outputs depend on (language, formats, the renderer
  with its engines' versions, the privacy term list, patroon's own code and pinned dependencies);
- `data.json`: the content digest of every data file of the study (tables and analysis read them all);
- `reports-<k>-of-<n>.json`: for each report of render shard k, the fingerprint of exactly what it is
  made from: a gemeente report its own file, its providers' files, study.yaml and the codebook; a
  provider report its own file and its gemeenten's; the synthesis every file; each with the render
  settings. In a study without organisations every case report shows its rows of study-wide
  comparisons, so it depends on every file.

A job declares these as its inputs, so Snakemake reruns it exactly when they change, and its records
stay small. Inside a render job the same fingerprints (`StudyPlan.fingerprint`) decide report by report.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from importlib import metadata, resources
from pathlib import Path

from patroon import __version__
from patroon.output.atomic import write_text
from patroon.output.reproducible import data_commit
from patroon.report.paths import AGREEMENT_STEM
from patroon.pipeline.workflow import StudyLayout, _read, layout, report_stems, shard, shard_count

STATE = Path(".patroon")

# Which settings each stage's outputs depend on: a change reruns exactly the stages it shapes.
STAGE_SETTINGS = {
    "validate": ("patroon",),
    "tables": ("patroon", "language", "privacy"),
    "analysis": ("patroon", "language", "privacy"),
    "agreement": ("patroon", "privacy"),
    # data_version: the last commit of the study's data, which every report prints (see views.front).
    "reports": ("patroon", "language", "formats", "renderer", "privacy", "data_version"),
    "index": ("patroon", "language", "formats", "privacy"),
}


def sha256_file(path: Path | str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@functools.cache
def code_digest() -> str:
    """patroon's code, templates and message catalogs, its version and its pinned dependencies: a change
    in how outputs are made remakes them, even without a version bump."""
    digest = hashlib.sha256(__version__.encode())
    try:
        digest.update("\n".join(sorted(metadata.requires("patroon") or [])).encode())
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree without install
        pass
    root = Path(str(resources.files("patroon")))
    for item in sorted(root.rglob("*"), key=lambda p: p.relative_to(root).as_posix()):
        if item.is_file() and item.suffix in (".py", ".j2", ".css", ".lua", ".yaml", ".xsd"):
            digest.update(item.relative_to(root).as_posix().encode() + b"\0" + item.read_bytes())
    return digest.hexdigest()


def renderer_identity(preference: str) -> str:
    """The renderer `patroon.engines.detect` picks, with its engines' versions. Without Quarto, from the
    installed packages' versions (asking pandoc itself costs a process on every build)."""
    if preference in ("auto", "quarto") and shutil.which("quarto"):
        from patroon.engines.detect import detect

        return detect(preference).describe()
    if preference == "quarto":
        raise RuntimeError("renderer 'quarto' requested in config/config.yaml but quarto is not on PATH")
    return f"pandoc+typst (pypandoc-binary {metadata.version('pypandoc-binary')}, typst {metadata.version('typst')})"


def study_language(study_dir: Path, configured: str) -> str:
    """A study's report language: its own `language` in study.yaml, else the configured one (as the loader
    decides it; `--language` on the command line overrides both, and a render job passes it on)."""
    own = _read(study_dir / "study.yaml").get("language")
    return own if own in ("nl", "en") else configured


def settings(formats: list[str], language: str, renderer: str, privacy_file: str | None) -> dict:
    """Everything besides the data that shapes an output, normalised. `renderer` is the renderer as
    described in every report's colophon (its engines' versions included)."""
    return {
        "patroon": f"{__version__} {code_digest()}",
        "language": language,
        "formats": list(formats),
        "renderer": renderer,
        # The term list by its content: adding a term re-checks every output.
        "privacy": sha256_file(privacy_file) if privacy_file else None,
    }


def stage_settings(all_settings: dict, stage: str) -> dict:
    return {key: all_settings[key] for key in STAGE_SETTINGS[stage]}


def _fingerprint(parts: list[str]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


@dataclass
class StudyPlan:
    """One study's file layout (with which provider works in which gemeente), the content digest of each
    of its data files, and the settings: enough to fingerprint every output."""

    study_id: str
    layout: StudyLayout
    digests: dict[str, str]
    settings: dict
    inputs: dict[str, list[str]] = field(default_factory=dict)  # report stem -> its data files

    @property
    def stems(self) -> list[str]:
        return report_stems(self.layout)

    def shard(self, index: int, count: int) -> list[str]:
        return shard(self.stems, index, count)

    def fingerprint(self, stem: str) -> str:
        render = stage_settings(self.settings, "reports")
        parts = [json.dumps(render, sort_keys=True)]
        parts += [f"{Path(f).relative_to(self.layout.study_dir).as_posix()}={self.digests.get(f, 'missing')}"
                  for f in self.inputs[stem]]
        return _fingerprint(parts)

    def data_digest(self) -> dict[str, str]:
        """Every data file of the study (relative to its folder) with its content digest."""
        root = self.layout.study_dir
        return {Path(f).relative_to(root).as_posix(): d for f, d in sorted(self.digests.items())}


def report_inputs(lay: StudyLayout) -> dict[str, list[str]]:
    """The data files each report is made from (see the module's docstring)."""
    everything = lay.all_files()
    inputs = {"synthese": everything}
    if lay.coding:  # the agreement report: both codings and the reconciliation, with the study's own files
        inputs[AGREEMENT_STEM] = everything
    for case, plural in lay.cases.items():
        inputs[f"{plural}/{case}"] = lay.case_inputs(case) if lay.organisation_plural else everything
    for org in lay.organisations:
        inputs[f"{lay.organisation_plural}/{org}"] = lay.organisation_inputs(org)
    return inputs


def _linked_layout(study_dir: Path, digests: dict[str, str], cache_path: Path | None) -> StudyLayout:
    """The layout with each provider's gemeenten (and each case's `part_of`), read from the files whose
    content changed since the last build only: reading every provider file of a national study takes
    seconds, and a build reads them before every run."""
    cache: dict = {}
    if cache_path is not None:
        try:
            cache = json.loads(cache_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            cache = {}
    loaded = dict(cache)
    fresh: dict = {}

    def read(path: str) -> dict:
        key = f"{path}|{digests.get(path)}"
        if key not in cache:
            document = _read(Path(path))
            units = document.get("units") or []
            cache[key] = {
                "cases": [u.get("case") for u in units if isinstance(u, dict) and isinstance(u.get("case"), str)]
                if isinstance(units, list) else [],
                "part_of": document.get("part_of") if isinstance(document.get("part_of"), str) else None,
            }
        fresh[key] = cache[key]
        return cache[key]

    result = layout(study_dir, with_units=False)
    for org in result.organisations:
        result.link(org, read(result.file(result.organisation_plural, org))["cases"])
    if len(result.case_plurals) > 1:  # only then can a case be part of another
        for case in result.cases:
            parent = read(result.case_file(case))["part_of"]
            if parent is not None:
                result.relate(case, parent)
    if cache_path is not None and fresh != loaded:
        write_if_changed(cache_path, json.dumps(fresh, sort_keys=True))
    return result


def plan_study(study_dir: Path, all_settings: dict, state: Path | None = None) -> StudyPlan:
    """The plan of one study. With `state` (e.g. `.patroon/<study>`) the links read from provider files
    are cached there by content digest."""
    files = layout(study_dir, with_units=False).all_files()
    digests = {f: sha256_file(f) for f in files if os.path.isfile(f)}
    lay = _linked_layout(study_dir, digests, state / "links.json" if state is not None else None)
    # Committing data that was already built re-renders its reports, as a clean build would print the commit.
    version = data_commit(study_dir.resolve())
    all_settings = {**all_settings, "data_version": list(version) if version else None}
    return StudyPlan(study_dir.name, lay, digests, all_settings, report_inputs(lay))


def write_if_changed(path: Path, text: str) -> bool:
    """Write `path` only when its content would change: its modification time is what Snakemake sees."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    write_text(path, text)
    return True


MANIFEST_FORMAT = 2  # a render shard's manifest (patroon.pipeline.build)


def read_manifest(path: Path) -> dict:
    """A render shard's manifest: the settings and data file digests of its last render, and per report its
    fingerprint and the files written (an older or unreadable manifest is an empty one)."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) and manifest.get("format") == MANIFEST_FORMAT else {}


def shard_file(state: Path, index: int, count: int) -> Path:
    return state / f"reports-{index}-of-{count}.json"


def write_state(plan: StudyPlan, state: Path, shards: int) -> list[Path]:
    """Write the study's digest files (see the module's docstring); returns those that changed."""
    changed = []

    def put(path: Path, payload: object) -> None:
        if write_if_changed(path, json.dumps(payload, indent=1, sort_keys=True) + "\n"):
            changed.append(path)

    for stage in STAGE_SETTINGS:
        put(state / f"settings-{stage}.json", stage_settings(plan.settings, stage))
    put(state / "data.json", plan.data_digest())
    count = shard_count(plan.stems, shards)
    for index in range(1, count + 1):
        put(shard_file(state, index, count), {stem: plan.fingerprint(stem) for stem in plan.shard(index, count)})
    return changed
