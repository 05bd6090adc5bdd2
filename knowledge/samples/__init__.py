"""The sample organisation's policy set (Northwind Mutual, a fictional insurer).

Data only, loaded on request (`make demo` or an explicit ingest of this folder); nothing here is read by
default. The constants name the files so callers do not hard-code paths.
"""

from __future__ import annotations

from pathlib import Path

SAMPLES_DIR = Path(__file__).resolve().parent
SAMPLE_TIERING_STANDARD = SAMPLES_DIR / "tiering-standard.yaml"
SAMPLE_PAST_REVIEWS = SAMPLES_DIR / "past-reviews.yaml"
# Saved inventory history: assessments recorded under an earlier knowledge revision, in the JSON form of an
# evidence bundle's `assessments/v<N>.json` (see inventory/README.md for how each was made).
SAMPLE_ASSESSMENTS: tuple[Path, ...] = tuple(sorted((SAMPLES_DIR / "inventory").glob("*.json")))
SAMPLE_POLICY_FILES: tuple[Path, ...] = tuple(
    SAMPLES_DIR / name
    for name in (
        "responsible-ai-policy.md",
        "model-risk-tiering-standard.md",
        "genai-acceptable-use-policy.md",
        "ai-incident-response-runbook.md",
        "supplier-ai-due-diligence-questionnaire.md",
        "model-card-template.md",
        "system-card-template.md",
    )
)
