"""Where drafts come from and where they go: the organisation's templates and the Annex IV headings read
from the knowledge, and the stored drafts, attachments of an assessment version, in the audit log."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import DraftRow
from knowledge import store as knowledge_store
from knowledge.access import Audience
from knowledge.packs import Pack
from tools.audit import record_event
from tools.docs.schemas import (
    AnnexHeading,
    DocumentDraft,
    DocumentKind,
    DocumentTemplate,
    OutputFormat,
    TemplateSection,
)

if TYPE_CHECKING:
    from core.models import Chunk

# Which ingested documents are an organisation's template for a kind: a source id containing this.
TEMPLATE_SOURCE_MARKERS: dict[DocumentKind, str] = {
    DocumentKind.SYSTEM_CARD: "system-card",
    DocumentKind.MODEL_CARD: "model-card",
}
ANNEX_IV_PREFIX = "eu-ai-act:annex-iv-"


class StoredDraft(BaseModel):
    """A stored draft: an attachment of an assessment version."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    system_id: str
    assessment_id: int
    kind: DocumentKind
    format: OutputFormat
    filename: str
    sha256: str
    created_at: datetime
    created_by: str


def find_template(session: Session, kind: DocumentKind, *, audience: Audience) -> DocumentTemplate | None:
    """The organisation's ingested template for `kind` that `audience` may read (the most recently ingested
    when there are several), or None."""
    marker = TEMPLATE_SOURCE_MARKERS.get(kind)
    if marker is None:
        return None
    for document in knowledge_store.documents_with_source_marker(session=session, marker=marker):
        if not audience.can_read(document.visibility, list(document.groups)):
            continue
        chunks = knowledge_store.active_chunks_of(session=session, document_ids=[document.id])
        sections = _template_sections(chunks)
        if sections:
            return DocumentTemplate(source_id=document.source_id, title=document.title, sections=sections)
    return None


def _template_sections(chunks: list[Chunk]) -> list[TemplateSection]:
    """One section per heading (a long section's later windows add to its guidance), in document order."""
    by_citation: dict[str, TemplateSection] = {}
    for chunk in chunks:
        # The document's own title and introduction are not a section to fill.
        if chunk.level == "document" or chunk.citation_id in by_citation:
            continue
        by_citation[chunk.citation_id] = TemplateSection(
            heading=chunk.title,
            level=min(6, len(chunk.parents) + 2),
            citation=chunk.citation_id,
            guidance=_own_text(chunk),
        )
    parents = {p for chunk in chunks for p in chunk.parents}
    parents |= {chunk.parent_id for chunk in chunks if chunk.parent_id}
    return [s.model_copy(update={"has_children": s.citation in parents}) for s in by_citation.values()]


def _own_text(chunk: Chunk) -> str:
    """A section's text without the heading line the chunker may put in front."""
    lines = [line for line in chunk.text.splitlines() if line.strip()]
    if lines and lines[0].lstrip("# ").strip() == chunk.title.strip():
        lines = lines[1:]
    return "\n".join(lines)


def annex_iv_headings(packs: list[Pack]) -> list[AnnexHeading]:
    """The technical documentation's headings: the eu-ai-act pack's Annex IV points, in pack order, with
    points 1 and 2's sub-points one level down."""
    for pack in packs:
        if pack.regime_id != "eu-ai-act":
            continue
        headings = []
        for record in pack.records:
            if not record.citation_id.startswith(ANNEX_IV_PREFIX):
                continue
            depth = record.citation_id.removeprefix(ANNEX_IV_PREFIX).count("-")
            headings.append(AnnexHeading(citation=record.citation_id, title=record.title, level=2 + depth))
        return headings
    return []


def store_draft(
    session: Session,
    draft: DocumentDraft,
    *,
    fmt: OutputFormat,
    filename: str,
    content: bytes,
    actor: str,
    now: datetime,
) -> StoredDraft:
    """Keep the rendered draft as an attachment of its assessment version and record who drafted it."""
    digest = hashlib.sha256(content).hexdigest()
    row = DraftRow(
        assessment_id=draft.assessment_id,
        system_id=draft.system_id,
        kind=draft.kind.value,
        format=fmt.value,
        filename=filename,
        content=content,
        sha256=digest,
        draft=draft.model_dump(mode="json"),
        created_at=now,
        created_by=actor,
    )
    session.add(row)
    session.flush()
    record_event(
        session=session,
        actor=actor,
        action="document.drafted",
        subject=f"system:{draft.system_id}",
        details={
            "draft_id": row.id,
            "kind": draft.kind.value,
            "format": fmt.value,
            "assessment_version": draft.assessment_version,
            "template": draft.template.source_id if draft.template else None,
            "open_questions": draft.open_questions,
            "sha256": digest,
        },
        at=now,
    )
    return StoredDraft.model_validate(row)


def list_drafts(session: Session, *, system_id: str) -> list[StoredDraft]:
    """The drafts stored for a system, oldest first."""
    rows = session.scalars(select(DraftRow).where(DraftRow.system_id == system_id).order_by(DraftRow.id))
    return [StoredDraft.model_validate(r) for r in rows]


def load_draft(session: Session, draft_id: int) -> DocumentDraft | None:
    """The view model a stored draft was rendered from."""
    row = session.get(DraftRow, draft_id)
    return DocumentDraft.model_validate(row.draft) if row else None


def draft_content(session: Session, draft_id: int) -> bytes | None:
    """The stored file of one draft."""
    row = session.get(DraftRow, draft_id)
    return row.content if row else None
