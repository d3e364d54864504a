"""What the Snakefile needs to know to build its DAG: which reports a study has and which data files each
report depends on. Read with a plain safe load and no checks: a broken file must not stop the DAG from
being built, because the validate rule is where it gets reported properly.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from patroon.report.paths import AGREEMENT_STEM, DATA_FOLDER, figure_folder

try:  # the C loader makes DAG building fast on large studies
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader


def _read(path: Path) -> dict:
    """A file's top-level mapping (empty when it is not one). The Snakefile asks for a study.yaml once per
    rule it makes (42 reads of five files, a second of every build): a file unchanged since it was last
    read here is not parsed again. Callers only read what they get."""
    try:
        info = os.stat(path)
    except OSError:
        return {}
    return _parsed(str(path), info.st_mtime_ns, info.st_size)


@functools.lru_cache(maxsize=64)
def _parsed(path: str, mtime_ns: int, size: int) -> dict:
    try:
        data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


@dataclass
class StudyLayout:
    study_dir: Path
    organisation_plural: str | None = None
    case_plurals: list[str] = field(default_factory=list)
    cases: dict[str, str] = field(default_factory=dict)  # case id -> plural (folder) of its kind
    organisations: list[str] = field(default_factory=list)
    cases_of: dict[str, list[str]] = field(default_factory=dict)  # organisation -> cases
    organisations_in: dict[str, list[str]] = field(default_factory=dict)  # case -> organisations
    related: dict[str, list[str]] = field(default_factory=dict)  # case -> cases it is part of / holds
    # A second coding (study.yaml `coding:`): both coders' files and the reconciliation file.
    coding: list[str] = field(default_factory=list)

    @classmethod
    def of_files(cls, study_dir: Path, case_plurals: list[str], organisation_plural: str | None,
                 case_ids: dict[str, list[str]], organisations: list[str]) -> "StudyLayout":
        """The file lists: cases by folder in the order of the study's kinds (a case id is taken by the
        first kind that has it), each folder's ids sorted, organisations sorted."""
        result = cls(study_dir, organisation_plural, list(case_plurals))
        for plural in case_plurals:
            for case in sorted(case_ids.get(plural, [])):
                result.cases.setdefault(case, plural)
        result.organisations = sorted(organisations)
        result.organisations_in = {c: [] for c in result.cases}
        return result

    def link(self, organisation: str, cases: list[str]) -> None:
        """An organisation's units are in these cases (call in the order of `organisations`)."""
        self.cases_of[organisation] = sorted(set(cases))
        for case in self.cases_of[organisation]:
            self.organisations_in.setdefault(case, []).append(organisation)

    def relate(self, case: str, parent: str) -> None:
        """`case` is part of `parent` (a story of a gemeente): each report shows the other."""
        self.related.setdefault(case, []).append(parent)
        self.related.setdefault(parent, []).append(case)

    def file(self, plural: str, ident: str) -> str:
        return str(self.study_dir / plural / f"{ident}.yaml")

    def case_file(self, case: str) -> str:
        return self.file(self.cases[case], case)

    def common(self) -> list[str]:
        return [str(self.study_dir / "study.yaml"), str(self.study_dir / "codebook.yaml")]

    def all_files(self) -> list[str]:
        files = self.common() + [self.case_file(c) for c in self.cases]
        files += [self.file(self.organisation_plural, o) for o in self.organisations]
        return files + self.coding

    def case_inputs(self, case: str) -> list[str]:
        """A case report shows its own file, its providers' units, and the cases it is part of or holds."""
        files = self.common() + [self.case_file(case)]
        files += [self.file(self.organisation_plural, o) for o in self.organisations_in.get(case, [])]
        files += [self.case_file(c) for c in self.related.get(case, []) if c in self.cases]
        return files

    def organisation_inputs(self, organisation: str) -> list[str]:
        return self.common() + [self.file(self.organisation_plural, organisation)] + [
            self.case_file(c) for c in self.cases_of.get(organisation, []) if c in self.cases]


def coding_files(study_dir: Path, coding: object, plurals: list[str | None]) -> list[str]:
    """The files of a declared second coding: each coder's case files and the reconciliation file."""
    if not isinstance(coding, dict) or not isinstance(coding.get("coders"), list):
        return []
    files = []
    for coder in coding["coders"]:
        for plural in plurals:
            if isinstance(coder, str) and plural:
                files += sorted(str(p) for p in (study_dir / "coders" / coder / plural).glob("*.yaml"))
    reconciliation = study_dir / str(coding.get("reconciliation", "reconciliation.yaml"))
    return files + ([str(reconciliation)] if reconciliation.exists() else [])


