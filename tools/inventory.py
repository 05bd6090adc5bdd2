"""The inventory of AI systems and their assessments: immutable, versioned triage results.

Recording a triage creates the system on first sight and adds the next assessment version. Each
assessment keeps, for every citation its result rests on, a hash of the knowledge-pack record behind
it, so that `retriage` can find the systems whose grounds changed in a knowledge update, triage them
again and report the difference. Rows stay in this module; callers get pydantic models.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, computed_field
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from core.clock import utc_now
from core.db import insert_or_ignore
from core.models import AISystem, Assessment
from knowledge import store
from knowledge.packs import Pack, load_packs, packs_fingerprint
from knowledge.packs.amendments import parent_id
from knowledge.packs.provenance import STATUS_LABELS
from knowledge.tiering import TieringStandard
from tools.audit import record_event
from tools.triage.schemas import (
    EuTier,
    Ground,
    Obligation,
    SystemProfile,
    SystemRef,
    TriageResult,
    TriageStatus,
)

TriageFn = Callable[[SystemProfile], TriageResult]

# Attempts at a free slug or version number when other writers take them at the same moment.
MAX_ATTEMPTS = 20


# --- public schemas ----------------------------------------------------------------------------------


class SystemPublic(BaseModel):
    """An inventory entry with the headline of its latest assessment."""

    id: str = Field(description="Stable slug, e.g. 'cv-screener'.")
    name: str
    description: str
    owner: str | None
    created_at: datetime
    updated_at: datetime
    latest_version: int | None = Field(default=None, description="Latest assessment version, if any.")
    eu_tier: EuTier | None = None
    internal_tier: str | None = None
    status: TriageStatus | None = None
    last_assessed_at: datetime | None = None


class AssessmentPublic(BaseModel):
    """One version of a system's triage, with the knowledge it was made on."""

    id: int
    system_id: str
    system_name: str
    version: int
    profile: SystemProfile
    result: TriageResult
    eu_tier: EuTier
    internal_tier: str
    status: TriageStatus
    knowledge_as_of: date
    knowledge_revision: str | None
    packs_fingerprint: str | None
    cited_records: dict[str, str | None] = Field(
        description="Citation id -> hash of the pack record behind it (None: not a pack record)."
    )
    created_at: datetime
    created_by: str


class AssessmentSummary(BaseModel):
    """One line of a system's assessment history."""

    version: int
    created_at: datetime
    created_by: str
    eu_tier: EuTier
    internal_tier: str
    status: TriageStatus
    knowledge_as_of: date


class TierChange(BaseModel):
    """A value before and after."""

    before: str
    after: str


class AssessmentDiff(BaseModel):
    """What changed between two assessments of the same system."""

    system_id: str
    from_version: int
    to_version: int
    eu_tier: TierChange | None = None
    internal_tier: TierChange | None = None
    status: TierChange | None = None
    grounds_added: list[Ground] = Field(
        default_factory=list, description="EU AI Act grounds, transparency and GPAI grounds, by citation."
    )
    grounds_removed: list[Ground] = Field(default_factory=list)
    obligations_added: list[Obligation] = Field(default_factory=list)
    obligations_removed: list[Obligation] = Field(default_factory=list)
    regimes_added: list[str] = Field(default_factory=list, description="Other regimes that now apply.")
    regimes_removed: list[str] = Field(default_factory=list, description="Regimes that no longer apply.")
    reviews_added: list[str] = Field(default_factory=list, description="Required review ids.")
    reviews_removed: list[str] = Field(default_factory=list)
    profile_fields_changed: list[str] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def changed(self) -> bool:
        """Whether anything differs."""
        return any(
            (
                self.eu_tier,
                self.internal_tier,
                self.status,
                self.grounds_added,
                self.grounds_removed,
                self.obligations_added,
                self.obligations_removed,
                self.regimes_added,
                self.regimes_removed,
                self.reviews_added,
                self.reviews_removed,
                self.profile_fields_changed,
            )
        )

    def summary_lines(self) -> list[str]:
        """The differences as short sentences, for people."""
        lines: list[str] = []
        for label, change in (("EU tier", self.eu_tier), ("internal tier", self.internal_tier)):
            if change:
                lines.append(f"{label}: {change.before} -> {change.after}")
        if self.status:
            lines.append(f"status: {self.status.before} -> {self.status.after}")
        lines += [f"+ ground {g.citation}: {g.reason}" for g in self.grounds_added]
        lines += [f"- ground {g.citation}: {g.reason}" for g in self.grounds_removed]
        lines += [f"+ obligation {o.citation} {o.title}{_from(o)}" for o in self.obligations_added]
        lines += [f"- obligation {o.citation} {o.title}{_from(o)}" for o in self.obligations_removed]
        lines += _status_notes(o.citation for o in self.obligations_added)
        lines += [f"+ regime {r} now applies" for r in self.regimes_added]
        lines += [f"- regime {r} no longer applies" for r in self.regimes_removed]
        lines += [f"+ review {r}" for r in self.reviews_added]
        lines += [f"- review {r}" for r in self.reviews_removed]
        if self.profile_fields_changed:
            lines.append("profile changed: " + ", ".join(self.profile_fields_changed))
        return lines


