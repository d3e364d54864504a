"""Helpers for the tests that hold an incremental build against a clean one (test_incremental.py,
test_build_property.py): a project folder with the mini study, a build as `make reports` runs it, and the
outputs a clean build is compared by."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
from pathlib import Path

import yaml
from conftest import FIXTURES, ROOT

EPOCH = "1700000000"


def project(folder: Path, **settings) -> Path:
    """A project folder holding the mini study and a config (html only by default: PDF where it counts)."""
    shutil.copytree(FIXTURES / "mini", folder / "data" / "mini")
    write_config(folder, **settings)
    return folder


def write_config(folder: Path, **settings) -> None:
    config = {"studies": ["mini"], "formats": ["html"], "language": "nl", "renderer": "pandoc", "data_dir": "data"}
    config.update(settings)
    (folder / "config").mkdir(exist_ok=True)
    (folder / "config" / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))


def config_of(folder: Path) -> dict:
    return yaml.safe_load((folder / "config" / "config.yaml").read_text())


def build(folder: Path) -> tuple[int, str]:
    """`make reports` in `folder` (patroon.pipeline.runner with the default profile's settings)."""
    from patroon.pipeline.runner import build as run

    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    out = io.StringIO()
    code = run(folder, stream=out, snakefile=ROOT / "Snakefile")
    return code, out.getvalue()


def outputs(folder: Path) -> dict[str, str]:
    """What a clean build is compared by: every file under results/ and reports/ by content digest, except
    patroon's and Snakemake's state (hidden files and folders)."""
    found = {}
    for top in ("results", "reports"):
        base = folder / top
        if not base.exists():
            continue
        for path in sorted(base.rglob("*")):
            relative = path.relative_to(folder)
            if path.is_file() and not any(part.startswith(".") for part in relative.parts):
                found[relative.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def clean_outputs(folder: Path, scratch: Path) -> tuple[int, dict[str, str], str]:
    """A clean build of `folder`'s data and config in `scratch`: its exit code, outputs and account."""
    if scratch.exists():
        shutil.rmtree(scratch)
    shutil.copytree(folder / "data", scratch / "data")
    shutil.copytree(folder / "config", scratch / "config")
    if (folder / "privacy.yaml").exists():
        shutil.copy(folder / "privacy.yaml", scratch / "privacy.yaml")
    code, said = build(scratch)
    return code, outputs(scratch), said


def differences(mine: dict[str, str], clean: dict[str, str]) -> list[str]:
    return sorted(f for f in set(mine) | set(clean) if mine.get(f) != clean.get(f))
