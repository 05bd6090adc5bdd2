"""Pydantic models of a knowledge pack: records in our own words, amendments, and the pack itself.

A pack is one regime (`eu-ai-act`, `gdpr`, `nist-ai-rmf`...). Each record is one citable provision,
summarised in our words, with the obligations it creates, who carries them, the date it applies
from, and typed facts triage reads (use-case codes, thresholds, fines, time limits).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from knowledge.packs.amendments import (
    AmendmentStatus,
    Change,
    ChangeField,
    ChangeScope,
    DateExplanation,
    StatusEvent,
    explain_date,
    parent_id,
)
from knowledge.packs.provenance import (
    HISTORICAL,
    Confidence,
    RecordStatus,
    provenance_lines,
)
from knowledge.sections import DocumentKind, ParsedDocument, Section, SectionLevel

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
CITATION_ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*:[a-z0-9]+(?:-[a-z0-9]+)*$"
_CITATION_ID = re.compile(CITATION_ID_PATTERN)
# The shortest notes that can name a source ("Reported by Cooley, 24 April 2026").
MIN_SOURCE_NOTE = 15


def is_citation_id(value: str) -> bool:
    """True if `value` is a well-formed citation id: `<source-id>:<locator-slug>`, lowercase, hyphenated."""
    return bool(_CITATION_ID.match(value))


def regime_of(citation_id: str) -> str:
    """The source part of a citation id (`eu-ai-act` for `eu-ai-act:art-5`)."""
    return citation_id.partition(":")[0]


class Role(StrEnum):
    """Who carries an obligation. Shared by all packs: add a member when a new regime needs one."""

    PROVIDER = "provider"
    DEPLOYER = "deployer"
    IMPORTER = "importer"
    DISTRIBUTOR = "distributor"
    AUTHORISED_REPRESENTATIVE = "authorised_representative"
    PRODUCT_MANUFACTURER = "product_manufacturer"
    GPAI_PROVIDER = "gpai_provider"
    GPAI_PROVIDER_SYSTEMIC_RISK = "gpai_provider_systemic_risk"
    OPERATOR = "operator"
    DEVELOPER = "developer"
    CONTROLLER = "controller"
    PROCESSOR = "processor"
    EMPLOYER = "employer"
    EMPLOYMENT_AGENCY = "employment_agency"
    CREDITOR = "creditor"
    COVERED_ENTITY = "covered_entity"
    BUSINESS_ASSOCIATE = "business_associate"
    ORGANISATION = "organisation"
    PUBLIC_AUTHORITY = "public_authority"
    MEMBER_STATE = "member_state"
    COMMISSION = "commission"
    NOTIFIED_BODY = "notified_body"


class Comparison(StrEnum):
    """How a measured value is compared with a threshold."""

    GREATER = ">"
    GREATER_OR_EQUAL = ">="
    LESS = "<"
    LESS_OR_EQUAL = "<="


class TimeUnit(StrEnum):
    """Units of a time limit."""

    HOURS = "hours"
    DAYS = "days"
    BUSINESS_DAYS = "business_days"
    WEEKS = "weeks"
    MONTHS = "months"
    YEARS = "years"


class PenaltyRule(StrEnum):
    """Which of the fixed amount and the turnover share caps the fine."""

    HIGHER_OF = "higher_of"
    LOWER_OF = "lower_of"


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Obligation(_Strict):
    """A duty a record creates, with who carries it and, if it differs from the record's, its date."""

    id: str = Field(pattern=SLUG_PATTERN, description="Unique within its record, e.g. 'assign-oversight'.")
    text: str = Field(min_length=1, description="The duty, in our own words.")
    owner: Role
    applies_from: date | None = Field(default=None, description="Only when it differs from the record's.")


class Threshold(_Strict):
    """A numeric line the provision draws (training compute, minimum number of reviewers...)."""

    id: str = Field(pattern=SLUG_PATTERN)
    value: float
    unit: str = Field(min_length=1)
    comparison: Comparison
    text: str = Field(min_length=1, description="What crossing the line means, in our words.")


