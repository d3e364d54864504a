# `make reports` and `make test` both create .venv on first use, so a fresh clone needs only Python 3.11.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# PROFILE=workflow/profiles/slurm runs the jobs on a SLURM cluster (README "Op een cluster (SLURM)").
PROFILE ?= workflow/profiles/default
SLURM_STAMP := $(VENV)/.installed-slurm

.PHONY: reports test validate bench schemas clean bytecode slurm-extra

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; set PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# An editable install leaves patroon's own modules uncompiled, and where PYTHONDONTWRITEBYTECODE is set
# (CI images often set it) every pipeline process would compile them again: 0.35 s of CPU a process,
# a fifth of a full rebuild. compileall writes the .pyc files whatever that variable says; make runs it
# only when a module changed (starting it costs a third of a build with nothing to do).
BYTECODE := $(VENV)/.bytecode
$(BYTECODE): $(STAMP) $(shell find src/patroon -name '*.py' 2>/dev/null)
	@$(BIN)/python -m compileall -q src/patroon
	@touch $(BYTECODE)

bytecode: $(BYTECODE)

$(SLURM_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,slurm]'
	touch $(SLURM_STAMP)

slurm-extra: $(SLURM_STAMP)

# patroon.pipeline.runner (README "Set-up and use"): clears what a killed run left (lock, backups),
# removes outputs that are not what a build wrote, runs Snakemake unless nothing changed, says per study
# what was rebuilt and why (Snakemake's own log goes to logs/build.log), and ends with the path of
# reports/index.html or, after a failure, its cause in one line (file:line: field: message).
# STUDY=id builds that study only (it must be listed in config/config.yaml).
reports: bytecode $(if $(findstring slurm,$(PROFILE)),$(SLURM_STAMP))
	@$(BIN)/python -m patroon.pipeline.runner --profile $(PROFILE) $(if $(STUDY),--study $(STUDY))

validate: $(STAMP)
	$(BIN)/patroon validate

schemas: $(STAMP)
	$(BIN)/patroon schemas --out workflow/schemas

test: bytecode
	$(BIN)/python -m pytest

clean:
	rm -rf results reports .snakemake .patroon

# Wall-clock figures (medians of repeated runs) printed one per line and written to bench/results.json.
# BENCH_ARGS="--scale 34,342" adds the synthetic national-scale study (long); BENCH_ARGS="--slurm" the
# cluster part: local against SLURM wall time on a single-node SLURM brought up for it (root only).
bench: bytecode
	$(BIN)/python tools/bench.py $(BENCH_ARGS)
