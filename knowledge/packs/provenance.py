"""Provenance of pack records as indexed text: where a record's instrument stands and what it rests on.

A record's `status` and `confidence` travel with its indexed text as two fixed lines, so that retrieval,
answers and anything else reading a passage knows them without loading the packs again:

    Status: superseded. Repealed and re-enacted by SB 26-189 from 1 January 2027.
    Confidence: reported. Cooley and Orrick summaries of the final rule; Federal Register text not read.

`withdrawn` and `superseded` records are history: they are never cited as current duties, only when a
question asks about the old rule (it names the record, or says "withdrawn", "used to", "history"...).
"""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class RecordStatus(StrEnum):
    """Where a record's instrument stands today. Withdrawn and superseded records state no current duty."""

    IN_FORCE = "in_force"
    ADOPTED = "adopted"  # adopted, not yet applying
    PROPOSED = "proposed"
    WITHDRAWN = "withdrawn"
    STAYED = "stayed"  # enforcement stayed by a court; the text stands
    SUPERSEDED = "superseded"


class Confidence(StrEnum):
    """What a record's facts rest on: the official text, or secondary reporting of it."""

    OFFICIAL = "official"
    REPORTED = "reported"


# No longer the law: shown only as history.
HISTORICAL = frozenset({RecordStatus.WITHDRAWN, RecordStatus.SUPERSEDED})
# Shown with their status note wherever they are cited (a stay, a proposal, a date still to come).
NOTED = frozenset({RecordStatus.STAYED, RecordStatus.PROPOSED, RecordStatus.ADOPTED})

STATUS_LABELS = {
    RecordStatus.IN_FORCE: "in force",
    RecordStatus.ADOPTED: "adopted, not yet applying",
    RecordStatus.PROPOSED: "proposed, not law",
    RecordStatus.WITHDRAWN: "withdrawn",
    RecordStatus.STAYED: "enforcement stayed",
    RecordStatus.SUPERSEDED: "superseded",
}

_STATUS_LINE = re.compile(r"^Status: (?P<status>[a-z_]+)\.(?: (?P<note>.*))?$", re.MULTILINE)
_CONFIDENCE_LINE = re.compile(r"^Confidence: (?P<confidence>[a-z]+)\.(?: (?P<source>.*))?$", re.MULTILINE)
# Questions about the old rule: the only ones a withdrawn or superseded record may answer.
_ABOUT_HISTORY = re.compile(
    r"\b(?:withdr[ae]wn?|withdrawal|rescind\w*|repeal\w*|supersed\w*|replac\w*|used to|history|historical|"
    r"previous\w*|former\w*|originally|no longer|anymore|any more|before it was|"
    r"still (?:in force|in effect|appl\w*|valid|current|stand\w*|exist\w*|on the books)|"
    r"sb ?24-?205|2022-03|circular|technical assistance|2023 guidance|ta document)\b",
    re.IGNORECASE,
)


class Provenance(BaseModel):
    """A passage's status and confidence, read back from its indexed text."""

    model_config = ConfigDict(frozen=True)

    status: RecordStatus = RecordStatus.IN_FORCE
    status_note: str = ""
    confidence: Confidence = Confidence.OFFICIAL
    source: str = ""

    @property
    def historical(self) -> bool:
        """True if the passage states a rule that is no longer the law (withdrawn or superseded)."""
        return self.status in HISTORICAL

    @property
    def reported(self) -> bool:
        """True if the passage rests on secondary reporting, not the official text."""
        return self.confidence is Confidence.REPORTED


def provenance_lines(
    status: RecordStatus, status_note: str, confidence: Confidence, notes: str, instrument: str | None
) -> list[str]:
    """The lines a record adds to its indexed text; none for an official record in force."""
    lines = []
    if instrument:
        lines.append(f"Instrument: {instrument}")
    if status is not RecordStatus.IN_FORCE or status_note.strip():
        note = " ".join(status_note.split())
        lines.append(f"Status: {status.value}. {note}".rstrip())
    if confidence is Confidence.REPORTED:
        lines.append(f"Confidence: reported. {_first_sentence(notes)}".rstrip())
    return lines


def read_provenance(text: str) -> Provenance:
    """The provenance a passage's text carries (in force and official when it carries none)."""
    status = _STATUS_LINE.search(text)
    confidence = _CONFIDENCE_LINE.search(text)
    values: dict[str, object] = {}
    if status is not None and status["status"] in RecordStatus.__members__.values():
        values["status"] = RecordStatus(status["status"])
        values["status_note"] = (status["note"] or "").strip()
    if confidence is not None and confidence["confidence"] in Confidence.__members__.values():
        values["confidence"] = Confidence(confidence["confidence"])
        values["source"] = (confidence["source"] or "").strip()
    return Provenance.model_validate(values)


def asks_about_history(question: str) -> bool:
    """True if the question asks about an old or withdrawn rule, so history may answer it."""
    return bool(_ABOUT_HISTORY.search(question))


def reported_clause() -> str:
    """The one short clause an answer or triage ground adds when it rests on a reported fact."""
    return "(reported by secondary sources; not confirmed against the official text)"


def status_clause(provenance: Provenance) -> str:
    """How a cited record's status is shown: 'withdrawn: <note>' for history, the note for a stay."""
    label = STATUS_LABELS[provenance.status]
    note = provenance.status_note
    if not note:
        return label
    # A note that opens with its own status word ("Withdrawn: ...") needs no label in front of it.
    openings = {label.split(",")[0], label.split()[0]}
    if any(len(word) > 3 and note.lower().startswith(word) for word in openings):
        return note
    return f"{label}: {note}"


def _first_sentence(text: str) -> str:
    flat = " ".join(text.split())
    match = re.search(r"(?<=\.)\s", flat)
    return flat[: match.start()] if match else flat
