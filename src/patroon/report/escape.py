"""Make text from case files inert in the generated Quarto/pandoc Markdown.

Line breaks are folded into spaces, so inside a value nothing stands at the start of a line: no heading,
list, table row, raw block or fenced div can begin there. Every ASCII punctuation character in the first
word is backslash-escaped (the value itself may start a line: "1." or "-" must not become a list), and
after it every punctuation character that means something inline in pandoc Markdown (emphasis, code,
links, raw HTML and TeX, math, citations, entities, spans, table pipes...). The ordinary sentence marks
`. , ; : ? / ( ) -` and quotes are left as they are mid-text: they have no inline meaning once the
`smart` extension is off (render.py reads `markdown-smart`), and escaping them made pandoc about a third
slower on evidence-heavy reports. pandoc then escapes the result properly for HTML and for Typst.
Nothing a researcher types can become markup.
"""

from __future__ import annotations

import json
import string

_PUNCTUATION = set(string.punctuation)
_PLAIN_INSIDE = set(".,;:?/()-'\"")


def markdown(value: object) -> str:
    text = " ".join(str(value).split())
    first_word = len(text.split(" ", 1)[0])
    return "".join("\\" + ch if ch in _PUNCTUATION and (i < first_word or ch not in _PLAIN_INSIDE) else ch
                   for i, ch in enumerate(text))


def yaml_string(value: object) -> str:
    """A metadata value: Markdown-escaped (pandoc parses metadata as Markdown), then a quoted YAML scalar."""
    return json.dumps(markdown(value), ensure_ascii=False)


def yaml_markdown(text: str) -> str:
    """A metadata value that is Markdown already, made by patroon with every piece of data in it escaped by
    `markdown` (the title block's source, version and citation): a quoted YAML scalar, line breaks kept."""
    return json.dumps(str(text), ensure_ascii=False)


def typst_string(value: object) -> str:
    """A Typst string literal (for `#set document(title: ...)` in a raw Typst block): quotes and
    backslashes escaped, whitespace folded, so nothing can end the string or the block."""
    text = " ".join(str(value).split()).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def code_span(value: object) -> str:
    """A Markdown code span that holds `value` literally, whatever backticks it contains: the fence is one
    backtick longer than the longest run inside, padded with spaces (pandoc strips one space each side).
    A path from configuration (`data_dir`) thus stays code, never HTML."""
    text = " ".join(str(value).split())
    longest = run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    return f"{fence} {text} {fence}"


_FORMULA_START = tuple("=+-@\t\r")


def spreadsheet_cell(value: object) -> object:
    """Neutralise a CSV cell a spreadsheet would run as a formula (OWASP's advice: a leading `'`).

    Cells starting with = + - @ tab or CR are formulas to Excel and LibreOffice. Numbers (`-1`, `+0.5`) and
    a lone sign (the codebook's `+` and `-` codes, which no spreadsheet evaluates) stay as they are, so the
    CSV contract's vocabulary is untouched."""
    if not isinstance(value, str) or not value.startswith(_FORMULA_START) or value in ("+", "-"):
        return value
    try:
        float(value)
        return value
    except ValueError:
        return "'" + value
