"""What the Snakefile needs to know to build its DAG: which reports a study has and which data files each
report depends on. Read with a plain safe load and no checks: a broken file must not stop the DAG from
being built, because the validate rule is where it gets reported properly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

try:  # the C loader makes DAG building fast on large studies
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader


def _read(path: Path) -> dict:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


@dataclass
class StudyLayout:
    study_dir: Path
    case_plural: str = "gemeenten"
    organisation_plural: str = "aanbieders"
    cases: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)
    cases_of: dict[str, list[str]] = field(default_factory=dict)  # organisation -> cases
    organisations_in: dict[str, list[str]] = field(default_factory=dict)  # case -> organisations

    def file(self, plural: str, ident: str) -> str:
        return str(self.study_dir / plural / f"{ident}.yaml")

    def all_files(self) -> list[str]:
        files = [str(self.study_dir / "study.yaml"), str(self.study_dir / "codebook.yaml")]
        files += [self.file(self.case_plural, c) for c in self.cases]
        files += [self.file(self.organisation_plural, o) for o in self.organisations]
        return files

    def gemeente_inputs(self, case: str) -> list[str]:
        return [str(self.study_dir / "study.yaml"), str(self.study_dir / "codebook.yaml"),
                self.file(self.case_plural, case)] + [
            self.file(self.organisation_plural, o) for o in self.organisations_in.get(case, [])]

    def aanbieder_inputs(self, organisation: str) -> list[str]:
        return [str(self.study_dir / "study.yaml"), str(self.study_dir / "codebook.yaml"),
                self.file(self.organisation_plural, organisation)] + [
            self.file(self.case_plural, c) for c in self.cases_of.get(organisation, []) if c in self.cases]


def layout(study_dir: Path, with_units: bool = True) -> StudyLayout:
    """With `with_units=False` only the file lists are known (cheap: no provider file is read)."""
    study = _read(study_dir / "study.yaml")
    result = StudyLayout(study_dir)
    for kind in study.get("unit_kinds") or []:
        if not isinstance(kind, dict):
            continue
        if kind.get("role") == "case":
            result.case_plural = kind.get("plural", result.case_plural)
        elif kind.get("role") == "organisation":
            result.organisation_plural = kind.get("plural", result.organisation_plural)
    result.cases = sorted(p.stem for p in (study_dir / result.case_plural).glob("*.yaml"))
    result.organisations = sorted(p.stem for p in (study_dir / result.organisation_plural).glob("*.yaml"))
    result.organisations_in = {c: [] for c in result.cases}
    for org in result.organisations if with_units else []:
        units = _read(study_dir / result.organisation_plural / f"{org}.yaml").get("units") or []
        cases = sorted({u.get("case") for u in units if isinstance(u, dict) and isinstance(u.get("case"), str)})
        result.cases_of[org] = cases
        for case in cases:
            result.organisations_in.setdefault(case, []).append(org)
    return result
