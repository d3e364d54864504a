"""The printed reports: every PDF of a default build (all five studies) on A4, with no words that
overprint each other and no text below 7 pt, read from the PDFs' own word boxes. The checker itself is
tested on a PDF that has each fault. The worked example of docs/your-own-study.md (18 countries) is
checked the same way, and for names broken between letters, in tests/test_example_study.py."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import pytest
from conftest import ROOT
from pdf_layout import broken_words, layout_problems


def test_the_checker_finds_overprinting_small_text_and_letter_pages(tmp_path):
    import typst

    source = tmp_path / "bad.typ"
    source.write_text('#set page(paper: "us-letter")\n#set text(size: 10pt)\n'
                      "#place(dx: 0pt, dy: 0pt)[mixed]\n#place(dx: 12pt, dy: 0pt)[mixed]\n"
                      "#place(dx: 0pt, dy: 40pt)[first row]\n#place(dx: 2pt, dy: 42pt)[second row]\n"
                      "#place(dy: 80pt)[#text(size: 5pt)[tiny]]\n")
    pdf = tmp_path / "bad.pdf"
    pdf.write_bytes(typst.compile(str(source), format="pdf"))
    problems = "\n".join(layout_problems(pdf))
    assert "not A4" in problems
    assert "overprint" in problems
    assert "below 7.0 pt" in problems
    # A name broken between letters in a narrow table cell (as 18 countries across an A4 page were).
    narrow = tmp_path / "narrow.typ"
    narrow.write_text('#set page(paper: "a4")\n#table(columns: (1.1cm, 3cm), stroke: 0.5pt, '
                      '[#"Czechoslovakia".clusters().join("\\u{200b}")], [United Kingdom])\n')
    (tmp_path / "narrow.pdf").write_bytes(typst.compile(str(narrow), format="pdf"))
    assert any("'Czechoslovakia' broken over lines" in p
               for p in broken_words(tmp_path / "narrow.pdf", ["Czechoslovakia", "United Kingdom"]))
    good = tmp_path / "good.typ"
    good.write_text('#set page(paper: "a4")\nA plain page of ordinary text.\n')
    (tmp_path / "good.pdf").write_bytes(typst.compile(str(good), format="pdf"))
    assert layout_problems(tmp_path / "good.pdf") == []


@pytest.fixture(scope="module")
def default_build(tmp_path_factory):
    """The reports of every study in config/config.yaml, as `make reports` makes them on a machine
    without Quarto (tests/test_quarto.py checks Quarto's PDFs the same way)."""
    from patroon.data.load import load_study
    from patroon.engines.detect import detect
    from patroon.pipeline.build import render_study
    from patroon.pipeline.config import load_config

    out = tmp_path_factory.mktemp("print")
    config = load_config(ROOT / "config" / "config.yaml")
    for study_id in config.studies:
        data = load_study(ROOT / config.data_dir / study_id, base=ROOT)
        render_study(data, out / study_id, ["pdf"], detect("pandoc"), base=ROOT, log=lambda *_: None)
    return out


def test_every_pdf_is_a4_without_overprinting_or_tiny_text(default_build):
    pdfs = sorted(default_build.rglob("*.pdf"))
    assert len(pdfs) >= 50
    with ProcessPoolExecutor(max_workers=2) as pool:
        problems = [line for found in pool.map(layout_problems, pdfs) for line in found]
    assert problems == [], "\n".join(problems[:30])
