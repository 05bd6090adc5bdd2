"""Offline free-text extraction: a plain description of an AI system in, a `SystemProfile` out.

Two offline methods: phrase rules (`phrases.yaml`, data) and embedding similarity of the description's
sentences to the use-case catalogue's descriptions. Every field set carries its evidence and confidence.
Extraction never downgrades: a field is only set to a value that could lower the tier on explicit wording,
and an Article 5 or Annex III use case that is suspected but not settled is not dropped: it goes into
`uncertain`, and `triage_extracted` turns it into a "Does the system ...?" question. `apply_answer` folds
a plain-word answer to a follow-up question back into the profile.

Usage::

    extracted = extract_profile("We screen CVs for our Berlin office.")
    extracted.profile.use_cases        # ['recruitment']
    result = triage_extracted(extracted)
    profile = apply_answer(extracted.profile, "profiling", "yes")
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, TypeAdapter, ValidationError, model_validator

from core.yaml_io import safe_load
from knowledge.embedder import Embedder, get_embedder
from tools.triage.catalogue import CATALOGUE, Jurisdiction, UseCaseCategory, use_case, use_case_codes
from tools.triage.engine import triage
from tools.triage.schemas import (
    AnnexIProduct,
    Derogation,
    ExcludedPurpose,
    MissingInformation,
    Role,
    SystemProfile,
    TriageResult,
    TriageStatus,
)

PHRASES_PATH = Path(__file__).resolve().with_name("phrases.yaml")

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

USE_CASES = "use_cases"
JURISDICTIONS = "jurisdictions"
_UNCERTAIN_USE_CASE = "use_cases:"

Method = Literal["phrase", "similarity", "llm"]


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


# --- The phrase book (phrases.yaml) ---------------------------------------------------------------------

_PROFILE_FIELDS = SystemProfile.model_fields
_LIST_FIELDS = frozenset({USE_CASES, JURISDICTIONS})


def _check_value(field: str, value: Any) -> Any:
    """Validate one phrase-rule value against the profile field (list fields take one item)."""
    if field not in _PROFILE_FIELDS or field in {"name", "description"}:
        raise ValueError(f"unknown or non-extractable profile field {field!r}")
    if field == USE_CASES:
        return use_case(str(value)).code  # KeyError naming the valid codes
    if field == JURISDICTIONS:
        return Jurisdiction(value).value
    annotation = _PROFILE_FIELDS[field].annotation
    assert annotation is not None  # every profile field is annotated
    return TypeAdapter(annotation).validate_python(value)


class NegationRules(BaseModel):
    """How a negation cue in front of a match is recognised."""

    model_config = ConfigDict(extra="forbid")

    cues: str
    false_cues: str
    window: int = Field(ge=0)
    clause_breaks: str


class PhraseRule(BaseModel):
    """One phrase rule: a pattern and the profile fields a match sets."""

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
    """The contents of phrases.yaml: negation settings, rules, and extra examples per use case."""

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
    data = safe_load(path.read_text(encoding="utf-8"))
    try:
        return PhraseBook.model_validate(data)
    except (ValidationError, KeyError) as exc:
        raise ValueError(f"{path.name}: {exc}") from exc


# --- Sentences, negation and phrase hits ----------------------------------------------------------------

_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+|;\s+|\s+[-–—]+\s+")
_ABBREVIATION = re.compile(r"\b(e\.g|i\.e|etc|vs|approx|incl|U\.S|U\.K|E\.U|Dr|Mr|Ms|No)\.$", re.IGNORECASE)


@dataclass(frozen=True)
class Sentence:
    """A sentence of the description and where it starts and ends."""

    start: int
    end: int
    text: str


def split_sentences(text: str) -> list[Sentence]:
    """The sentences (and dash- or semicolon-separated clauses) of `text`; 'e.g.' does not end one."""
    spans: list[Sentence] = []
    start = 0
    for sep in _SPLIT.finditer(text):
        piece = text[start : sep.start()]
        if _ABBREVIATION.search(piece) and not sep.group().strip():
            continue
        if piece.strip():
            spans.append(Sentence(start, sep.start(), piece.strip()))
        start = sep.end()
    if text[start:].strip():
        spans.append(Sentence(start, len(text), text[start:].strip()))
    return spans


def _is_negated(prefix: str, negation: NegationRules) -> bool:
    """True if a negation cue ends `prefix` (the sentence before a match) within the window, same clause."""
    clause = re.split(negation.clause_breaks, prefix, flags=re.IGNORECASE)[-1]
    clause = re.sub(negation.false_cues, " ", clause, flags=re.IGNORECASE)
    cues = list(re.finditer(negation.cues, clause, flags=re.IGNORECASE))
    if not cues:
        return False
    return len(re.findall(r"[\w'’-]+", clause[cues[-1].end() :])) <= negation.window


@dataclass(frozen=True)
class Hit:
    """One value for one field found in the description, with the words and sentence it came from."""

    field: str
    value: Any
    confidence: float
    evidence: str
    sentence: str
    method: Method
    negated: bool = False


def phrase_hits(text: str, book: PhraseBook | None = None) -> list[Hit]:
    """Every field value the phrase rules find in `text`; negated use-case matches are flagged."""
    book = book or load_phrasebook()
    sentences = split_sentences(text)
    hits: list[Hit] = []
    for rule in book.rules:
        for match in rule.matches(text):
            sentence = next((s for s in sentences if s.start <= match.start() < s.end), None)
            if sentence is None or rule.blocked_in(sentence.text):
                continue
            words = match.group(0).strip()
            if _is_negated(text[sentence.start : match.start()], book.negation):
                if USE_CASES in rule.sets:
                    code = rule.sets[USE_CASES]
                    hits.append(Hit(USE_CASES, code, rule.confidence, words, sentence.text, "phrase", True))
                found = (rule.when_negated or {}).items()
            else:
                found = rule.sets.items()
            for field, value in found:
                hits.append(Hit(field, value, rule.confidence, words, sentence.text, "phrase"))
    return hits


# --- Similarity to the catalogue ------------------------------------------------------------------------

_RISKY = frozenset({UseCaseCategory.ART5, UseCaseCategory.ANNEX_III})
_SIMILARITY_CODES = tuple(entry.code for entry in CATALOGUE if entry.code != "other")


@dataclass(frozen=True)
class _Reference:
    codes: list[str]
    vectors: np.ndarray


# Per embedder object (weakly held, so a new embedder never sees another's vectors), per phrase book.
_references: weakref.WeakKeyDictionary[Embedder, dict[int, _Reference]] = weakref.WeakKeyDictionary()


def _reference_vectors(embedder: Embedder, book: PhraseBook) -> _Reference:
    """Embedded catalogue descriptions and our examples, one row per sentence, cached per embedder."""
    cached = _references.setdefault(embedder, {})
    if id(book) not in cached:
        codes: list[str] = []
        texts: list[str] = []
        for code in _SIMILARITY_CODES:
            for sentence in [use_case(code).description, *book.examples.get(code, [])]:
                codes.append(code)
                texts.append(sentence)
        cached[id(book)] = _Reference(codes, embedder.embed(texts))
    return cached[id(book)]


@dataclass(frozen=True)
class Similarity:
    """A code's best similarity to the description, and how it stands against the other codes."""

    score: float
    probe: int  # index of the best-matching probe (a sentence, or the whole text)
    margin: float  # its score minus the best score of any other code
    top_risky: bool  # the closest Article 5 or Annex III description
    z: float  # standard score among the Article 5 and Annex III codes


