"""config/config.yaml as a model, so a typo there is caught like one in a case file."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from patroon.data.models import Slug, Strict
from patroon.data.yamlfile import LoadError, Problem, parse_model, read_yaml


class Config(Strict):
    studies: list[Slug] = Field(min_length=1)
    formats: list[Literal["html", "pdf"]] = Field(default_factory=lambda: ["html", "pdf"])
    language: Literal["nl", "en"] = "nl"
    renderer: Literal["auto", "quarto", "pandoc"] = "auto"
    data_dir: str = "data"
    # Render jobs per study: each renders every n-th report, and on a cluster each may run on another node.
    report_shards: int = Field(default=1, ge=1, le=1000)
    # Build only this one of `studies` (`make reports STUDY=id`, `patroon build --study id` set it).
    study: Slug | None = None
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


def add_study(path: Path, study_id: str) -> bool:
    """Add a study to `studies:` in config/config.yaml, keeping the file's comments and layout: the item
    is inserted as text after the last listed study (block or flow list), and the result must load as a
    Config listing it before it replaces the file. False when the study is listed already."""
    import re

    from patroon.output.atomic import write_text

    text = path.read_text(encoding="utf-8")
    if study_id in load_config(path).studies:
        return False
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if re.match(r"studies\s*:", line)), None)
    if start is None:
        raise LoadError([Problem(str(path), 1, "studies", f"no `studies:` list to add '{study_id}' to")])
    flow = re.match(r"(studies\s*:\s*\[)(.*?)(\]\s*(#.*)?\n?)$", lines[start], re.S)
    if flow:
        items = flow.group(2).strip()
        lines[start] = flow.group(1) + (f"{items}, {study_id}" if items else study_id) + flow.group(3)
    else:
        last = start
        for i in range(start + 1, len(lines)):
            if re.match(r"\s*-\s", lines[i]):
                last = i
            elif lines[i].strip() and not lines[i].lstrip().startswith("#"):
                break
        indent = re.match(r"(\s*-\s*)", lines[last]).group(1) if last > start else "  - "
        lines.insert(last + 1, f"{indent}{study_id}\n")
    new_text = "".join(lines)
    import yaml

    try:
        config = Config.model_validate(yaml.safe_load(new_text))
    except (yaml.YAMLError, ValueError):
        config = None
    if config is None or study_id not in config.studies:
        raise LoadError([Problem(str(path), start + 1, "studies",
                                 f"could not add '{study_id}' to this list; add it by hand")])
    write_text(path, new_text)
    return True
