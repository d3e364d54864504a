# One rule per study: its outputs (a table per case) are known from the file lists, and each is declared.
for _study in STUDIES:
    rule:
        name: rule_name("tables", _study)
        input:
            files=files_of(_study),
            study=str(DATA / _study / "study.yaml"),
        output:
            units=f"results/{_study}/units.csv",
            cases=f"results/{_study}/cases.csv",
            tables=[f"results/{_study}/{name}" for name in layouts.table_outputs(LAYOUT[_study])[2:]],
        params:
            study=_study,
            language=LANGUAGE,  # labels in the tables follow the language: a change reruns the job
        priority: 10  # see reports.smk: longest jobs first
        threads: 1
        resources:
            mem_mb=lambda wildcards, input, attempt: layouts.stage_mem_mb(input.size_mb, attempt),
            runtime=lambda wildcards, input, attempt: layouts.stage_runtime(input.size_mb, attempt),
        retries: 1
        shell:
            "{PATROON} tables " + STUDY_DATA + ' --study {params.study} --results "$(dirname "$(dirname {output.units:q})")"'
