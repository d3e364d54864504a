"""Turn a batch of .qmd documents into HTML and PDF beside them, with the renderer chosen, every output
checked by the privacy guard and written atomically."""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from patroon.engines import pandoc, quarto
from patroon.engines.detect import Renderer
from patroon.engines.typst import pdf_links, typeset
from patroon.output.atomic import NO_GUARD, write_text
from patroon.output.privacy import Guard


def embed_figures(html: str, report_dir: Path, figure_files: dict[Path, str]) -> str:
    """Make the HTML self-contained as `--embed-resources` would: each figure becomes a data: URI."""
    for path, svg in figure_files.items():
        relative = os.path.relpath(path, report_dir)
        encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        html = html.replace(f'src="{relative}"', f'src="data:image/svg+xml;base64,{encoded}"')
    return html


@dataclass
class Pending:
    """A report whose .qmd is made and which waits to be converted."""

    qmd_path: Path
    qmd: str
    figure_files: dict[Path, str]


def render_documents(pending: list[Pending], formats: list[str], language: str, renderer: Renderer,
                     guard: Guard = NO_GUARD, root: Path | None = None) -> None:
    """Write each report's figures and .qmd, then every requested format next to it, each atomically.

    Without quarto, one pandoc process converts the whole batch (see pandoc_batch). The privacy guard
    sees a report's .qmd, figures and HTML before anything of it is written; the PDF is typeset from the
    same text, so a term that is absent from all of them cannot appear in it.
    """
    def write(path: Path, content: str | bytes) -> None:
        # Checked above (the PDF through the text it is typeset from); recorded, so that a refusal later in
        # this job removes it again with the rest.
        write_text(path, content)
        guard.record(path)

    for report in pending:
        guard.check(report.qmd_path, report.qmd)
        for path, svg in report.figure_files.items():
            guard.check(path, svg)
    if renderer.name == "quarto":
        # Quarto renders a scratch copy of the study's project and writes the .qmd files and figures into
        # place with the outputs, only when it succeeded (see patroon.engines.quarto).
        sources: dict[Path, str | bytes] = {}
        for report in pending:
            sources.update(report.figure_files)
            sources[report.qmd_path] = report.qmd
        quarto.render_batch(root or pending[0].qmd_path.parent, [r.qmd_path for r in pending], formats,
                            renderer.command or "quarto", guard, sources=sources)
        return
    for report in pending:
        for path, svg in report.figure_files.items():
            write(path, svg)
        report.qmd_path.parent.mkdir(parents=True, exist_ok=True)
    css = (resources.files("patroon.report") / "templates" / "report.css").read_text(encoding="utf-8")
    converted = pandoc.convert([r.qmd for r in pending], "html" in formats, "pdf" in formats, language, css)
    for report, result in zip(pending, converted):
        rendered: dict[str, str | bytes] = {}
        if result.html is not None:
            rendered["html"] = embed_figures(result.html, report.qmd_path.parent, report.figure_files)
            guard.check(report.qmd_path.with_suffix(".html"), rendered["html"])
        if result.typst is not None:
            rendered["pdf"] = typeset(pdf_links(result.typst), report.qmd_path.parent, root)
        write(report.qmd_path, report.qmd)
        for fmt, content in rendered.items():
            write(report.qmd_path.with_suffix(f".{fmt}"), content)


