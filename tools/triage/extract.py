"""Offline free-text extraction: a plain description of an AI system in, a `SystemProfile` out.

Two methods, both offline: phrase rules (`phrases.yaml`, data) and embedding similarity of the
description's sentences to the use-case catalogue's descriptions. Every field set carries its evidence
and confidence. Extraction never downgrades: a field that would raise the tier is only set to a lowering
value on explicit wording, and an Article 5 or Annex III use case that is suspected but not settled is not
dropped: it goes into `uncertain` so that triage asks about it. `apply_answer` folds a plain-word answer
to a follow-up question back into the profile.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, TypeAdapter, ValidationError, model_validator

from knowledge.embedder import Embedder, get_embedder
from tools.triage.catalogue import CATALOGUE, UseCaseCategory, use_case, use_case_codes
from tools.triage.engine import NEEDS_INFORMATION, triage
from tools.triage.schemas import (
    AnnexIProduct,
    Derogation,
    ExcludedPurpose,
    MissingInformation,
    Role,
    SystemProfile,
    TriageResult,
)

PHRASES_PATH = Path(__file__).resolve().with_name("phrases.yaml")

# Calibrated for the packaged MiniLM on sentence-vs-description cosine similarity (see the labelled test).
# A use case is accepted on similarity alone when it reaches DEFAULT_THRESHOLD and beats every other code by
# ACCEPT_MARGIN. A suspected Article 5 or Annex III use case becomes a question when it reaches
# DEFAULT_SUSPICION, or when it is the closest such code and stands out from the rest (STANDOUT_Z standard
# deviations above their mean, and at least STANDOUT_FLOOR).
DEFAULT_THRESHOLD = 0.55
DEFAULT_SUSPICION = 0.42
ACCEPT_MARGIN = 0.05
STANDOUT_Z = 1.5
STANDOUT_FLOOR = 0.3
# A phrase rule at or above this confidence settles a field; below it, it can only raise a question.
PHRASE_ACCEPT = 0.6

USE_CASES = "use_cases"
_UNCERTAIN_USE_CASE = "use_cases:"

Method = Literal["phrase", "similarity", "llm"]


class FieldEvidence(BaseModel):
    """Why one profile field has the value it has (or, for an unsettled field, why it was suspected)."""

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


# --- The phrase book (phrases.yaml) ---------------------------------------------------------------------

_PROFILE_FIELDS = SystemProfile.model_fields
_NOT_EXTRACTED = {"name", "description"}
_LIST_FIELDS = {USE_CASES, "jurisdictions"}


def _check_value(field: str, value: Any) -> Any:
    """Validate one phrase-rule value against the profile field's type (list fields take one item)."""
    if field not in _PROFILE_FIELDS or field in _NOT_EXTRACTED:
        raise ValueError(f"unknown or non-extractable profile field {field!r}")
    if field == USE_CASES:
        use_case(str(value))  # KeyError naming the valid codes
        return str(value)
    if field == "jurisdictions":
        return str(value)
    return TypeAdapter(_PROFILE_FIELDS[field].annotation).validate_python(value)


class NegationRules(BaseModel):
    """How a negation cue in front of a match is recognised."""

    model_config = ConfigDict(extra="forbid")

    cues: str
    false_cues: str
    window: int = Field(ge=0)
    clause_breaks: str


class PhraseRule(BaseModel):
    """One phrase rule: a pattern and the fields a match sets."""

    model_config = ConfigDict(extra="forbid")

    id: str
    pattern: str
    sets: dict[str, Any]
    when_negated: dict[str, Any] | None = None
    context: str | None = None
    unless: str | None = None
    confidence: float = Field(gt=0.0, le=1.0)
    case_sensitive: bool = False
    _regex: re.Pattern[str] = PrivateAttr()
    _context: re.Pattern[str] | None = PrivateAttr(default=None)
    _unless: re.Pattern[str] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _compile(self) -> PhraseRule:
        flags = 0 if self.case_sensitive else re.IGNORECASE
        try:
            self._regex = re.compile(self.pattern, flags)
            self._context = re.compile(self.context, flags) if self.context else None
            self._unless = re.compile(self.unless, flags) if self.unless else None
        except re.error as exc:
            raise ValueError(f"rule {self.id!r}: bad pattern: {exc}") from exc
        for mapping in (self.sets, self.when_negated or {}):
            for field, value in mapping.items():
                try:
                    mapping[field] = _check_value(field, value)
                except (KeyError, ValueError, ValidationError) as exc:
                    raise ValueError(f"rule {self.id!r}, field {field!r}: {exc}") from exc
        return self

    def matches(self, text: str) -> Iterable[re.Match[str]]:
        """Matches of the pattern in `text`, if the rule's context occurs in it."""
        if self._context is not None and not self._context.search(text):
            return []
        return self._regex.finditer(text)

    def blocked_in(self, sentence: str) -> bool:
        """True if the rule's `unless` pattern occurs in `sentence`."""
        return self._unless is not None and bool(self._unless.search(sentence))


