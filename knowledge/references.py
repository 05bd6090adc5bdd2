"""Finds provisions a question names ("Article 50(4)", "Annex III", "Recital 53") as citation anchors."""

from __future__ import annotations

import re

from pydantic import BaseModel

_ROMAN = r"[IVXLC]+"
_ARTICLE = re.compile(
    # "Article 4a": articles inserted by an amendment carry a letter.
    r"\b(?:article|art\.?)\s*(\d{1,3}(?:[a-z](?![a-z]))?)((?:\s*\(\s*(?:\d{1,3}|[a-z]{1,4})\s*\))*)",
    re.IGNORECASE,
)
_ANNEX = re.compile(
    rf"\bannex\s+({_ROMAN})\b(?:,?\s*(?:point|section)?\s*(\d{{1,2}})((?:\s*\(\s*[a-z]{{1,4}}\s*\))*))?",
    re.IGNORECASE,
)
_RECITAL = re.compile(r"\brecital\s+(\d{1,3})\b", re.IGNORECASE)
# NIST AI RMF outcomes are named "GOVERN 1.1", "MAP 5", "Measure 2.11".
_NIST = re.compile(r"\b(GOVERN|MAP|MEASURE|MANAGE|Govern|Map|Measure|Manage)\s+(\d{1,2})(?:\.(\d{1,2}))?\b")
_PARTS = re.compile(r"\(\s*([0-9]{1,3}|[a-z]{1,4})\s*\)", re.IGNORECASE)
_REGIME_HINTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("gdpr", re.compile(r"\bgdpr\b|2016/679|data protection regulation", re.IGNORECASE)),
    # "AI Act" alone means the EU's; "Colorado AI Act" is Colorado's (and says so below).
    (
        "eu-ai-act",
        re.compile(
            r"(?<!colorado )\bai act\b|2024/1689|(?<!colorado )artificial intelligence act", re.IGNORECASE
        ),
    ),
    ("ecoa-reg-b", re.compile(r"\becoa\b|\bequal credit opportunity\b|\breg(?:ulation)? b\b", re.IGNORECASE)),
    ("eeoc-title-vii", re.compile(r"\beeoc\b|\btitle vii\b|\buniform guidelines\b", re.IGNORECASE)),
    (
        "colorado-ai-act",
        re.compile(
            r"\bcolorado(?:'s)? (?:ai|artificial intelligence|admt|automated decision)"
            r"|\bsb ?2[46]-?(?:205|189)\b",
            re.IGNORECASE,
        ),
    ),
)


# The regimes a question can name; retrieval favours the named one over the others.
HINTED_REGIMES = frozenset(regime for regime, _ in _REGIME_HINTS)


class ProvisionRef(BaseModel):
    """A provision named in text: its anchor (`art-50-4`) and, if the text says, its regime."""

    anchor: str
    regime: str | None = None


def _parts(tail: str) -> list[str]:
    return [p.lower() for p in _PARTS.findall(tail or "")]


def regime_hint(text: str) -> str | None:
    """The regime `text` names ('gdpr', 'eu-ai-act'), if exactly one is named."""
    named = [rid for rid, pattern in _REGIME_HINTS if pattern.search(text)]
    return named[0] if len(named) == 1 else None


def find_references(text: str) -> list[ProvisionRef]:
    """Provisions named in `text`, in order of appearance, without duplicates."""
    regime = regime_hint(text)
    found: list[tuple[int, str]] = []
    for m in _ARTICLE.finditer(text):
        found.append((m.start(), "-".join(["art", m.group(1), *_parts(m.group(2))])))
    for m in _ANNEX.finditer(text):
        pieces = ["annex", m.group(1).lower()]
        if m.group(2):
            pieces += [m.group(2), *_parts(m.group(3))]
        found.append((m.start(), "-".join(pieces)))
    for m in _RECITAL.finditer(text):
        found.append((m.start(), f"recital-{m.group(1)}"))
    for m in _NIST.finditer(text):
        found.append((m.start(), "-".join(p for p in (m.group(1).lower(), m.group(2), m.group(3)) if p)))
    anchors: list[str] = []
    for _, anchor in sorted(found):
        if anchor not in anchors:
            anchors.append(anchor)
    return [ProvisionRef(anchor=a, regime=regime) for a in anchors]
