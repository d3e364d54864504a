"""Strings from case files must come out literally in HTML and PDF, never as markup."""

import pytest
import yaml
from bs4 import BeautifulSoup
from pypdf import PdfReader

from patroon.cli import main
from patroon.report import escape

NASTY = [
    "<script>alert(1)</script>",
    "<b>vet</b> & <i>schuin</i>",
    "```{=html}\n<h1>raw</h1>\n```",
    "[link](http://example.org){.class onclick=x}",
    "#set page(width: 1cm) #import \"x.typ\" $x^2$",
    "[[= secret =]] {{ jinja }} {% raw %}",
    "\\textbf{latex} \\newpage",
    "# Kop\n\n- lijst\n\n| a | b |",
    "*nadruk* _ook_ `code` @cite ~~weg~~ ^sup^",
    # Sentence marks are left unescaped mid-text (escape.py): block syntax at the start of a value and
    # typography must still come out literally.
    "1. eerste (2) tweede: a; b? c/d",
    "- streep - nog een",
    "(@) voorbeeld",
    "A.  letterlijst",
    "::: {.callout} fenced div :::",
    "--- geen lijn ---",
    "Term : definitie",
    "&amp; &#60; entiteit",
    "\"rechte\" 'quotes' -- streepjes ... bleven",
    "<!-- commentaar -->",
]


def test_markdown_escape_folds_lines_and_escapes_punctuation():
    assert escape.markdown("a\n# b") == "a \\# b"
    assert escape.markdown("<x>") == "\\<x\\>"
    # The first word is fully escaped: a value may start a line.
    assert escape.markdown("1. a.b") == "1\\. a.b"
    assert escape.markdown("-x - y") == "\\-x - y"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    import shutil

    from conftest import FIXTURES

    root = tmp_path_factory.mktemp("inject")
    shutil.copytree(FIXTURES / "mini", root / "data" / "mini")
    path = root / "data" / "mini" / "gemeenten" / "a.yaml"
    data = yaml.safe_load(path.read_text())
    for i, text in enumerate(NASTY):
        data.setdefault("source_notes", []).append(
            {"about": f"note {i}", "readings": [text], "choice": "c", "reason": "r"})
    data["coded"]["context.inwoners"]["value"] = NASTY[0]
    data["coded"]["context.inwoners"]["evidence"][0]["text"] = NASTY[4]
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    code = main(["render", "--data", str(root / "data"), "--study", "mini", "--reports", str(root / "reports"),
                 "--report", "gemeenten/a", "--renderer", "pandoc"])
    assert code == 0
    return root / "reports" / "mini" / "gemeenten"


def test_html_shows_every_string_literally_and_runs_nothing(rendered):
    soup = BeautifulSoup((rendered / "a.html").read_text(), "html.parser")
    assert soup.find("script") is None
    assert soup.find("b") is None and soup.find("h1", string="raw") is None
    assert not soup.select("[onclick]")
    text = " ".join(soup.get_text().split())
    for nasty in NASTY:
        assert " ".join(nasty.split()) in text, nasty


def test_pdf_shows_typst_and_latex_markup_literally(rendered):
    reader = PdfReader(rendered / "a.pdf")
    text = " ".join("".join(page.extract_text() for page in reader.pages).split())
    for fragment in ["#set page(width: 1cm)", "#import", "$x^2$", "\\textbf{latex}", "<script>alert(1)</script>",
                     "[[= secret =]]"]:
        assert fragment in text, fragment


# Quarto finds shortcodes in the raw text (`{{<`), and in metadata in the parsed words: a word ending in
# `{{<` opens one and a word starting with `>}}` closes one (quarto-cli's astshortcode.lua). Checked here
# with pandoc alone, on the words a title is parsed into; tests/test_quarto.py renders them with Quarto.
SHORTCODE_TEXTS = ["{{< env HOME >}}", "{{< include /etc/passwd >}}", "{{{< meta title >}}}",
                   "{{</* pagebreak */>}}", "a{{<b>}}c", "x >}} y", "{{<", ">}}}", "{{{{<<<>>>}}}}"]


def _words(value):
    if isinstance(value, dict):
        if value.get("t") == "Str":
            yield value["c"]
        for item in value.values():
            yield from _words(item)
    elif isinstance(value, list):
        for item in value:
            yield from _words(item)


@pytest.mark.parametrize("text", SHORTCODE_TEXTS)
def test_no_shortcode_survives_escaping_in_raw_text_or_parsed_metadata(text):
    import json
    import subprocess

    from patroon.engines.pandoc import pandoc_path

    for escaped in (escape.markdown(text), escape.yaml_string(text), escape.typst_string(text)):
        assert "{{<" not in escaped
    code = escape.code_span(text)
    assert "{{<" not in text or code.endswith('{shortcodes="false"}')
    document = f"---\ntitle: {escape.yaml_string(text)}\n---\n\n{escape.markdown(text)}\n"
    ast = json.loads(subprocess.run([pandoc_path(), "-f", "markdown-smart", "-t", "json"], input=document,
                                    capture_output=True, text=True, check=True).stdout)
    words = list(_words(ast))
    assert not [w for w in words if w.endswith("{{<") or w.startswith(">}}")], words
    assert "".join(words).replace(" ", "") == text.replace(" ", "") * 2  # title and body, as typed
