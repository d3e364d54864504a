"""Terms that must never appear in any output (real names behind the pseudonyms).

The list lives in a file named in config/config.yaml (`privacy_file`, git-ignored). Every output passes
`Guard.check` in `atomic.write_text`, the one place outputs are written, *before* it is written: text
outputs as they are, the workbook (a zip of XML parts) and other binary outputs by the text inside them,
and the output's own file name. A refusal fails the job, and the job then removes everything it had
already written (`Guard.written`), so no half-guarded set of outputs stays behind.

Matching is done on a normal form of both the text and the terms, so look-alike spellings are caught:
Unicode NFKC, invisible format characters removed (soft hyphen, zero-width space and joiners, word
joiner, byte-order mark), case-folded, letters from other scripts that are confusable with Latin ones
(Cyrillic а, Greek ο, ...) folded to them (the Unicode confusables data via `confusable_homoglyphs`), and
the separators of slugs and file names (`-`, `_`, `.`, `/`) read as spaces, so an id such as
`jan-jansen` or a file `jan_jansen.html` matches the term "Jan Jansen".
"""

from __future__ import annotations

import functools
import html
import io
import re
import sys
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from confusable_homoglyphs import confusables

from patroon.data.yamlfile import LoadError, Problem, read_yaml


class PrivacyLeak(Exception):
    def __init__(self, output: Path, term: str):
        super().__init__(f"{output}: privacy: contains the protected term '{term}'; nothing was written")
        self.output = output
        self.term = term


@functools.cache
def _fold_character(ch: str) -> str:
    """A non-ASCII letter that is confusable with a Latin letter or digit becomes that letter."""
    found = confusables.is_confusable(ch, greedy=True, preferred_aliases=["latin"])
    for entry in found or []:
        for glyph in entry["homoglyphs"]:
            if len(glyph["c"]) == 1 and glyph["c"].isascii() and glyph["c"].isalnum():
                return glyph["c"].casefold()
    return ch


_SEPARATORS = re.compile(r"[-_./\\]+")
_NON_ASCII_LETTER = re.compile(r"[^\x00-\x7f]")


@functools.cache
def _invisible() -> dict[int, None]:
    """Every format character (category Cf: soft hyphen, zero-width space and joiners, BOM, ...)."""
    return {code: None for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)) == "Cf"}


def normal_form(text: str) -> str:
    """The form in which text and terms are compared (see the module text)."""
    text = unicodedata.normalize("NFKC", text).translate(_invisible()).casefold()
    if not text.isascii():
        text = _NON_ASCII_LETTER.sub(lambda m: _fold_character(m[0]) if m[0].isalpha() else m[0], text)
    text = _SEPARATORS.sub(" ", text)
    return " ".join(text.split())


def readable_text(content: str | bytes) -> str:
    """The text a reader (or a spreadsheet) would see in an output."""
    if isinstance(content, bytes):
        if content[:4] == b"PK\x03\x04":  # xlsx, and any other zip of XML parts
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                content = " ".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
        else:
            content = content.decode("utf-8", "replace")
    # Tags become the values of their attributes (alt texts, titles, a .qdc code's name), except embedded
    # data: URIs; then entities and Markdown escapes are undone.
    return html.unescape(_TAG.sub(_attribute_values, content)).replace("\\", "")


_TAG = re.compile(r"<[^>]+>")
_ATTRIBUTE = re.compile(r"=\s*(?:\"([^\"]*)\"|'([^']*)')")


def _attribute_values(tag: re.Match) -> str:
    values = [a or b for a, b in _ATTRIBUTE.findall(tag[0])]
    return " " + " ".join(v for v in values if not v.startswith("data:")) + " "


@dataclass
class Guard:
    terms: tuple[str, ...] = ()
    # Outputs this guard let through, in order: what a job removes again when a later output is refused.
    written: list[Path] = field(default_factory=list)

    @functools.cached_property
    def _patterns(self) -> list[tuple[str, re.Pattern]]:
        return [(term, re.compile(r"(?<!\w)" + re.escape(normal_form(term)) + r"(?!\w)")) for term in self.terms
                if normal_form(term)]

    def check(self, output: Path, content: str | bytes) -> None:
        if not self.terms:
            return
        # PDFs are typeset from the .qmd/Typst text that passed here first; their compressed streams are
        # not text.
        text = output.name + " " + ("" if output.suffix == ".pdf" else readable_text(content))
        normal = normal_form(text)
        for term, pattern in self._patterns:
            if pattern.search(normal):
                raise PrivacyLeak(output, term)

    def record(self, output: Path) -> None:
        if self.terms:
            self.written.append(output)

    def undo(self) -> list[Path]:
        """Remove what this guard let through in this job (called when a later output is refused)."""
        removed = []
        for path in reversed(self.written):
            if path.exists():
                path.unlink()
                removed.append(path)
        self.written.clear()
        return removed


def load_guard(path: Path | None) -> Guard:
    """The guard of a configured privacy file. A configured file that does not exist is an error: a typo
    there must not switch the guard off."""
    if path is None:
        return Guard()
    if not path.exists():
        raise LoadError([Problem(str(path), 1, "privacy_file",
                                 "the configured privacy file does not exist (remove `privacy_file` from "
                                 "config/config.yaml to build without a privacy check)")])
    document, problems = read_yaml(path)
    if document is None:
        raise LoadError(problems)
    terms = document.data.get("terms") if isinstance(document.data, dict) else None
    if not isinstance(terms, list) or not all(isinstance(t, str) and t.strip() for t in terms):
        raise LoadError([Problem(str(path), document.line(("terms",)), "terms",
                                 "expected a list of non-empty names or terms")])
    return Guard(tuple(terms))
