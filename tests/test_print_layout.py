"""The printed reports: every PDF of a default build (all five studies) on A4 (upright, or on its side for a
wide table), with no words that overprint each other, no text below 7 pt, no word split between two
letters, no label cut short, no figure marker on another or under a word and no table caption left at the
foot of a page, read from the PDFs' own word boxes against each report's .qmd and figures. The checker
itself is tested on PDFs that have each fault. The worked example of docs/your-own-study.md (18 countries)
is checked the same way, and for names broken between letters, in tests/test_example_study.py."""

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


def test_the_checker_finds_split_words_cut_labels_and_colliding_markers(tmp_path):
    import typst

    # The report's own text: what the PDF must show, whole.
    (tmp_path / "r.qmd").write_text("De zorgverzekeraar en het samenwerkingsverband.\n\n"
                                    "Regels afdwingbaar, afgedwongen en normatief ondersteund.\n\n"
                                    ": Tabel 1: Kop van de tabel\n\n| rij |\n")
    # Split between letters (a fault); hyphenated at a syllable with its hyphen (fine); cut with "…" (a
    # fault); two markers of a figure drawn on top of each other (a fault); a table's caption at the foot
    # of a page, its rows on the next (a fault).
    (tmp_path / "r.typ").write_text(
        '#set page(paper: "a4", numbering: "1")\nDe zorgverz ekeraar en het samenwer-\\ kingsverband.\n\n'
        "Regels afdwingbaar, afgedwongen en no…\n\n"
        "#place(dx: 100pt, dy: 300pt, circle(radius: 4pt, fill: blue))\n"
        "#place(dx: 102pt, dy: 300pt, circle(radius: 4pt, fill: red))\n\n"
        "Tabel 1: Kop van de tabel\n#pagebreak()\nrij\n")
    (tmp_path / "r.pdf").write_bytes(typst.compile(str(tmp_path / "r.typ"), format="pdf"))
    problems = "\n".join(layout_problems(tmp_path / "r.pdf", limit=50))
    assert "'zorgverz' is not a word" in problems and "'ekeraar' is not a word" in problems
    assert "samenwer" not in problems and "kingsverband" not in problems
    assert "'no…' is cut short" in problems
    assert "two markers overlap" in problems
    assert "the caption 'Tabel 1: Kop van de tabel' ends the page" in problems
    # The same text set whole, the markers apart, on a landscape A4 page: nothing to report.
    (tmp_path / "r.typ").write_text(
        '#set page(paper: "a4", flipped: true)\nDe zorgverzekeraar en het samenwerkingsverband.\n\n'
        "Regels afdwingbaar, afgedwongen en normatief ondersteund.\n\n"
        "#place(dx: 100pt, dy: 300pt, circle(radius: 4pt, fill: blue))\n"
        "#place(dx: 120pt, dy: 300pt, circle(radius: 4pt, fill: red))\n")
    (tmp_path / "r.pdf").write_bytes(typst.compile(str(tmp_path / "r.typ"), format="pdf"))
    assert layout_problems(tmp_path / "r.pdf") == []


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


def test_every_pdf_is_a4_without_overprinting_tiny_text_split_words_cut_labels_or_colliding_markers(default_build):
    pdfs = sorted(default_build.rglob("*.pdf"))
    assert len(pdfs) >= 50
    with ProcessPoolExecutor(max_workers=2) as pool:
        problems = [line for found in pool.map(layout_problems, pdfs) for line in found]
    assert problems == [], "\n".join(problems[:30])
