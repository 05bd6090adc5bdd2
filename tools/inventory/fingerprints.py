"""The knowledge an assessment rests on: a fingerprint of every knowledge-pack record (and the tiering
standard) a triage result cites, so that a knowledge update shows which assessments it made stale."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from knowledge.packs import Pack, load_packs, packs_fingerprint
from knowledge.packs.amendments import parent_id
from knowledge.packs.provenance import STATUS_LABELS
from knowledge.tiering import TieringStandard
from tools.triage.schemas import TriageResult

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


def rests_on(result: TriageResult, basis: KnowledgeBasis) -> list[str]:
    """The `cited_records` keys of a result: its citations, and the tiering standard's key when known."""
    keys = cited_citations(result)
    return [*keys, basis.standard_key] if basis.standard_key else keys


def status_notes(citations: Iterable[str]) -> list[str]:
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
