"""Structured facts a quiz can test, and the pool of wrong values each one offers.

A fact is one checkable statement with its citation: the day a provision applies from, a deadline, a
fine ceiling, a defined term, a prohibited practice, the tier triage gives a use case, a function of
the NIST AI RMF, a cell of a policy table, a tiering rule, who approves a tier. `pack_facts` and
`policy_facts` read them from the knowledge; `questions` turns them into questions.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from tools.training.evidence import Claim, normalise
from tools.training.topics import Family

VALUE = "{value}"  # where a true/false statement puts the value it claims
MIN_WRONG_OPTIONS = 2


class Choice(BaseModel):
    """An option's text and the claim it makes."""

    model_config = ConfigDict(frozen=True)

    text: str
    claim: Claim


class Fact(BaseModel):
    """One checkable fact with its citation, question wording, explanation and wrong-value pool."""

    model_config = ConfigDict(frozen=True)

    key: str = Field(description="Unique per fact, e.g. 'date:eu-ai-act:art-4'.")
    family: Family
    citation_id: str
    passage: str = Field(description="The cited passage's text, as the index holds it.")
    stem: str = Field(description="The multiple-choice question.")
    statement: str | None = Field(
        default=None, description="A true/false statement with {value} where the value goes; None: no T/F."
    )
    answer: Choice
    pool: list[Choice] = Field(description="Candidate wrong options, before checking against the passage.")
    explanation: str

    def wrong_choices(self) -> list[Choice]:
        """Pool entries that are really wrong: no part of their claim is in the cited passage, and their
        text differs from the answer's (so a wrong option can never also be true)."""
        seen = {normalise(self.answer.text)}
        wrong = []
        for choice in self.pool:
            text = normalise(choice.text)
            if text in seen or choice.claim.any_part_in(self.passage):
                continue
            seen.add(text)
            wrong.append(choice)
        return wrong

    def usable(self) -> bool:
        """The passage supports the answer, the question does not give it away, and at least two wrong
        options remain."""
        if not self.answer.claim.found_in(self.passage):
            return False
        # Not even as the start of a word: 'Mapping ...' would hint at the Map function.
        hint = r"(?<![a-z0-9])" + re.escape(normalise(self.answer.text))
        if self.answer.claim.found_in(self.stem) or re.search(hint, normalise(self.stem)):
            return False
        return len(self.wrong_choices()) >= MIN_WRONG_OPTIONS


# Nearby values for quantities whose pack has too few of the same unit.
_NEARBY: dict[str, tuple[float, ...]] = {
    "hours": (12, 24, 36, 48, 72, 96, 120),
    "days": (2, 3, 5, 7, 10, 14, 15, 20, 30, 45, 60, 90),
    "business_days": (3, 5, 10, 15, 20),
    "weeks": (1, 2, 3, 4, 6, 8),
    "months": (1, 2, 3, 6, 9, 12, 18, 24, 36),
    "years": (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 16, 18, 21, 25),
    "persons": (1, 2, 3, 4, 5),
    "FLOP": (1e22, 1e23, 1e24, 1e25, 1e26, 1e27, 1e28),
}


def nearby(value: float, unit: str) -> list[float]:
    return list(_NEARBY.get(unit, (value / 2, value * 2, value * 3, value * 10)))
