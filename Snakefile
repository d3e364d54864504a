# patroon: coded case YAML -> validated tables -> cross-case analysis -> reports. Rules are thin; all logic
# lives in the `patroon` package. As in the Snakemake workflow catalog, the entry point holds only the
# includes and the target rule: Snakemake takes its default target from this file, not from includes.
include: "workflow/rules/common.smk"


# Every output of every study built, so that any output deleted is made again (Snakemake checks only the
# outputs someone asks for). `patroon build` asks for the rules by name instead (same outputs, a DAG that
# is quicker to build: see patroon.pipeline.workflow.study_targets).
rule all:
    input:
        [f for study in BUILD for f in layouts.study_outputs(LAYOUT[study], study, FORMATS, SHARDS)],
        "reports/index.html",


include: "workflow/rules/validate.smk"
include: "workflow/rules/tables.smk"
include: "workflow/rules/analysis.smk"
include: "workflow/rules/reports.smk"
include: "workflow/rules/agreement.smk"
