"""Slugs for citation ids: lowercase ASCII words joined by single hyphens."""

from __future__ import annotations

import re
import unicodedata

# Letters that NFKD does not decompose into an ASCII base letter plus accents.
_FOLD = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "þ": "th",
        "Þ": "th",
        "ð": "d",
        "Ð": "d",
    }
)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """Return `text` as a slug: lowercase, accents folded to ASCII, non-alphanumeric runs -> '-'.

    >>> slugify("3.2 Données & Data-handling!")
    '3-2-donnees-data-handling'
    """
    folded = unicodedata.normalize("NFKD", text.translate(_FOLD)).encode("ascii", "ignore").decode("ascii")
    return _NON_ALNUM.sub("-", folded.lower()).strip("-")


def unique_id(candidate: str, taken: set[str]) -> str:
    """Return `candidate`, or `candidate-2`, `-3`... if already in `taken`; record the result in `taken`."""
    result = candidate
    counter = 2
    while result in taken:
        result = f"{candidate}-{counter}"
        counter += 1
    taken.add(result)
    return result
