# `make reports` and `make test` both create .venv on first use, so a fresh clone needs only Python 3.11.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: reports test validate bench schemas clean bytecode

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

# Ends with the path of reports/index.html, or after a failure with its cause (file:line: field: message)
# below Snakemake's own account.
reports: bytecode
	@start=$$(date +%s); $(BIN)/snakemake --cores 2 --profile workflow/profiles/default \
		&& echo "open $(CURDIR)/reports/index.html" \
		|| { $(BIN)/python -m patroon.runner --causes-since $$start; exit 1; }

validate: $(STAMP)
	$(BIN)/patroon validate

schemas: $(STAMP)
	$(BIN)/patroon schemas --out workflow/schemas

test: bytecode
	$(BIN)/python -m pytest

clean:
	rm -rf results reports .snakemake

# Wall-clock figures (medians of repeated runs) printed one per line and written to bench/results.json.
# BENCH_ARGS="--scale 34,342" adds the synthetic national-scale study (long).
bench: bytecode
	$(BIN)/python -m patroon.bench $(BENCH_ARGS)