class Penalty(_Strict):
    """A fine ceiling: a fixed amount and/or a share of worldwide annual turnover."""

    max_amount_eur: int | None = Field(default=None, ge=0)
    max_turnover_percent: float | None = Field(default=None, ge=0, le=100)
    # US regimes state amounts in dollars, some with a floor (NYC: $500 to $1,500 per later violation).
    max_amount_usd: int | None = Field(default=None, ge=0)
    min_amount_usd: int | None = Field(default=None, ge=0)
    # Korea states its administrative fines in won (AI Basic Act: up to KRW 30 million).
    max_amount_krw: int | None = Field(default=None, ge=0)
    rule: PenaltyRule = PenaltyRule.HIGHER_OF
    applies_to: str = Field(min_length=1, description="Which infringements or offenders the cap covers.")

    def ceiling_text(self) -> str:
        """The ceiling in words, the one wording every answer and record text uses: 'up to EUR 35,000,000
        or 7% of total worldwide annual turnover, whichever is higher', 'USD 500 to USD 1,500'."""
        parts = []
        if self.max_amount_eur is not None:
            parts.append(f"EUR {self.max_amount_eur:,}")
        if self.max_turnover_percent is not None:
            parts.append(f"{self.max_turnover_percent:g}% of total worldwide annual turnover")
        if self.max_amount_usd is not None:
            floor = f"USD {self.min_amount_usd:,} to " if self.min_amount_usd is not None else "up to "
            parts.append(f"{floor}USD {self.max_amount_usd:,}")
        if self.max_amount_krw is not None:
            parts.append(f"KRW {self.max_amount_krw:,}")
        which = "whichever is higher" if self.rule is PenaltyRule.HIGHER_OF else "whichever is lower"
        amount = " or ".join(parts) + (f", {which}" if len(parts) > 1 else "")  # one figure: no choosing
        # A dollar figure says its own bound ("up to USD", "USD 500 to"); the others take one here.
        return amount if self.max_amount_usd is not None else f"up to {amount}"


class TimeLimit(_Strict):
    """A period the provision sets (report within 15 days, keep documents for 10 years...)."""

    id: str = Field(pattern=SLUG_PATTERN)
    value: int = Field(gt=0)
    unit: TimeUnit
    text: str = Field(min_length=1)


class RouteDate(_Strict):
    """Another route under which a record applies, on the date of the record `route` points to."""

    label: str = Field(min_length=1, description="e.g. 'high-risk AI systems under Article 6(1)'.")
    route: str = Field(pattern=CITATION_ID_PATTERN)