def similarity_scores(
    probes: Sequence[str], embedder: Embedder, book: PhraseBook | None = None
) -> dict[str, Similarity]:
    """For each catalogue code (but 'other'), its best cosine similarity to any of `probes`."""
    if not probes:
        return {}
    book = book or load_phrasebook()
    reference = _reference_vectors(embedder, book)
    matrix = embedder.embed(list(probes)) @ reference.vectors.T
    best: dict[str, tuple[float, int]] = {}
    for column, code in enumerate(reference.codes):
        row = int(np.argmax(matrix[:, column]))
        score = float(matrix[row, column])
        if code not in best or score > best[code][0]:
            best[code] = (score, row)
    risky = {code: score for code, (score, _) in best.items() if use_case(code).category in _RISKY}
    values = np.array(list(risky.values()) or [0.0])
    mean, spread = float(values.mean()), float(values.std()) or 1.0
    top = max(risky, key=risky.__getitem__) if risky else None
    found = {}
    for code, (score, row) in best.items():
        best_other = max((other[0] for other_code, other in best.items() if other_code != code), default=0.0)
        found[code] = Similarity(
            score=score,
            probe=row,
            margin=score - best_other,
            top_risky=code == top,
            z=(score - mean) / spread,
        )
    return found


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


def uncertain_use_case(code: str) -> str:
    """The `uncertain` entry (and question field) for a suspected use case."""
    return f"{_UNCERTAIN_USE_CASE}{code}"


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
        elif code_hits and use_case(code).category in _RISKY:
            suspected[code] = code_hits
    # The closest risky code merely standing out is worth a question only where nothing risky is known yet.
    already_risky = any(use_case(code).category in _RISKY for code in builder.values.get(USE_CASES, []))
    floor = suspicion if already_risky else suspicion - STANDOUT_BAND
    for code, code_hits in suspected.items():
        kept = [hit for hit in code_hits if hit.method == "phrase" or hit.confidence >= floor]
        if kept:
            builder.suspect(uncertain_use_case(code), kept)


