"""Lead check on the tuning set (`evals/datasets/leads_tuning.jsonl`: the packs and the sample organisation
only, never the held-out organisation): does the text before the first blank line give the verdict,
figure, date or decision, does the first citation come from the right source, and is it free of internal
notation? Usage: `python -m evals.leads_tuning --home DIR` (a home with the sample organisation loaded)."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from pydantic import BaseModel

from assistant.service import Assistant
from core.config import Settings

DATASET = Path(__file__).resolve().parent / "datasets" / "leads_tuning.jsonl"
# A citation id or a field arrow in the prose a person reads.
_LEAK = re.compile(r"\b[a-z0-9-]+:(?:art|annex|rev|recital)-[a-z0-9-]+\b|->|\b[a-z]+_[a-z_]+\b")


class LeadCase(BaseModel):
    """One tuning question, with what a right lead contains and where it comes from."""

    id: str
    question: str
    lead_any: list[str]
    sources: list[str]


def load_cases(path: Path = DATASET) -> list[LeadCase]:
    """The tuning cases."""
    return [
        LeadCase.model_validate_json(line) for line in path.read_text(encoding="utf-8").splitlines() if line
    ]


# A verdict is the lead's first word: "No" inside "not" or "names" is not one.
_VERDICTS = ("Yes", "No")


def says(lead: str, item: str) -> bool:
    """Whether `lead` gives `item`: a verdict ("Yes", "No") as its first word and a sentence of its own
    ("No." — "No rule may ..." is no verdict), anything else anywhere (case-insensitive)."""
    if item in _VERDICTS:
        return re.match(rf"\s*{item}\.", lead) is not None
    return item.lower() in lead.lower()


def lead_of(answer: str) -> str:
    """The text before the first blank line."""
    return answer.split("\n\n", 1)[0]


def main() -> None:
    """Ask every tuning question and print one line per case and the share of right leads."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, required=True)
    args = parser.parse_args()
    assistant = Assistant.open(Settings(home=args.home))
    right = 0
    cases = load_cases()
    for case in cases:
        answer = assistant.ask(case.question)
        lead = lead_of(answer.answer)
        fact = any(says(lead, item) for item in case.lead_any)
        source = bool(answer.citations) and answer.citations[0].source in case.sources
        clean = not _LEAK.search(lead)
        ok = fact and source and clean
        right += ok
        print(
            json.dumps(
                {"id": case.id, "ok": ok, "fact": fact, "source": source, "clean": clean, "lead": lead}
            )
        )
    print(f"right leads: {right}/{len(cases)} = {right / len(cases):.2f}")
    assistant.close()


if __name__ == "__main__":
    main()
