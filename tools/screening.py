"""Releasing passages that ingest-time screening held back (`knowledge.screening`), with an audit trail.

Holding back is automatic; releasing is a person's decision, so it is recorded in the append-only audit
log (`knowledge.passage_released`) with who released which passage and why it had been held back.
"""

from __future__ import annotations

from knowledge.index import FlaggedPassageInfo, KnowledgeIndex
from tools.audit import record_event

RELEASE_ACTION = "knowledge.passage_released"


def release_passage(index: KnowledgeIndex, citation_id: str, *, actor: str) -> FlaggedPassageInfo | None:
    """Index the held-back passage `citation_id` and record who released it; None when nothing is held
    back under that id (nothing is recorded then)."""
    released = index.release(citation_id, released_by=actor)
    if released is None:
        return None
    with index.db.session() as session:
        record_event(
            session=session,
            actor=actor,
            action=RELEASE_ACTION,
            subject=f"passage:{citation_id}",
            details={
                "document": released.document,
                "rules": released.rules,
                "excerpt": released.excerpt,
                "flagged_at": released.flagged_at,
            },
        )
    return released