_FLOP_NUMBER = re.compile(
    r"(?P<mantissa>\d+(?:[.,]\d+)?)\s*(?:[eE]\s*(?P<exp1>[+-]?\d+)"
    r"|\s*(?:x|×|\*)\s*10\s*(?:\^|\*\*)\s*(?P<exp2>[+-]?\d+))"
    r"|(?<![\d.])10\s*(?:\^|\*\*)\s*(?P<exp3>[+-]?\d+)"
    r"|(?P<plain>\d{1,3}(?:,\d{3}){4,}|\d{13,})"
)
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_COMPUTE_WORDS = re.compile(r"\bflops?\b|floating[- ]point operations|training compute", re.IGNORECASE)


def parse_flops(text: str) -> float | None:
    """A compute figure written as 3e24, 3 x 10^24, 10^25, 3×10²⁴ or in full digits; None if there is none."""
    normalised = re.sub(r"10([⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+)", lambda m: "10^" + m.group(1).translate(_SUPERSCRIPTS), text)
    match = _FLOP_NUMBER.search(normalised)
    if match is None:
        return None
    if match.group("plain"):
        return float(match.group("plain").replace(",", ""))
    if match.group("exp3"):
        return float(f"1e{int(match.group('exp3'))}")
    exponent = int(match.group("exp1") or match.group("exp2"))
    return float(f"{match.group('mantissa').replace(',', '.')}e{exponent}")  # exact, unlike m * 10**e


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

_FIELD_QUESTIONS: dict[str, str] = {
    "in_eu_scope": "Is the system placed on the EU market or put into service in the EU, or is its output "
    "used in the EU?",
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
    "annual_revenue_usd": "What was the developer's annual gross revenue, with its affiliates, in the last "
    "calendar year (in USD)?",
    "monthly_users": "How many monthly visitors or users does the generative AI system have?",
}
_TIER_WORDS = {UseCaseCategory.ART5: "prohibited", UseCaseCategory.ANNEX_III: "high-risk"}
# Verbs that appear later in a catalogue description, after "or", "and" or a comma ("... or sets ...").
_LATER_VERBS = frozenset(
    {"sets", "allocates", "monitors", "evaluates", "grants", "reduces", "revokes", "dispatches",
     "prioritises", "triages", "assesses", "manipulates", "expands", "ranks", "selects", "supports",
     "recognises", "identifies", "chats", "interprets", "applies", "researches"}
)  # fmt: skip


def _base_form(verb: str) -> str:
    """'recruits' -> 'recruit', 'identifies' -> 'identify', 'watches' -> 'watch', 'assesses' -> 'assess'."""
    if verb.endswith("ies"):
        return verb[:-3] + "y"
    if verb.endswith(("sses", "ches", "shes", "xes", "zes")):
        return verb[:-2]
    return verb[:-1] if verb.endswith("s") and not verb.endswith("ss") else verb


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
_ONLY = re.compile(r"\b(only|exclusively|solely|just)\b")
_BOUND = re.compile(r"\b(less than|below|under|at most|up to)\b")

