"""config/config.yaml as a model, so a typo there is caught like one in a case file."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from patroon.data.models import Slug, Strict
from patroon.data.yamlfile import LoadError, parse_model, read_yaml


class Config(Strict):
    studies: list[Slug] = Field(min_length=1)
    formats: list[Literal["html", "pdf"]] = Field(default_factory=lambda: ["html", "pdf"])
    language: Literal["nl", "en"] = "nl"
    renderer: Literal["auto", "quarto", "pandoc"] = "auto"
    data_dir: str = "data"
    # Render jobs per study: each renders every n-th report, and on a cluster each may run on another node.
    report_shards: int = Field(default=1, ge=1, le=1000)
    # None: no privacy check. A file named here must exist (a typo must not switch the guard off).
    privacy_file: str | None = None


def load_config(path: Path) -> Config:
    document, problems = read_yaml(path)
    if document is None:
        raise LoadError(problems)
    config, problems = parse_model(document, Config, str(path))
    if problems:
        raise LoadError(problems)
    return config
