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
# a fifth of a full rebuild. compileall writes the .pyc files whatever that variable says, and skips
# modules that are current.
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q src/patroon

$(SLURM_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,slurm]'
	touch $(SLURM_STAMP)

slurm-extra: $(SLURM_STAMP)

# STUDY=id builds that study only (it must be listed in config/config.yaml).
# A lock left by a killed run is removed first (only when no Snakemake works in this folder). Ends with
# the path of reports/index.html, or after a failure with its cause (file:line: field: message).
reports: bytecode $(if $(findstring slurm,$(PROFILE)),$(SLURM_STAMP))
	@$(BIN)/python -c 'from patroon.pipeline.workflow import unlock_if_stale; unlock_if_stale()'
	@start=$$(date +%s); $(BIN)/snakemake --profile $(PROFILE) $(if $(STUDY),--config study=$(STUDY)) \
		&& echo "open $(CURDIR)/reports/index.html" \
		|| { $(BIN)/python -m patroon.pipeline.runner --causes-since $$start; exit 1; }

validate: $(STAMP)
	$(BIN)/patroon validate

schemas: $(STAMP)
	$(BIN)/patroon schemas --out workflow/schemas

test: bytecode
	$(BIN)/python -m pytest

clean:
	rm -rf results reports .snakemake

# Wall-clock figures (medians of repeated runs) printed one per line and written to bench/results.json.
# BENCH_ARGS="--scale 34,342" adds the synthetic national-scale study (long); BENCH_ARGS="--slurm" the
# cluster part: local against SLURM wall time on a single-node SLURM brought up for it (root only).
bench: bytecode
	$(BIN)/python tools/bench.py $(BENCH_ARGS)
