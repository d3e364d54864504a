import shlex
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from patroon.data.yamlfile import read_yaml
from patroon.pipeline import workflow as layouts
from patroon.pipeline.workflow import layout

# Snakemake reads the config with recursive readers (json, then YAML): 40,000 nested brackets end in a
# Python traceback there. patroon's reader refuses such a file first, with its line.
_, _config_problems = read_yaml(Path("config/config.yaml"))
if _config_problems and Path("config/config.yaml").exists():
    raise WorkflowError("\n".join(map(str, _config_problems)))
configfile: "config/config.yaml"
validate(config, "../schemas/config.schema.json")

DATA = Path(config.get("data_dir", "data"))
STUDIES = config["studies"]
# `make reports STUDY=id` / `patroon build --study id` (Snakemake `--config study=id`): build that study
# only. The index still lists every configured study.
BUILD = [config["study"]] if config.get("study") else STUDIES
if not set(BUILD) <= set(STUDIES):
    raise WorkflowError(f"config/config.yaml: studies: '{config['study']}' is not listed; add it there "
                        f"(known: {', '.join(STUDIES)})")
FORMATS = config.get("formats", ["html", "pdf"])
LANGUAGE = config.get("language", "nl")
RENDERER = config.get("renderer", "auto")
# Only file lists here: which report depends on which file is patroon's business (patroon.pipeline.build).
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
COMMON = f"--data {shlex.quote(str(DATA))} --config config/config.yaml --configured-language {LANGUAGE}"
# Stages that read one study take its folder from their declared input, and write where their declared
# outputs are: with a storage plugin (no shared filesystem) those are local copies in other places.
STUDY_DATA = '--data "$(dirname "$(dirname {input.study:q})")" --config config/config.yaml ' + \
    f"--configured-language {LANGUAGE}"
# Render jobs per study (config `report_shards`; the slurm profile raises it): see reports.smk.
SHARDS = int(config.get("report_shards", 1))


def rule_name(stage, study, suffix=""):
    """Rules made per study (their outputs differ per study) get names like tables_sturing_jeugdhulp."""
    return f"{stage}_{study.replace('-', '_')}{suffix}"


def render_resource(function, n_reports):
    """A resource of a render shard: a function of its input size, its number of reports and the attempt."""
    return lambda wildcards, input, attempt: function(input.size_mb, n_reports, attempt)


def files_of(study):
    return LAYOUT[study].all_files() + PRIVACY_INPUT


# The three small rules of a build: not worth a cluster job's scheduling delay. They run on the machine
# running Snakemake (on a cluster: the login or head node).
localrules: validate, index

wildcard_constraints:
    study="[a-z0-9][a-z0-9-]*",
    plural="[a-z0-9][a-z0-9-]*",
    ident="[a-z0-9][a-z0-9-]*",


def study_files(wildcards):
    return LAYOUT[wildcards.study].all_files() + PRIVACY_INPUT
