import sys
from pathlib import Path

from snakemake.utils import validate

from patroon.workflow import layout

configfile: "config/config.yaml"
validate(config, "../schemas/config.schema.json")

DATA = Path(config.get("data_dir", "data"))
STUDIES = config["studies"]
FORMATS = config.get("formats", ["html", "pdf"])
LANGUAGE = config.get("language", "nl")
RENDERER = config.get("renderer", "auto")
LAYOUT = {study: layout(DATA / study) for study in STUDIES}
REPORT_EXTS = [".qmd"] + [f".{fmt}" for fmt in FORMATS]
# The interpreter running Snakemake is the one with patroon installed (.venv), whatever PATH says.
PATROON = f"{sys.executable} -m patroon"
COMMON = f"--data {DATA} --config config/config.yaml"

wildcard_constraints:
    study="[a-z0-9][a-z0-9-]*",
    plural="[a-z0-9][a-z0-9-]*",
    ident="[a-z0-9][a-z0-9-]*",


def study_files(wildcards):
    return LAYOUT[wildcards.study].all_files()


def all_reports():
    targets = []
    for study, lay in LAYOUT.items():
        stems = [f"reports/{study}/synthese"]
        stems += [f"reports/{study}/{lay.case_plural}/{c}" for c in lay.cases]
        stems += [f"reports/{study}/{lay.organisation_plural}/{o}" for o in lay.organisations]
        targets += [stem + ext for stem in stems for ext in REPORT_EXTS]
    return targets