def layout(study_dir: Path, with_units: bool = True) -> StudyLayout:
    """With `with_units=False` only the file lists are known (cheap: no provider or case file is read)."""
    study = _read(study_dir / "study.yaml")
    case_plurals, organisation_plural = [], None
    for kind in study.get("unit_kinds") or []:
        if not isinstance(kind, dict) or not isinstance(kind.get("plural"), str):
            continue
        if kind.get("role") == "case":
            case_plurals.append(kind["plural"])
        elif kind.get("role") == "organisation":
            organisation_plural = kind["plural"]
    case_ids = {plural: [p.stem for p in (study_dir / plural).glob("*.yaml")] for plural in case_plurals}
    organisations = [p.stem for p in (study_dir / organisation_plural).glob("*.yaml")] if organisation_plural else []
    result = StudyLayout.of_files(study_dir, case_plurals, organisation_plural, case_ids, organisations)
    result.coding = coding_files(study_dir, study.get("coding"), case_plurals + [organisation_plural])
    if not with_units:
        return result
    for org in result.organisations:
        units = _read(study_dir / result.organisation_plural / f"{org}.yaml").get("units") or []
        result.link(org, [u.get("case") for u in units if isinstance(u, dict) and isinstance(u.get("case"), str)])
    if len(result.case_plurals) > 1:  # only then can a case be part of another: skip the reads otherwise
        for case, plural in result.cases.items():
            parent = _read(study_dir / plural / f"{case}.yaml").get("part_of")
            if isinstance(parent, str):
                result.relate(case, parent)
    return result


# ------------------------------------------------------------------------------------ declared outputs
# Snakemake (and its storage plugins, which copy exactly the declared files between nodes and storage)
# must know every file a job writes before it runs. These lists are made from the same cheap reads as
# the layout, and tests check them against what the stages actually write.

def _items(value: object) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def table_outputs(lay: StudyLayout) -> list[str]:
    """What `patroon tables` writes under results/<study>/."""
    names = ["aanbieders", "sturing", "reacties"] if lay.organisation_plural else ["coded"]
    return ["units.csv", "cases.csv"] + [f"tables/{case}-{name}.csv" for case in lay.cases for name in names]


def analysis_outputs(lay: StudyLayout, study_id: str) -> list[str]:
    """What `patroon analyse` writes under results/<study>/ (see stages.run_analysis)."""
    study = _read(lay.study_dir / "study.yaml")
    analysis = study.get("analysis") if isinstance(study.get("analysis"), dict) else {}
    outputs = ["codebook.qdc"]
    for block in _items(analysis.get("blocks")):
        outputs.append(f"tables/{block.get('id')}.csv")
        extra = (block.get("type") == "matrix" and block.get("collapse_part") is not None) or \
            (block.get("type") == "threshold" and block.get("output_file") is not None)
        if extra:
            outputs.append(f"tables/{block.get('output_file') or str(block.get('id')) + '-samengevat.csv'}")
    if _items(study.get("propositions")):
        outputs.append("tables/proposities.csv")
    if isinstance(analysis.get("qca"), dict):
        outputs += ["qca/truth_table.csv", "qca/necessity.csv", "qca/calibration.csv", "qca/robustness.csv",
                    "qca/truth_table_negated.csv", "qca/necessity_negated.csv", "qca/solutions.json"]
    if lay.organisation_plural:
        outputs += [f"tables/crosstab-{spec.get('id')}.csv" for spec in _items(analysis.get("crosstabs"))]
        outputs += [f"tables/{name}.csv" for name in
                    ("profielen", "veranderingen", "sturingsverschillen", "sturingsvoorwaarden")]
    return outputs + [f"{study_id}.xlsx", "patterns.json"]


def publish_inputs(lay: StudyLayout) -> list[str]:
    """What the publish job waits for: one output of each job that writes what it copies (`units.csv` of
    tables, `patterns.json` of the analysis, `agreement.csv` of the agreement). Each of those jobs writes
    all its outputs every time it runs, so one of them is as new as the rest. Declaring all of them
    made Snakemake write, for each of the job's outputs, a record naming every input: at national scale
    1,052 × 1,052 names, half a minute of every build that reran the job."""
    return ["units.csv", "patterns.json"] + (["agreement.csv"] if lay.coding else [])