def _status_notes(citations: Iterable[str]) -> list[str]:
    """'status of SB 26-189: adopted, not yet applying: ... stayed ...': the status note of the records the
    new duties rest on, once per note, so a retriage that shows a law's new duties also shows what holds
    them back (a court's stay, a pending rulemaking). Grounds carry theirs in their reason already."""
    packs = {pack.regime_id: pack for pack in current_knowledge().packs}
    notes: dict[str, str] = {}
    for citation in citations:
        pack = packs.get(citation.partition(":")[0])
        if pack is None or not pack.has_record(citation):
            continue
        record = pack.record(citation)
        note = " ".join(record.status_note.split())
        if note and note not in notes:
            label = STATUS_LABELS[record.status]
            notes[note] = f"status of {record.instrument or record.locator}: {label}: {note}"
    return list(notes.values())


def _from(obligation: Obligation) -> str:
    """' (from 2027-01-01)': a retriage shows the dates that changed with the duties."""
    return f" (from {obligation.applies_from.isoformat()})" if obligation.applies_from else ""


class SystemDetail(BaseModel):
    """A system with its latest assessment, its history and what the latest version changed."""

    system: SystemPublic
    latest: AssessmentPublic | None
    history: list[AssessmentSummary]
    diff_from_previous: AssessmentDiff | None


class StaleAssessment(BaseModel):
    """A system whose latest assessment cites pack records that have changed since."""

    system_id: str
    name: str
    version: int
    changed_citations: list[str]


class RetriageOutcome(BaseModel):
    """What re-triaging one system produced."""

    system_id: str
    name: str
    changed_citations: list[str] = Field(description="Cited records that changed (empty if not asked).")
    previous_version: int
    new_version: int | None = None
    diff: AssessmentDiff | None = None
    error: str | None = Field(default=None, description="Why triage failed for this system, if it did.")


# --- the knowledge an assessment rests on -------------------------------------------------------------


# An assessment's `cited_records` also keep the tiering standard it was tiered under, under this prefix
# and the standard's doc id, so that a changed standard alone makes the assessment stale.
STANDARD_PREFIX = "tiering-standard:"


