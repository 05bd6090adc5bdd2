"""Built-in knowledge packs: regulations and frameworks as validated records in our own words.

Usage::

    from knowledge.packs import load_packs
    pack = next(p for p in load_packs() if p.regime_id == "eu-ai-act")
    pack.effective_date("eu-ai-act:annex-iii-4-a")   # base text plus adopted amendments
"""

from knowledge.packs.amendments import (
    AmendmentStatus,
    AppliedChange,
    Change,
    ChangeField,
    ChangeScope,
    DateExplanation,
    StatusEvent,
)
from knowledge.packs.loader import DEFAULT_ROOT, PackError, load_pack, load_packs, packs_fingerprint
from knowledge.packs.provenance import (
    HISTORICAL,
    Confidence,
    Provenance,
    RecordStatus,
    asks_about_history,
    read_provenance,
)
from knowledge.packs.schema import (
    Amendment,
    Comparison,
    Obligation,
    Pack,
    PackManifest,
    PackRecord,
    Penalty,
    PenaltyRule,
    Role,
    RouteDate,
    Threshold,
    TimeLimit,
    TimeUnit,
    is_citation_id,
)

__all__ = [
    "DEFAULT_ROOT",
    "HISTORICAL",
    "Amendment",
    "AmendmentStatus",
    "AppliedChange",
    "Change",
    "ChangeField",
    "ChangeScope",
    "Comparison",
    "Confidence",
    "DateExplanation",
    "Obligation",
    "Pack",
    "PackError",
    "PackManifest",
    "PackRecord",
    "Penalty",
    "PenaltyRule",
    "Provenance",
    "RecordStatus",
    "Role",
    "RouteDate",
    "StatusEvent",
    "Threshold",
    "TimeLimit",
    "TimeUnit",
    "asks_about_history",
    "is_citation_id",
    "load_pack",
    "load_packs",
    "packs_fingerprint",
    "read_provenance",
]
