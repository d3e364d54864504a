import os
import shlex
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from patroon.data.yamlfile import read_yaml
from patroon.pipeline import plan as plans
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
# Render jobs per study (config `report_shards`; the slurm profile raises it): see reports.smk.
SHARDS = int(config.get("report_shards", 1))
PRIVACY = config.get("privacy_file")
if PRIVACY and not Path(PRIVACY).is_file():
    raise WorkflowError(f"config/config.yaml: privacy_file: {PRIVACY} does not exist (a typo must not switch the "
                        "privacy check off; remove the setting to build without it)")
# Only file lists here (no case file is read): cheap on every node of a cluster.
LAYOUT = {study: layout(DATA / study, with_units=False) for study in STUDIES}
# A study's data in MB: what its jobs ask a cluster for grows with it (their declared inputs are digests).
STUDY_MB = {study: sum(os.path.getsize(f) for f in LAYOUT[study].all_files() if os.path.isfile(f)) / 1e6
            for study in STUDIES}

# The files that tell Snakemake what shapes each output (patroon.pipeline.plan): written by the Snakemake
# that plans the build, before it builds its DAG, and only when their content changes. A job on a cluster
# node parses this file again but finds them written.
STATE = {study: plans.STATE / study for study in STUDIES}
if workflow.is_main_process:
    try:
        _renderer = plans.renderer_identity(RENDERER)
    except RuntimeError as error:
        raise WorkflowError(f"config/config.yaml: renderer: {error}")
    for _study in STUDIES:
        # A study's own `language` wins over the configured one (the stages decide it the same way).
        _settings = plans.settings(FORMATS, plans.study_language(DATA / _study, LANGUAGE), _renderer, PRIVACY)
        plans.write_state(plans.plan_study(DATA / _study, _settings, STATE[_study]), STATE[_study], SHARDS)


def settings_of(stage, study):
    return str(STATE[study] / f"settings-{stage}.json")


# The interpreter running Snakemake is the one with patroon installed (.venv), whatever PATH says.
# Quoted for the shell: a configured data_dir is a path, never shell syntax (a space or `;` in it must
# reach patroon as part of the path). Everything else in the shell lines is a schema-checked enum or slug.
PATROON = f"{shlex.quote(sys.executable)} -m patroon"
COMMON = f"--data {shlex.quote(str(DATA))} --config config/config.yaml --configured-language {LANGUAGE}"
# Stages that read one study take its folder from their declared input, and write where their declared
# outputs are: with a storage plugin (no shared filesystem) those are local copies in other places.
STUDY_DATA = '--data "$(dirname "$(dirname {input.study:q})")" --config config/config.yaml ' + \
    f"--configured-language {LANGUAGE}"


rule_name = layouts.rule_name  # rules made per study get names like tables_sturing_jeugdhulp


def stage_resource(function, study):
    """A resource of a tables or analysis job: a function of its study's size and the attempt."""
    return lambda wildcards, attempt: function(STUDY_MB[study], attempt)


def render_resource(function, study, n_reports):
    """A resource of a render shard: a function of its study's size, its number of reports and the attempt."""
    return lambda wildcards, attempt: function(STUDY_MB[study], n_reports, attempt)


# The three small rules of a build: not worth a cluster job's scheduling delay. They run on the machine
# running Snakemake (on a cluster: the login or head node).
localrules: validate, index

wildcard_constraints:
    study="[a-z0-9][a-z0-9-]*",
    plural="[a-z0-9][a-z0-9-]*",
    ident="[a-z0-9][a-z0-9-]*",


def study_files(wildcards):
    return LAYOUT[wildcards.study].all_files()
