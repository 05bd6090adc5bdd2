"""The knowledge govassist ships: the packs (indexed automatically, re-indexed when they change) and the
sample organisation (indexed only on request)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError

from knowledge import store
from knowledge.access import Visibility
from knowledge.index import KnowledgeIndex, content_hash
from knowledge.packs import load_packs, packs_fingerprint

if TYPE_CHECKING:
    from knowledge.ingest import IngestReport

SAMPLES_DIR = Path(__file__).resolve().parent / "samples"
PACKS_FINGERPRINT_KEY = "packs_fingerprint"
PACK_KEY_PREFIX = "pack:"
# How packs become indexed text (provenance lines, amendment wording). Bump it when that rendering changes
# so existing indexes pick up the new text although the pack files did not change.
PACK_RENDERING_VERSION = "2"

ProgressHook = Callable[[str, int], None]


def ensure_builtin_knowledge(
    index: KnowledgeIndex, *, on_progress: ProgressHook | None = None, packs_root: Path | None = None
) -> list[str]:
    """Index the shipped packs if they are new or changed since last time; returns the re-indexed pack ids.

    Cheap when nothing changed: one fingerprint of the pack files compared with the stored one.
    """
    fingerprint = f"{packs_fingerprint(packs_root)}+r{PACK_RENDERING_VERSION}"
    with index.db.session() as session:
        if store.get_meta(session=session, key=PACKS_FINGERPRINT_KEY) == fingerprint:
            return []
    # Only when something changed: the ingestion pipeline (parsers and all) is not needed to check.
    from knowledge.ingest import PIPELINE_VERSION

    changed: list[str] = []
    packs = load_packs(packs_root)
    for pack in packs:
        document = pack.to_document()
        # The rendered document, not only the pack's data: a rendering change re-indexes the pack.
        digest = content_hash(document.model_dump_json(), PIPELINE_VERSION)
        try:
            outcome = index.ingest(
                document,
                key=PACK_KEY_PREFIX + pack.regime_id,
                digest=digest,
                origin="pack",
                visibility=Visibility.PUBLIC,
                on_planned=partial(on_progress, pack.regime_id) if on_progress else None,
            )
        except IntegrityError:
            continue  # another process indexed this pack at the same moment; its result stands
        if outcome.status != "unchanged":
            changed.append(pack.regime_id)
    current = {PACK_KEY_PREFIX + p.regime_id for p in packs}
    with index.db.session() as session:
        stale = [
            d.key
            for d in store.list_documents(session=session)
            if d.origin == "pack" and d.key not in current
        ]
    for key in stale:
        index.remove(key)
    with index.db.session() as session:
        store.set_meta(session=session, key=PACKS_FINGERPRINT_KEY, value=fingerprint)
    return changed


def load_sample_organisation(index: KnowledgeIndex, **hooks: Callable) -> IngestReport:  # type: ignore[type-arg]
    """Index the fictional sample company's policies and past reviews (for the demo and trials)."""
    from knowledge.ingest import IngestRequest, ingest_paths
    from knowledge.sections import DocumentKind

    reviews = sorted(SAMPLES_DIR.glob("*review*.y*ml"))
    policies = [p for p in sorted(SAMPLES_DIR.glob("*.md")) if p.name.lower() != "readme.md"]
    report = ingest_paths(index, IngestRequest(paths=policies, kind=DocumentKind.POLICY), **hooks)
    review_report = ingest_paths(index, IngestRequest(paths=reviews, kind=DocumentKind.REVIEW), **hooks)
    report.outcomes += review_report.outcomes
    report.failures += review_report.failures
    return report