class PhraseBook(BaseModel):
    """The contents of phrases.yaml."""

    model_config = ConfigDict(extra="forbid")

    negation: NegationRules
    rules: list[PhraseRule]
    examples: dict[str, list[str]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> PhraseBook:
        ids = [rule.id for rule in self.rules]
        duplicates = sorted({rule_id for rule_id in ids if ids.count(rule_id) > 1})
        if duplicates:
            raise ValueError(f"duplicate rule ids: {', '.join(duplicates)}")
        for code in self.examples:
            use_case(code)
        return self


@cache
def load_phrasebook(path: Path = PHRASES_PATH) -> PhraseBook:
    """Read and validate the phrase rules; the error names the rule and field that is wrong."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        return PhraseBook.model_validate(data)
    except ValidationError as exc:
        raise ValueError(f"{path.name}: {exc}") from exc


# --- Sentences and negation --------------------------------------------------------------------------

_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+|;\s+|\s+[-–—]+\s+")
_ABBREVIATION = re.compile(r"\b(e\.g|i\.e|etc|vs|approx|incl|U\.S|U\.K|E\.U|Dr|Mr|Ms|No)\.$", re.IGNORECASE)


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    text: str


def split_sentences(text: str) -> list[_Span]:
    """The sentences of `text` with their offsets; short abbreviations do not end a sentence."""
    spans: list[_Span] = []
    start = 0
    for sep in _SPLIT.finditer(text):
        piece = text[start : sep.start()]
        if _ABBREVIATION.search(piece) and sep.group().strip() == "":
            continue
        if piece.strip():
            spans.append(_Span(start, sep.start(), piece.strip()))
        start = sep.end()
    if text[start:].strip():
        spans.append(_Span(start, len(text), text[start:].strip()))
    return spans


def _is_negated(prefix: str, negation: NegationRules) -> bool:
    """True if a negation cue closes `prefix` (the clause text before a match) within the window."""
    clause = re.split(negation.clause_breaks, prefix, flags=re.IGNORECASE)[-1]
    clause = re.sub(negation.false_cues, " ", clause, flags=re.IGNORECASE)
    cues = list(re.finditer(negation.cues, clause, flags=re.IGNORECASE))
    if not cues:
        return False
    words_between = re.findall(r"[\w'’-]+", clause[cues[-1].end() :])
    return len(words_between) <= negation.window


# --- Phrase hits ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Hit:
    field: str
    value: Any
    confidence: float
    evidence: str
    method: Method
    negated: bool = False


def phrase_hits(text: str, book: PhraseBook | None = None) -> list[_Hit]:
    """Every field value the phrase rules find in `text`, negated matches included (flagged)."""
    book = book or load_phrasebook()
    sentences = split_sentences(text)
    hits: list[_Hit] = []
    for rule in book.rules:
        for match in rule.matches(text):
            sentence = next((s for s in sentences if s.start <= match.start() < s.end), None)
            if sentence is None:
                continue
            if rule.blocked_in(sentence.text):
                continue
            negated = _is_negated(text[sentence.start : match.start()], book.negation)
            evidence = sentence.text
            if negated:
                for field in rule.sets.keys() & {USE_CASES}:
                    hits.append(_Hit(field, rule.sets[field], rule.confidence, evidence, "phrase", True))
                for field, value in (rule.when_negated or {}).items():
                    hits.append(_Hit(field, value, rule.confidence, evidence, "phrase"))
            else:
                for field, value in rule.sets.items():
                    hits.append(_Hit(field, value, rule.confidence, evidence, "phrase"))
    return hits


# --- Similarity ------------------------------------------------------------------------------------

_SIMILARITY_CODES = [entry.code for entry in CATALOGUE if entry.code != "other"]


@dataclass(frozen=True)
class _Reference:
    codes: list[str]
    vectors: np.ndarray


_references: dict[tuple[str, int], _Reference] = {}


def _reference_vectors(embedder: Embedder, book: PhraseBook) -> _Reference:
    """Embedded catalogue descriptions and our examples, one row per sentence, cached per embedder."""
    key = (embedder.name, id(embedder))
    if key not in _references:
        codes: list[str] = []
        texts: list[str] = []
        for code in _SIMILARITY_CODES:
            for sentence in [use_case(code).description, *book.examples.get(code, [])]:
                codes.append(code)
                texts.append(sentence)
        _references[key] = _Reference(codes, embedder.embed(texts))
    return _references[key]


def similarity_scores(
    sentences: Sequence[str], embedder: Embedder, book: PhraseBook | None = None
) -> dict[str, tuple[float, int]]:
    """For each catalogue code, the best cosine similarity to any of `sentences` and that sentence's index."""
    if not sentences:
        return {}
    book = book or load_phrasebook()
    reference = _reference_vectors(embedder, book)
    matrix = embedder.embed(list(sentences)) @ reference.vectors.T
    best: dict[str, tuple[float, int]] = {}
    for column, code in enumerate(reference.codes):
        row = int(np.argmax(matrix[:, column]))
        score = float(matrix[row, column])
        if code not in best or score > best[code][0]:
            best[code] = (score, row)
    return best


# --- Deciding the profile ------------------------------------------------------------------------------

# The value of each field that could raise the tier or add obligations; the other value lowers.
_RAISING: dict[str, Any] = {
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
# Fields whose default is the protective value and whose other values lower the tier.
_PROTECTIVE_DEFAULT: dict[str, Any] = {
    "excluded_purpose": ExcludedPurpose.NONE,
    "derogation": Derogation.NONE,
}
# Fields that decide the EU tier: an unsettled one becomes a question.
_TIER_FIELDS = {
    "in_eu_scope",
    "excluded_purpose",
    "annex_i_product",
    "third_party_conformity_assessment",
    "profiling",
    "derogation",
    "interacts_with_people",
    "generates_synthetic_content",
    "deep_fake",
    "public_interest_text",
    "gpai_model",
    "training_compute_flops",
}
_RISKY_CATEGORIES = {UseCaseCategory.ART5, UseCaseCategory.ANNEX_III}


def uncertain_use_case(code: str) -> str:
    """The `uncertain` entry for a suspected use case."""
    return f"{_UNCERTAIN_USE_CASE}{code}"


def _implied(code: str) -> dict[str, Any]:
    """Fields a use case settles by its nature (from the catalogue's transparency and factors)."""
    entry = use_case(code)
    implied: dict[str, Any] = {}
    if "eu-ai-act:art-50-1" in entry.transparency:
        implied["interacts_with_people"] = True
    if "eu-ai-act:art-50-2" in entry.transparency:
        implied["generates_synthetic_content"] = True
    if entry.category in _RISKY_CATEGORIES and code != "critical_infrastructure_safety":
        implied["personal_data"] = True
    return implied


class _Builder:
    """Collects values, evidence and open questions while the extraction decides each field."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.evidence: list[FieldEvidence] = []
        self.uncertain: list[str] = []

    def set(self, hit: _Hit, value: Any | None = None) -> None:
        value = hit.value if value is None else value
        self.values[hit.field] = value
        self.evidence.append(
            FieldEvidence(
                field=hit.field,
                value=value,
                evidence=hit.evidence,
                confidence=hit.confidence,
                method=hit.method,
            )
        )

    def add_item(self, hit: _Hit) -> None:
        items: list[str] = self.values.setdefault(hit.field, [])
        if hit.value not in items:
            items.append(hit.value)
            self.evidence.append(
                FieldEvidence(
                    field=hit.field,
                    value=hit.value,
                    evidence=hit.evidence,
                    confidence=hit.confidence,
                    method=hit.method,
                )
            )

    def suspect(self, field: str, hit: _Hit) -> None:
        if field not in self.uncertain:
            self.uncertain.append(field)
            self.evidence.append(
                FieldEvidence(
                    field=field,
                    value=hit.value,
                    evidence=hit.evidence,
                    confidence=hit.confidence,
                    method=hit.method,
                )
            )


def _strongest(hits: Iterable[_Hit]) -> _Hit:
    return max(hits, key=lambda hit: hit.confidence)


def _decide_scalar(builder: _Builder, field: str, hits: list[_Hit]) -> None:
    """Settle one scalar field from its phrase hits, never to a lowering value without strong evidence."""
    strong = [hit for hit in hits if hit.confidence >= PHRASE_ACCEPT]
    weak = [hit for hit in hits if hit.confidence < PHRASE_ACCEPT]
    values = {_key(hit.value) for hit in strong}
    if len(values) == 1:
        builder.set(_strongest(strong))
        return
    if len(values) > 1:
        _decide_conflict(builder, field, strong)
        return
    if weak and field in _TIER_FIELDS:
        builder.suspect(field, _strongest(weak))


def _decide_conflict(builder: _Builder, field: str, strong: list[_Hit]) -> None:
    """Conflicting explicit evidence: keep the protective value and ask."""
    if field in _RAISING:
        raising = [hit for hit in strong if hit.value == _RAISING[field]]
        if field == "in_eu_scope":
            builder.set(_strongest(raising))
    elif field == "annex_i_product":
        builder.set(_strongest(hit for hit in strong if hit.value != AnnexIProduct.NONE))
    elif field == "role":
        builder.set(_strongest(strong), Role.PROVIDER_AND_DEPLOYER)
        return  # the role changes obligations, not the tier: no question
    elif field in _PROTECTIVE_DEFAULT:
        pass  # stays at the protective default
    if field in _TIER_FIELDS:
        builder.suspect(field, _strongest(strong))


def _key(value: Any) -> str:
    return str(value)


_FLOP_NUMBER = re.compile(
    r"(?P<mantissa>\d+(?:[.,]\d+)?)\s*(?:[eE]\s*(?P<exp1>[+-]?\d+)"
    r"|\s*(?:x|×|\*)\s*10\s*(?:\^|\*\*)\s*(?P<exp2>[+-]?\d+))"
    r"|(?<![\d.])10\s*(?:\^|\*\*)\s*(?P<exp3>[+-]?\d+)"
    r"|(?P<plain>\d{1,3}(?:,\d{3}){4,}|\d{13,})"
)
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_FLOP_UNIT = re.compile(r"\bflop(s)?\b|floating[- ]point operations", re.IGNORECASE)


def parse_flops(text: str) -> float | None:
    """A training-compute figure written as 3e24, 3 x 10^24, 10^25, 3×10²⁴ or in full; None if none."""
    normalised = re.sub(r"10([⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+)", lambda m: "10^" + m.group(1).translate(_SUPERSCRIPTS), text)
    match = _FLOP_NUMBER.search(normalised)
    if match is None:
        return None
    if match.group("plain"):
        return float(match.group("plain").replace(",", ""))
    if match.group("exp3"):
        return 10.0 ** int(match.group("exp3"))
    mantissa = float(match.group("mantissa").replace(",", "."))
    exponent = int(match.group("exp1") or match.group("exp2"))
    return mantissa * 10.0**exponent


def _compute_evidence(text: str) -> _Hit | None:
    """The training compute, when a figure appears next to a FLOP unit."""
    for sentence in split_sentences(text):
        if _FLOP_UNIT.search(sentence.text) or re.search(r"training compute", sentence.text, re.IGNORECASE):
            value = parse_flops(sentence.text)
            if value is not None:
                return _Hit("training_compute_flops", value, 0.9, sentence.text, "phrase")
    return None


def _decide_use_cases(
    builder: _Builder,
    hits: list[_Hit],
    sentences: list[_Span],
    scores: dict[str, tuple[float, int]],
    threshold: float,
    suspicion: float,
) -> None:
    """Accept use cases with strong phrase or similarity evidence; put suspected risky ones in `uncertain`."""
    denied_sentences: dict[str, set[str]] = {}
    for hit in hits:
        if hit.negated:
            denied_sentences.setdefault(hit.value, set()).add(hit.evidence)
    positive = [hit for hit in hits if not hit.negated]
    standings = _standings(scores)
    for code in use_case_codes():
        code_hits = [hit for hit in positive if hit.value == code]
        strong = [hit for hit in code_hits if hit.confidence >= PHRASE_ACCEPT]
        if strong:
            builder.add_item(_strongest(strong))
            continue
        similar = _similarity_hit(code, sentences, scores, denied_sentences.get(code, set()))
        standing = standings.get(code)
        if similar is None or standing is None:
            similar = None
        elif similar.confidence >= threshold and standing.margin >= ACCEPT_MARGIN:
            builder.add_item(similar)
            continue
        if use_case(code).category not in _RISKY_CATEGORIES:
            continue
        suspected = list(code_hits)
        if similar is not None and standing is not None:
            stands_out = (
                standing.top_risky and standing.z >= STANDOUT_Z and similar.confidence >= STANDOUT_FLOOR
            )
            if similar.confidence >= suspicion or stands_out:
                suspected.append(similar)
        if suspected:
            builder.suspect(uncertain_use_case(code), _strongest(suspected))


@dataclass(frozen=True)
class _Standing:
    """How one code's similarity compares with the other codes' for the same description."""

    margin: float  # its score minus the best score of any other code
    top_risky: bool  # the closest Article 5 or Annex III description
    z: float  # standard score among the Article 5 and Annex III codes


def _standings(scores: dict[str, tuple[float, int]]) -> dict[str, _Standing]:
    """Each code's standing; MiniLM gives some texts a high similarity to everything, so rank matters."""
    if not scores:
        return {}
    risky = {code: value[0] for code, value in scores.items() if use_case(code).category in _RISKY_CATEGORIES}
    values = np.array(list(risky.values()) or [0.0])
    mean, spread = float(values.mean()), float(values.std()) or 1.0
    top = max(risky, key=lambda code: risky[code]) if risky else None
    standings = {}
    for code, (score, _row) in scores.items():
        best_other = max((value[0] for other, value in scores.items() if other != code), default=0.0)
        standings[code] = _Standing(
            margin=score - best_other, top_risky=code == top, z=(score - mean) / spread
        )
    return standings


def _similarity_hit(
    code: str, sentences: list[_Span], scores: dict[str, tuple[float, int]], denied: set[str]
) -> _Hit | None:
    """The similarity evidence for `code`, unless its best sentence is one that explicitly denies it."""
    if code not in scores:
        return None
    score, row = scores[code]
    sentence = sentences[row].text if row < len(sentences) else " ".join(s.text for s in sentences)
    if sentence in denied:
        return None
    return _Hit(USE_CASES, code, max(0.0, min(1.0, score)), sentence, "similarity")


def _default_name(text: str) -> str:
    words = text.split()
    name = " ".join(words[:8])
    return (name[:77] + "...") if len(name) > 80 else name


def extract_profile(
    text: str,
    *,
    name: str | None = None,
    embedder: Embedder | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    suspicion: float = DEFAULT_SUSPICION,
) -> ExtractedProfile:
    """Turn a plain description into a `SystemProfile`, offline, with evidence for every field set.

    `threshold` is the similarity at which a catalogue use case is accepted; `suspicion` the lower level
    at which an Article 5 or Annex III use case becomes a follow-up question (`uncertain`) instead. The
    defaults are calibrated for the packaged MiniLM; pass both when using another embedder.

    >>> extract_profile("Chatbot on our shop that answers customer questions.").profile.use_cases
    ['customer_chatbot']
    """
    if not text or not text.strip():
        raise ValueError("description: the text is empty")
    if not 0.0 <= suspicion <= threshold <= 1.0:
        raise ValueError("threshold: expected 0 <= suspicion <= threshold <= 1")
    book = load_phrasebook()
    embedder = embedder or get_embedder("minilm")
    text = text.strip()
    sentences = split_sentences(text)
    hits = phrase_hits(text, book)

    builder = _Builder()
    probes = [sentence.text for sentence in sentences]
    if len(probes) > 1:
        probes.append(" ".join(probes))
    scores = similarity_scores(probes, embedder, book)
    _decide_use_cases(
        builder, [h for h in hits if h.field == USE_CASES], sentences, scores, threshold, suspicion
    )

    for hit in (h for h in hits if h.field == "jurisdictions"):
        if hit.confidence >= PHRASE_ACCEPT:
            builder.add_item(hit)
    compute = _compute_evidence(text)
    if compute is not None:
        builder.set(compute)
    scalar_fields = sorted({hit.field for hit in hits} - _LIST_FIELDS)
    for field in scalar_fields:
        _decide_scalar(builder, field, [hit for hit in hits if hit.field == field])

    for item in [e for e in builder.evidence if e.field == USE_CASES]:
        for field, value in _implied(str(item.value)).items():
            if field not in builder.values and field not in builder.uncertain:
                builder.set(_Hit(field, value, item.confidence, item.evidence, item.method))

    values = dict(builder.values)
    profile = SystemProfile(name=(name or _default_name(text)), description=text, **values)
    return ExtractedProfile(profile=profile, evidence=builder.evidence, uncertain=builder.uncertain)


# --- Follow-up questions and triage ----------------------------------------------------------------------

_FIELD_QUESTIONS: dict[str, str] = {
    "in_eu_scope": "Is the system placed on the EU market, put into service in the EU, or is its output used "
    "in the EU?",
    "excluded_purpose": "Is the system used only for scientific research, only for military or defence "
    "purposes, only for testing before it is placed on the market, or only for personal use?",
    "annex_i_product": "Is the system a product, or a safety component of a product, under EU product "
    "legislation (Annex I): a medical device, in vitro diagnostic, machinery, toy, lift, radio equipment, "
    "vehicle or aircraft?",
    "third_party_conformity_assessment": "Does the product need a conformity assessment by a notified body?",
    "derogation": "Does the system only perform a narrow procedural task, improve a completed human "
    "activity, detect patterns in past decisions, or do a preparatory task, without replacing the human "
    "assessment?",
    "profiling": "Does the system profile people, i.e. evaluate personal aspects such as work performance, "
    "economic situation, health, preferences, behaviour, location or movements?",
    "interacts_with_people": "Does the system interact directly with people (chat, voice, messages)?",
    "generates_synthetic_content": "Does the system generate or manipulate text, images, audio or video?",
    "deep_fake": "Can its generated images, audio or video resemble real people, places or events?",
    "public_interest_text": "Is generated text published to inform the public on matters of public interest?",
    "gpai_model": "Is the system, or does it provide, a general-purpose AI model?",
    "training_compute_flops": "How much compute (in FLOP) was used in total to train the model?",
}

_TIER_WORDS = {UseCaseCategory.ART5: "prohibited", UseCaseCategory.ANNEX_III: "high-risk"}


def _base_form(verb: str) -> str:
    """'Recruits' -> 'recruit', 'identifies' -> 'identify', 'watches' -> 'watch', 'assesses' -> 'assess'."""
    word = verb.lower()
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes", "zes")):
        return word[:-2]
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


# Verbs that appear later in a catalogue description, after "or", "and" or a comma ("... or sets ...").
_LATER_VERBS = frozenset(
    {"sets", "allocates", "monitors", "evaluates", "grants", "reduces", "revokes", "dispatches", "prioritises",
     "triages", "assesses", "manipulates", "expands", "ranks", "selects", "supports", "recognises",
     "identifies", "chats", "interprets", "applies", "researches"}
)  # fmt: skip


def use_case_question(code: str) -> str:
    """'Does the system ...?' from the catalogue description, saying which tier a yes leads to."""
    entry = use_case(code)
    words = entry.description.rstrip(".").split(" ")
    # The description opens with verbs in the third person ("Detects, recognises or identifies people").
    leading = True
    for index, word in enumerate(words):
        bare = word.rstrip(",").lower()
        joint = index > 0 and (words[index - 1] in {"or", "and"} or words[index - 1].endswith(","))
        if leading or (joint and bare in _LATER_VERBS):
            words[index] = _base_form(bare) + ("," if word.endswith(",") else "")
        if leading and bare not in {"or", "and"}:
            leading = word.endswith(",") or words[index + 1 : index + 2] in (["or"], ["and"])
    tier = _TIER_WORDS.get(entry.category)
    consequence = f" If it does, it is {tier} ({entry.citation})." if tier else ""
    return f"Does the system {' '.join(words)}?{consequence}"


def follow_up_questions(extracted: ExtractedProfile) -> list[MissingInformation]:
    """One question per `uncertain` entry: the suspected use cases and the unsettled deciding fields."""
    questions = []
    for field in extracted.uncertain:
        if field.startswith(_UNCERTAIN_USE_CASE):
            question = use_case_question(field.removeprefix(_UNCERTAIN_USE_CASE))
        else:
            question = _FIELD_QUESTIONS.get(field, f"Please confirm '{field}' for this system.")
        questions.append(MissingInformation(field=field, question=question))
    return questions


def triage_extracted(extracted: ExtractedProfile, **triage_options: Any) -> TriageResult:
    """Triage the extracted profile and add the extraction's own open questions: a suspected use case or
    an unsettled deciding field makes the result `needs_information` instead of a quiet lower tier.

    `triage_options` go to `tools.triage.engine.triage` (packs, standard, as_of, system_id).
    """
    result = triage(extracted.profile, **triage_options)
    asked = {item.field for item in result.missing_information}
    extra = [question for question in follow_up_questions(extracted) if question.field not in asked]
    if not extra:
        return result
    return result.model_copy(
        update={"missing_information": [*extra, *result.missing_information], "status": NEEDS_INFORMATION}
    )


# --- Answers to follow-up questions ---------------------------------------------------------------------

_UNSURE = re.compile(
    r"\b(not sure|unsure|don'?t know|do not know|dunno|no idea|unknown|maybe|perhaps|possibly|"
    r"can'?t say|cannot say|not certain|uncertain|tbd|idk|unclear)\b"
)
_YES = re.compile(
    r"^(yes|y|yeah|yep|yup|true|correct|right|sure|absolutely|definitely|indeed|affirmative|"
    r"it (does|is|will)|we (do|are|will)|they (do|are))\b"
)
_NO = re.compile(
    r"^(no|n|nope|nah|false|incorrect|never|none|not at all|"
    r"it (does not|doesn'?t|is not|isn'?t|won'?t)|we (do not|don'?t|are not|aren'?t)|they (don'?t|aren'?t))\b"
)


def _normalise(answer: str) -> str:
    return re.sub(r"\s+", " ", answer.strip().lower()).strip(" .!")


def _yes_no(field: str, answer: str) -> bool | None:
    """True, False or None (not sure); ValueError naming `field` if the answer is neither."""
    text = _normalise(answer)
    if _UNSURE.search(text):
        return None
    if _YES.search(text):
        return True
    if _NO.search(text):
        return False
    raise ValueError(f"{field}: could not understand {answer!r}; answer yes, no or not sure")


def _places(answer: str) -> list[str]:
    """The jurisdictions the answer names, using the phrase book's place rules."""
    book = load_phrasebook()
    found: list[str] = []
    for hit in phrase_hits(answer, book):
        if hit.field == "jurisdictions" and hit.value not in found:
            found.append(hit.value)
    return found


def _updated(profile: SystemProfile, changes: dict[str, Any]) -> SystemProfile:
    """A validated copy of `profile` with `changes` applied."""
    # Only the fields set so far: triage tells a declared value from an unknown one by `model_fields_set`.
    return SystemProfile.model_validate({**profile.model_dump(exclude_unset=True), **changes})


def _merge(old: list[str], new: list[str]) -> list[str]:
    return [*old, *(item for item in new if item not in old)]


def _answer_scope(profile: SystemProfile, field: str, answer: str) -> SystemProfile:
    """in_eu_scope / jurisdictions: yes, no, not sure, or places ('only in the US', 'the EU and NYC')."""
    text = _normalise(answer)
    places = _places(answer)
    only = bool(re.search(r"\b(only|exclusively|solely|just)\b", text))
    if places:
        in_eu = "EU" in places
        if not in_eu and field == "jurisdictions" and not only:
            return _updated(profile, {"jurisdictions": _merge(profile.jurisdictions, places)})
        jurisdictions = places if only else _merge(profile.jurisdictions, places)
        return _updated(profile, {"in_eu_scope": in_eu, "jurisdictions": jurisdictions})
    if field == "jurisdictions":
        raise ValueError(f"{field}: could not find a place in {answer!r}; name them, e.g. 'the EU and NYC'")
    verdict = _yes_no(field, answer)
    # Not sure keeps the protective value: in scope.
    return _updated(profile, {"in_eu_scope": verdict is not False})


def _answer_compute(profile: SystemProfile, field: str, answer: str) -> SystemProfile:
    text = _normalise(answer)
    if _UNSURE.search(text):
        return _updated(profile, {field: None})
    if re.search(r"\b(less than|below|under|at most|up to)\b", text):
        raise ValueError(f"{field}: {answer!r} is a bound; give an estimate such as 'about 3e24 FLOP'")
    value = parse_flops(answer)
    if value is None:
        raise ValueError(f"{field}: could not read a number from {answer!r}; e.g. 'about 3e24 FLOP'")
    return _updated(profile, {field: value})


_ROLE_WORDS: list[tuple[str, Role]] = [
    (
        r"\bboth\b|provider and (the )?deployer|deployer and (the )?provider|build and (also )?use",
        Role.PROVIDER_AND_DEPLOYER,
    ),
    (r"\bimport", Role.IMPORTER),
    (r"\bdistribut|\bresell", Role.DISTRIBUTOR),
    (
        r"\bdeployer\b|\bwe (only )?(use|bought|buy|license|licence|procure|subscribe)|\bfrom a vendor\b",
        Role.DEPLOYER,
    ),
    (r"\bprovider\b|\bwe (built|build|develop\w*|made|make|sell|offer|trained|train)\b", Role.PROVIDER),
]
_ANNEX_I_WORDS: list[tuple[str, AnnexIProduct]] = [
    (r"in[- ]vitro|\bivd\b", AnnexIProduct.IN_VITRO_DIAGNOSTIC),
    (r"medical device|\bmdr\b|\bsamd\b", AnnexIProduct.MEDICAL_DEVICE),
    (r"\bmachine(ry|s)?\b|\brobots?\b", AnnexIProduct.MACHINERY),
    (r"\btoys?\b", AnnexIProduct.TOY),
    (r"\blifts?\b|\belevators?\b", AnnexIProduct.LIFT),
    (r"\bradio\b|\bwireless\b", AnnexIProduct.RADIO_EQUIPMENT),
    (r"\bcars?\b|\bvehicles?\b|\bautomotive\b|\btrucks?\b", AnnexIProduct.MOTOR_VEHICLE),
    (r"\baircraft\b|\baviation\b|\bdrones?\b|\bavionics\b", AnnexIProduct.CIVIL_AVIATION),
    (r"\bother\b|\bannex i\b", AnnexIProduct.OTHER_ANNEX_I),
]
_PURPOSE_WORDS: list[tuple[str, ExcludedPurpose]] = [
    (r"\bmilitary\b|\bdefen[cs]e\b|\bnational security\b|\barmed forces\b", ExcludedPurpose.MILITARY_DEFENCE),
    (r"\bresearch\b", ExcludedPurpose.SCIENTIFIC_RESEARCH),
    (r"\btesting\b|\bpre-?market\b|\bnot yet (released|on the market)\b", ExcludedPurpose.PRE_MARKET_TESTING),
    (r"\bpersonal\b|\bhobby\b|\bprivate use\b", ExcludedPurpose.PERSONAL_USE),
]
_DEROGATION_WORDS: list[tuple[str, Derogation]] = [
    (r"procedural", Derogation.NARROW_PROCEDURAL_TASK),
    (
        r"completed human|improves? (the result|a result|work already)",
        Derogation.IMPROVES_COMPLETED_HUMAN_ACTIVITY,
    ),
    (r"decision[- ]making patterns|deviations?|patterns", Derogation.DETECTS_DECISION_PATTERNS),
    (r"preparatory|prepares?", Derogation.PREPARATORY_TASK),
]


def _choose(field: str, answer: str, table: list[tuple[str, Any]], *, none: Any | None) -> Any:
    """The first table entry whose pattern the answer matches; `none` for a plain no."""
    text = _normalise(answer)
    if none is not None and _NO.search(text):
        return none
    for pattern, value in table:
        if re.search(pattern, text):
            return value
    raise ValueError(f"{field}: could not understand {answer!r}")


def _answer_use_case(profile: SystemProfile, field: str, answer: str) -> SystemProfile:
    """`use_cases:<code>` takes yes/no/not sure; `use_cases` takes catalogue codes."""
    if field == USE_CASES:
        codes = [code for code in re.split(r"[\s,;]+", _normalise(answer)) if code and code != "and"]
        unknown = [code for code in codes if code not in use_case_codes()]
        if not codes or unknown:
            raise ValueError(f"{field}: unknown use-case codes {unknown or [answer]}; see --list-use-cases")
        return _updated(profile, {USE_CASES: _merge(profile.use_cases, codes)})
    code = field.removeprefix(_UNCERTAIN_USE_CASE)
    try:
        use_case(code)
    except KeyError as exc:
        raise ValueError(f"{field}: {exc.args[0]}") from None
    verdict = _yes_no(field, answer)
    if verdict is False:
        return _updated(profile, {USE_CASES: [c for c in profile.use_cases if c != code]})
    # Yes adds it; not sure also adds it: a use case that may be prohibited or high-risk is treated as
    # applying until someone says it does not (never downgrade).
    return _updated(profile, {USE_CASES: _merge(profile.use_cases, [code])})


def apply_answer(profile: SystemProfile, field: str, answer: str) -> SystemProfile:
    """Fold a plain-word answer to the follow-up question about `field` into a new profile.

    Understands yes / no / not sure for yes-no fields ("not sure" leaves them unknown so triage asks
    again), places for scope ("only in the US", "in the EU and NYC"), compute ("about 3e24 FLOP"), roles
    ("we are the deployer"), Annex I products ("it is a medical device"), excluded purposes, derogations,
    and `use_cases:<code>` questions. Raises ValueError naming the field if the answer is not understood.
    """
    field = field.strip()
    if not answer or not answer.strip():
        raise ValueError(f"{field}: the answer is empty")
    if field == USE_CASES or field.startswith(_UNCERTAIN_USE_CASE):
        return _answer_use_case(profile, field, answer)
    if field in {"in_eu_scope", "jurisdictions"}:
        return _answer_scope(profile, field, answer)
    if field == "training_compute_flops":
        return _answer_compute(profile, field, answer)
    unsure = bool(_UNSURE.search(_normalise(answer)))
    if field == "role":
        role = Role.PROVIDER_AND_DEPLOYER if unsure else _choose(field, answer, _ROLE_WORDS, none=None)
        return _updated(profile, {field: role})
    if field == "annex_i_product":
        if unsure:
            return profile
        product = _choose(field, answer, _ANNEX_I_WORDS, none=AnnexIProduct.NONE)
        return _updated(profile, {field: product})
    if field == "excluded_purpose":
        value = (
            ExcludedPurpose.NONE
            if unsure
            else _choose(field, answer, _PURPOSE_WORDS, none=ExcludedPurpose.NONE)
        )
        return _updated(profile, {field: value})
    if field == "derogation":
        value = Derogation.NONE if unsure else _choose(field, answer, _DEROGATION_WORDS, none=Derogation.NONE)
        return _updated(profile, {field: value})
    if field in _RAISING:
        return _updated(profile, {field: _yes_no(field, answer)})
    raise ValueError(f"{field}: not a field a follow-up question can set")