_ROLE_WORDS: list[tuple[str, Role]] = [
    (r"\bboth\b|provider and (the )?deployer|deployer and (the )?provider", Role.PROVIDER_AND_DEPLOYER),
    (r"\bimport", Role.IMPORTER),
    (r"\bdistribut|\bresell", Role.DISTRIBUTOR),
    (
        r"\bdeployer\b|\bwe (only )?(use|bought|buy|license|licence|procure|subscribe)\b|\bvendor",
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


def _normalise(answer: str) -> str:
    return re.sub(r"\s+", " ", answer.strip().lower()).strip(" .!")


def _yes_no(field: str, answer: str) -> bool | None:
    """True, False or None (not sure); ValueError naming `field` if the answer is none of them."""
    text = _normalise(answer)
    if _UNSURE.search(text):
        return None
    if _YES.search(text):
        return True
    if _NO.search(text):
        return False
    raise ValueError(f"{field}: could not understand {answer!r}; answer yes, no or not sure")


def _choose(field: str, answer: str, table: list[tuple[str, Any]], *, no: Any | None) -> Any:
    """`no` for a plain no, else the first table entry whose pattern the answer matches."""
    text = _normalise(answer)
    if no is not None and _NO.search(text):
        return no
    for pattern, value in table:
        if re.search(pattern, text):
            return value
    raise ValueError(f"{field}: could not understand {answer!r}")


def _updated(profile: SystemProfile, changes: dict[str, Any]) -> SystemProfile:
    """A validated copy of `profile` with `changes`."""
    # Only the fields set so far: triage tells a declared value from an unknown one by `model_fields_set`.
    return SystemProfile.model_validate({**profile.model_dump(exclude_unset=True), **changes})


def _merge(old: list[str], new: list[str]) -> list[str]:
    return [*old, *(item for item in new if item not in old)]


def _answer_scope(profile: SystemProfile, field: str, answer: str) -> SystemProfile:
    """in_eu_scope / jurisdictions: yes, no, not sure, or places ('only in the US', 'in the EU and NYC')."""
    places = list(dict.fromkeys(hit.value for hit in phrase_hits(answer) if hit.field == JURISDICTIONS))
    only = bool(_ONLY.search(_normalise(answer)))
    if places:
        in_eu = "EU" in places
        jurisdictions = places if only else _merge(profile.jurisdictions, places)
        if field == JURISDICTIONS and not in_eu and not only:
            return _updated(profile, {JURISDICTIONS: jurisdictions})
        return _updated(profile, {"in_eu_scope": in_eu, JURISDICTIONS: jurisdictions})
    if field == JURISDICTIONS:
        raise ValueError(f"{field}: could not find a place in {answer!r}; name them, e.g. 'the EU and NYC'")
    # "Not sure" keeps the protective value: in scope.
    return _updated(profile, {"in_eu_scope": _yes_no(field, answer) is not False})


def _answer_compute(profile: SystemProfile, field: str, answer: str) -> SystemProfile:
    text = _normalise(answer)
    if _UNSURE.search(text):
        return _updated(profile, {field: None})
    if _BOUND.search(text):
        raise ValueError(f"{field}: {answer!r} is a bound; give an estimate such as 'about 3e24 FLOP'")
    value = parse_flops(answer)
    if value is None:
        raise ValueError(f"{field}: could not read a number in {answer!r}; e.g. 'about 3e24 FLOP'")
    return _updated(profile, {field: value})


# Plain amounts a follow-up question may ask for (revenue for frontier-model laws, users for SB 942).
_AMOUNT_FIELDS = frozenset({"annual_revenue_usd", "monthly_users"})
_AMOUNT = re.compile(
    r"(?P<number>\d+(?:,\d{3})*(?:\.\d+)?)\s*(?P<scale>thousand|k|million|mn|m|billion|bn|b|trillion)?\b",
    re.IGNORECASE,
)
_SCALES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6,
           "billion": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12}  # fmt: skip


def parse_amount(text: str) -> float | None:
    """An amount written as 600 million, $2.5bn, 1,200,000, 750k or 3e8; None if there is none."""
    if re.search(r"\d\s*(?:e|x|×|\*)\s*10|\de\d|10\^", text, re.IGNORECASE):
        return parse_flops(text)
    match = _AMOUNT.search(text.replace("$", " "))
    if match is None:
        return None
    scale = _SCALES[match.group("scale").lower()] if match.group("scale") else 1.0
    return float(match.group("number").replace(",", "")) * scale


def _answer_amount(profile: SystemProfile, field: str, answer: str) -> SystemProfile:
    text = _normalise(answer)
    if _UNSURE.search(text):
        return _updated(profile, {field: None})
    if _BOUND.search(text):
        raise ValueError(f"{field}: {answer!r} is a bound; give an estimate such as 'about 600 million'")
    value = parse_amount(answer)
    if value is None:
        raise ValueError(f"{field}: could not read a number in {answer!r}; e.g. 'about 600 million'")
    return _updated(profile, {field: int(value) if field == "monthly_users" else value})


def _answer_annex_i(profile: SystemProfile, field: str, answer: str) -> SystemProfile:
    text = _normalise(answer)
    if _UNSURE.search(text):
        return profile  # still unknown: triage keeps asking
    if _YES.search(text) and not any(re.search(pattern, text) for pattern, _ in _ANNEX_I_WORDS):
        # A bare yes: triage asks about Annex I for diagnosis software, which is a medical device.
        product = AnnexIProduct.MEDICAL_DEVICE if "medical_diagnosis" in profile.use_cases else None
        return _updated(profile, {field: product or AnnexIProduct.OTHER_ANNEX_I})
    return _updated(profile, {field: _choose(field, answer, _ANNEX_I_WORDS, no=AnnexIProduct.NONE)})


def _answer_use_case(profile: SystemProfile, field: str, answer: str) -> SystemProfile:
    """`use_cases:<code>` takes yes / no / not sure; `use_cases` takes catalogue codes."""
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
    if _yes_no(field, answer) is False:
        return _updated(profile, {USE_CASES: [c for c in profile.use_cases if c != code]})
    # Yes adds it, and so does "not sure": a use case that may be prohibited or high-risk counts as applying
    # until someone says it does not (never downgrade).
    return _updated(profile, {USE_CASES: _merge(profile.use_cases, [code])})


def apply_answer(profile: SystemProfile, field: str, answer: str) -> SystemProfile:
    """Fold a plain-word answer to the follow-up question about `field` into a new profile.

    Understands yes / no / not sure for yes-no fields ("not sure" leaves them unknown, so triage asks
    again), places for the scope ("only in the US", "in the EU and NYC"), compute ("about 3e24 FLOP"),
    roles ("we are the deployer"), Annex I products ("it is a medical device"), excluded purposes and
    derogations ("not sure" keeps the protective none), and `use_cases:<code>` questions ("not sure" adds
    the use case). Raises ValueError naming the field if the answer cannot be understood. For example
    `apply_answer(profile, "in_eu_scope", "only in the US")` sets in_eu_scope False and jurisdictions [US].
    """
    field = field.strip()
    if not answer or not answer.strip():
        raise ValueError(f"{field}: the answer is empty")
    unsure = bool(_UNSURE.search(_normalise(answer)))
    if field == USE_CASES or field.startswith(_UNCERTAIN_USE_CASE):
        return _answer_use_case(profile, field, answer)
    if field in {"in_eu_scope", JURISDICTIONS}:
        return _answer_scope(profile, field, answer)
    if field == "training_compute_flops":
        return _answer_compute(profile, field, answer)
    if field in _AMOUNT_FIELDS:
        return _answer_amount(profile, field, answer)
    if field == "annex_i_product":
        return _answer_annex_i(profile, field, answer)
    if field == "role":
        role = Role.PROVIDER_AND_DEPLOYER if unsure else _choose(field, answer, _ROLE_WORDS, no=None)
        return _updated(profile, {field: role})
    if field == "excluded_purpose":
        purpose = (
            ExcludedPurpose.NONE
            if unsure
            else _choose(field, answer, _PURPOSE_WORDS, no=ExcludedPurpose.NONE)
        )
        return _updated(profile, {field: purpose})
    if field == "derogation":
        derogation = (
            Derogation.NONE if unsure else _choose(field, answer, _DEROGATION_WORDS, no=Derogation.NONE)
        )
        return _updated(profile, {field: derogation})
    if field in RAISING:
        return _updated(profile, {field: _yes_no(field, answer)})
    raise ValueError(f"{field}: not a field a follow-up question can set")
