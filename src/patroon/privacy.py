"""Terms that must never appear in any output (real names behind the pseudonyms).

The list lives in a file named in config/config.yaml (default config/privacy.yaml, git-ignored). Every
output is checked *before* it is written, so a leak fails the build and leaves nothing on disk.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from patroon.load import LoadError, Problem, read_yaml


class PrivacyLeak(Exception):
    def __init__(self, output: Path, term: str):
        super().__init__(f"{output}: privacy: contains the protected term '{term}'; nothing was written")
        self.output = output
        self.term = term


@dataclass(frozen=True)
class Guard:
    terms: tuple[str, ...] = ()

    def check(self, output: Path, content: str | bytes) -> None:
        if not self.terms or isinstance(content, bytes):
            return
        # Reports are checked as readers see them: tags dropped, entities and Markdown escapes undone.
        text = html.unescape(re.sub(r"<[^>]+>", " ", content)).replace("\\", "")
        text = " ".join(text.split()).casefold()
        for term in self.terms:
            if re.search(r"(?<!\w)" + re.escape(" ".join(term.split()).casefold()) + r"(?!\w)", text):
                raise PrivacyLeak(output, term)


def load_guard(path: Path | None) -> Guard:
    if path is None or not path.exists():
        return Guard()
    document, problems = read_yaml(path)
    if document is None:
        raise LoadError(problems)
    terms = document.data.get("terms") if isinstance(document.data, dict) else None
    if not isinstance(terms, list) or not all(isinstance(t, str) and t.strip() for t in terms):
        raise LoadError([Problem(str(path), document.line(("terms",)), "terms",
                                 "expected a list of non-empty names or terms")])
    return Guard(tuple(terms))
