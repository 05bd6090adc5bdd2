"""The inventory's rows: AI systems and their immutable, versioned assessments, written and read here only.

Recording a triage creates the system on first sight and adds the next assessment version, keeping for
every citation its result rests on a hash of the knowledge-pack record behind it
(`tools.inventory.fingerprints`). Callers get the pydantic models of `tools.inventory.models`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from core.clock import utc_now
from core.db import insert_or_ignore
from core.models import AISystem, Assessment
from knowledge import store
from tools.audit import record_event
from tools.inventory.diff import diff_assessments
from tools.inventory.fingerprints import KnowledgeBasis, current_knowledge, rests_on
from tools.inventory.models import (
    AssessmentDiff,
    AssessmentPublic,
    AssessmentSummary,
    SystemDetail,
    SystemPublic,
)
from tools.triage.schemas import SystemProfile, SystemRef, TriageResult

# Attempts at a free slug or version number when other writers take them at the same moment.
MAX_ATTEMPTS = 20


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
    cited = {c: basis.record_hash(c) for c in rests_on(result, basis)}
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
    return _stored(session, assessment_id)


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
    return _stored(session, assessment_id)


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
    latest = get_assessment(session=session, system_id=system.id)
    if latest is None or latest.packs_fingerprint != fingerprint or latest.cited_records != cited:
        return None
    if profile_digest(latest.profile) != profile_digest(profile) or latest.result != result:
        return None
    return latest


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
    return _one_system(session, row.id) if row else None


def list_systems(*, session: Session) -> list[SystemPublic]:
    """Every system by name, with the headline of its latest assessment."""
    rows = session.execute(_system_rows().order_by(AISystem.name))
    return [SystemPublic.model_validate(row, from_attributes=True) for row in rows]


def system_ids_of(*, session: Session, people: Sequence[str]) -> set[str]:
    """The ids of the systems any of `people` (names in the audit log) triaged or owns."""
    names = sorted({p for p in people if p})
    triaged = select(Assessment.system_id).where(Assessment.created_by.in_(names))
    return set(
        session.scalars(select(AISystem.id).where(or_(AISystem.id.in_(triaged), AISystem.owner.in_(names))))
    )


def assessment_history(*, session: Session, system_id: str) -> list[AssessmentPublic]:
    """Every assessment of a system, oldest first (empty for an unknown system)."""
    rows = session.execute(
        _assessment_rows().where(Assessment.system_id == system_id).order_by(Assessment.version)
    )
    return [AssessmentPublic.model_validate(row, from_attributes=True) for row in rows]


def get_assessment(
    *, session: Session, system_id: str, version: int | None = None
) -> AssessmentPublic | None:
    """One version of a system's assessment; the latest when `version` is None."""
    if version is None:
        return _one_assessment(session, Assessment.system_id == system_id, latest=True)
    return _one_assessment(session, Assessment.system_id == system_id, Assessment.version == version)


def get_assessment_by_id(*, session: Session, assessment_id: int) -> AssessmentPublic | None:
    """The assessment with this database id."""
    return _one_assessment(session, Assessment.id == assessment_id)


def system_detail(*, session: Session, name_or_id: str) -> SystemDetail | None:
    """A system, its latest assessment, its history and the difference from the previous version."""
    row = _find_system(session, name_or_id)
    if row is None:
        return None
    history = assessment_history(session=session, system_id=row.id)
    latest = history[-1] if history else None
    return SystemDetail(
        system=_one_system(session, row.id),
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


class CitedRecords(NamedTuple):
    """A system's latest assessment version and the record hashes it rests on."""

    system_id: str
    name: str
    version: int
    cited_records: dict[str, str | None]


def latest_cited_records(*, session: Session) -> list[CitedRecords]:
    """For every assessed system, by name, what its latest assessment rests on (for `stale_assessments`)."""
    latest = _latest_versions()
    stmt = (
        select(Assessment.system_id, AISystem.name, Assessment.version, Assessment.cited_records)
        .join(latest, (latest.c.system_id == Assessment.system_id) & (latest.c.version == Assessment.version))
        .join(AISystem, AISystem.id == Assessment.system_id)
        .order_by(AISystem.name)
    )
    return [
        CitedRecords(system_id, name, version, dict(cited))
        for system_id, name, version, cited in session.execute(stmt).tuples()
    ]


# --- helpers -----------------------------------------------------------------------------------------


def _latest_versions() -> Any:
    return (
        select(Assessment.system_id, func.max(Assessment.version).label("version"))
        .group_by(Assessment.system_id)
        .subquery()
    )


def _find_system(session: Session, name_or_id: str) -> AISystem | None:
    key = name_or_id.strip()
    found = session.get(AISystem, key) or session.scalar(select(AISystem).where(AISystem.name == key))
    if found is not None:
        return found
    matches = list(session.scalars(select(AISystem).where(func.lower(AISystem.name) == key.lower()).limit(2)))
    return matches[0] if len(matches) == 1 else None


# The public models read these flat rows by attribute (`model_validate(row, from_attributes=True)`): an
# assessment's columns with its system's name; a system's columns with the headline of its latest version.


def _assessment_rows() -> Select[Any]:
    return select(*Assessment.__table__.c, AISystem.name.label("system_name")).join(
        AISystem, AISystem.id == Assessment.system_id
    )


def _one_assessment(
    session: Session, *conditions: ColumnElement[bool], latest: bool = False
) -> AssessmentPublic | None:
    """The assessment meeting `conditions` (the highest version of them with `latest`), if any."""
    stmt = _assessment_rows().where(*conditions)
    if latest:
        stmt = stmt.order_by(Assessment.version.desc()).limit(1)
    row = session.execute(stmt).first()
    return AssessmentPublic.model_validate(row, from_attributes=True) if row else None


def _stored(session: Session, assessment_id: int) -> AssessmentPublic:
    """The assessment just written under `assessment_id`."""
    row = session.execute(_assessment_rows().where(Assessment.id == assessment_id)).one()
    return AssessmentPublic.model_validate(row, from_attributes=True)


def _system_rows() -> Select[Any]:
    latest = _latest_versions()
    return (
        select(
            *AISystem.__table__.c,
            Assessment.version.label("latest_version"),
            Assessment.eu_tier,
            Assessment.internal_tier,
            Assessment.status,
            Assessment.created_at.label("last_assessed_at"),
        )
        .outerjoin(latest, latest.c.system_id == AISystem.id)
        .outerjoin(
            Assessment, (Assessment.system_id == AISystem.id) & (Assessment.version == latest.c.version)
        )
    )


def _one_system(session: Session, system_id: str) -> SystemPublic:
    row = session.execute(_system_rows().where(AISystem.id == system_id)).one()
    return SystemPublic.model_validate(row, from_attributes=True)
