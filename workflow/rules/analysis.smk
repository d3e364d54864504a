rule analysis:
    input:
        files=study_files,
        units="results/{study}/units.csv",  # the workbook gathers the tables stage's CSVs too
    output:
        patterns="results/{study}/patterns.json",
    shell:
        "{PATROON} analyse {COMMON} --study {wildcards.study}"
