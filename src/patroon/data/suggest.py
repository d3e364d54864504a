""""Did you mean" for a name that is not known: the closest known names, for the end of an error message."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: object, known: Iterable[object], limit: int = 3) -> str:
    """'; did you mean 'stb'?' (or the few closest), or '' when nothing known is close enough to help.

    difflib's ratio with its usual cut-off (0.6) catches typos, swapped and dropped letters; lower-case
    comparison, because a value's case is a typo too."""
    choices = sorted({str(k) for k in known})
    by_lower: dict[str, str] = {}
    for choice in choices:
        by_lower.setdefault(choice.lower(), choice)
    close = difflib.get_close_matches(str(word).lower(), list(by_lower), n=limit)
    if not close:
        return ""
    return "; did you mean " + " or ".join(f"'{by_lower[c]}'" for c in close) + "?"