class PackRecord(_Strict):
    """One provision of a regime, in our own words, with the facts triage needs as typed fields."""

    citation_id: str = Field(pattern=CITATION_ID_PATTERN, description="e.g. 'eu-ai-act:art-50-1'.")
    locator: str = Field(min_length=1, description="e.g. 'Article 50(1)'.")
    title: str = Field(min_length=1)
    summary: str = Field(min_length=1, description="Plain-language summary, our words, no quoted law.")
    level: SectionLevel = SectionLevel.RECORD
    applies_from: date | None = Field(default=None, description="Date in the base text; None = inherited.")
    date_follows: str | None = Field(
        default=None,
        pattern=CITATION_ID_PATTERN,
        description="Record whose effective date this one takes (e.g. Art. 9 follows Art. 6(2)).",
    )
    also_applies_via: list[RouteDate] = Field(default_factory=list)
    obligations: list[Obligation] = Field(default_factory=list)
    conditions: list[str] = Field(default_factory=list)
    exceptions: list[str] = Field(default_factory=list)
    suggested_actions: list[str] = Field(
        default_factory=list, description="Voluntary frameworks: what they suggest doing, in our words."
    )
    related: list[str] = Field(default_factory=list)
    source_reference: str = Field(min_length=1, description="e.g. 'Regulation (EU) 2024/1689, Art. 50(1)'.")
    tags: list[str] = Field(default_factory=list, description="Topic slugs: 'prohibited', 'high-risk'...")
    # Typed extras read by triage.
    defined_term: str | None = None
    area: str | None = Field(default=None, pattern=SLUG_PATTERN, description="Annex III area code.")
    use_case_codes: list[str] = Field(default_factory=list)
    excluded_use_case_codes: list[str] = Field(default_factory=list, description="Carve-outs.")
    legal_act: str | None = Field(default=None, description="Listed act, e.g. 'Directive 2006/42/EC'.")
    thresholds: list[Threshold] = Field(default_factory=list)
    penalty: Penalty | None = None
    penalty_tiers: list[Penalty] = Field(
        default_factory=list,
        description="When one provision sets several ceilings (first and later violations, employer size).",
    )
    time_limits: list[TimeLimit] = Field(default_factory=list)
    notes: str = Field(default="", description="Caveats: what we could not verify, what to check.")
    added_by: str | None = Field(default=None, description="Amendment that added this record (set on load).")
    # Provenance: every fact says which instrument it comes from, where that instrument stands, and
    # whether we read the official text or only reporting of it.
    instrument: str | None = Field(
        default=None, description="The instrument, e.g. 'SB 26-189'; None = the pack's source_reference."
    )
    status: RecordStatus = Field(default=RecordStatus.IN_FORCE, description="Where the instrument stands.")
    status_note: str = Field(default="", description="Why, e.g. 'enforcement stayed in X.AI v. Weiser'.")
    confidence: Confidence = Field(default=Confidence.OFFICIAL, description="official text or reporting.")

    @field_validator("related")
    @classmethod
    def _related_well_formed(cls, value: list[str]) -> list[str]:
        bad = [item for item in value if not is_citation_id(item)]
        if bad:
            raise ValueError(f"not well-formed citation ids: {bad}")
        return value

    @field_validator("tags", "use_case_codes", "excluded_use_case_codes")
    @classmethod
    def _slugs(cls, value: list[str]) -> list[str]:
        bad = [item for item in value if not re.match(SLUG_PATTERN, item)]
        if bad:
            raise ValueError(f"must be lowercase hyphenated slugs: {bad}")
        return value

    @model_validator(mode="after")
    def _unique_obligations(self) -> PackRecord:
        ids = [obligation.id for obligation in self.obligations]
        duplicates = sorted({item for item in ids if ids.count(item) > 1})
        if duplicates:
            raise ValueError(f"obligations: duplicate ids {duplicates}")
        if self.citation_id in self.related:
            raise ValueError("related: a record cannot be related to itself")
        return self

    @model_validator(mode="after")
    def _provenance_stated(self) -> PackRecord:
        # A reader acts on what a record says: a reported fact must name what it rests on, and a record
        # that is not simply in force must say why, or the answer citing it cannot.
        if self.confidence is Confidence.REPORTED and len(self.notes.strip()) < MIN_SOURCE_NOTE:
            raise ValueError("notes: a 'reported' record must say in notes which source it rests on")
        if self.status not in (RecordStatus.IN_FORCE, RecordStatus.ADOPTED) and not self.status_note.strip():
            raise ValueError(f"status_note: a '{self.status}' record must say when and by what")
        if self.status in HISTORICAL and self.use_case_codes:
            raise ValueError(
                f"use_case_codes: a '{self.status}' record is history and must not trigger triage"
            )
        return self

    @property
    def is_current(self) -> bool:
        """False for withdrawn and superseded records: history, never a current duty."""
        return self.status not in HISTORICAL

    @property
    def regime_id(self) -> str:
        """The regime this record belongs to."""
        return regime_of(self.citation_id)

    def obligation(self, obligation_id: str) -> Obligation:
        """The obligation with this id; KeyError if the record has none."""
        for obligation in self.obligations:
            if obligation.id == obligation_id:
                return obligation
        raise KeyError(f"{self.citation_id} has no obligation '{obligation_id}'")

    def as_text(self, extra_lines: Sequence[str] = ()) -> str:
        """The readable text the retriever indexes: title, summary, obligations, dates, conditions.

        Dates here are the base text's; `Pack.record_text` adds the effective dates after amendments.
        """
        lines = [f"{self.locator}: {self.title}", self.summary.strip()]
        lines.extend(
            provenance_lines(self.status, self.status_note, self.confidence, self.notes, self.instrument)
        )
        if self.defined_term:
            lines.append(f"Defined term: {self.defined_term}")
        if self.applies_from:
            lines.append(f"Applies from (base text): {self.applies_from.isoformat()}")
        lines.extend(extra_lines)
        if self.obligations:
            lines.append("Obligations:")
            for obligation in self.obligations:
                when = f" (from {obligation.applies_from.isoformat()})" if obligation.applies_from else ""
                lines.append(f"- {_role_label(obligation.owner)}: {obligation.text}{when}")
        _section(lines, "Conditions", self.conditions)
        _section(lines, "Exceptions and carve-outs", self.exceptions)
        _section(lines, "Suggested actions", self.suggested_actions)
        _section(
            lines, "Thresholds", [f"{t.text} ({t.comparison} {t.value:g} {t.unit})" for t in self.thresholds]
        )
        _section(lines, "Time limits", [f"{t.text} ({t.value} {t.unit})" for t in self.time_limits])
        if self.penalty:
            lines.append(f"Maximum fine: {self.penalty.ceiling_text()} ({self.penalty.applies_to})")
        _section(lines, "Penalty tiers", [f"{t.ceiling_text()} ({t.applies_to})" for t in self.penalty_tiers])
        if self.notes:
            lines.append(f"Caveat: {self.notes.strip()}")
        if self.legal_act:
            lines.append(f"Legal act: {self.legal_act}")
        if self.area:
            lines.append(f"Area: {self.area}")
        # Use-case codes, related ids and the source reference stay out: they are data for triage and
        # citations, and as indexed text they would match questions on words nobody reads.
        return "\n".join(lines)


