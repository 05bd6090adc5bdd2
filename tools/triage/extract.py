"""Offline free-text extraction: a plain description of an AI system in, a `SystemProfile` out.

Two offline methods: phrase rules (`tools.triage.phrases`, over `phrases.yaml`) and embedding similarity of
the description's sentences to the use-case catalogue (`tools.triage.similarity`). This module decides each
field from their evidence. Extraction never downgrades: a field is only set to a value that could lower the
tier on explicit wording, and an Article 5 or Annex III use case that is suspected but not settled is not
dropped: it goes into `uncertain`, and `triage_extracted` turns it into a "Does the system ...?" question
(`tools.triage.questions`). `tools.triage.answers.apply_answer` folds a plain-word answer back in.

Usage::

    extracted = extract_profile("We screen CVs for our Berlin office.")
    extracted.profile.use_cases        # ['recruitment']
    result = triage_extracted(extracted)
    profile = apply_answer(extracted.profile, "profiling", "yes")  # tools.triage.answers
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, Field

from knowledge.embedder import Embedder, get_embedder
from tools.triage.catalogue import use_case, use_case_codes
from tools.triage.engine import triage
from tools.triage.figures import parse_flops
from tools.triage.phrases import (
    JURISDICTIONS,
    USE_CASES,
    Hit,
    Method,
    Sentence,
    load_phrasebook,
    phrase_hits,
    split_sentences,
)
from tools.triage.questions import question_for, uncertain_use_case
from tools.triage.schemas import (
    AnnexIProduct,
    MissingInformation,
    Role,
    SystemProfile,
    TriageResult,
    TriageStatus,
)
from tools.triage.similarity import RISKY, Similarity, similarity_scores

# Calibrated for the packaged MiniLM (sentence against catalogue description, cosine), on the labelled set
# in evals/datasets/triage_freetext.jsonl. A use case is accepted on similarity alone when it reaches
# DEFAULT_THRESHOLD and beats every other code by ACCEPT_MARGIN. A suspected Article 5 or Annex III use
# case becomes a question when it reaches the suspicion level, or when it is the closest such code and
# stands out from the others (STANDOUT_Z standard deviations above their mean) while falling at most
# STANDOUT_BAND short of the suspicion level: MiniLM scores some texts high against everything.
DEFAULT_THRESHOLD = 0.55
DEFAULT_SUSPICION = 0.42
ACCEPT_MARGIN = 0.05
STANDOUT_Z = 1.5
STANDOUT_BAND = 0.12
# A phrase rule at or above this confidence settles a field; below it, it can only raise a question.
PHRASE_ACCEPT = 0.6

_LIST_FIELDS = frozenset({USE_CASES, JURISDICTIONS})
_COMPUTE_WORDS = re.compile(r"\bflops?\b|floating[- ]point operations|training compute", re.IGNORECASE)


class FieldEvidence(BaseModel):
    """Why one profile field has its value (or, for an `uncertain` entry, why it is suspected)."""

    field: str = Field(description="Profile field, or `use_cases:<code>` for a suspected use case.")
    value: Any = Field(description="The value the evidence supports.")
    evidence: str = Field(description="The words in the description that support it.")
    confidence: float = Field(ge=0.0, le=1.0)
    method: Method


class ExtractedProfile(BaseModel):
    """A profile built from free text, with the evidence for each field and what is still unsettled."""

    profile: SystemProfile
    evidence: list[FieldEvidence]
    uncertain: list[str] = Field(
        description="Fields that would decide the tier and are not settled; `use_cases:<code>` for a "
        "suspected Article 5 or Annex III use case."
    )


# --- Deciding the profile ------------------------------------------------------------------------------

# The value of each yes/no field that could raise the tier or add obligations; the other value lowers.
RAISING: dict[str, bool] = {
    "in_eu_scope": True,
    "profiling": True,
    "interacts_with_people": True,
    "generates_synthetic_content": True,
    "deep_fake": True,
    "public_interest_text": True,
    "gpai_model": True,
    "open_source": False,
    "public_body_or_public_service": True,
    "personal_data": True,
    "third_party_conformity_assessment": True,
    "rebrands_or_modifies": True,
    "automated_decisions": True,
}
# Fields that decide the EU tier: an unsettled one becomes a question.
TIER_FIELDS = frozenset(
    {"in_eu_scope", "excluded_purpose", "annex_i_product", "third_party_conformity_assessment",
     "profiling", "derogation", "interacts_with_people", "generates_synthetic_content", "deep_fake",
     "public_interest_text", "gpai_model", "training_compute_flops"}
)  # fmt: skip


class _Builder:
    """Collects values, evidence and open questions while the extraction decides each field."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.evidence: list[FieldEvidence] = []
        self.uncertain: list[str] = []

    def _record(self, field: str, value: Any, hits: Sequence[Hit]) -> None:
        strongest = _strongest(hits)
        words = " / ".join(dict.fromkeys(hit.evidence for hit in hits))
        self.evidence.append(
            FieldEvidence(
                field=field,
                value=value,
                evidence=words,
                confidence=strongest.confidence,
                method=strongest.method,
            )
        )

    def set(self, field: str, value: Any, hits: Sequence[Hit]) -> None:
        self.values[field] = value
        self._record(field, value, hits)

    def add_item(self, hit: Hit) -> None:
        items: list[str] = self.values.setdefault(hit.field, [])
        if hit.value not in items:
            items.append(hit.value)
            self._record(hit.field, hit.value, [hit])

    def suspect(self, field: str, hits: Sequence[Hit]) -> None:
        if field not in self.uncertain:
            self.uncertain.append(field)
            self._record(field, _strongest(hits).value, hits)


