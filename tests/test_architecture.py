"""The package by stage (README "Layout"): imports run only downwards, no stage has import circles, every
module says its one job, and no module grows into a room of its own again."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "patroon"
STAGES = ["data", "output", "analysis", "report", "engines", "pipeline"]
MAX_MODULE_LINES = 450


ROOT = PACKAGE.parents[1]


def test_import_contracts_are_kept():
    """The contracts in pyproject.toml ([tool.importlinter]), checked by import-linter itself."""
    run = subprocess.run([str(Path(sys.executable).with_name("lint-imports")), "--no-cache", "--no-logo"],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_contracts_name_every_stage():
    """A new sub-package must be placed among the layers, or it escapes the contract."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["type"] == "layers")["layers"]
    packages = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())
    assert sorted(layer.removeprefix("patroon.") for layer in layers if layer != "patroon.cli") == packages
    assert sorted(packages) == sorted(STAGES)


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_says_what_it_owns_and_may_import(stage):
    doc = ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text(encoding="utf-8")))
    assert doc and "Owns:" in doc and "May import:" in doc


def test_every_module_opens_with_its_job_and_stays_small():
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert ast.get_docstring(ast.parse(text)), f"{path.relative_to(PACKAGE)} has no docstring"
        assert len(text.splitlines()) < MAX_MODULE_LINES, f"{path.relative_to(PACKAGE)} has grown past {MAX_MODULE_LINES} lines"


def test_development_tools_are_not_in_the_product_package():
    assert not (PACKAGE / "bench.py").exists() and not (PACKAGE / "localslurm.py").exists()
