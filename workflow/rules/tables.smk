# One rule per study: its outputs (a table per case) are known from the file lists, and each is declared.
# Its inputs: the digest of every data file of the study and the settings that shape the tables
# (patroon.pipeline.plan), not the thousands of data files of a national study themselves.
for _study in STUDIES:
    rule:
        name: rule_name("tables", _study)
        input:
            data=str(STATE[_study] / "data.json"),
            settings=settings_of("tables", _study),
            study=str(DATA / _study / "study.yaml"),
        output:
            units=f"results/{_study}/units.csv",
            cases=f"results/{_study}/cases.csv",
            tables=[f"results/{_study}/{name}" for name in layouts.table_outputs(LAYOUT[_study])[2:]],
        params:
            study=_study,
        priority: 10  # see reports.smk: longest jobs first
        threads: 1
        resources:
            mem_mb=stage_resource(layouts.stage_mem_mb, _study),
            runtime=stage_resource(layouts.stage_runtime, _study),
        retries: 1
        shell:
            "{PATROON} tables " + STUDY_DATA + ' --study {params.study} --results "$(dirname "$(dirname {output.units:q})")"'
