"""The inventory of AI systems and their assessments: immutable, versioned triage results.

One module per job: `models` (the public models callers get), `store` (the rows: recording and reading
assessments; the only module that queries `AISystem` and `Assessment`), `fingerprints` (the knowledge an
assessment rests on), `diff` (what changed between two versions) and `retriage` (triage again the systems
whose knowledge changed). This package's names below are its public API: callers write
`from tools import inventory` and `inventory.record_assessment(...)`.
"""

from __future__ import annotations

from tools.inventory.diff import diff_assessments
from tools.inventory.fingerprints import STANDARD_PREFIX, KnowledgeBasis, cited_citations, current_knowledge
from tools.inventory.models import (
    AssessmentDiff,
    AssessmentPublic,
    AssessmentSummary,
    SystemDetail,
    SystemPublic,
    TierChange,
)
from tools.inventory.retriage import RetriageOutcome, StaleAssessment, TriageFn, retriage, stale_assessments
from tools.inventory.store import (
    assessment_history,
    diff_versions,
    get_assessment,
    get_assessment_by_id,
    get_system,
    import_assessment,
    list_systems,
    profile_digest,
    record_assessment,
    system_detail,
    system_ids_of,
)

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