class Amendment(_Strict):
    """An amending act as data: its status over time, what it changes and the records it adds."""

    id: str = Field(pattern=SLUG_PATTERN, description="e.g. 'digital-omnibus-ai-2026'.")
    title: str = Field(min_length=1)
    source: str = Field(min_length=1, description="e.g. 'Digital Omnibus on AI, 2026'.")
    reference: str = Field(default="", description="Procedure or OJ reference, when known.")
    status: AmendmentStatus
    status_date: date
    history: list[StatusEvent] = Field(default_factory=list)
    summary: str = Field(min_length=1, description="What it does, in our words.")
    reported: str = Field(default="", description="What was reported and what we could not verify.")
    changes: list[Change] = Field(default_factory=list)
    new_records: list[PackRecord] = Field(default_factory=list)

    @model_validator(mode="after")
    def _history_consistent(self) -> Amendment:
        if not self.history:
            return self
        dates = [event.date for event in self.history]
        if dates != sorted(dates):
            raise ValueError("history: events must be in date order")
        last = self.history[-1]
        if (last.status, last.date) != (self.status, self.status_date):
            raise ValueError("history: the last event must match status and status_date")
        return self

    def status_on(self, day: date | None) -> AmendmentStatus | None:
        """The amendment's status on `day` (None: its current status); None if it did not exist yet."""
        if day is None:
            return self.status
        events = self.history or [StatusEvent(status=self.status, date=self.status_date)]
        current = None
        for event in events:
            if event.date <= day:
                current = event.status
        return current

    def as_text(self, locators: Mapping[str, str] | None = None, extra_lines: Sequence[str] = ()) -> str:
        """Readable text of the amendment for the retriever.

        `locators` names changed records by their locator ("Article 113") rather than their citation id,
        so an answer quoting a change reads as prose; `extra_lines` adds provenance lines.
        """
        names = locators or {}
        lines = [
            f"Amendment: {self.title} ({self.source})",
            f"Status: {self.status} on {self.status_date.isoformat()}",
            self.summary.strip(),
            *extra_lines,
        ]
        if self.reference:
            lines.append(f"Reference: {self.reference}")
        _section(
            lines, "History", [f"{e.date.isoformat()}: {e.status}. {e.note}".strip() for e in self.history]
        )
        changes = []
        for change in self.changes:
            value = change.new_value.isoformat() if isinstance(change.new_value, date) else change.new_value
            name = names.get(change.citation_id, change.citation_id)
            target = name + (" and below" if change.scope is ChangeScope.SUBTREE else "")
            if change.field is ChangeField.NOTE:
                changes.append(f"{target}: {value}")
            else:
                label = "applies from" if change.field is ChangeField.APPLIES_FROM else "transition ends"
                changes.append(f"{target}: {label} {value}. {change.note}")
        _section(lines, "Changes", changes)
        _section(lines, "New provisions", [f"{r.title} ({r.locator})" for r in self.new_records])
        if self.reported:
            lines.append(f"As reported: {self.reported.strip()}")
        if self.status is not AmendmentStatus.ADOPTED:
            lines.append("Not adopted: it does not change any date until it is.")
        return "\n".join(lines)