def published_outputs(lay: StudyLayout, study_id: str) -> list[str]:
    """What `patroon publish` copies from results/<study>/ into reports/<study>/data/ (see publish.py): every
    table, the workbook and the codebook export, and the agreement of a second coding."""
    names = table_outputs(lay) + [n for n in analysis_outputs(lay, study_id) if n != "patterns.json"]
    if lay.coding:
        names += ["agreement.csv", "agreement-verschillen.csv"]
    return names


# ------------------------------------------------------------------------------------------- shards
# A study's reports are rendered in `n` shards, each a job of its own that may run on another node.
# The assignment depends only on the report names, so Snakemake (from the file lists) and the render job
# (from the loaded study) agree on it, and any shard count gives the same files.

def report_stems(lay: StudyLayout) -> list[str]:
    """Every report of the study, by its path under reports/<study>/ without extension: the synthesis
    first (the longest to render, so it starts first), the report on intercoder agreement of a study with a
    second coding, then cases and organisations by name."""
    stems = [f"{plural}/{case}" for case, plural in lay.cases.items()]
    if lay.organisation_plural:
        stems += [f"{lay.organisation_plural}/{org}" for org in lay.organisations]
    return ["synthese"] + ([AGREEMENT_STEM] if lay.coding else []) + sorted(stems)


def shard(stems: list[str], index: int, count: int) -> list[str]:
    """Shard `index` (1-based) of `count`: every count-th report, so each shard gets a similar mix of
    kinds. With more shards than reports the last shards are empty (such a shard is not planned)."""
    if not 1 <= index <= count:
        raise ValueError(f"shard {index} of {count}: expected 1 <= shard <= count")
    return stems[index - 1::count]


def shard_count(stems: list[str], wanted: int) -> int:
    """No empty shards: at most one per report."""
    return max(1, min(wanted, len(stems)))


def manifest_name(index: int, count: int) -> str:
    return f".manifest/{index}-of-{count}.json"


def shard_outputs(stems: list[str], formats: list[str]) -> dict[str, list[str]]:
    """A shard's outputs under reports/<study>/: "files" (each report's .qmd and formats) and "folders"
    (each report's figure folder)."""
    files = [f"{stem}.{ext}" for stem in stems for ext in ["qmd", *formats]]
    return {"files": files, "folders": [figure_folder(stem) for stem in stems]}


def rule_name(stage: str, study_id: str, suffix: str = "") -> str:
    """Rules made per study (their outputs differ per study) get names like tables_sturing_jeugdhulp."""
    return f"{stage}_{study_id.replace('-', '_')}{suffix}"


def shard_rule(study_id: str, index: int, count: int) -> str:
    return rule_name("reports", study_id, f"_{index}_of_{count}")


def study_targets(lay: StudyLayout, study_id: str, shards: int) -> list[str]:
    """What `patroon build` asks Snakemake for: the rules of a study by name, and the outputs of the rules
    with a wildcard. Snakemake checks every output of a rule asked for by name, so any output deleted is
    made again; asked for file by file (as the `all` rule does), it matches each file against every
    output of every rule that might make it, which for a national study's 9,000 outputs took minutes."""
    stems = report_stems(lay)
    count = shard_count(stems, shards)
    targets = [f"results/{study_id}/.validated", rule_name("tables", study_id), rule_name("analysis", study_id)]
    targets += [shard_rule(study_id, index, count) for index in range(1, count + 1)]
    targets.append(rule_name("publish", study_id))
    if lay.coding:
        targets += [f"results/{study_id}/agreement.csv", f"results/{study_id}/agreement-verschillen.csv"]
    return targets


def study_outputs(lay: StudyLayout, study_id: str, formats: list[str], shards: int) -> list[str]:
    """Every file and figure folder a build writes for one study, as the rules declare them: the target
    rule asks for all of them, so a deleted output is always made again, and after a build whatever else
    lies in the study's results/ and reports/ folders is left over from an earlier one."""
    results, reports = f"results/{study_id}", f"reports/{study_id}"
    files = [f"{results}/.validated"]
    files += [f"{results}/{name}" for name in table_outputs(lay) + analysis_outputs(lay, study_id)]
    if lay.coding:
        files += [f"{results}/agreement.csv", f"{results}/agreement-verschillen.csv"]
    stems = report_stems(lay)
    count = shard_count(stems, shards)
    for index in range(1, count + 1):
        outputs = shard_outputs(shard(stems, index, count), formats)
        files += [f"{reports}/{name}" for name in outputs["files"] + outputs["folders"]]
        files.append(f"{reports}/{manifest_name(index, count)}")
    files += [f"{reports}/{DATA_FOLDER}/{name}" for name in published_outputs(lay, study_id)]
    return files


