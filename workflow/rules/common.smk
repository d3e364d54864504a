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
# Only file lists here: which report depends on which file is patroon's business (patroon.build).
LAYOUT = {study: layout(DATA / study, with_units=False) for study in STUDIES}
# The interpreter running Snakemake is the one with patroon installed (.venv), whatever PATH says.
PATROON = f"{sys.executable} -m patroon"
COMMON = f"--data {DATA} --config config/config.yaml"

wildcard_constraints:
    study="[a-z0-9][a-z0-9-]*",
    plural="[a-z0-9][a-z0-9-]*",
    ident="[a-z0-9][a-z0-9-]*",


def study_files(wildcards):
    return LAYOUT[wildcards.study].all_files()
