# The same code path as `patroon validate`: one line per problem, and a log. Every other stage loads the
# study through the same validating loader, so with bad data each of them stops before writing anything.
# (Ordering the stages after this rule through an `ancient()` stamp made Snakemake 9 miss edited inputs.)
# Snakemake's bash runs with pipefail, so a failed validation fails the rule despite the tee. Its inputs
# are the data files themselves: one output, so their number costs Snakemake nothing quadratic.
rule validate:
    input:
        study_files,
        settings=lambda wildcards: settings_of("validate", wildcards.study),
    output:
        "results/{study}/.validated",
    log:
        "logs/{study}/validate.log",
    shell:
        "{PATROON} validate {COMMON} --study {wildcards.study} --stamp {output} 2>&1 | tee {log}"
