r"""Make text from case files inert in the generated Quarto/pandoc Markdown.

Line breaks are folded into spaces, so inside a value nothing stands at the start of a line: no heading,
list, table row, raw block or fenced div can begin there. Every ASCII punctuation character in the first
word is backslash-escaped (the value itself may start a line: "1." or "-" must not become a list), and
after it every punctuation character that means something inline in pandoc Markdown (emphasis, code,
links, raw HTML and TeX, math, citations, entities, spans, table pipes...). The ordinary sentence marks
`. , ; : ? / ( ) -` and quotes are left as they are mid-text: they have no inline meaning once the
`smart` extension is off (render.py reads `markdown-smart`), and escaping them made pandoc about a third
slower on evidence-heavy reports. pandoc then escapes the result properly for HTML and for Typst.
Nothing a researcher types can become markup.

Quarto adds a second language on top: shortcodes (`{{< env NAME >}}`, `{{< include f >}}`, ...). It finds
them in the raw text, in the parsed words of the metadata (title, subtitle, author: a backslash-escaped
`\{\{\<` there is a word ending in `{{<` again, and expands), in raw Typst/HTML blocks, in code and in
attributes. Every `{{<` a value holds is therefore broken where it is written: by an empty span in
Markdown (no word ends in `{{<` or starts with `>}}`; pandoc writes nothing for it in Typst, `<span></span>` in HTML), by
Typst's own escape `\u{7b}` in a Typst string, and by `shortcodes="false"` on a code span. What the reader
sees is the text as typed, in both renderers.
"""

from __future__ import annotations

import json
import string

_PUNCTUATION = set(string.punctuation)
_PLAIN_INSIDE = set(".,;:?/()-'\"")


# Every shortcode form Quarto knows starts with this (`{{<`, `{{{<` escaped, `{{</*` commented out).
SHORTCODE_OPEN = "{{<"
# In metadata a word starting with `>}}` closes a shortcode even when none was opened, and Quarto 1.7
# then fails on the empty shortcode ("attempt to index a nil value"), so the closer is broken as well.
SHORTCODE_CLOSE = ">}}"
# An empty span: a Markdown inline that ends the word before it and renders as nothing.
_WORD_BREAK = "[]{}"


def markdown(value: object) -> str:
    text = " ".join(str(value).split())
    first_word = len(text.split(" ", 1)[0])
    escaped = "".join("\\" + ch if ch in _PUNCTUATION and (i < first_word or ch not in _PLAIN_INSIDE) else ch
                      for i, ch in enumerate(text))
    if SHORTCODE_OPEN in text or SHORTCODE_CLOSE in text:
        # `{ < > }` are escaped wherever they stand above, so `{{<` came out as `\{\{\<`: split it before
        # the `<`, and `>}}` after the `>`.
        escaped = (escaped.replace("\\{\\{\\<", "\\{\\{" + _WORD_BREAK + "\\<")
                   .replace("\\>\\}\\}", "\\>" + _WORD_BREAK + "\\}\\}"))
    return escaped


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
    # Quarto expands shortcodes inside raw Typst blocks too; Typst reads `\u{7b}` as `{`.
    return '"' + text.replace("{", "\\u{7b}") + '"'


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
    # Quarto expands shortcodes inside code too, unless the code says it holds none to expand.
    attribute = '{shortcodes="false"}' if SHORTCODE_OPEN in text else ""
    return f"{fence} {text} {fence}{attribute}"


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
