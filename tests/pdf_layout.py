"""What a printed report must not have, read from the PDF's own word boxes (pdfplumber): words that
overprint each other, pages that are not A4, text below 7 pt; and, checked against the report's own text
(its .qmd and figures), words split between two letters, labels cut short with "…", and figure markers
that lie on each other or under a word, and a table's caption left at the foot of a page."""

from __future__ import annotations

import html
import re
from pathlib import Path

A4 = (595.28, 841.89)
MIN_SIZE = 7.0
# A run of letters: a word as the source text and the PDF both spell it (digits and punctuation apart).
LETTERS = re.compile(r"[^\W\d_]+")
HYPHENS = ("-", "\u2010", "\u00ad")
UNMAPPED = re.compile(r"\(cid:\d+\)")
# Words Typst writes itself (the table of contents' title, the supplements of numbered captions).
GENERATED = {"inhoudsopgave", "contents", "tabel", "table", "figuur", "figure"}
# A figure's point marker: a filled curve about as high as wide, 3 to 15 pt across.
MARKER = (3.0, 15.0)


def _overlap(a: dict, b: dict) -> float:
    """The share of the smaller box that the other covers."""
    width = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
    height = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
    if width <= 0 or height <= 0:
        return 0.0
    smaller = min((a["x1"] - a["x0"]) * (a["bottom"] - a["top"]), (b["x1"] - b["x0"]) * (b["bottom"] - b["top"]))
    return width * height / smaller if smaller > 0 else 0.0


def figure_texts(pdf: Path) -> list[str]:
    """The text of a report's figures (reports/<study>/figures/<report stem with dashes>/*.svg)."""
    root = pdf.parent
    while root != root.parent and not (root / "figures").is_dir():
        root = root.parent
    folder = root / "figures" / pdf.relative_to(root).with_suffix("").as_posix().replace("/", "-")
    texts = []
    for svg in sorted(folder.glob("*.svg")):
        markup = svg.read_text(encoding="utf-8")
        # A label shortened to fit ("Regels afdwingbaar, afgedwongen en no…") is not the report's text: only
        # what the figure's titles (its tooltips, the full labels) also say counts.
        titles = " ".join(re.findall(r"<title>(.*?)</title>", markup, flags=re.S))
        words = html.unescape(re.sub(r"<[^>]+>", " ", markup)).split()
        texts.append(" ".join(w for w in words if "…" not in w or w in html.unescape(titles)))
    return texts


def source_text(pdf: Path) -> str | None:
    """Everything the PDF was typeset from: its .qmd (escapes removed) and its figures; None without a .qmd."""
    qmd = pdf.with_suffix(".qmd")
    if not qmd.exists():
        return None
    # Typst sets "..." as an ellipsis.
    text = qmd.read_text(encoding="utf-8").replace("\\", "").replace("...", "…")
    return "\n".join([text] + figure_texts(pdf))


def _level(page):
    """Only horizontal text: the slanted column labels of a figure come out as boxes that overlap by design
    and as one-letter 'words'."""
    return page.filter(lambda o: o.get("object_type") != "char" or abs(o["matrix"][1]) < 1e-6)


def split_words(pages: list[tuple[int, list[dict]]], source: str) -> list[str]:
    """Words of the PDF that are no word of its source: a word broken between two letters ("reactieperio
    des"). A word broken by hyphenation ("samenwer-" at a line's end, "kingsverband" on the next) is fine
    when the two parts join to a word of the source."""
    vocabulary = {w.casefold() for w in LETTERS.findall(source)} | GENERATED
    # The part before a hyphen at a line's end; its rest may be on another line, column or page.
    heads = {LETTERS.findall(w["text"])[-1].casefold() for _, words in pages for w in words
             if w["text"].endswith(HYPHENS) and LETTERS.findall(w["text"])}
    unknown = []
    for number, words in pages:
        for word in words:
            parts = LETTERS.findall(word["text"])
            for k, part in enumerate(parts):
                piece = part.casefold()
                if piece in vocabulary:
                    continue
                if k == len(parts) - 1 and word["text"].endswith(HYPHENS):
                    ok = any(v.startswith(piece) for v in vocabulary)
                else:
                    ok = any(head + piece in vocabulary for head in heads)
                if not ok:
                    unknown.append((number, word["text"]))
    return [f"p.{number}: {text!r} is not a word of the report's text (split between letters?)" for number, text in unknown]


def cut_labels(pages: list[tuple[int, list[dict]]], source: str) -> list[str]:
    """Words ending in "…" that the source does not have: a label cut short to fit."""
    whole = set(source.split())
    return [f"p.{number}: {word['text']!r} is cut short" for number, words in pages for word in words
            if "…" in word["text"] and word["text"] not in whole]


CAPTION = re.compile(r"^(?:Tabel|Table) \d+:")


