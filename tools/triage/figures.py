"""Figures written in plain words: a training-compute figure (3e24, 3 x 10^24, 3×10²⁴) and an amount
(600 million, $2.5bn, 750k), read from a description or from an answer to a follow-up question."""

from __future__ import annotations

import re

_FLOP_NUMBER = re.compile(
    r"(?P<mantissa>\d+(?:[.,]\d+)?)\s*(?:[eE]\s*(?P<exp1>[+-]?\d+)"
    r"|\s*(?:x|×|\*)\s*10\s*(?:\^|\*\*)\s*(?P<exp2>[+-]?\d+))"
    r"|(?<![\d.])10\s*(?:\^|\*\*)\s*(?P<exp3>[+-]?\d+)"
    r"|(?P<plain>\d{1,3}(?:,\d{3}){4,}|\d{13,})"
)
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")


def parse_flops(text: str) -> float | None:
    """A compute figure written as 3e24, 3 x 10^24, 10^25, 3×10²⁴ or in full digits; None if there is none."""
    normalised = re.sub(r"10([⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+)", lambda m: "10^" + m.group(1).translate(_SUPERSCRIPTS), text)
    match = _FLOP_NUMBER.search(normalised)
    if match is None:
        return None
    if match.group("plain"):
        return float(match.group("plain").replace(",", ""))
    if match.group("exp3"):
        return float(f"1e{int(match.group('exp3'))}")
    exponent = int(match.group("exp1") or match.group("exp2"))
    return float(f"{match.group('mantissa').replace(',', '.')}e{exponent}")  # exact, unlike m * 10**e


_AMOUNT = re.compile(
    r"(?P<number>\d+(?:,\d{3})*(?:\.\d+)?)\s*(?P<scale>thousand|k|million|mn|m|billion|bn|b|trillion)?\b",
    re.IGNORECASE,
)
_SCALES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6,
           "billion": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12}  # fmt: skip


def parse_amount(text: str) -> float | None:
    """An amount written as 600 million, $2.5bn, 1,200,000, 750k or 3e8; None if there is none."""
    if re.search(r"\d\s*(?:e|x|×|\*)\s*10|\de\d|10\^", text, re.IGNORECASE):
        return parse_flops(text)
    match = _AMOUNT.search(text.replace("$", " "))
    if match is None:
        return None
    scale = _SCALES[match.group("scale").lower()] if match.group("scale") else 1.0
    return float(match.group("number").replace(",", "")) * scale
