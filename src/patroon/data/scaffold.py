"""`patroon new`: a case file skeleton listing every codebook variable with its allowed values, so a
researcher fills in values instead of guessing the format."""

from __future__ import annotations

import json

from patroon.data.models import Codebook, Study


def _variable_block(codebook: Codebook, level: str, indent: str, kind: str | None = None) -> list[str]:
    lines = []
    missing = sorted(codebook.missing())
    for variable in codebook.variables:
        if variable.level != level or (kind is not None and variable.kinds is not None and kind not in variable.kinds):
            continue
        lines.append(f"{indent}# {variable.label.nl} ({variable.group}): {variable.definition}")
        if variable.type == "categorical":
            options = [f"{json.dumps(v.code)} = {v.label.nl}" for v in codebook.allowed_values(variable)]
            lines.append(f"{indent}# allowed: " + "; ".join(options + missing))
        else:
            lines.append(f"{indent}# {variable.type}; or: {', '.join(missing)}")
        lines += [f"{indent}{variable.id}:",
                  f"{indent}  value: niet-besproken",
                  f"{indent}  evidence:",
                  f"{indent}    - text: TODO own-words paraphrase",
                  f"{indent}      section: TODO",
                  f"{indent}      page: null",
                  f"{indent}      respondents: []",
                  f"{indent}      inferred: false"]
    return lines


def skeleton(study: Study, codebook: Codebook, case_ids: list[str], kind: str, ident: str) -> str:
    """Only the study and codebook are needed: a half-finished case file elsewhere must not block this."""
    tactics = ", ".join(t.id for t in codebook.tactics)
    case_kind = next(k.kind for k in study.unit_kinds if k.role == "case")
    case_kinds = [k.kind for k in study.unit_kinds if k.role == "case"]
    lines = [f"# New {kind} for study {study.id}; see docs/coding-guide.md. Replace every TODO.",
             f"id: {ident}", "name: TODO pseudonym", f"kind: {kind}"]
    if kind in case_kinds:
        if len(case_kinds) > 1:
            lines.append("# part_of: <id of the case this one belongs to, if any>")
        lines += ["coded:"] + _variable_block(codebook, "case", "  ", kind)
    else:
        first_case = case_ids[0] if case_ids else "TODO"
        lines += ["coded:"] + _variable_block(codebook, "organisation", "  ")
        lines += ["units:", f"  - case: {first_case}  # one unit per {case_kind}; known: {', '.join(case_ids)}",
                  "    name: TODO", "    reaction:",
                  f"      # tactics: {tactics}",
                  "      - start: null", "        end: null", "        tactics: [TODO]",
                  "        evidence:", "          - {text: TODO, section: TODO}",
                  "    coded:"] + _variable_block(codebook, "unit", "      ")
    lines.append("source_notes: []")
    return "\n".join(lines) + "\n"
