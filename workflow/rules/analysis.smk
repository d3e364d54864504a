# The analysis reads the case files, not the tables stage's CSVs (the workbook's per-case sheets are
# computed again in memory, which costs less than waiting): tables, analysis and reports run beside each
# other on two cores.
rule analysis:
    input:
        files=study_files,
    output:
        patterns="results/{study}/patterns.json",
    priority: 20  # see reports.smk: longest jobs first
    shell:
        "{PATROON} analyse {COMMON} --study {wildcards.study}"
