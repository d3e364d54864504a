"""Make text from case files inert in the generated Quarto/pandoc Markdown.

Every ASCII punctuation character is backslash-escaped (pandoc Markdown treats an escaped punctuation
character as that literal character), line breaks are folded into spaces so a value can never start a
heading, list, table row, raw block or fenced div, and pandoc then escapes the result properly for HTML
and for Typst. Nothing a researcher types can become markup.
"""

from __future__ import annotations

import json
import string

_PUNCTUATION = set(string.punctuation)


def markdown(value: object) -> str:
    text = " ".join(str(value).split())
    return "".join("\\" + ch if ch in _PUNCTUATION else ch for ch in text)


def yaml_string(value: object) -> str:
    """A metadata value: Markdown-escaped (pandoc parses metadata as Markdown), then a quoted YAML scalar."""
    return json.dumps(markdown(value), ensure_ascii=False)