def _strongest(hits: Iterable[Hit]) -> Hit:
    return max(hits, key=lambda hit: hit.confidence)


def _decide_scalar(builder: _Builder, field: str, hits: list[Hit]) -> None:
    """Settle one field from its phrase hits; conflicting or weak evidence keeps the protective value."""
    strong = [hit for hit in hits if hit.confidence >= PHRASE_ACCEPT]
    values = {str(hit.value) for hit in strong}
    if len(values) == 1:
        builder.set(field, strong[0].value, strong)
        return
    if len(values) > 1:
        if field == "in_eu_scope":
            builder.set(field, True, strong)
        elif field == "annex_i_product":
            product = _strongest(hit for hit in strong if hit.value is not AnnexIProduct.NONE).value
            builder.set(field, product, strong)
        elif field == "role":
            builder.set(field, Role.PROVIDER_AND_DEPLOYER, strong)  # obligations of both sides
        # Yes/no fields stay unknown (triage asks); excluded purpose and derogation stay at none.
        if field in TIER_FIELDS:
            builder.suspect(field, strong)
        return
    if hits and field in TIER_FIELDS:
        builder.suspect(field, hits)


def _decide_use_cases(
    builder: _Builder,
    hits: list[Hit],
    probes: list[str],
    scores: dict[str, Similarity],
    threshold: float,
    suspicion: float,
) -> None:
    """Accept use cases on strong phrase or similarity evidence; suspected risky ones go to `uncertain`."""
    denied: dict[str, set[str]] = {}
    for hit in hits:
        if hit.negated:
            denied.setdefault(hit.value, set()).add(hit.sentence)
    suspected: dict[str, list[Hit]] = {}
    for code in use_case_codes():
        code_hits = [hit for hit in hits if hit.value == code and not hit.negated]
        strong = [hit for hit in code_hits if hit.confidence >= PHRASE_ACCEPT]
        similar = scores.get(code)
        probe = probes[similar.probe] if similar else ""
        # A sentence that denies the use case ("it does not decide on credit") is no evidence for it.
        if similar is not None and probe not in denied.get(code, set()):
            hit = Hit(USE_CASES, code, min(1.0, max(0.0, similar.score)), probe, probe, "similarity")
            if similar.score >= threshold and similar.margin >= ACCEPT_MARGIN:
                strong.append(hit)
            elif similar.score >= suspicion or (similar.top_risky and similar.z >= STANDOUT_Z):
                code_hits.append(hit)
        if strong:
            builder.add_item(_strongest(strong))
        elif code_hits and use_case(code).category in RISKY:
            suspected[code] = code_hits
    # The closest risky code merely standing out is worth a question only where nothing risky is known yet.
    already_risky = any(use_case(code).category in RISKY for code in builder.values.get(USE_CASES, []))
    floor = suspicion if already_risky else suspicion - STANDOUT_BAND
    for code, code_hits in suspected.items():
        kept = [hit for hit in code_hits if hit.method == "phrase" or hit.confidence >= floor]
        if kept:
            builder.suspect(uncertain_use_case(code), kept)


