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

A real client list has thousands of names. All terms are matched in one pass over the normal form of an
output with an Aho-Corasick automaton (`pyahocorasick`), and a match counts where it is a whole word.
With 10,000 terms a synthesis of 75,000 characters takes about a millisecond; a regular expression per
term took 24 s, one alternation of all terms 1.4 s (measured on this project's build machine). A term
that normalises to nothing (`--`, a zero-width space) would match nowhere, or everywhere: the list is
refused with its line.
"""

from __future__ import annotations

import functools
import html
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import ahocorasick
from confusable_homoglyphs import confusables

from patroon.data.yamlfile import LoadError, Problem, read_yaml


class PrivacyLeak(Exception):
    def __init__(self, output: Path, term: str):
        super().__init__(f"{output}: privacy: contains the protected term '{term}'; nothing was written")
        self.output = output
        self.term = term


@functools.cache
def _fold_character(ch: str) -> str:
    """A non-ASCII character in its normal form: a format character (category Cf: soft hyphen, zero-width
    space and joiners, BOM, ...) goes; a letter confusable with a Latin letter or digit becomes that letter.
    Asked per character met (and cached) rather than through a table of every format character: building
    that table went through all 1.1 million code points, 0.4 s in every guarded process."""
    if unicodedata.category(ch) == "Cf":
        return ""
    if not ch.isalpha():
        return ch
    found = confusables.is_confusable(ch, greedy=True, preferred_aliases=["latin"])
    for entry in found or []:
        for glyph in entry["homoglyphs"]:
            if len(glyph["c"]) == 1 and glyph["c"].isascii() and glyph["c"].isalnum():
                return glyph["c"].casefold()
    return ch


_SEPARATORS = re.compile(r"[-_./\\]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def normal_form(text: str) -> str:
    """The form in which text and terms are compared (see the module text)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if not text.isascii():
        text = _NON_ASCII.sub(lambda m: _fold_character(m[0]), text)
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


def _word_character(text: str, index: int) -> bool:
    return 0 <= index < len(text) and (text[index].isalnum() or text[index] == "_")


@dataclass
class Guard:
    terms: tuple[str, ...] = ()
    # Outputs this guard let through, in order: what a job removes again when a later output is refused.
    written: list[Path] = field(default_factory=list)

    @functools.cached_property
    def _automaton(self) -> ahocorasick.Automaton | None:
        """Every term's normal form, each with the first term that has it (named in a refusal)."""
        automaton = ahocorasick.Automaton()
        for term in self.terms:
            normal = normal_form(term)
            if normal and normal not in automaton:
                automaton.add_word(normal, (len(normal), term))
        if len(automaton) == 0:
            return None
        automaton.make_automaton()
        return automaton

    def check(self, output: Path, content: str | bytes) -> None:
        if not self.terms or self._automaton is None:
            return
        # PDFs are typeset from the .qmd/Typst text that passed here first; their compressed streams are
        # not text.
        text = output.name + " " + ("" if output.suffix == ".pdf" else readable_text(content))
        normal = normal_form(text)
        for end, (length, term) in self._automaton.iter(normal):
            # A whole word: no letter, digit or underscore just before or after (as `\b` reads them).
            start = end - length + 1
            if not _word_character(normal, start - 1) and not _word_character(normal, end + 1):
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
    empty = [Problem(str(path), document.line(("terms", i)), f"terms.{i}",
                     f"{term!r} is nothing once normalised (only separators, punctuation or invisible "
                     "characters): it could match nowhere; write the name itself")
             for i, term in enumerate(terms) if not normal_form(term)]
    if empty:
        raise LoadError(empty)
    return Guard(tuple(terms))
