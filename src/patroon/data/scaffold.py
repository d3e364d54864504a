"""Skeletons a researcher fills in instead of guessing the format: `patroon new-study` writes a new study
folder (a commented study.yaml and codebook.yaml), `patroon new` a case file listing every codebook
variable of its kind with the allowed values."""

from __future__ import annotations

import json

from patroon.data.models import Codebook, Study

# ------------------------------------------------------------------------------------- a case file


def _label(label, language: str) -> str:
    return getattr(label, language)


def _variable_block(codebook: Codebook, level: str, indent: str, language: str, kind: str | None = None) -> list[str]:
    lines = []
    missing = sorted(codebook.missing())
    for variable in codebook.variables:
        if variable.level != level or (kind is not None and variable.kinds is not None and kind not in variable.kinds):
            continue
        lines.append(f"{indent}# {_label(variable.label, language)} ({variable.group}): {variable.definition}")
        if variable.type == "categorical":
            options = [f"{json.dumps(v.code)} = {_label(v.label, language)}" for v in codebook.allowed_values(variable)]
            lines.append(f"{indent}# allowed: " + "; ".join(options + missing))
        else:
            lines.append(f"{indent}# {variable.type}" + (f"; or: {', '.join(missing)}" if missing else ""))
        lines += [f"{indent}{variable.id}:",
                  f"{indent}  value: TODO",
                  f"{indent}  evidence:",
                  f"{indent}    - text: TODO own-words paraphrase",
                  f"{indent}      # where the source says it, at least one of: section, table, page, dataset "
                  "(with row), citation",
                  f"{indent}      section: TODO",
                  f"{indent}      inferred: false"]
    return lines


def skeleton(study: Study, codebook: Codebook, case_ids: list[str], kind: str, ident: str,
             language: str = "nl") -> str:
    """Only the study and codebook are needed: a half-finished case file elsewhere must not block this."""
    tactics = ", ".join(t.id for t in codebook.tactics)
    case_kind = next(k.kind for k in study.unit_kinds if k.role == "case")
    case_kinds = [k.kind for k in study.unit_kinds if k.role == "case"]
    unknown = next((m for m in sorted(codebook.missing()) if m in ("onbekend", "unknown")), None)
    lines = [f"# New {kind} for study {study.id}; see docs/your-own-study.md (step 4: case files).",
             "# Replace every TODO: code every variable; where the source does not say, write "
             + (f"`value: {unknown}`" if unknown else "one of the codebook's missing codes")
             + " and give the reason as evidence.",
             f"id: {ident}", "name: TODO name as the source writes it", f"kind: {kind}"]
    if kind in case_kinds:
        if len(case_kinds) > 1:
            lines.append("# part_of: <id of the case this one belongs to, if any>")
        lines += ["coded:"] + _variable_block(codebook, "case", "  ", language, kind)
    else:
        first_case = case_ids[0] if case_ids else "TODO"
        lines += ["coded:"] + _variable_block(codebook, "organisation", "  ", language)
        lines += ["units:", f"  - case: {first_case}  # one unit per {case_kind}; known: {', '.join(case_ids)}",
                  "    name: TODO", "    reaction:",
                  f"      # tactics: {tactics}",
                  "      - start: null", "        end: null", "        tactics: [TODO]",
                  "        evidence:", "          - {text: TODO, section: TODO}",
                  "    coded:"] + _variable_block(codebook, "unit", "      ", language)
    lines.append("source_notes: []")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------- a new study
# Written as text, not dumped from a model: the comments are half the point. Every TODO must be replaced
# before `patroon validate` passes (the loader refuses placeholders in study.yaml and codebook.yaml too).

