# One render job per study. Inside it, patroon re-renders only the reports whose own input files changed
# (a gemeente: its file and its providers'; a provider: its file and its gemeenten'; the synthesis:
# everything), tracked in reports/<study>/.manifest.json. That manifest is deliberately not a declared
# output (Snakemake deletes declared outputs before a job runs); the declared output is a stamp. One process per report would spend more time
# starting Python and re-reading the study than rendering (see README, "Speed").
FORMAT_LIST = ",".join(FORMATS)


# Reports do not wait for the tables and analysis stages: they read the case files through the same
# validating loader (bad data stops the job before it writes) and compute the synthesis in memory, so on
# two cores rendering runs beside tables/analysis instead of after them. Priorities put the longest jobs
# first (rendering, then analysis, then tables; validate and index are the short ones), so that on two
# cores no long job is left alone at the end with one core idle.
rule reports:
    input:
        files=study_files,
    output:
        "reports/{study}/.built",
    priority: 30
    log:
        "logs/{study}/reports.log",
    shell:
        "{PATROON} render {COMMON} --study {wildcards.study} --language {LANGUAGE} --renderer {RENDERER} "
        "--formats {FORMAT_LIST} --stamp {output} 2>&1 | tee {log}"


# The index only links reports by their ids and names: it depends on the data files, not on the reports.
rule index:
    input:
        [f for study in STUDIES for f in LAYOUT[study].all_files()] + PRIVACY_INPUT,
    output:
        "reports/index.html",
    shell:
        "{PATROON} index {COMMON} --formats {FORMAT_LIST}"
