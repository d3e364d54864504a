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