def orphan_caption(page, number: int) -> list[str]:
    """A table's caption as the last line of a page (above the page number): its table starts on the next."""
    lines = [line for line in (page.extract_text() or "").split("\n") if line.strip()]
    if len(lines) >= 2 and CAPTION.match(lines[-2]) and lines[-1].strip().isdigit():
        return [f"p.{number}: the caption {lines[-2][:40]!r} ends the page, its table begins on the next"]
    return []


def markers(page) -> list[dict]:
    return [c for c in page.curves if c.get("fill") and MARKER[0] <= c["x1"] - c["x0"] <= MARKER[1]
            and abs((c["x1"] - c["x0"]) - (c["bottom"] - c["top"])) < 0.5]


def colliding_markers(page, number: int, words: list[dict]) -> list[str]:
    """Figure markers drawn over each other, or under a word."""
    found = markers(page)
    problems = []
    for i, a in enumerate(found):
        for b in found[i + 1:]:
            if _overlap(a, b) > 0.1:
                problems.append(f"p.{number}: two markers overlap at ({a['x0']:.0f}, {a['top']:.0f})")
        for word in words:
            if _overlap(a, word) > 0.1:
                problems.append(f"p.{number}: a marker lies under {word['text']!r} at ({a['x0']:.0f}, {a['top']:.0f})")
    return problems


def layout_problems(path: Path, limit: int = 10) -> list[str]:
    import pdfplumber

    problems: list[str] = []
    source = source_text(path)
    pages: list[tuple[int, list[dict]]] = []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            where = f"{path.parent.name}/{path.name} p.{number}"
            # A4, upright or (a wide table's page) on its side.
            if sorted([float(page.width), float(page.height)]) != sorted(A4) and \
                    max(abs(a - b) for a, b in zip(sorted([float(page.width), float(page.height)]), A4)) > 1:
                problems.append(f"{where}: page is {page.width:.0f} x {page.height:.0f} pt, not A4")
            small = sorted({round(c["size"], 1) for c in page.chars if c["text"].strip() and c["size"] < MIN_SIZE})
            if small:
                sample = "".join(c["text"] for c in page.chars if c["size"] < MIN_SIZE)[:40]
                problems.append(f"{where}: text of {small[0]} pt (below {MIN_SIZE} pt): {sample!r}")
            level = _level(page)
            # Letters running into the next cell's: neighbours on one line whose boxes overlap.
            chars = sorted((c for c in level.chars if c["text"].strip()), key=lambda c: (round(c["top"]), c["x0"]))
            for a, b in zip(chars, chars[1:]):
                if (a["text"].isalnum() and b["text"].isalnum() and abs(a["top"] - b["top"]) < 1
                        and a["x0"] <= b["x0"] < a["x1"] - 0.4 * min(a["width"], b["width"])):
                    problems.append(f"{where}: {a['text']!r} and {b['text']!r} overprint at ({a['x0']:.0f}, {a['top']:.0f})")
                    break
            words = sorted(level.extract_words(), key=lambda w: w["top"])
            for word in words:  # a glyph without a Unicode mapping (Quarto's title-block font's hyphen)
                word["text"] = UNMAPPED.sub("-", word["text"])
            pages.append((number, words))
            problems += [f"{path.parent.name}/{path.name} {p}" for p in colliding_markers(page, number, words)]
            problems += [f"{path.parent.name}/{path.name} {p}" for p in orphan_caption(page, number)]
            for i, a in enumerate(words):
                for b in words[i + 1:]:
                    if b["top"] >= a["bottom"]:
                        break
                    if _overlap(a, b) > 0.15:
                        problems.append(f"{where}: {a['text']!r} overprints {b['text']!r} "
                                        f"at ({a['x0']:.0f}, {a['top']:.0f})")
            if len(problems) >= limit:
                return problems[:limit]
    if source is not None:
        problems += [f"{path.parent.name}/{path.name} {p}" for p in split_words(pages, source) + cut_labels(pages, source)]
    return problems[:limit]


def broken_words(path: Path, words: list[str]) -> list[str]:
    """Words of `words` (e.g. the cases' names) that a table cell of the PDF breaks between letters
    ('Czec/hosl/ovak/ia' in a narrow column): the cell's lines joined hold the word, no line holds it whole."""
    import pdfplumber

    tokens = {t for w in words for t in w.split() if len(t) >= 4}
    problems = []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            for table in page.find_tables():
                for row in table.extract():
                    for cell in row:
                        lines = [line.replace("\u200b", "") for line in (cell or "").split("\n")]
                        joined = "".join(lines)
                        problems += [f"{path.parent.name}/{path.name} p.{number}: {token!r} broken over lines: "
                                     f"{' / '.join(lines)!r}" for token in sorted(tokens)
                                     if token in joined and not any(token in line for line in lines)]
    return problems
