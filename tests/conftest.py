from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from patroon.data.load import load_study

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
REAL_DATA = ROOT / "data"


@pytest.fixture(scope="session")
def mini():
    return load_study(FIXTURES / "mini", base=ROOT)


@pytest.fixture()
def mini_copy(tmp_path):
    """A writable copy of the mini study, for tests that break or change it."""
    target = tmp_path / "data" / "mini"
    shutil.copytree(FIXTURES / "mini", target)
    return target