def _compute_hit(sentences: list[Sentence]) -> Hit | None:
    """The training compute, from a sentence that gives a figure and speaks of FLOP or training compute."""
    for sentence in sentences:
        words = _COMPUTE_WORDS.search(sentence.text)
        value = parse_flops(sentence.text) if words else None
        if value is not None:
            return Hit("training_compute_flops", value, 0.9, sentence.text, sentence.text, "phrase")
    return None


def _default_name(text: str) -> str:
    name = " ".join(text.split()[:8])
    return (name[:77] + "...") if len(name) > 80 else name


def extract_profile(
    text: str,
    *,
    name: str | None = None,
    embedder: Embedder | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    suspicion: float = DEFAULT_SUSPICION,
) -> ExtractedProfile:
    """Turn a plain description into a `SystemProfile`, offline, with evidence for every field it sets.

    `embedder` defaults to the packaged MiniLM. `threshold` is the similarity at which a catalogue use
    case is accepted; `suspicion` the lower level at which an Article 5 or Annex III use case becomes a
    follow-up question (`uncertain`) instead. Both defaults are calibrated for MiniLM: pass both with
    another embedder. Raises ValueError for an empty text or thresholds out of order.
    """
    if not text or not text.strip():
        raise ValueError("description: the text is empty")
    if not 0.0 <= suspicion <= threshold <= 1.0:
        raise ValueError(f"threshold: expected 0 <= suspicion ({suspicion}) <= threshold ({threshold}) <= 1")
    book = load_phrasebook()
    text = text.strip()
    sentences = split_sentences(text)
    hits = phrase_hits(text, book)
    probes = [sentence.text for sentence in sentences]
    if len(probes) > 1:
        probes.append(text)
    scores = similarity_scores(probes, embedder or get_embedder("minilm"), book)

    builder = _Builder()
    use_case_hits = [hit for hit in hits if hit.field == USE_CASES]
    _decide_use_cases(builder, use_case_hits, probes, scores, threshold, suspicion)
    for hit in hits:
        if hit.field == JURISDICTIONS and hit.confidence >= PHRASE_ACCEPT:
            builder.add_item(hit)
    compute = _compute_hit(sentences)
    if compute is not None:
        builder.set(compute.field, compute.value, [compute])
    for field in sorted({hit.field for hit in hits} - _LIST_FIELDS):
        _decide_scalar(builder, field, [hit for hit in hits if hit.field == field])

    profile = SystemProfile(name=name or _default_name(text), description=text, **builder.values)
    return ExtractedProfile(profile=profile, evidence=builder.evidence, uncertain=builder.uncertain)


# --- Follow-up questions and triage ----------------------------------------------------------------------


def follow_up_questions(extracted: ExtractedProfile) -> list[MissingInformation]:
    """One question per `uncertain` entry: the suspected use cases and the unsettled deciding fields."""
    return [MissingInformation(field=field, question=question_for(field)) for field in extracted.uncertain]


def triage_extracted(extracted: ExtractedProfile, **triage_options: Any) -> TriageResult:
    """Triage the extracted profile, adding the extraction's own open questions first: a suspected use case
    or an unsettled deciding field makes the result `needs_information` rather than a quiet lower tier.

    `triage_options` go to `tools.triage.engine.triage` (packs, standard, as_of, system_id).
    """
    result = triage(extracted.profile, **triage_options)
    asked = {item.field for item in result.missing_information}
    extra = [question for question in follow_up_questions(extracted) if question.field not in asked]
    if not extra:
        return result
    return result.model_copy(
        update={
            "missing_information": [*extra, *result.missing_information],
            "status": TriageStatus.NEEDS_INFORMATION,
        }
    )
