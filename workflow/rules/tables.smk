rule tables:
    input:
        files=study_files,
    output:
        units="results/{study}/units.csv",
        cases="results/{study}/cases.csv",
    priority: 10  # see reports.smk: longest jobs first
    shell:
        "{PATROON} tables {COMMON} --study {wildcards.study}"