class PackManifest(_Strict):
    """The pack.yaml of a pack: identity, version and what the knowledge is current as of."""

    id: str = Field(pattern=SLUG_PATTERN, description="Regime id, also the source part of citation ids.")
    title: str = Field(min_length=1)
    version: str = Field(min_length=1)
    as_of: date = Field(description="Knowledge as-of date: answers and triage state it.")
    as_of_note: str = Field(min_length=1, description="What the as-of date reflects.")
    source_reference: str = Field(min_length=1, description="The official source, e.g. the OJ reference.")
    source_url: str | None = None
    entered_into_force: date | None = Field(
        default=None, description="When the base act entered into force (records say when they apply)."
    )
    jurisdiction: str | None = None
    record_source_prefix: str | None = Field(
        default=None, description="If set, records without source_reference get '<prefix>, <locator>'."
    )
    notes: str = ""


class Issue(BaseModel):
    """One cross-record problem found in a pack (duplicate id, dangling reference...)."""

    model_config = ConfigDict(frozen=True)

    citation_id: str | None
    field: str
    message: str


class Pack(_Strict):
    """A loaded, validated pack. `records` holds the base records plus those added by adopted amendments."""

    regime_id: str = Field(pattern=SLUG_PATTERN)
    title: str
    version: str
    as_of: date
    as_of_note: str = ""
    source_reference: str
    source_url: str | None = None
    entered_into_force: date | None = Field(default=None, description="When the base act entered into force.")
    records: list[PackRecord]
    amendments: list[Amendment] = Field(default_factory=list)

    _index: dict[str, PackRecord] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> Pack:
        issues = check_pack(self.regime_id, self.as_of, self.records, self.amendments)
        if issues:
            raise ValueError("; ".join(f"{i.citation_id or '-'}: {i.field}: {i.message}" for i in issues))
        return self

    def model_post_init(self, context: object, /) -> None:
        """Index records by citation id, including records added by any amendment (for lookups)."""
        self._index = {record.citation_id: record for record in self.records}
        for amendment in self.amendments:
            for record in amendment.new_records:
                added = record.model_copy(update={"added_by": amendment.id})
                self._index.setdefault(record.citation_id, added)

    def record(self, citation_id: str) -> PackRecord:
        """The record with this citation id (also records proposed by amendments); KeyError if unknown."""
        try:
            return self._index[citation_id]
        except KeyError:
            raise KeyError(f"{self.regime_id} pack has no record '{citation_id}'") from None

    def has_record(self, citation_id: str) -> bool:
        """True if the pack holds this citation id."""
        return citation_id in self._index

    def amendment(self, amendment_id: str) -> Amendment:
        """The amendment with this id; KeyError if unknown."""
        for amendment in self.amendments:
            if amendment.id == amendment_id:
                return amendment
        raise KeyError(f"{self.regime_id} pack has no amendment '{amendment_id}'")

    def explain_date(
        self, citation_id: str, as_of: date | None = None, *, obligation_id: str | None = None
    ) -> DateExplanation:
        """How the effective date of a record (or one of its obligations) is obtained.

        `as_of` counts only amendments adopted on or before that date; None counts every adopted one.
        """
        self.record(citation_id)
        return explain_date(citation_id, self._index, self.amendments, as_of, obligation_id=obligation_id)

    def effective_date(self, citation_id: str, as_of: date | None = None) -> date | None:
        """The date `citation_id` applies from: base text plus ADOPTED amendments only."""
        return self.explain_date(citation_id, as_of).effective

    def obligation_effective_date(
        self, citation_id: str, obligation_id: str, as_of: date | None = None
    ) -> date | None:
        """The date one obligation of a record applies from, after adopted amendments."""
        return self.explain_date(citation_id, as_of, obligation_id=obligation_id).effective

    def route_dates(self, citation_id: str, as_of: date | None = None) -> list[tuple[RouteDate, date | None]]:
        """For records that apply through several routes, each route's effective date.

        A record without routes of its own takes those of the record it follows or, if it has no date
        of its own, those of its nearest ancestor (Article 26(1) takes Article 26's routes).
        """
        return [(route, self.effective_date(route.route, as_of)) for route in self._routes(citation_id)]

    def _routes(self, citation_id: str) -> list[RouteDate]:
        seen: set[str] = set()
        current: PackRecord | None = self.record(citation_id)
        while current is not None and current.citation_id not in seen:
            seen.add(current.citation_id)
            if current.also_applies_via:
                return current.also_applies_via
            if current.date_follows is not None:
                current = self._index.get(current.date_follows)
            elif current.applies_from is not None:
                return []
            else:
                parent = parent_id(current.citation_id, self._index)
                current = self._index.get(parent) if parent else None
        return []

    def children(self, citation_id: str) -> list[PackRecord]:
        """Records directly below `citation_id`, in pack order."""
        return [
            r
            for r in self.records
            if r.citation_id != citation_id and parent_id(r.citation_id, self._index) == citation_id
        ]

    def find(
        self, *, use_case_code: str | None = None, tag: str | None = None, area: str | None = None
    ) -> list[PackRecord]:
        """Records matching every given filter (use-case code, tag, Annex III area)."""
        found = []
        for record in self.records:
            if use_case_code is not None and use_case_code not in record.use_case_codes:
                continue
            if tag is not None and tag not in record.tags:
                continue
            if area is not None and record.area != area:
                continue
            found.append(record)
        return found

    def record_text(self, citation_id: str, as_of: date | None = None) -> str:
        """`PackRecord.as_text` plus the effective dates after adopted amendments and the as-of date."""
        record = self.record(citation_id)
        return record.as_text(extra_lines=self._date_lines(record, as_of))

    def to_document(self) -> ParsedDocument:
        """The pack as a ParsedDocument: one Section per record and per amendment, kind REGULATION.

        A section's text is its own record's text (children are separate sections), so each
        passage stays short and about one provision.
        """
        sections = []
        titles = {record.citation_id: record.title for record in self.records}
        for record in self.records:
            ancestors: list[str] = []
            parent = parent_id(record.citation_id, titles)
            nearest = parent
            while parent is not None:
                ancestors.insert(0, titles[parent])
                parent = parent_id(parent, titles)
            sections.append(
                Section(
                    citation_id=record.citation_id,
                    locator=record.locator,
                    title=record.title,
                    parents=ancestors,
                    parent_id=nearest,
                    level=record.level,
                    text=self.record_text(record.citation_id),
                )
            )
        locators = {cid: record.locator for cid, record in self._index.items()}
        for amendment in self.amendments:
            sections.append(
                Section(
                    citation_id=f"{self.regime_id}:amendment-{amendment.id}",
                    locator=f"Amendment: {amendment.source}",
                    title=amendment.title,
                    level=SectionLevel.RECORD,
                    text=amendment.as_text(locators, self._amendment_provenance(amendment)),
                )
            )
        return ParsedDocument(
            source_id=self.regime_id,
            title=self.title,
            kind=DocumentKind.REGULATION,
            sections=sections,
            as_of=self.as_of,
        )

    def _amendment_provenance(self, amendment: Amendment) -> list[str]:
        """An amendment whose changes all hit rules no longer in force is history too: say so, so that
        retrieval treats it like the records it changed (the 2025 postponement of a repealed act). One
        that rests on reporting (its `reported` text) says so like a reported record."""
        targets = [self._index[c.citation_id] for c in amendment.changes if c.citation_id in self._index]
        added = [self._index[r.citation_id] for r in amendment.new_records if r.citation_id in self._index]
        historical = bool(targets) and not any(t.is_current for t in [*targets, *added])
        notes = sorted({t.status_note for t in targets if t.status_note}) if historical else []
        return provenance_lines(
            RecordStatus.SUPERSEDED if historical else RecordStatus.IN_FORCE,
            " ".join(notes[:1]),
            Confidence.REPORTED if amendment.reported.strip() else Confidence.OFFICIAL,
            amendment.reported,
            None,
        )

    def _date_lines(self, record: PackRecord, as_of: date | None) -> list[str]:
        explanation = self.explain_date(record.citation_id, as_of)
        lines = []
        knowledge = f"knowledge as of {self.as_of.isoformat()}"
        if explanation.effective is not None:
            parts = [
                f"Effective date (base text plus adopted amendments, {knowledge}): "
                f"{explanation.effective.isoformat()}"
            ]
            if explanation.via is not None:
                parts.append(f"follows {explanation.via}")
            changed = explanation.changed_by
            if changed is not None:
                base = explanation.base.isoformat() if explanation.base else "none"
                parts.append(
                    f"changed by {changed.source} ({changed.status} "
                    f"{changed.status_date.isoformat()}) from the base-text date {base}"
                )
            lines.append("; ".join(parts))
        elif record.added_by is not None:
            lines.append(f"Not in force: added by amendment '{record.added_by}', not adopted ({knowledge}).")
        for route, day in self.route_dates(record.citation_id, as_of):
            lines.append(
                f"For {route.label}: applies from {day.isoformat() if day else 'no date'} "
                f"(date of {route.route})"
            )
        if explanation.transition_ends is not None:
            lines.append(
                f"Transitional period until {explanation.transition_ends.isoformat()}: "
                f"{explanation.transition_note}"
            )
        for note in explanation.notes:
            lines.append(f"Amended by {note.source}: {note.change.new_value}")
        for pending in explanation.pending:
            lines.append(
                f"Pending ({pending.status}, not applied): {pending.source} would set "
                f"{pending.change.field} to {pending.change.new_value}"
            )
        return lines


