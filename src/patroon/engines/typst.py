"""Typst: typeset a report's Typst markup into a PDF, with links between reports pointing at PDFs."""

from __future__ import annotations

import re
from pathlib import Path

from patroon.output.atomic import temporary_folder
from patroon.output.reproducible import source_date_epoch


def typeset(markup: str, report_dir: Path, root: Path | None = None) -> bytes:
    """Typst resolves images relative to the source file and refuses files outside `root`: so the source
    is written (under a hidden temporary name) in the report's folder, and root is the study's reports."""
    import typst

    with temporary_folder(report_dir, "typst") as tmp:
        source = Path(tmp) / "report.typ"
        # One level deeper than the report: image paths are relative to the report, so prefix '../'.
        source.write_text(markup.replace('image("', 'image("../'), encoding="utf-8")
        return typst.compile(str(source), format="pdf", root=str(root or tmp), timestamp=source_date_epoch())


REPORT_LINK = re.compile(r'#link\("(?!\w+:)([^"#]*?)\.html(#[^"]*)?"\)')


def pdf_links(markup: str) -> str:
    """In a PDF, a link to another report opens that report's PDF (the same relative path, .pdf); the
    index exists only as HTML."""
    return REPORT_LINK.sub(lambda m: m.group(0) if m.group(1).endswith("index")
                           else f'#link("{m.group(1)}.pdf{m.group(2) or ""}")', markup)


