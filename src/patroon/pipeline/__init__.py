"""patroon.pipeline — what Snakemake and `patroon build` need to drive the stages.

Owns: config/config.yaml as a model, the workflow layout the Snakefile builds its DAG from (which outputs
a study has, which files each report depends on), the plan (the digests of settings, data and report
fingerprints that Snakemake watches), the stages with their file outputs (tables, analysis, agreement,
workbook), rendering a study's stale reports in one job (`build`) with batches in forked workers
(`workers`), `make reports` / `patroon build` with its account (`runner`) and what it does before and
after Snakemake (`repair`), and the JSON Schemas of the file formats.

May import: every stage below it (`data`, `output`, `analysis`, `report`, `engines`).
"""
