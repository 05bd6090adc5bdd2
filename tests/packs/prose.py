"""Checks shared by the packs' fact tests: dates stated in prose, and runs of words copied from a source."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

_MONTHS = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]  # fmt: skip
_LONG_DATE = re.compile(r"\b(\d{1,2}) (" + "|".join(_MONTHS) + r") (\d{4})\b", re.IGNORECASE)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
COPY_RUN_WORDS = 12


def dates_in(text: str) -> list[date]:
    """Every '4 May 2016' or '2016-05-04' date written in `text`."""
    found = [date(int(y), _MONTHS.index(m.lower()) + 1, int(d)) for d, m, y in _LONG_DATE.findall(text)]
    return found + [date(int(y), int(m), int(d)) for y, m, d in _ISO_DATE.findall(text)]


def words(text: str) -> list[str]:
    """Lowercase words; PDF ligatures ("ﬁ") folded so runs compare word for word."""
    text = text.replace("ﬁ", "fi").replace("ﬀ", "ff").replace("ﬂ", "fl")
    return re.findall(r"[a-z0-9]+", text.lower())


def runs(texts: Iterable[str], size: int = COPY_RUN_WORDS) -> set[tuple[str, ...]]:
    """Every run of `size` consecutive words in `texts`."""
    found: set[tuple[str, ...]] = set()
    for text in texts:
        w = words(text)
        found |= {tuple(w[i : i + size]) for i in range(len(w) - size + 1)}
    return found


def copied_runs(
    prose: Iterable[tuple[str, str]], source_runs: set[tuple[str, ...]], size: int = COPY_RUN_WORDS
) -> list[tuple[str, str]]:
    """(where, run) for each run of `size` words in `prose` that also stands in the source."""
    copied = []
    for where, text in prose:
        w = words(text)
        copied += [
            (where, " ".join(w[i : i + size]))
            for i in range(len(w) - size + 1)
            if tuple(w[i : i + size]) in source_runs
        ]
    return copied
