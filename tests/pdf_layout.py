"""What a printed report must not have, read from the PDF's own word boxes (pdfplumber): words that
overprint each other, pages that are not A4, text below 7 pt."""

from __future__ import annotations

from pathlib import Path

A4 = (595.28, 841.89)
MIN_SIZE = 7.0


def _overlap(a: dict, b: dict) -> float:
    """The share of the smaller word's box that the other covers."""
    width = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
    height = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
    if width <= 0 or height <= 0:
        return 0.0
    smaller = min((a["x1"] - a["x0"]) * (a["bottom"] - a["top"]), (b["x1"] - b["x0"]) * (b["bottom"] - b["top"]))
    return width * height / smaller if smaller > 0 else 0.0


def layout_problems(path: Path, limit: int = 10) -> list[str]:
    import pdfplumber

    problems: list[str] = []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            where = f"{path.parent.name}/{path.name} p.{number}"
            if abs(float(page.width) - A4[0]) > 1 or abs(float(page.height) - A4[1]) > 1:
                problems.append(f"{where}: page is {page.width:.0f} x {page.height:.0f} pt, not A4")
            small = sorted({round(c["size"], 1) for c in page.chars if c["text"].strip() and c["size"] < MIN_SIZE})
            if small:
                sample = "".join(c["text"] for c in page.chars if c["size"] < MIN_SIZE)[:40]
                problems.append(f"{where}: text of {small[0]} pt (below {MIN_SIZE} pt): {sample!r}")
            # Only horizontal text: the slanted column labels of a figure have boxes that overlap by design.
            level = page.filter(lambda o: o.get("object_type") != "char" or abs(o["matrix"][1]) < 1e-6)
            # Letters running into the next cell's: neighbours on one line whose boxes overlap.
            chars = sorted((c for c in level.chars if c["text"].strip()), key=lambda c: (round(c["top"]), c["x0"]))
            for a, b in zip(chars, chars[1:]):
                if (a["text"].isalnum() and b["text"].isalnum() and abs(a["top"] - b["top"]) < 1
                        and b["x0"] < a["x1"] - 0.4 * min(a["width"], b["width"])):
                    problems.append(f"{where}: {a['text']!r} and {b['text']!r} overprint at ({a['x0']:.0f}, {a['top']:.0f})")
                    break
            words = sorted(level.extract_words(), key=lambda w: w["top"])
            for i, a in enumerate(words):
                for b in words[i + 1:]:
                    if b["top"] >= a["bottom"]:
                        break
                    if _overlap(a, b) > 0.15:
                        problems.append(f"{where}: {a['text']!r} overprints {b['text']!r} "
                                        f"at ({a['x0']:.0f}, {a['top']:.0f})")
                        if len(problems) >= limit:
                            return problems
    return problems


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
