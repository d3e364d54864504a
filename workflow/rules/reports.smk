# One render job per study. Inside it, patroon re-renders only the reports whose own input files changed
# (a gemeente: its file and its providers'; a provider: its file and its gemeenten'; the synthesis:
# everything), tracked in reports/<study>/.manifest.json. That manifest is deliberately not a declared
# output (Snakemake deletes declared outputs before a job runs); the declared output is a stamp. One process per report would spend more time
# starting Python and re-reading the study than rendering (see README, "Speed").
FORMAT_LIST = ",".join(FORMATS)


rule reports:
    input:
        files=study_files,
        patterns="results/{study}/patterns.json",
    output:
        "reports/{study}/.built",
    log:
        "logs/{study}/reports.log",
    shell:
        "{PATROON} render {COMMON} --study {wildcards.study} --language {LANGUAGE} --renderer {RENDERER} "
        "--formats {FORMAT_LIST} --stamp {output} 2>&1 | tee {log}"


rule index:
    input:
        expand("reports/{study}/.built", study=STUDIES),
    output:
        "reports/index.html",
    shell:
        "{PATROON} index {COMMON} --formats {FORMAT_LIST}"
