"""Finding a real Quarto for the tests: on PATH, else the shared 1.7 install (../shared/tools/quarto).
Locally the Quarto tests skip without one; in CI (CI=true) they fail instead, so they can never be
skipped there unnoticed (.ci/run installs the shared Quarto)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

SHARED_INSTALL = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "patroon-quarto" / "1.7.34" / "bin"


def quarto_bin_dir() -> Path | None:
    found = shutil.which("quarto")
    if found:
        return Path(found).parent
    if (SHARED_INSTALL / "quarto").exists():
        return SHARED_INSTALL
    return None


def require_quarto() -> Path:
    folder = quarto_bin_dir()
    if folder is None:
        message = "quarto not found (bash ../shared/tools/quarto/install.sh installs it)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + "; CI must run the Quarto tests")
        pytest.skip(message)
    return folder
