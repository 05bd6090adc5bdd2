"""Amendments as data, and the effective date of a provision: base text plus adopted amendments.

An amendment lists `Change`s (a new application date, a transitional deadline, or a note) aimed at
one record or a whole subtree of records. Only amendments whose status is ADOPTED on the date asked
about move dates; proposed or agreed amendments are shown to users but never change a date.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel, ConfigDict, Field, model_validator

if TYPE_CHECKING:
    from knowledge.packs.schema import PackRecord


class AmendmentStatus(StrEnum):
    """Where an amending act stands in the legislative process."""

    PROPOSED = "proposed"
    AGREED = "agreed"
    ADOPTED = "adopted"
    WITHDRAWN = "withdrawn"


class ChangeField(StrEnum):
    """What a change alters in the records it targets."""

    APPLIES_FROM = "applies_from"
    # Systems already on the market get until this date to comply (the rule itself still applies).
    TRANSITION_ENDS = "transition_ends"
    # A change of substance without a date (scope widened, relief extended): shown with the record.
    NOTE = "note"


class ChangeScope(StrEnum):
    """Whether a change hits one record or the record and every record below it."""

    RECORD = "record"
    SUBTREE = "subtree"


class StatusEvent(BaseModel):
    """One step of an amendment's history (proposed on..., agreed on..., adopted on...)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    status: AmendmentStatus
    date: date
    note: str = ""


class Change(BaseModel):
    """One thing an amendment changes in one record (or subtree of records)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    citation_id: str = Field(description="Record changed, e.g. 'eu-ai-act:annex-iii'.")
    field: ChangeField
    new_value: date | str = Field(description="A date for date fields; our own wording for a note.")
    note: str = Field(description="What was reported about this change, in our words.")
    scope: ChangeScope = ChangeScope.RECORD
    obligation_id: str | None = Field(default=None, description="Limit the change to one obligation.")

    @model_validator(mode="after")
    def _value_matches_field(self) -> Change:
        if self.field is ChangeField.NOTE:
            if not isinstance(self.new_value, str) or not self.new_value.strip():
                raise ValueError("new_value: a 'note' change needs a non-empty text")
        elif not isinstance(self.new_value, date):
            try:
                object.__setattr__(self, "new_value", date.fromisoformat(str(self.new_value)))
            except ValueError as exc:
                raise ValueError(f"new_value: field '{self.field}' needs a date (YYYY-MM-DD)") from exc
        return self

    def date_value(self) -> date:
        """The new date of a date change (ValueError for a note)."""
        if not isinstance(self.new_value, date):
            raise ValueError(f"{self.citation_id}: a '{self.field}' change has no date")
        return self.new_value

    def targets(self, citation_id: str) -> bool:
        """True if this change applies to `citation_id` (exactly, or below it for a subtree change)."""
        if self.scope is ChangeScope.RECORD:
            return citation_id == self.citation_id
        return is_within(citation_id, self.citation_id)


class AmendmentLike(Protocol):
    """What the date computation needs from an amendment (see `schema.Amendment`)."""

    id: str
    title: str
    source: str
    status: AmendmentStatus
    status_date: date
    history: list[StatusEvent]
    changes: list[Change]

    def status_on(self, day: date | None) -> AmendmentStatus | None: ...


class AppliedChange(BaseModel):
    """A change together with the amendment that makes it, as shown in explanations."""

    model_config = ConfigDict(frozen=True)

    amendment_id: str
    amendment_title: str
    source: str
    status: AmendmentStatus
    status_date: date
    change: Change


class DateExplanation(BaseModel):
    """How a record's effective date was obtained, so answers can show their working."""

    model_config = ConfigDict(frozen=True)

    citation_id: str
    base: date | None = Field(description="Date in the base text.")
    effective: date | None = Field(description="Base text plus adopted amendments.")
    changed_by: AppliedChange | None = Field(default=None, description="The change that set the date.")
    via: str | None = Field(default=None, description="Record whose date this one follows, if any.")
    transition_ends: date | None = None
    transition_note: str | None = None
    notes: list[AppliedChange] = Field(default_factory=list)
    pending: list[AppliedChange] = Field(
        default_factory=list, description="Date changes in amendments not adopted: shown, never applied."
    )


def is_within(citation_id: str, ancestor: str) -> bool:
    """True if `citation_id` is `ancestor` or below it (`art-5` holds `art-5-1`, not `art-50`)."""
    return citation_id == ancestor or citation_id.startswith(f"{ancestor}-")


def parent_id(citation_id: str, known: Mapping[str, object] | set[str]) -> str | None:
    """The nearest known ancestor of `citation_id`, found by dropping trailing '-segments'."""
    source, _, locator = citation_id.partition(":")
    parts = locator.split("-")
    while len(parts) > 1:
        parts.pop()
        candidate = f"{source}:{'-'.join(parts)}"
        if candidate in known:
            return candidate
    return None


def in_force(amendment: AmendmentLike, as_of: date | None) -> bool:
    """True if the amendment is adopted on `as_of` (or, with no date, in its current status)."""
    return amendment.status_on(as_of) is AmendmentStatus.ADOPTED


