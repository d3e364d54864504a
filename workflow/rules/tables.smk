rule tables:
    input:
        files=study_files,
    output:
        units="results/{study}/units.csv",
        cases="results/{study}/cases.csv",
    shell:
        "{PATROON} tables {COMMON} --study {wildcards.study}"
