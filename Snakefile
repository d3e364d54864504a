# patroon: coded case YAML -> validated tables -> cross-case analysis -> reports. Rules are thin; all logic
# lives in the `patroon` package. As in the Snakemake workflow catalog, the entry point holds only the
# includes and the target rule: Snakemake takes its default target from this file, not from includes.
include: "workflow/rules/common.smk"


rule all:
    input:
        expand("results/{study}/.validated", study=BUILD),
        expand("results/{study}/units.csv", study=BUILD),
        expand("results/{study}/patterns.json", study=BUILD),
        lambda wildcards: [m for study in BUILD for m in RENDER_MANIFESTS[study]],  # every render shard
        lambda wildcards: [f for study in BUILD for f in PUBLISHED[study]],  # the data inside reports/
        [f"results/{study}/agreement.csv" for study in BUILD if LAYOUT[study].coding],
        "reports/index.html",


include: "workflow/rules/validate.smk"
include: "workflow/rules/tables.smk"
include: "workflow/rules/analysis.smk"
include: "workflow/rules/reports.smk"
include: "workflow/rules/agreement.smk"
