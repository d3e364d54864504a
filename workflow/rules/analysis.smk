rule analysis:
    input:
        files=study_files,
    output:
        patterns="results/{study}/patterns.json",
    shell:
        "{PATROON} analyse {COMMON} --study {wildcards.study}"
