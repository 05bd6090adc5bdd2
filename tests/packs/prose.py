"""Checks shared by the packs' fact tests: dates stated in prose, and runs of words copied from a source."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from knowledge.packs import Pack
from knowledge.packs.schema import PackRecord

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


def record_prose(records: Iterable[PackRecord]) -> list[tuple[str, str]]:
    """(citation id, text) for every piece of our prose in `records`: titles, summaries, notes,
    conditions, exceptions, actions, duties, time limits, thresholds and whom a fine covers."""
    out: list[tuple[str, str]] = []
    for record in records:
        texts = [
            record.title,
            record.summary,
            record.notes,
            record.status_note,
            *record.conditions,
            *record.exceptions,
            *record.suggested_actions,
            *(o.text for o in record.obligations),
            *(t.text for t in record.time_limits),
            *(t.text for t in record.thresholds),
            *(
                p.applies_to
                for p in ([record.penalty] if record.penalty else []) + list(record.penalty_tiers)
            ),
        ]
        out += [(record.citation_id, text) for text in texts if text]
    return out


def pack_prose(pack: Pack) -> list[tuple[str, str]]:
    """(where, text) for every piece of our prose in a pack's records and amendments (titles, references,
    summaries, what was reported, history and change notes)."""
    out = record_prose(pack.records)
    for amendment in pack.amendments:
        texts = [
            amendment.title,
            amendment.reference,
            amendment.summary,
            amendment.reported,
            *(e.note for e in amendment.history),
            *(c.note for c in amendment.changes),
            *(c.new_value for c in amendment.changes if isinstance(c.new_value, str)),
        ]
        out += [(amendment.id, text) for text in texts if text]
    return out