def check_pack(
    regime_id: str, as_of: date, records: Sequence[PackRecord], amendments: Sequence[Amendment]
) -> list[Issue]:
    """Cross-record checks: ids in the regime and unique, references that resolve, dates consistent."""
    issues: list[Issue] = []
    # Records added by adopted amendments also sit in `records` (marked `added_by`): count them once.
    merged = {(r.added_by, r.citation_id) for r in records if r.added_by}
    all_records = [
        *records,
        *(r for a in amendments for r in a.new_records if (a.id, r.citation_id) not in merged),
    ]
    ids = [record.citation_id for record in all_records]
    known = set(ids)
    for duplicate in sorted({item for item in ids if ids.count(item) > 1}):
        issues.append(Issue(citation_id=duplicate, field="citation_id", message="duplicate citation id"))
    for record in all_records:
        issues.extend(_record_issues(record, regime_id, known))
    amendment_ids = [a.id for a in amendments]
    for duplicate in sorted({item for item in amendment_ids if amendment_ids.count(item) > 1}):
        issues.append(
            Issue(citation_id=None, field="amendments.id", message=f"duplicate amendment id '{duplicate}'")
        )
    for amendment in amendments:
        issues.extend(_amendment_issues(amendment, as_of, known, {r.citation_id: r for r in all_records}))
    if not issues:
        issues.extend(_date_issues(records, amendments))
    return issues


