# The same code path as `patroon validate`: one line per problem, nothing written when anything is wrong.
# Snakemake's bash runs with pipefail, so a failed validation fails the rule despite the tee.
rule validate:
    input:
        study_files,
    output:
        "results/{study}/.validated",
    log:
        "logs/{study}/validate.log",
    shell:
        "{PATROON} validate {COMMON} --study {wildcards.study} --stamp {output} 2>&1 | tee {log}"
