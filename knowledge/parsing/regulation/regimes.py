"""Recognise which regulation or framework a text is, from how it names itself or, failing that, its terms."""

from __future__ import annotations

import re

# How each text names itself in its title or header (the EU titles are in capitals; the body of one act
# cites others in running text, e.g. the AI Act cites "Regulation (EU) 2016/679"). The earliest wins.
_SELF_NAMES: dict[str, re.Pattern[str]] = {
    "eu-ai-act": re.compile(r"REGULATION \(EU\) 2024/1689|32024R1689"),
    "gdpr": re.compile(r"REGULATION \(EU\) 2016/679|32016R0679"),
    "nist-ai-600-1": re.compile(r"NIST[\s.]+AI[\s.]+600-1|Generative Artificial Intelligence Profile", re.I),
    "nist-ai-rmf": re.compile(r"NIST[\s.]+AI[\s.]+100-1|AI Risk Management Framework", re.I),
    "colorado-ai-act": re.compile(r"SENATE BILL 24-205|SB\s*24-205", re.I),
}

# Terms that dominate each text's body, for texts (such as JSON record content) without a header.
_BODY_TERMS: dict[str, re.Pattern[str]] = {
    "eu-ai-act": re.compile(r"\bAI systems?\b|\bgeneral-purpose AI\b|\bhigh-risk AI\b"),
    "gdpr": re.compile(r"\bdata subjects?\b|\bcontrollers?\b|\bsupervisory authorit"),
    "nist-ai-600-1": re.compile(r"\bGAI\b|\b(?:GV|MP|MS|MG)-\d+\.\d+-\d{3}\b"),
    "nist-ai-rmf": re.compile(r"\b(?:GOVERN|MAP|MEASURE|MANAGE)\s+\d+\.\d+\b|\bAI actors?\b"),
    "colorado-ai-act": re.compile(
        r"\bhigh-risk artificial intelligence system\b|\balgorithmic discrimination\b", re.I
    ),
}
_MIN_BODY_HITS = 3


def detect_regime(text: str) -> str | None:
    """The regime id of a regulation's text: 'eu-ai-act', 'gdpr', 'nist-ai-rmf', 'nist-ai-600-1',
    'colorado-ai-act', or None when the text is none of them.

    The text's own name (its title or identifier) decides, the earliest if several; otherwise the regime
    whose characteristic terms occur most often wins, if they occur at least a few times.
    """
    named = [(m.start(), regime) for regime, pattern in _SELF_NAMES.items() if (m := pattern.search(text))]
    if named:
        return min(named)[1]
    counts = {regime: len(pattern.findall(text)) for regime, pattern in _BODY_TERMS.items()}
    regime, hits = max(counts.items(), key=lambda item: item[1])
    return regime if hits >= _MIN_BODY_HITS else None
