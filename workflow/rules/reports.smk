# A study's reports are rendered in `report_shards` jobs (config/config.yaml; the slurm profile raises
# it), each rendering every n-th report (patroon.pipeline.workflow.shard) so that on a cluster they run on
# different nodes. One rule per study and shard, because each declares exactly its own files: every
# report's .qmd and formats, its figure folder, and the shard's manifest.
#
# A shard's input is the file of its reports' fingerprints (patroon.pipeline.plan: per report, the digest
# of exactly the data files and settings it is made from), rewritten only when one of them changes. Its
# outputs are `update()`: Snakemake leaves them in place, and inside the job patroon re-renders only the
# reports whose fingerprint differs from the one it recorded in the shard's manifest, or whose files are
# missing or differ from what it wrote; the others are touched. One process per report would spend more
# time starting Python and re-reading the study than rendering (see README, "Speed").
FORMAT_LIST = ",".join(FORMATS)

# A render job forks RENDER_WORKERS workers for its batches, but much of it is one process: loading the
# study, computing what its reports share, and a single batch when few reports are stale (an edit). On a
# cluster it asks for a core per worker. On this machine it counts as one core, so that Snakemake runs
# the other stages beside it instead of keeping a core free for a second worker that is often idle
# (measured on an edit of one provider: tables, analysis, agreement, publish and index waited for the
# render job, 0.9 s longer than running beside it).
RENDER_WORKERS = 2


def render_threads(wildcards):
    return 1 if workflow.local_exec else RENDER_WORKERS


# Reports do not wait for the tables and analysis stages: they read the case files through the same
# validating loader (bad data stops the job before it writes) and compute the synthesis in memory, so on
# two cores rendering runs beside tables/analysis instead of after them. Priorities put the longest jobs
# first (rendering, then analysis, then tables; validate and index are the short ones), so that on two
# cores no long job is left alone at the end with one core idle.
for _study in STUDIES:
    _stems = layouts.report_stems(LAYOUT[_study])
    _count = layouts.shard_count(_stems, SHARDS)
    for _index in range(1, _count + 1):
        _mine = layouts.shard(_stems, _index, _count)
        _outputs = layouts.shard_outputs(_mine, FORMATS)
        rule:
            name: layouts.shard_rule(_study, _index, _count)
            input:
                fingerprints=str(plans.shard_file(STATE[_study], _index, _count)),
                study=str(DATA / _study / "study.yaml"),
            output:
                manifest=update(f"reports/{_study}/{layouts.manifest_name(_index, _count)}"),
                reports=[update(f"reports/{_study}/{name}") for name in _outputs["files"]],
                figures=[update(directory(f"reports/{_study}/{name}")) for name in _outputs["folders"]],
            params:
                study=_study,
                shard=f"{_index}/{_count}",
            log:
                f"logs/{_study}/reports-{_index}-of-{_count}.log",
            priority: 30
            threads: render_threads
            resources:
                mem_mb=render_resource(layouts.render_mem_mb, _study, len(_mine)),
                runtime=render_resource(layouts.render_runtime, _study, len(_mine)),
            retries: 2
            shell:
                "{PATROON} render " + STUDY_DATA + " --study {params.study} "
                "--renderer {RENDERER} --formats {FORMAT_LIST} --shard {params.shard} --workers {RENDER_WORKERS} "
                '--reports "$(dirname "$(dirname "$(dirname {output.manifest:q})")")" 2>&1 | tee {log}'


# The study's data inside its report folder (patroon.pipeline.publish): the tables, workbook, codebook export
# and agreement, copied from results/<study>/ into reports/<study>/data/, so that reports/ can be shared on
# its own and the reports' and index's links to data stay inside it. A copy: cheap, so it runs where
# Snakemake runs.
PUBLISHED = {}  # study -> the copies: the target rule asks for these
for _study in STUDIES:
    _names = layouts.published_outputs(LAYOUT[_study], _study)
    PUBLISHED[_study] = [f"reports/{_study}/{layouts.DATA_FOLDER}/{name}" for name in _names]
    rule:
        name: rule_name("publish", _study)
        input:
            tables=[f"results/{_study}/{name}" for name in layouts.publish_inputs(LAYOUT[_study])],
            study=str(DATA / _study / "study.yaml"),
        output:
            PUBLISHED[_study],
        params:
            study=_study,
        localrule: True
        priority: 5
        threads: 1
        shell:
            "{PATROON} publish " + STUDY_DATA + ' --study {params.study} --results "$(dirname "$(dirname {input.tables[0]:q})")"'
            ' --reports "$(dirname "$(dirname "$(dirname {output[0]:q})")")"'


# The index links reports by their ids and names: it depends on the data files (through each study's
# digest of them) and the settings that shape it, not on the reports.
rule index:
    input:
        [str(STATE[study] / "data.json") for study in STUDIES],
        [settings_of("index", study) for study in STUDIES],
    params:
        language=LANGUAGE,  # the index speaks the configured language, not a study's own: a change reruns it
    output:
        "reports/index.html",
    shell:
        "{PATROON} index {COMMON} --formats {FORMAT_LIST}"
