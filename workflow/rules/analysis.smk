rule analysis:
    input:
        files=study_files,
        valid=ancient("results/{study}/.validated"),
    output:
        patterns="results/{study}/patterns.json",
    shell:
        "{PATROON} analyse {COMMON} --study {wildcards.study}"
