import shlex
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError
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
# The term list is an input of every job it guards: adding a term reruns them all.
PRIVACY = config.get("privacy_file")
if PRIVACY and not Path(PRIVACY).is_file():
    raise WorkflowError(f"config/config.yaml: privacy_file: {PRIVACY} does not exist (a typo must not switch the "
                        "privacy check off; remove the setting to build without it)")
PRIVACY_INPUT = [PRIVACY] if PRIVACY else []
# The interpreter running Snakemake is the one with patroon installed (.venv), whatever PATH says.
# Quoted for the shell: a configured data_dir is a path, never shell syntax (a space or `;` in it must
# reach patroon as part of the path). Everything else in the shell lines is a schema-checked enum or slug.
PATROON = f"{shlex.quote(sys.executable)} -m patroon"
COMMON = f"--data {shlex.quote(str(DATA))} --config config/config.yaml"

wildcard_constraints:
    study="[a-z0-9][a-z0-9-]*",
    plural="[a-z0-9][a-z0-9-]*",
    ident="[a-z0-9][a-z0-9-]*",


def study_files(wildcards):
    return LAYOUT[wildcards.study].all_files() + PRIVACY_INPUT
