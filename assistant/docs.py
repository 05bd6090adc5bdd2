"""Drafting review documents (system card, model card, FRIA, technical documentation) for a system in the
inventory: gather what govassist knows, build the view model, render it, keep it with the assessment."""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import BaseModel

from assistant.reviews import ReviewService
from assistant.triage import find_precedents, tiering_standard
from core.clock import utc_now
from core.config import Settings
from knowledge.access import Audience
from knowledge.index import KnowledgeIndex
from tools import inventory
from tools.docs.builder import build_draft
from tools.docs.render import render
from tools.docs.schemas import (
    FILE_SUFFIX,
    DocumentDraft,
    DocumentKind,
    DraftInputs,
    OutputFormat,
    PrecedentRef,
    TierPolicy,
)
from tools.docs.store import StoredDraft, annex_iv_headings, find_template, store_draft
from tools.inventory import AssessmentPublic
from tools.tasks import REVIEWS_SOURCE_ID


class DraftNotPossibleError(LookupError):
    """The system is unknown or has no assessment to draft from."""


class DraftedDocument(BaseModel):
    """A rendered draft, and where it was stored."""

    draft: DocumentDraft
    format: OutputFormat
    filename: str
    content: bytes
    stored: StoredDraft | None


def tier_policy(settings: Settings, assessment: AssessmentPublic) -> TierPolicy | None:
    """What the configured tiering standard says about the assessment's internal tier, provided the
    assessment was tiered under this very standard (same doc id and content); else None, so that a draft
    never states the policy of a standard the assessment did not use."""
    standard = tiering_standard(settings)
    basis = inventory.current_knowledge(standard=standard)
    key = basis.standard_key
    if key is None or key not in assessment.cited_records:
        return None
    if assessment.cited_records[key] != basis.record_hash(key):
        return None
    tier = next((t for t in standard.tiers if t.id == assessment.internal_tier), None)
    if tier is None:
        return None
    return TierPolicy(
        citation=key,
        tier_id=tier.id,
        tier_name=tier.name,
        approval_authority=tier.approval_authority,
        review_cycle_months=tier.review_cycle_months,
        evidence=list(tier.evidence),
    )


def draft_filename(draft: DocumentDraft, fmt: OutputFormat) -> str:
    """'<system-id>-<kind>-v<version>.<ext>'."""
    return f"{draft.system_id}-{draft.kind.value}-v{draft.assessment_version}{FILE_SUFFIX[fmt]}"


def draft_document(
    settings: Settings,
    index: KnowledgeIndex,
    *,
    system: str,
    kind: DocumentKind,
    fmt: OutputFormat,
    actor: str,
    audience: Audience | None = None,
    version: int | None = None,
    record: bool = True,
    now: datetime | None = None,
) -> DraftedDocument:
    """Draft `kind` for `system` (id or name) from its latest assessment (or `version`), render it as
    `fmt`, and (with `record`) store it as an attachment of that assessment, with an audit event naming
    `actor`.

    Precedent and the organisation's templates are read as `audience` (default: internal readers)."""
    reader = audience or Audience()
    stamp = now or utc_now()
    db = index.db
    with db.session() as session:
        found = inventory.get_system(session=session, name_or_id=system)
        if found is None:
            raise DraftNotPossibleError(
                f"no system {system!r} in the inventory; see 'govassist systems list'"
            )
        assessment = inventory.get_assessment(session=session, system_id=found.id, version=version)
        if assessment is None:
            missing = f"no assessment v{version}" if version else "no assessment yet: triage it first"
            raise DraftNotPossibleError(f"system {found.id} has {missing}")
        template = find_template(session, kind, audience=reader)
    tasks = ReviewService(settings, index).tasks_for_assessment(found.id, assessment.version)
    # The system's own decided reviews are indexed as past reviews too; precedent is about other systems.
    own_reviews = re.compile(rf"^{re.escape(REVIEWS_SOURCE_ID)}:{re.escape(found.id)}-v\d+-")
    precedents = [
        PrecedentRef(citation=p.citation, title=p.title)
        for p in find_precedents(index, assessment.profile, audience=reader)
        if not own_reviews.match(p.citation)
    ]
    inputs = DraftInputs(
        tier_policy=tier_policy(settings, assessment),
        system=found,
        assessment=assessment,
        tasks=tasks,
        precedents=precedents,
        template=template,
        annex_iv=annex_iv_headings(list(inventory.current_knowledge().packs)),
    )
    draft = build_draft(kind, inputs, actor=actor, now=stamp)
    content = render(draft, fmt)
    filename = draft_filename(draft, fmt)
    stored = None
    if record:
        with db.session() as session:
            stored = store_draft(
                session, draft, fmt=fmt, filename=filename, content=content, actor=actor, now=stamp
            )
    return DraftedDocument(draft=draft, format=fmt, filename=filename, content=content, stored=stored)
