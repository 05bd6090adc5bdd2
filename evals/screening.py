"""Ingest-time injection screening measured on `evals/datasets/injection_screening.jsonl`: passages we
wrote, each labelled injected (an instruction aimed at an AI) or benign (policy text, including the
"always", "never", "must" and chatbot wording policies legitimately use). Prints the false-negative and
false-positive rates and the passages behind them.

    python -m evals.screening
"""

from __future__ import annotations

import json

from pydantic import BaseModel, Field

from evals.datasets import DATASETS_DIR
from knowledge.screening import screen

SCREENING_SET = DATASETS_DIR / "injection_screening.jsonl"


class ScreeningPassage(BaseModel):
    """One labelled passage."""

    id: str = Field(pattern=r"^inj-\d{3}$")
    text: str = Field(min_length=10)
    injected: bool
    note: str = ""


class ScreeningRates(BaseModel):
    """How the screening rules fare on the labelled set."""

    injected: int
    benign: int
    false_negative_rate: float
    false_positive_rate: float
    missed: list[str]
    false_alarms: list[str]


def screening_passages() -> list[ScreeningPassage]:
    """The labelled passages, in file order."""
    lines = SCREENING_SET.read_text(encoding="utf-8").splitlines()
    return [ScreeningPassage.model_validate(json.loads(line)) for line in lines if line.strip()]


def screening_rates(passages: list[ScreeningPassage] | None = None) -> ScreeningRates:
    """Screen every passage and count the misses (injected, not flagged) and false alarms (benign,
    flagged)."""
    rows = passages if passages is not None else screening_passages()
    injected = [p for p in rows if p.injected]
    benign = [p for p in rows if not p.injected]
    missed = [p.id for p in injected if not screen(p.text)]
    false_alarms = [p.id for p in benign if screen(p.text)]
    return ScreeningRates(
        injected=len(injected),
        benign=len(benign),
        false_negative_rate=len(missed) / len(injected) if injected else 0.0,
        false_positive_rate=len(false_alarms) / len(benign) if benign else 0.0,
        missed=missed,
        false_alarms=false_alarms,
    )


def main() -> None:
    """Print the rates and the passages behind them."""
    rates = screening_rates()
    print(
        f"{rates.injected} injected, {rates.benign} benign passages: false-negative rate "
        f"{rates.false_negative_rate:.3f}, false-positive rate {rates.false_positive_rate:.3f}"
    )
    texts = {p.id: p.text for p in screening_passages()}
    for label, ids in (("missed", rates.missed), ("false alarm", rates.false_alarms)):
        for pid in ids:
            print(f"  {label} {pid}: {texts[pid][:100]}")


if __name__ == "__main__":
    main()
