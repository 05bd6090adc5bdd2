"""Provisions named in questions, and the lexical tokenizer."""

from __future__ import annotations

import pytest

from knowledge.lexical import tokenize
from knowledge.references import find_references, regime_hint


@pytest.mark.parametrize(
    ("text", "anchors"),
    [
        ("What does Article 50(4) require?", ["art-50-4"]),
        ("Art. 5(1)(f) and art 6", ["art-5-1-f", "art-6"]),
        ("Is this in Annex III point 4(a)?", ["annex-iii-4-a"]),
        ("Annex IV, point 1(e)", ["annex-iv-1-e"]),
        ("Explain Annex III", ["annex-iii"]),
        ("see recital 53", ["recital-53"]),
        ("Article 5(1)(h)(iii)", ["art-5-1-h-iii"]),
        ("What does GOVERN 1.1 ask for?", ["govern-1-1"]),
        ("MAP 5 and Measure 2.11", ["map-5", "measure-2-11"]),
        ("map the data flows for 5 systems", []),
        ("no provision here", []),
    ],
)
def test_find_references(text: str, anchors: list[str]) -> None:
    assert [r.anchor for r in find_references(text)] == anchors


def test_regime_hints() -> None:
    assert regime_hint("GDPR Article 22") == "gdpr"
    assert regime_hint("Under the AI Act, ...") == "eu-ai-act"
    assert regime_hint("Compare the GDPR and the AI Act") is None
    # "Colorado AI Act" names Colorado's law, not the EU's.
    assert regime_hint("When does the Colorado AI Act apply?") == "colorado-ai-act"
    assert regime_hint("What did SB24-205 require?") == "colorado-ai-act"
    assert regime_hint("Does the AI Act apply in Colorado?") == "eu-ai-act"
    assert find_references("GDPR Art. 22(1)")[0].regime == "gdpr"


def test_tokenize_folds_plurals_and_keeps_legal_words() -> None:
    assert tokenize("The obligations of providers shall not apply") == [
        "obligation",
        "provider",
        "shall",
        "not",
        "apply",
    ]
    assert tokenize("categories") == ["category"]
    assert tokenize("access") == ["access"]
