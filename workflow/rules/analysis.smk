# The analysis reads the case files, not the tables stage's CSVs (the workbook's per-case sheets are
# computed again in memory, which costs less than waiting): tables, analysis and reports run beside each
# other on two cores. Both stages write under results/<study>/, never the same file, and neither clears
# the folder: each sweeps only the temporary files that a dead process of its own host left. Inputs as in
# tables.smk: the digest of the study's data files and the settings that shape the analysis.
for _study in STUDIES:
    _outputs = layouts.analysis_outputs(LAYOUT[_study], _study)
    rule:
        name: rule_name("analysis", _study)
        input:
            data=str(STATE[_study] / "data.json"),
            settings=settings_of("analysis", _study),
            study=str(DATA / _study / "study.yaml"),
        output:
            patterns=f"results/{_study}/patterns.json",
            other=[f"results/{_study}/{name}" for name in _outputs if name != "patterns.json"],
        params:
            study=_study,
        priority: 20  # see reports.smk: longest jobs first
        threads: 1
        resources:
            mem_mb=stage_resource(layouts.stage_mem_mb, _study),
            runtime=stage_resource(layouts.stage_runtime, _study),
        retries: 1
        shell:
            "{PATROON} analyse " + STUDY_DATA + ' --study {params.study} --results "$(dirname "$(dirname {output.patterns:q})")"'
