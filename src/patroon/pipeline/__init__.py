"""patroon.pipeline — what Snakemake and `patroon build` need to drive the stages.

Owns: config/config.yaml as a model, the workflow layout the Snakefile builds its DAG from (which outputs
a study has, which files each report depends on), the stages with their file outputs (tables, analysis,
agreement, workbook), rendering a study's reports in one process with per-report fingerprints (`build`),
the progress runner of `patroon build`, and the JSON Schemas of the file formats.

May import: every stage below it (`data`, `output`, `analysis`, `report`, `engines`).
"""
