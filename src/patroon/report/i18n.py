"""The report language: one message catalog per language (src/patroon/messages/<language>.yaml) and the
locale's plural rules and number formats (babel). Every word a report shows that does not come from the
data or the codebook comes from the catalog; no sentence is assembled from hand-written grammar rules.

A catalog entry is a string, a list, a mapping, or a plural: a mapping with the CLDR plural categories
(`one`, `other`, ...) whose strings take `{n}` formatted for the locale.
"""

from __future__ import annotations

import functools
from importlib import resources

import yaml
from babel import Locale
from babel.numbers import format_decimal, format_percent

PLURAL_CATEGORIES = {"zero", "one", "two", "few", "many", "other"}


@functools.cache
def catalog(language: str) -> dict:
    path = resources.files("patroon.report") / "messages" / f"{language}.yaml"
    if not path.is_file():
        raise ValueError(f"no message catalog for language {language!r} (src/patroon/messages/{language}.yaml)")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@functools.cache
def locale(language: str) -> Locale:
    return Locale.parse(language)


def number(value: object, language: str, decimals: int = 0) -> str:
    """A count or measure as the locale writes it: thousands separators, decimal comma in Dutch."""
    if value is None or value != value:  # None or NaN
        return "–"
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__float__"):
        return str(value)
    if decimals == 0 and float(value) == int(float(value)):
        whole = int(float(value))
        # Numbers of four digits are written without a separator (a year, 4000), as Dutch and English
        # style guides do; from five digits the locale's grouping applies (12.345 / 12,345).
        return str(whole) if abs(whole) < 10000 else format_decimal(whole, locale=language)
    pattern = "#,##0." + "0" * max(decimals, 1)
    return format_decimal(float(value), format=pattern, locale=language)


def percent(share: object, language: str, decimals: int = 0) -> str:
    """A share (0–1) as a percentage in the locale's format: 0.6667 → '67%' (nl: '67%', decimal comma)."""
    if share is None or share != share:
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
    return format_percent(float(share), format=pattern, locale=language)


def plural(forms: dict, n: int, language: str, **values) -> str:
    """The form of `forms` the locale's plural rule picks for n, with {n} formatted for the locale."""
    category = locale(language).plural_form(abs(n))
    text = forms.get(category, forms["other"])
    return text.format(n=number(n, language), **values)


def join(items: list[str], language: str) -> str:
    """'a, b en c' / 'a, b and c'; the catalog's word for none when empty."""
    items = list(items)
    if not items:
        return catalog(language)["labels"]["none"]
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + catalog(language)["and"] + items[-1]


class Messages:
    """A catalog bound to its language: `m.text("key", n=3)`, `m.count("units", 3)`."""

    def __init__(self, language: str):
        self.language = language
        self.catalog = catalog(language)

    def text(self, key: str, **values) -> str:
        return self.catalog["sentences"][key].format(**values)

    def count(self, key: str, n: int, **values) -> str:
        return plural(self.catalog["plurals"][key], n, self.language, **values)

    def plural_category(self, n: int) -> str:
        return locale(self.language).plural_form(abs(n))

    def number(self, value: object, decimals: int = 0) -> str:
        return number(value, self.language, decimals)

    def percent(self, share: object, decimals: int = 0) -> str:
        return percent(share, self.language, decimals)

    def join(self, items: list[str]) -> str:
        return join(items, self.language)