def _record_issues(record: PackRecord, regime_id: str, known: set[str]) -> Iterable[Issue]:
    if record.regime_id != regime_id:
        yield Issue(
            citation_id=record.citation_id,
            field="citation_id",
            message=f"must start with the pack id '{regime_id}:'",
        )
    for related in record.related:
        if regime_of(related) == regime_id and related not in known:
            yield Issue(
                citation_id=record.citation_id, field="related", message=f"unknown record '{related}'"
            )
    targets = [
        ("date_follows", record.date_follows),
        *(("also_applies_via", route.route) for route in record.also_applies_via),
    ]
    for field, target in targets:
        if target is not None and target not in known:
            yield Issue(citation_id=record.citation_id, field=field, message=f"unknown record '{target}'")
        if target == record.citation_id:
            yield Issue(citation_id=record.citation_id, field=field, message="a record cannot follow itself")


def _amendment_issues(
    amendment: Amendment, as_of: date, known: set[str], records: dict[str, PackRecord]
) -> Iterable[Issue]:
    where = f"amendments[{amendment.id}]"
    if amendment.status_date > as_of:
        yield Issue(
            citation_id=None,
            field=f"{where}.status_date",
            message=f"{amendment.status_date} is after the pack's as_of {as_of}",
        )
    for index, change in enumerate(amendment.changes):
        field = f"{where}.changes[{index}]"
        if change.citation_id not in known:
            yield Issue(
                citation_id=change.citation_id, field=f"{field}.citation_id", message="unknown record"
            )
            continue
        if change.obligation_id is not None:
            if change.scope is ChangeScope.SUBTREE:
                yield Issue(
                    citation_id=change.citation_id,
                    field=f"{field}.scope",
                    message="an obligation change must have scope 'record'",
                )
            if change.obligation_id not in {o.id for o in records[change.citation_id].obligations}:
                yield Issue(
                    citation_id=change.citation_id,
                    field=f"{field}.obligation_id",
                    message=f"unknown obligation '{change.obligation_id}'",
                )
        if change.field is ChangeField.NOTE and change.obligation_id is not None:
            yield Issue(
                citation_id=change.citation_id,
                field=f"{field}.field",
                message="notes apply to records, not obligations",
            )


