"""A loaded study: its study.yaml, codebook and case files as models, with the file each came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from patroon.data.models import CaseFile, Codebook, OrganisationFile, Study

CODERS_DIR = "coders"  # data/<study>/coders/<name>/: one independent coding per coder



@dataclass
class StudyData:
    root: Path
    study: Study
    codebook: Codebook
    cases: dict[str, CaseFile] = field(default_factory=dict)
    organisations: dict[str, OrganisationFile] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)  # "<kind>/<id>" -> file

    def case_kind(self) -> str:
        """The first case kind: the one organisations' units refer to."""
        return next(k.kind for k in self.study.unit_kinds if k.role == "case")

    def organisation_kind(self) -> str | None:
        return next((k.kind for k in self.study.unit_kinds if k.role == "organisation"), None)

    def case_kinds(self) -> list[str]:
        return [k.kind for k in self.study.unit_kinds if k.role == "case"]

    def cases_of(self, kind: str) -> dict[str, CaseFile]:
        return {i: c for i, c in self.cases.items() if c.kind == kind}

    def plural(self, kind: str) -> str:
        return next(k.plural for k in self.study.unit_kinds if k.kind == kind)

    def count_of(self, kind: str, n: int) -> str:
        """'18 countries', '1 country': validate speaks English, with the study's own English nouns; where a
        kind has no English plural, every kind is counted by its folder name, so one line never mixes them."""
        unit_kind = next(k for k in self.study.unit_kinds if k.kind == kind)
        if not all(k.plural_label for k in self.study.unit_kinds):
            return f"{n} {unit_kind.plural}"
        if n == 1:
            return f"1 {unit_kind.label.en.lower()}"
        return f"{n} {unit_kind.plural_label.en.lower()}"