@dataclass(frozen=True)
class KnowledgeBasis:
    """The knowledge-pack records triage reads, and the tiering standard it applies, to fingerprint what an
    assessment rests on."""

    packs: tuple[Pack, ...]
    fingerprint: str
    standard: TieringStandard | None = field(default=None, compare=False)
    _by_regime: dict[str, Pack] = field(init=False, repr=False, compare=False)
    _record_ids: dict[str, set[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_regime", {p.regime_id: p for p in self.packs})
        object.__setattr__(
            self,
            "_record_ids",
            {p.regime_id: {r.citation_id for r in p.records} for p in self.packs},
        )

    @property
    def standard_key(self) -> str | None:
        """The `cited_records` key of the tiering standard, when one is known."""
        return f"{STANDARD_PREFIX}{self.standard.doc_id}" if self.standard else None

    def record_hash(self, citation_id: str) -> str | None:
        """A hash of the pack record `citation_id` rests on (itself or its nearest ancestor record), with
        its effective dates; for the tiering standard's key, a hash of the whole standard. None when no
        pack (or no standard of that id) holds it."""
        if citation_id.startswith(STANDARD_PREFIX):
            if self.standard is None or citation_id != self.standard_key:
                return None
            return hashlib.sha256(self.standard.model_dump_json().encode("utf-8")).hexdigest()
        regime = citation_id.partition(":")[0]
        pack = self._by_regime.get(regime)
        if pack is None:
            return None
        record_id = (
            citation_id if pack.has_record(citation_id) else parent_id(citation_id, self._record_ids[regime])
        )
        if record_id is None:
            return None
        record = pack.record(record_id)
        digest = hashlib.sha256()
        for part in (record_id, record.model_dump_json(), pack.record_text(record_id)):
            digest.update(part.encode("utf-8"))
            digest.update(b"\x00")
        return digest.hexdigest()


def current_knowledge(root: Path | None = None, *, standard: TieringStandard | None = None) -> KnowledgeBasis:
    """The knowledge packs as they are on disk now (loaded once per content fingerprint), with the tiering
    standard in force when given."""
    basis = _load_basis(str(root) if root else None, packs_fingerprint(root))
    return replace(basis, standard=standard) if standard is not None else basis


@lru_cache(maxsize=2)
def _load_basis(root: str | None, fingerprint: str) -> KnowledgeBasis:
    # `fingerprint` is part of the cache key only: changed pack files load afresh.
    return KnowledgeBasis(packs=tuple(load_packs(Path(root) if root else None)), fingerprint=fingerprint)


def cited_citations(result: TriageResult) -> list[str]:
    """Every citation a triage result rests on: grounds, transparency, GPAI, other regimes, obligations."""
    finding = result.eu_ai_act
    grounds = [*finding.grounds, *finding.transparency, *(finding.gpai.grounds if finding.gpai else [])]
    grounds += [g for regime in result.other_regimes for g in regime.grounds]
    cited = [g.citation for g in grounds] + [o.citation for o in result.obligations]
    return sorted(set(cited))


def _rests_on(result: TriageResult, basis: KnowledgeBasis) -> list[str]:
    keys = cited_citations(result)
    return [*keys, basis.standard_key] if basis.standard_key else keys


# --- writing -----------------------------------------------------------------------------------------


def record_assessment(
    *,
    session: Session,
    profile: SystemProfile,
    result: TriageResult,
    actor: str,
    owner: str | None = None,
    knowledge: KnowledgeBasis | None = None,
    now: datetime | None = None,
) -> AssessmentPublic:
    """Store a triage as the system's next assessment version, creating the system if it is new.

    `owner` is set when the system is created (default: `actor`). `knowledge` is the pack content the
    triage read (default: the packs on disk now); the cited records' hashes are kept for retriage.

    Idempotent: when the latest assessment was made from the same profile, on the same packs and tiering
    standard, with the same result, that assessment is returned and nothing is recorded, so a launch gate
    that triages on every push does not grow the history and reviews approved for it still count.
    """
    basis = knowledge or current_knowledge()
    stamp = now or utc_now()
    system = _ensure_system(session, profile=profile, owner=owner or actor, actor=actor, now=stamp)
    stored = result.model_copy(update={"system": SystemRef(id=system.id, name=system.name)})
    cited = {c: basis.record_hash(c) for c in _rests_on(result, basis)}
    unchanged = _unchanged_latest(
        session, system, profile=profile, result=stored, fingerprint=basis.fingerprint, cited=cited
    )
    if unchanged is not None:
        return unchanged
    values: dict[str, Any] = {
        "system_id": system.id,
        "profile": profile.model_dump(mode="json"),
        "result": stored.model_dump(mode="json"),
        "eu_tier": result.eu_ai_act.tier.value,
        "internal_tier": result.internal_tier,
        "status": result.status,
        "knowledge_as_of": result.knowledge_as_of,
        "knowledge_revision": store.get_meta(session=session, key=store.REVISION_KEY),
        "packs_fingerprint": basis.fingerprint,
        "cited_records": cited,
        "created_at": stamp,
        "created_by": actor,
    }
    for _ in range(MAX_ATTEMPTS):
        version = (
            session.scalar(select(func.max(Assessment.version)).where(Assessment.system_id == system.id)) or 0
        ) + 1
        assessment_id = insert_or_ignore(session, Assessment, {**values, "version": version})
        if assessment_id is not None:
            break
    else:
        raise RuntimeError(f"could not allocate an assessment version for {system.id}: too many writers")
    system.description = profile.description
    system.updated_at = stamp
    record_event(
        session=session,
        actor=actor,
        action="assessment.recorded",
        subject=f"system:{system.id}",
        details={
            "version": version,
            "eu_tier": result.eu_ai_act.tier.value,
            "internal_tier": result.internal_tier,
            "status": result.status,
        },
        at=stamp,
    )
    row = session.get_one(Assessment, assessment_id)
    return _assessment_public(row, system.name)


def import_assessment(
    *, session: Session, assessment: AssessmentPublic, actor: str
) -> AssessmentPublic | None:
    """Record an assessment made elsewhere (an evidence bundle's `assessments/v<N>.json`, the sample's saved
    history) as it was made: its result, and the knowledge it rested on (as-of date, pack fingerprint and
    cited record hashes), so that `retriage --changed` compares it with the knowledge here.

    Only into a system with no assessment yet, as its version 1: history is not rewritten under a
    system's own versions. None, with nothing recorded, when the system already has one.
    """
    existing = session.scalar(select(AISystem).where(AISystem.name == assessment.profile.name))
    if existing is not None and get_assessment(session=session, system_id=existing.id) is not None:
        return None
    stamp = utc_now()
    system = _ensure_system(session, profile=assessment.profile, owner=actor, actor=actor, now=stamp)
    stored = assessment.result.model_copy(update={"system": SystemRef(id=system.id, name=system.name)})
    values: dict[str, Any] = {
        "system_id": system.id,
        "version": 1,
        "profile": assessment.profile.model_dump(mode="json"),
        "result": stored.model_dump(mode="json"),
        "eu_tier": assessment.eu_tier,
        "internal_tier": assessment.internal_tier,
        "status": assessment.status,
        "knowledge_as_of": assessment.knowledge_as_of,
        "knowledge_revision": assessment.knowledge_revision,
        "packs_fingerprint": assessment.packs_fingerprint,
        "cited_records": dict(assessment.cited_records),
        "created_at": assessment.created_at,
        "created_by": assessment.created_by,
    }
    assessment_id = insert_or_ignore(session, Assessment, values)
    if assessment_id is None:  # another writer recorded version 1 at the same moment
        return None
    record_event(
        session=session,
        actor=actor,
        action="assessment.imported",
        subject=f"system:{system.id}",
        details={
            "version": 1,
            "knowledge_as_of": assessment.knowledge_as_of.isoformat(),
            "created_by": assessment.created_by,
        },
        at=stamp,
    )
    return _assessment_public(session.get_one(Assessment, assessment_id), system.name)


def profile_digest(profile: SystemProfile | dict[str, Any]) -> str:
    """SHA-256 of a profile's canonical JSON (validated, every field, sorted keys): equal for the same
    facts however the file was written (key order, comments, YAML or JSON)."""
    model = profile if isinstance(profile, SystemProfile) else SystemProfile.model_validate(profile)
    facts = model.model_dump(mode="json")
    # A profile without a model version keeps the digest it had before the field existed (stored gate
    # runs and bundles still match).
    if facts.get("model_version") is None:
        facts.pop("model_version", None)
    canonical = json.dumps(facts, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _unchanged_latest(
    session: Session,
    system: AISystem,
    *,
    profile: SystemProfile,
    result: TriageResult,
    fingerprint: str,
    cited: dict[str, str | None],
) -> AssessmentPublic | None:
    """The system's latest assessment when a new one would repeat it exactly, else None."""
    latest = session.scalars(
        select(Assessment)
        .where(Assessment.system_id == system.id)
        .order_by(Assessment.version.desc())
        .limit(1)
    ).first()
    if latest is None or latest.packs_fingerprint != fingerprint or dict(latest.cited_records) != cited:
        return None
    if profile_digest(latest.profile) != profile_digest(profile):
        return None
    if TriageResult.model_validate(latest.result) != result:
        return None
    return _assessment_public(latest, system.name)


def _ensure_system(
    session: Session, *, profile: SystemProfile, owner: str, actor: str, now: datetime
) -> AISystem:
    """The system called `profile.name`, created with a free slug as id if there is none yet."""
    existing = session.scalar(select(AISystem).where(AISystem.name == profile.name))
    if existing is not None:
        return existing
    # Imported here: the parsing package's import (its parsers, lxml) is no part of a cold `ask`.
    from knowledge.parsing.slugs import slugify

    base = slugify(profile.name)[:100] or "system"
    for attempt in range(1, MAX_ATTEMPTS + 1):
        candidate = base if attempt == 1 else f"{base}-{attempt}"
        values = {
            "id": candidate,
            "name": profile.name,
            "description": profile.description,
            "owner": owner,
            "created_at": now,
            "updated_at": now,
        }
        if insert_or_ignore(session, AISystem, values) is not None:
            record_event(
                session=session,
                actor=actor,
                action="system.created",
                subject=f"system:{candidate}",
                details={"name": profile.name, "owner": owner},
                at=now,
            )
            return session.get_one(AISystem, candidate)
        # Either another writer created this very system just now, or the slug belongs to another name.
        created = session.scalar(select(AISystem).where(AISystem.name == profile.name))
        if created is not None:
            return created
    raise RuntimeError(f"no free id for system {profile.name!r} after {MAX_ATTEMPTS} attempts")


# --- reading -----------------------------------------------------------------------------------------


def get_system(*, session: Session, name_or_id: str) -> SystemPublic | None:
    """The system with this id or name (exact, else case-insensitive if that is unambiguous)."""
    row = _find_system(session, name_or_id)
    return _system_public(session, row) if row else None


def list_systems(*, session: Session) -> list[SystemPublic]:
    """Every system by name, with the headline of its latest assessment."""
    latest = _latest_versions()
    stmt = (
        select(AISystem, Assessment)
        .outerjoin(latest, latest.c.system_id == AISystem.id)
        .outerjoin(
            Assessment, (Assessment.system_id == AISystem.id) & (Assessment.version == latest.c.version)
        )
        .order_by(AISystem.name)
    )
    return [_system_with(system, assessment) for system, assessment in session.execute(stmt).tuples()]


def system_ids_of(*, session: Session, people: Sequence[str]) -> set[str]:
    """The ids of the systems any of `people` (names in the audit log) triaged or owns."""
    names = sorted({p for p in people if p})
    triaged = select(Assessment.system_id).where(Assessment.created_by.in_(names))
    return set(
        session.scalars(select(AISystem.id).where(or_(AISystem.id.in_(triaged), AISystem.owner.in_(names))))
    )


def assessment_history(*, session: Session, system_id: str) -> list[AssessmentPublic]:
    """Every assessment of a system, oldest first (empty for an unknown system)."""
    stmt = (
        select(Assessment, AISystem.name)
        .join(AISystem, AISystem.id == Assessment.system_id)
        .where(Assessment.system_id == system_id)
        .order_by(Assessment.version)
    )
    return [_assessment_public(row, name) for row, name in session.execute(stmt).tuples()]


def get_assessment(
    *, session: Session, system_id: str, version: int | None = None
) -> AssessmentPublic | None:
    """One version of a system's assessment; the latest when `version` is None."""
    stmt = (
        select(Assessment, AISystem.name)
        .join(AISystem, AISystem.id == Assessment.system_id)
        .where(Assessment.system_id == system_id)
    )
    if version is None:
        stmt = stmt.order_by(Assessment.version.desc()).limit(1)
    else:
        stmt = stmt.where(Assessment.version == version)
    found = session.execute(stmt).tuples().first()
    return _assessment_public(*found) if found else None


def get_assessment_by_id(*, session: Session, assessment_id: int) -> AssessmentPublic | None:
    """The assessment with this database id."""
    row = session.get(Assessment, assessment_id)
    return _assessment_public(row, row.system.name) if row else None


def system_detail(*, session: Session, name_or_id: str) -> SystemDetail | None:
    """A system, its latest assessment, its history and the difference from the previous version."""
    row = _find_system(session, name_or_id)
    if row is None:
        return None
    history = assessment_history(session=session, system_id=row.id)
    latest = history[-1] if history else None
    return SystemDetail(
        system=_system_public(session, row),
        latest=latest,
        history=[AssessmentSummary.model_validate(a, from_attributes=True) for a in history],
        diff_from_previous=diff_assessments(history[-2], history[-1]) if len(history) > 1 else None,
    )


def diff_versions(*, session: Session, system_id: str, from_version: int, to_version: int) -> AssessmentDiff:
    """The difference between two stored versions; LookupError naming a version that does not exist."""
    found = []
    for version in (from_version, to_version):
        assessment = get_assessment(session=session, system_id=system_id, version=version)
        if assessment is None:
            raise LookupError(f"system {system_id!r} has no assessment version {version}")
        found.append(assessment)
    return diff_assessments(found[0], found[1])


def diff_assessments(old: AssessmentPublic, new: AssessmentPublic) -> AssessmentDiff:
    """What changed from `old` to `new`: tiers, status, grounds, obligations, regimes, reviews, profile."""
    before, after = old.result, new.result
    grounds_before, grounds_after = _grounds(before), _grounds(after)
    obligations_before = {(o.id, o.citation): o for o in before.obligations}
    obligations_after = {(o.id, o.citation): o for o in after.obligations}
    regimes_before = {r.regime for r in before.other_regimes if r.applies}
    regimes_after = {r.regime for r in after.other_regimes if r.applies}
    reviews_before = {r.id for r in before.required_reviews}
    reviews_after = {r.id for r in after.required_reviews}
    profile_before, profile_after = old.profile.model_dump(mode="json"), new.profile.model_dump(mode="json")
    return AssessmentDiff(
        system_id=new.system_id,
        from_version=old.version,
        to_version=new.version,
        eu_tier=_change(old.eu_tier, new.eu_tier),
        internal_tier=_change(old.internal_tier, new.internal_tier),
        status=_change(old.status, new.status),
        grounds_added=[g for c, g in grounds_after.items() if c not in grounds_before],
        grounds_removed=[g for c, g in grounds_before.items() if c not in grounds_after],
        obligations_added=[o for k, o in obligations_after.items() if k not in obligations_before],
        obligations_removed=[o for k, o in obligations_before.items() if k not in obligations_after],
        regimes_added=sorted(regimes_after - regimes_before),
        regimes_removed=sorted(regimes_before - regimes_after),
        reviews_added=sorted(reviews_after - reviews_before),
        reviews_removed=sorted(reviews_before - reviews_after),
        profile_fields_changed=sorted(
            k
            for k in profile_before.keys() | profile_after.keys()
            if profile_before.get(k) != profile_after.get(k)
        ),
    )


# --- retriage ----------------------------------------------------------------------------------------


def stale_assessments(*, session: Session, knowledge: KnowledgeBasis | None = None) -> list[StaleAssessment]:
    """Systems whose latest assessment cites pack records whose content changed since it was made, or
    was tiered under a tiering standard that has changed (or been replaced) since; assessments recorded
    without a standard fingerprint are judged on their pack records only."""
    basis = knowledge or current_knowledge()
    stale = []
    for assessment, name in _latest_assessments(session):
        changed = sorted(
            citation
            for citation, recorded in assessment.cited_records.items()
            # Without a standard in hand there is nothing to compare the recorded one with.
            if not (citation.startswith(STANDARD_PREFIX) and basis.standard is None)
            and basis.record_hash(citation) != recorded
        )
        if changed:
            stale.append(
                StaleAssessment(
                    system_id=assessment.system_id,
                    name=name,
                    version=assessment.version,
                    changed_citations=changed,
                )
            )
    return stale


def retriage(
    *,
    session: Session,
    triage_fn: TriageFn,
    actor: str,
    systems: Iterable[str] | None = None,
    knowledge: KnowledgeBasis | None = None,
    dry_run: bool = False,
) -> list[RetriageOutcome]:
    """Triage systems again from their latest profile and record the new versions, with their diffs.

    `systems` names systems (ids or names) to re-triage; None takes those whose cited records changed
    (`stale_assessments`). A triage that fails is reported on its system and the others go on. With
    `dry_run` nothing is triaged or recorded: the outcomes list what would be.
    """
    basis = knowledge or current_knowledge()
    targets: list[tuple[str, list[str]]]
    if systems is None:
        targets = [
            (s.system_id, s.changed_citations) for s in stale_assessments(session=session, knowledge=basis)
        ]
    else:
        targets = []
        for name_or_id in systems:
            row = _find_system(session, name_or_id)
            if row is None:
                raise LookupError(f"no system called {name_or_id!r} in the inventory")
            targets.append((row.id, []))
    outcomes = []
    for system_id, changed in targets:
        previous = get_assessment(session=session, system_id=system_id)
        if previous is None:
            raise LookupError(f"system {system_id!r} has no assessment to re-triage")
        outcome = RetriageOutcome(
            system_id=system_id,
            name=previous.system_name,
            changed_citations=changed,
            previous_version=previous.version,
        )
        if not dry_run:
            outcome = _retriage_one(session, previous, outcome, triage_fn=triage_fn, actor=actor, basis=basis)
        outcomes.append(outcome)
    return outcomes


def _retriage_one(
    session: Session,
    previous: AssessmentPublic,
    outcome: RetriageOutcome,
    *,
    triage_fn: TriageFn,
    actor: str,
    basis: KnowledgeBasis,
) -> RetriageOutcome:
    try:
        result = triage_fn(previous.profile)
    except Exception as exc:  # one system's failure must not stop the others
        return outcome.model_copy(update={"error": f"{type(exc).__name__}: {exc}"})
    new = record_assessment(
        session=session, profile=previous.profile, result=result, actor=actor, knowledge=basis
    )
    return outcome.model_copy(update={"new_version": new.version, "diff": diff_assessments(previous, new)})


# --- helpers -----------------------------------------------------------------------------------------


def _latest_versions() -> Any:
    return (
        select(Assessment.system_id, func.max(Assessment.version).label("version"))
        .group_by(Assessment.system_id)
        .subquery()
    )


def _latest_assessments(session: Session) -> list[tuple[Assessment, str]]:
    latest = _latest_versions()
    stmt = (
        select(Assessment, AISystem.name)
        .join(latest, (latest.c.system_id == Assessment.system_id) & (latest.c.version == Assessment.version))
        .join(AISystem, AISystem.id == Assessment.system_id)
        .order_by(AISystem.name)
    )
    return [(row, name) for row, name in session.execute(stmt).tuples()]


def _find_system(session: Session, name_or_id: str) -> AISystem | None:
    key = name_or_id.strip()
    found = session.get(AISystem, key) or session.scalar(select(AISystem).where(AISystem.name == key))
    if found is not None:
        return found
    matches = list(session.scalars(select(AISystem).where(func.lower(AISystem.name) == key.lower()).limit(2)))
    return matches[0] if len(matches) == 1 else None


def _system_public(session: Session, system: AISystem) -> SystemPublic:
    latest = session.scalars(
        select(Assessment)
        .where(Assessment.system_id == system.id)
        .order_by(Assessment.version.desc())
        .limit(1)
    ).first()
    return _system_with(system, latest)


def _system_with(system: AISystem, latest: Assessment | None) -> SystemPublic:
    return SystemPublic(
        id=system.id,
        name=system.name,
        description=system.description,
        owner=system.owner,
        created_at=system.created_at,
        updated_at=system.updated_at,
        latest_version=latest.version if latest else None,
        eu_tier=EuTier(latest.eu_tier) if latest else None,
        internal_tier=latest.internal_tier if latest else None,
        status=TriageStatus(latest.status) if latest else None,
        last_assessed_at=latest.created_at if latest else None,
    )


def _assessment_public(row: Assessment, system_name: str) -> AssessmentPublic:
    return AssessmentPublic(
        id=row.id,
        system_id=row.system_id,
        system_name=system_name,
        version=row.version,
        profile=SystemProfile.model_validate(row.profile),
        result=TriageResult.model_validate(row.result),
        eu_tier=EuTier(row.eu_tier),
        internal_tier=row.internal_tier,
        status=TriageStatus(row.status),
        knowledge_as_of=row.knowledge_as_of,
        knowledge_revision=row.knowledge_revision,
        packs_fingerprint=row.packs_fingerprint,
        cited_records=dict(row.cited_records),
        created_at=row.created_at,
        created_by=row.created_by,
    )


def _grounds(result: TriageResult) -> dict[str, Ground]:
    finding = result.eu_ai_act
    found: dict[str, Ground] = {}
    for ground in (*finding.grounds, *finding.transparency, *(finding.gpai.grounds if finding.gpai else ())):
        found.setdefault(ground.citation, ground)
    return found


def _change(before: str, after: str) -> TierChange | None:
    return TierChange(before=before, after=after) if before != after else None


__all__ = [
    "STANDARD_PREFIX",
    "AssessmentDiff",
    "AssessmentPublic",
    "AssessmentSummary",
    "KnowledgeBasis",
    "RetriageOutcome",
    "StaleAssessment",
    "SystemDetail",
    "SystemPublic",
    "TierChange",
    "TriageFn",
    "assessment_history",
    "cited_citations",
    "current_knowledge",
    "diff_assessments",
    "diff_versions",
    "get_assessment",
    "get_assessment_by_id",
    "get_system",
    "import_assessment",
    "list_systems",
    "profile_digest",
    "record_assessment",
    "retriage",
    "stale_assessments",
    "system_detail",
    "system_ids_of",
]
