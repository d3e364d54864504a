# The analysis reads the case files, not the tables stage's CSVs (the workbook's per-case sheets are
# computed again in memory, which costs less than waiting): tables, analysis and reports run beside each
# other on two cores. Both stages write under results/<study>/, never the same file, and neither clears
# the folder: each sweeps only the temporary files that a dead process of its own host left.
for _study in STUDIES:
    _outputs = layouts.analysis_outputs(LAYOUT[_study], _study)
    rule:
        name: rule_name("analysis", _study)
        input:
            files=files_of(_study),
            study=str(DATA / _study / "study.yaml"),
        output:
            patterns=f"results/{_study}/patterns.json",
            other=[f"results/{_study}/{name}" for name in _outputs if name != "patterns.json"],
        params:
            study=_study,
            language=LANGUAGE,  # labels in the tables follow the language: a change reruns the job
        priority: 20  # see reports.smk: longest jobs first
        threads: 1
        resources:
            mem_mb=lambda wildcards, input, attempt: layouts.stage_mem_mb(input.size_mb, attempt),
            runtime=lambda wildcards, input, attempt: layouts.stage_runtime(input.size_mb, attempt),
        retries: 1
        shell:
            "{PATROON} analyse " + STUDY_DATA + ' --study {params.study} --results "$(dirname "$(dirname {output.patterns:q})")"'
