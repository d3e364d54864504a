"""Which renderer builds the reports: quarto when it is on PATH (or asked for), otherwise pandoc and
Typst from PyPI, the engines Quarto itself drives."""

from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass


@dataclass(frozen=True)
class Renderer:
    name: str  # "quarto" or "pandoc+typst"
    versions: str
    command: str = ""  # the quarto executable

    def describe(self) -> str:
        return f"{self.name} ({self.versions})"


@functools.cache
def detect(preference: str = "auto") -> Renderer:
    executable = shutil.which("quarto")
    if preference in ("auto", "quarto") and executable:
        version = subprocess.run([executable, "--version"], capture_output=True, text=True).stdout.strip()
        return Renderer("quarto", f"quarto {version}", executable)
    if preference == "quarto":
        raise RuntimeError("renderer 'quarto' requested in config/config.yaml but quarto is not on PATH")
    import pypandoc
    import typst

    return Renderer("pandoc+typst", f"pandoc {pypandoc.get_pandoc_version()}, typst (Python) {typst.__version__}")