def matching_changes(
    citation_id: str,
    field: ChangeField,
    amendments: Sequence[AmendmentLike],
    as_of: date | None,
    *,
    obligation_id: str | None = None,
    adopted: bool = True,
) -> list[AppliedChange]:
    """Changes of `field` that hit `citation_id`, most authoritative first.

    With `adopted` (the default) only amendments adopted on `as_of` count; otherwise only the others.
    Precedence: a change aimed at the record itself beats a subtree change, a narrower subtree beats
    a wider one, and among equals the later amendment wins.
    """
    found: list[tuple[tuple[int, int, date, int], AppliedChange]] = []
    for amendment in amendments:
        if in_force(amendment, as_of) != adopted:
            continue
        if not adopted and amendment.status_on(as_of) in (None, AmendmentStatus.WITHDRAWN):
            continue
        for position, change in enumerate(amendment.changes):
            if change.field is not field or change.obligation_id != obligation_id:
                continue
            if not change.targets(citation_id):
                continue
            exact = 1 if change.scope is ChangeScope.RECORD else 0
            key = (exact, len(change.citation_id), amendment.status_date, position)
            found.append(
                (
                    key,
                    AppliedChange(
                        amendment_id=amendment.id,
                        amendment_title=amendment.title,
                        source=amendment.source,
                        status=amendment.status_on(as_of) or amendment.status,
                        status_date=amendment.status_date,
                        change=change,
                    ),
                )
            )
    found.sort(key=lambda item: item[0], reverse=True)
    return [applied for _, applied in found]


def explain_date(
    citation_id: str,
    records: Mapping[str, PackRecord],
    amendments: Sequence[AmendmentLike],
    as_of: date | None = None,
    *,
    obligation_id: str | None = None,
) -> DateExplanation:
    """Explain the date from which `citation_id` (or one of its obligations) applies.

    The base date is the obligation's own date, else the date of the record it follows
    (`date_follows`), else the record's own date, else its nearest ancestor's. An adopted change
    aimed at it (or at a subtree holding it) replaces that date. A record added by an amendment that
    is not adopted on `as_of` has no effective date.
    """
    return _explain(citation_id, records, amendments, as_of, obligation_id, visiting=frozenset())


def _explain(
    citation_id: str,
    records: Mapping[str, PackRecord],
    amendments: Sequence[AmendmentLike],
    as_of: date | None,
    obligation_id: str | None,
    visiting: frozenset[str],
) -> DateExplanation:
    key = f"{citation_id}#{obligation_id}" if obligation_id else citation_id
    if key in visiting:
        raise ValueError(f"{citation_id}: date_follows and ancestors form a cycle")
    visiting = visiting | {key}
    record = records[citation_id]
    notes = [] if obligation_id else matching_changes(citation_id, ChangeField.NOTE, amendments, as_of)
    pending = matching_changes(
        citation_id, ChangeField.APPLIES_FROM, amendments, as_of, obligation_id=obligation_id, adopted=False
    )
    if record.added_by is not None:
        adding = next((a for a in amendments if a.id == record.added_by), None)
        if adding is None or not in_force(adding, as_of):
            return DateExplanation(
                citation_id=citation_id, base=None, effective=None, notes=notes, pending=pending
            )

    underlying = _underlying(record, citation_id, records, amendments, as_of, obligation_id, visiting)
    changes = matching_changes(
        citation_id, ChangeField.APPLIES_FROM, amendments, as_of, obligation_id=obligation_id
    )
    transitions = matching_changes(
        citation_id, ChangeField.TRANSITION_ENDS, amendments, as_of, obligation_id=obligation_id
    )
    changed = changes[0] if changes else None
    transition = transitions[0] if transitions else None
    return DateExplanation(
        citation_id=citation_id,
        base=underlying.base,
        effective=changed.change.date_value() if changed else underlying.effective,
        changed_by=changed or underlying.changed_by,
        via=None if changed else underlying.via,
        transition_ends=transition.change.date_value() if transition else underlying.transition_ends,
        transition_note=transition.change.note if transition else underlying.transition_note,
        notes=notes,
        pending=pending,
    )


def _underlying(
    record: PackRecord,
    citation_id: str,
    records: Mapping[str, PackRecord],
    amendments: Sequence[AmendmentLike],
    as_of: date | None,
    obligation_id: str | None,
    visiting: frozenset[str],
) -> DateExplanation:
    """The date a record or obligation has before changes aimed at it: its own, followed or inherited."""
    if obligation_id is not None:
        obligation_date = record.obligation(obligation_id).applies_from
        if obligation_date is not None:
            return DateExplanation(citation_id=citation_id, base=obligation_date, effective=obligation_date)
        return _explain(citation_id, records, amendments, as_of, None, visiting)
    target = record.date_follows
    if target is None and record.applies_from is not None:
        own = record.applies_from
        return DateExplanation(citation_id=citation_id, base=own, effective=own)
    if target is None:
        target = parent_id(citation_id, records)
    if target is None:
        return DateExplanation(citation_id=citation_id, base=None, effective=None)
    found = _explain(target, records, amendments, as_of, None, visiting)
    return found.model_copy(update={"via": target, "base": record.applies_from or found.base})