# ---------------------------------------------------------------------------------------- resources
# What a job asks the cluster for, from the size of its inputs (Snakemake's input.size_mb) and, for a
# render shard, its number of reports; each retry asks for half as much again. Measured with
# `/usr/bin/time -f %M` on `patroon render` (pandoc+typst, two workers), see README "Op een cluster":
#   netwerksamenwerking,    0.1 MB data,   4 reports:  215 MiB,  7.4 s
#   sturing-jeugdhulp,      1.4 MB data,  21 reports:  538 MiB, 16.5 s
#   synthetic 34 x 10,      1.2 MB data,  one shard of 4 (55 reports):  354 MiB, 26.3 s
#   tables / analyse of sturing-jeugdhulp:                   104 / 108 MiB, 1.9 / 2.6 s
#   national (342 gemeenten, ~2,000 reports, one job): 1.2 GiB peak (issue 18)
# The peak is the study in memory (about 60 MB per MB of YAML at national scale) plus one pandoc batch
# and Typst's compiler (about 250 MiB at most), not the number of reports: they are rendered in batches
# of 40 and released.

def _grow(value: float, attempt: int) -> int:
    return int(value * (1 + 0.5 * (max(1, attempt) - 1)))


def render_mem_mb(input_mb: float, n_reports: int, attempt: int = 1) -> int:
    return _grow(600 + 80 * input_mb + 2 * min(n_reports, 80), attempt)


def render_runtime(input_mb: float, n_reports: int, attempt: int = 1) -> int:
    """Minutes: about 1.6 s of work per report on two workers, tripled for slow nodes, plus start-up."""
    return _grow(5 + n_reports * 5 / 60 + 2 * input_mb, attempt)


def stage_mem_mb(input_mb: float, attempt: int = 1) -> int:
    """tables and analysis: the study and its frames in memory (about 110 MiB for the dissertation)."""
    return _grow(300 + 60 * input_mb, attempt)


def stage_runtime(input_mb: float, attempt: int = 1) -> int:
    return _grow(5 + 2 * input_mb, attempt)


# ------------------------------------------------------------------------------------------- locks
def _snakemake_running_in(root: Path) -> bool:
    """Is a Snakemake process of this host working in `root`? (Linux: /proc.)"""
    root = root.resolve()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ")
            cwd = (proc / "cwd").resolve()
        except OSError:
            continue
        if b"snakemake" in command and cwd == root:
            return True
    return False


def clear_dead_run(root: Path = Path("."), log=print) -> bool:
    """What a killed Snakemake run leaves behind and every later run stops on: its lock, and the backups
    it makes of a render job's outputs before running it (`update()` outputs; a backup left behind makes
    the next run fail with FileExistsError). Cleared only when no Snakemake of this host works in this
    folder; the render job itself decides from its records which of its reports are stale, so the
    backups are not needed. Returns whether there was anything to clear."""
    locks, backups = root / ".snakemake" / "locks", root / ".snakemake" / "backups"
    backed_up = backups.is_dir() and any(p.is_file() for p in backups.rglob("*"))
    if not (backed_up or (locks.is_dir() and any(locks.iterdir()))) or _snakemake_running_in(root):
        return False
    if backed_up:  # (a finished run leaves only empty folders there)
        import shutil

        shutil.rmtree(backups)
        log("removed the output backups a stopped Snakemake run had left in .snakemake/backups")
    unlock_if_stale(root, log)
    return True


def unlock_if_stale(root: Path = Path("."), log=print) -> bool:
    """A killed Snakemake leaves .snakemake/locks behind and every later run stops on it. Remove a lock
    only when no Snakemake of this host works in this folder (a running build keeps its lock: the second
    build must stop). On a cluster the Snakemake that holds the lock runs on the login node, like this.
    What `snakemake --unlock` does, without starting Snakemake (a second and a half)."""
    locks = root / ".snakemake" / "locks"
    if not locks.is_dir() or not any(locks.iterdir()) or _snakemake_running_in(root):
        return False
    for lock in locks.iterdir():
        lock.unlink()
    log("removed the lock a stopped Snakemake run had left in .snakemake/locks")
    return True