def _date_issues(records: Sequence[PackRecord], amendments: Sequence[Amendment]) -> Iterable[Issue]:
    """A follower's own base date must match the base date of the record it follows; no cycles."""
    index = {r.citation_id: r for r in records}
    for amendment in amendments:
        for record in amendment.new_records:
            index.setdefault(record.citation_id, record.model_copy(update={"added_by": amendment.id}))
    for record in index.values():
        try:
            explain_date(record.citation_id, index, amendments, None)
        except ValueError as exc:
            yield Issue(citation_id=record.citation_id, field="date_follows", message=str(exc))
            continue
        if record.date_follows and record.applies_from is not None:
            followed = explain_date(record.date_follows, index, amendments, None).base
            if followed is not None and followed != record.applies_from:
                yield Issue(
                    citation_id=record.citation_id,
                    field="applies_from",
                    message=f"{record.applies_from} differs from the base date {followed} "
                    f"of {record.date_follows}, which it follows",
                )


def _section(lines: list[str], heading: str, items: Sequence[str]) -> None:
    if items:
        lines.append(f"{heading}:")
        lines.extend(f"- {item}" for item in items)


_ROLE_LABELS = {
    Role.GPAI_PROVIDER: "Provider of a general-purpose AI model",
    Role.GPAI_PROVIDER_SYSTEMIC_RISK: "Provider of a general-purpose AI model with systemic risk",
    Role.AUTHORISED_REPRESENTATIVE: "Authorised representative",
}


def _role_label(role: Role) -> str:
    return _ROLE_LABELS.get(role, role.value.replace("_", " ").capitalize())
