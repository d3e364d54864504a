# A study's reports are rendered in `report_shards` jobs (config/config.yaml; the slurm profile raises
# it), each rendering every n-th report (patroon.pipeline.workflow.shard) so that on a cluster they run on different
# nodes. One rule per study and shard, because each declares exactly its own files: every report's .qmd
# and formats, its figure folder, and the shard's manifest.
#
# The outputs are `update()`: Snakemake leaves them in place, and inside the job patroon re-renders only
# the reports whose own input files changed (a gemeente: its file and its providers'; a provider: its file
# and its gemeenten'; the synthesis: everything), tracked in the shard's manifest, and touches the others.
# One process per report would spend more time starting Python and re-reading the study than rendering
# (see README, "Speed"). If a render fails, Snakemake restores the previous versions of its outputs.
FORMAT_LIST = ",".join(FORMATS)
# Every report prints the data's last commit: a param, so that committing data already built re-renders
# (Snakemake reruns a job whose params changed), as a clean build would.
from patroon.output.reproducible import data_commit
RENDER_MANIFESTS = {}  # study -> every shard's manifest: the target rule asks for these


# Reports do not wait for the tables and analysis stages: they read the case files through the same
# validating loader (bad data stops the job before it writes) and compute the synthesis in memory, so on
# two cores rendering runs beside tables/analysis instead of after them. Priorities put the longest jobs
# first (rendering, then analysis, then tables; validate and index are the short ones), so that on two
# cores no long job is left alone at the end with one core idle.
for _study in STUDIES:
    _stems = layouts.report_stems(LAYOUT[_study])
    _count = layouts.shard_count(_stems, SHARDS)
    RENDER_MANIFESTS[_study] = []
    for _index in range(1, _count + 1):
        _mine = layouts.shard(_stems, _index, _count)
        _outputs = layouts.shard_outputs(_mine, FORMATS)
        _manifest = f"reports/{_study}/{layouts.manifest_name(_index, _count)}"
        RENDER_MANIFESTS[_study].append(_manifest)
        rule:
            name: rule_name("reports", _study, f"_{_index}_of_{_count}")
            input:
                files=files_of(_study),
                study=str(DATA / _study / "study.yaml"),
            output:
                manifest=update(_manifest),
                reports=[update(f"reports/{_study}/{name}") for name in _outputs["files"]],
                figures=[update(directory(f"reports/{_study}/{name}")) for name in _outputs["folders"]],
            params:
                study=_study,
                shard=f"{_index}/{_count}",
                data_commit=str(data_commit((DATA / _study).resolve())),
                # A study's own `language` wins over the configured one (STUDY_DATA passes it); as a
                # param a change of the configured language reruns the job.
                language=LANGUAGE,
            log:
                f"logs/{_study}/reports-{_index}-of-{_count}.log",
            priority: 30
            threads: 2
            resources:
                mem_mb=render_resource(layouts.render_mem_mb, len(_mine)),
                runtime=render_resource(layouts.render_runtime, len(_mine)),
            retries: 2
            shell:
                "{PATROON} render " + STUDY_DATA + " --study {params.study} "
                "--renderer {RENDERER} --formats {FORMAT_LIST} --shard {params.shard} --workers {threads} "
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
            tables=[f"results/{_study}/{name}" for name in _names],
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


# The index only links reports by their ids and names: it depends on the data files, not on the reports.
rule index:
    input:
        [f for study in STUDIES for f in LAYOUT[study].all_files()] + PRIVACY_INPUT,
    output:
        "reports/index.html",
    shell:
        "{PATROON} index {COMMON} --formats {FORMAT_LIST}"
