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
    organisation_plural: str | None = None
    case_plurals: list[str] = field(default_factory=list)
    cases: dict[str, str] = field(default_factory=dict)  # case id -> plural (folder) of its kind
    organisations: list[str] = field(default_factory=list)
    cases_of: dict[str, list[str]] = field(default_factory=dict)  # organisation -> cases
    organisations_in: dict[str, list[str]] = field(default_factory=dict)  # case -> organisations
    related: dict[str, list[str]] = field(default_factory=dict)  # case -> cases it is part of / holds

    def file(self, plural: str, ident: str) -> str:
        return str(self.study_dir / plural / f"{ident}.yaml")

    def case_file(self, case: str) -> str:
        return self.file(self.cases[case], case)

    def common(self) -> list[str]:
        return [str(self.study_dir / "study.yaml"), str(self.study_dir / "codebook.yaml")]

    def all_files(self) -> list[str]:
        files = self.common() + [self.case_file(c) for c in self.cases]
        files += [self.file(self.organisation_plural, o) for o in self.organisations]
        return files

    def case_inputs(self, case: str) -> list[str]:
        """A case report shows its own file, its providers' units, and the cases it is part of or holds."""
        files = self.common() + [self.case_file(case)]
        files += [self.file(self.organisation_plural, o) for o in self.organisations_in.get(case, [])]
        files += [self.case_file(c) for c in self.related.get(case, []) if c in self.cases]
        return files

    def organisation_inputs(self, organisation: str) -> list[str]:
        return self.common() + [self.file(self.organisation_plural, organisation)] + [
            self.case_file(c) for c in self.cases_of.get(organisation, []) if c in self.cases]


def layout(study_dir: Path, with_units: bool = True) -> StudyLayout:
    """With `with_units=False` only the file lists are known (cheap: no provider or case file is read)."""
    study = _read(study_dir / "study.yaml")
    result = StudyLayout(study_dir)
    for kind in study.get("unit_kinds") or []:
        if not isinstance(kind, dict) or not isinstance(kind.get("plural"), str):
            continue
        if kind.get("role") == "case":
            result.case_plurals.append(kind["plural"])
        elif kind.get("role") == "organisation":
            result.organisation_plural = kind["plural"]
    for plural in result.case_plurals:
        for path in sorted((study_dir / plural).glob("*.yaml")):
            result.cases.setdefault(path.stem, plural)
    if result.organisation_plural:
        result.organisations = sorted(p.stem for p in (study_dir / result.organisation_plural).glob("*.yaml"))
    result.organisations_in = {c: [] for c in result.cases}
    if not with_units:
        return result
    for org in result.organisations:
        units = _read(study_dir / result.organisation_plural / f"{org}.yaml").get("units") or []
        cases = sorted({u.get("case") for u in units if isinstance(u, dict) and isinstance(u.get("case"), str)})
        result.cases_of[org] = cases
        for case in cases:
            result.organisations_in.setdefault(case, []).append(org)
    if len(result.case_plurals) > 1:  # only then can a case be part of another: skip the reads otherwise
        for case, plural in result.cases.items():
            parent = _read(study_dir / plural / f"{case}.yaml").get("part_of")
            if isinstance(parent, str):
                result.related.setdefault(case, []).append(parent)
                result.related.setdefault(parent, []).append(case)
    return result