STUDY_YAML = """\
# Study {id}: what it compares and how. Every field is explained in docs/your-own-study.md.
# Lines that start with # are comments; remove the # before a line to switch it on.
id: {id}                       # equals the folder name
title: TODO the title of your study
language: {language}                 # nl or en: the language of the reports (leave out to follow config/config.yaml)
source:                        # the publication you code
  author: TODO author(s)
  year: TODO
  title: TODO title of the source
  kind: TODO                   # e.g. article, book chapter, thesis, report, data set
  # What the names in the reports are; every report's colophon says it. Leave out to say nothing.
  # names: {{nl: "De landen heten zoals in de bron.", en: "Countries are named as in the source."}}
unit_kinds:                    # the kinds of case you compare; one folder of case files per kind
  - kind: {kind}                # the kind, in case files: `kind: {kind}`
    plural: {plural}           # the folder: data/{id}/{plural}/
    role: case
    label: {{nl: {label_nl}, en: {label_en}}}
    plural_label: {{nl: {plural_nl}, en: {plural_en}}}
analysis:
  # Building blocks: cross-case tables over the variables of one kind (docs/your-own-study.md lists all five).
  blocks:
    - id: overview
      type: crosstab
      kind: {kind}
      rows: variable           # one row per variable, a column per value, with totals
      label: {{nl: Overzicht van de codering, en: Overview of the coding}}
      variables: {{groups: [condition, outcome]}}
  # Crisp-set QCA: off. To switch it on, remove the # before these lines (see docs/your-own-study.md).
  # qca:
  #   outcome: outcome
  #   outcome_column: outcome
  #   outcome_value: "1"
  #   conditions: [condition-a]
  #   calibration:
  #     condition-a: {{"1": 1, "0": 0}}
# What you expect, as predicted patterns over your variables (README "Propositions"; docs/your-own-study.md).
# Each gets a verdict in the synthesis (bevestigd / deels / niet bevestigd / niet te toetsen) from the
# ranges you declare here; `author:` adds the source's own verdict beside it.
propositions:
  - id: a-brings-outcome
    label: {{nl: TODO A leidt tot de uitkomst, en: TODO A brings the outcome}}
    statement: TODO where condition A is present, the outcome is present.
    over: {kind}
    pattern:
      type: rule
      observed: outcome
      rules:
        - value: "1"
          when: {{column: condition-a, values: ["1"]}}
      default: "0"
    verdict: {{bevestigd: {{at_least: 0.8}}, deels: {{at_least: 0.6}}}}
"""

CODEBOOK_YAML = """\
# The codebook of study {id}: every variable you code, with its allowed values. A case file that uses a
# variable or value not defined here is refused; one that leaves a variable out is refused too.
missing_codes:                 # what a coder writes where the source does not say (with the reason as evidence)
  - code: {unknown}
    label: {{nl: onbekend, en: unknown}}
groups:                        # the headings variables are grouped under in the reports
  condition: {{nl: Voorwaarden, en: Conditions}}
  outcome: {{nl: Uitkomst, en: Outcome}}
variables:
  - id: condition-a            # lower-case letters, digits, '-' and '.'
    level: case
    group: condition
    label: {{nl: TODO naam van voorwaarde A, en: TODO name of condition A}}
    definition: TODO what the variable means
    indicator: TODO how you read it from the source (e.g. the threshold of a crisp set)
    values:
      - {{code: "1", direction: "+", label: {{nl: aanwezig, en: present}}}}
      - {{code: "0", direction: "-", label: {{nl: afwezig, en: absent}}}}
  - id: outcome
    level: case
    group: outcome
    label: {{nl: TODO naam van de uitkomst, en: TODO name of the outcome}}
    definition: TODO what the outcome means
    indicator: TODO how you read it from the source
    values:
      - {{code: "1", label: {{nl: aanwezig, en: present}}}}
      - {{code: "0", label: {{nl: afwezig, en: absent}}}}
"""


def study_files(study_id: str, kind: str, plural: str, language: str) -> dict[str, str]:
    """study.yaml and codebook.yaml of a new study, by file name."""
    label = kind.replace("-", " ").capitalize()
    plural_label = plural.replace("-", " ").capitalize()
    values = {"id": study_id, "kind": kind, "plural": plural, "language": language,
              "label_nl": json.dumps(label), "label_en": json.dumps(label),
              "plural_nl": json.dumps(plural_label), "plural_en": json.dumps(plural_label),
              "unknown": "unknown" if language == "en" else "onbekend"}
    return {"study.yaml": STUDY_YAML.format(**values), "codebook.yaml": CODEBOOK_YAML.format(**values)}
