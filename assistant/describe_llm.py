"""`triage --describe` through a language model's structured output, checked against the offline extractor.

The model reads the description and returns `ProfileFacts`: use-case codes and profile facts, each with a
verbatim evidence quote and whether it is certain. The facts are validated and merged into the offline
extraction (tools.triage.extract) under one rule: the model may add risk, never remove it.

- Every use case and flag the offline extractor found stays. A use case the model is certain of, with a
  quote found in the description, is added; a suspected Article 5 or Annex III one becomes a question.
- A fact the offline extractor did not settle is taken from the model only if it is certain, its quote is
  in the description, and it does not lower the tier; a tier-lowering fact (out of EU scope, an Art. 2
  exclusion, an Art. 6(3) derogation, "no profiling", ...) or an uncertain one becomes a question instead.
- Where the model and the rules disagree on a deciding fact, the protective value stands and the user is
  asked.

The tier is then decided by the rules (`assistant.triage.run_triage`), as without a model. When the model
cannot be used the offline extraction is returned with a notice.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from assistant.agent.generative import invoke_model
from assistant.agent.llm import ModelUnavailable, classify_unavailable, model_name
from assistant.agent.prompts import describe_messages, extractable_fields
from knowledge.index import KnowledgeIndex
from tools.triage.catalogue import Jurisdiction, UseCaseCategory, use_case
from tools.triage.extract import (
    RAISING,
    TIER_FIELDS,
    ExtractedProfile,
    FieldEvidence,
    extract_profile,
)
from tools.triage.questions import uncertain_use_case
from tools.triage.schemas import AnnexIProduct, Derogation, ExcludedPurpose, Role, SystemProfile

log = logging.getLogger(__name__)

# Confidence recorded for the model's evidence: below the phrase rules' settling level when unsure.
CERTAIN_CONFIDENCE = 0.8
UNSURE_CONFIDENCE = 0.4
# A paraphrased quote still counts when this share of its words occurs in the description.
QUOTE_WORD_SHARE = 0.8

_RISKY = frozenset({UseCaseCategory.ART5, UseCaseCategory.ANNEX_III})
# The value of each choice field that keeps every obligation in play.
PROTECTIVE: dict[str, Any] = {
    "excluded_purpose": ExcludedPurpose.NONE,
    "derogation": Derogation.NONE,
    "role": Role.PROVIDER_AND_DEPLOYER,
    "in_eu_scope": True,
}


class UseCaseFact(BaseModel):
    """A use-case code from the catalogue that the description shows."""

    code: str = Field(description="A use-case code from the catalogue, e.g. 'recruitment'.")
    evidence: str = Field(description="The exact words of the description that show it, copied verbatim.")
    certain: bool = Field(default=True, description="False when the description only hints at it.")


class StatedFact(BaseModel):
    """One profile fact the description states."""

    field: str = Field(description="A profile field from the list, e.g. 'profiling' or 'jurisdictions'.")
    value: bool | float | str = Field(description="Its value: true/false, a number, or one allowed value.")
    evidence: str = Field(description="The exact words of the description that state it, copied verbatim.")
    certain: bool = Field(default=True, description="False when the description only hints at it.")


class ProfileFacts(BaseModel):
    """Facts about an AI system stated in its description, each with verbatim evidence."""

    use_cases: list[UseCaseFact] = Field(default_factory=list, description="Every catalogue use case shown.")
    facts: list[StatedFact] = Field(default_factory=list, description="Other profile facts stated.")


class DescribedProfile(ExtractedProfile):
    """An extracted profile plus how it was made: by the model and the rules, or offline only."""

    mode: Literal["offline", "llm"] = "offline"
    model: str | None = None
    notices: list[str] = Field(default_factory=list, description="E.g. why the model's help was not used.")


# --- Checking the model's facts -------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def quote_found(quote: str, text: str) -> bool:
    """Whether `quote` comes from `text`: verbatim (case and spacing aside) or nearly word for word."""
    words = _words(quote)
    if not words:
        return False
    if " ".join(words) in " ".join(_words(text)):
        return True
    present = set(_words(text))
    return len(words) >= 3 and sum(w in present for w in words) / len(words) >= QUOTE_WORD_SHARE


_FIELD_TYPES: dict[str, TypeAdapter[Any]] = {}


def check_value(field: str, value: Any) -> Any:
    """`value` validated for profile `field` (a jurisdiction for 'jurisdictions'); ValueError if not."""
    if field not in extractable_fields():
        raise ValueError(f"{field!r} is not a profile field extraction may set")
    if field == "jurisdictions":
        return Jurisdiction(str(value).strip()).value
    if field not in _FIELD_TYPES:
        annotation = SystemProfile.model_fields[field].annotation
        assert annotation is not None  # every profile field is annotated
        _FIELD_TYPES[field] = TypeAdapter(annotation)
    if isinstance(value, str):
        value = value.strip().lower() if field != "training_compute_flops" else value.strip()
    try:
        checked = _FIELD_TYPES[field].validate_python(value)
    except ValidationError as exc:
        raise ValueError(f"{field}: {exc.errors()[0]['msg']}") from None
    if checked is None:
        raise ValueError(f"{field}: no value")
    return checked


def _lowers(field: str, value: Any, current: Any = None) -> bool:
    """Whether setting `field` to `value` could lower the tier or drop obligations."""
    if field in RAISING:
        return bool(value) is not RAISING[field]
    if field in {"excluded_purpose", "derogation"}:
        return value is not PROTECTIVE[field]
    if field == "annex_i_product":
        return value is AnnexIProduct.NONE
    if field == "training_compute_flops":
        return current is not None and float(value) < float(current)
    return False


# --- Merging --------------------------------------------------------------------------------------------


class _Merge:
    """The offline extraction being extended with the model's facts."""

    def __init__(self, offline: ExtractedProfile, text: str) -> None:
        self.text = text
        self.values: dict[str, Any] = offline.profile.model_dump(exclude_unset=True)
        self.settled = set(offline.profile.model_fields_set) - {"name", "description", "use_cases"}
        self.evidence = list(offline.evidence)
        self.uncertain = list(offline.uncertain)
        self.notices: list[str] = []

    def note(self, field: str, value: Any, quote: str, certain: bool) -> None:
        self.evidence.append(
            FieldEvidence(
                field=field,
                value=value.value if hasattr(value, "value") else value,
                evidence=quote.strip()[:300] or "(no quote)",
                confidence=CERTAIN_CONFIDENCE if certain else UNSURE_CONFIDENCE,
                method="llm",
            )
        )

    def ask(self, field: str) -> None:
        if field not in self.uncertain:
            self.uncertain.append(field)

    def use_case(self, fact: UseCaseFact) -> None:
        code = fact.code.strip().lower()
        try:
            entry = use_case(code)
        except KeyError:
            self.notices.append(f"the model named an unknown use case {fact.code!r}; ignored")
            return
        current: list[str] = self.values.setdefault("use_cases", [])
        grounded = quote_found(fact.evidence, self.text)
        if code in current:
            self.note("use_cases", code, fact.evidence, fact.certain)
        elif fact.certain and grounded:
            current.append(code)
            self.note("use_cases", code, fact.evidence, True)
            if uncertain_use_case(code) in self.uncertain:
                self.uncertain.remove(uncertain_use_case(code))
        elif entry.category in _RISKY:
            # Suspected prohibited or high-risk use: never dropped, never assumed: asked.
            self.ask(uncertain_use_case(code))
            self.note(uncertain_use_case(code), code, fact.evidence, False)

    def fact(self, fact: StatedFact) -> None:
        field = fact.field.strip()
        try:
            value = check_value(field, fact.value)
        except ValueError as exc:
            self.notices.append(f"the model gave an invalid fact ({exc}); ignored")
            return
        grounded = quote_found(fact.evidence, self.text)
        if field == "jurisdictions":
            places: list[str] = self.values.setdefault("jurisdictions", [])
            if grounded and value not in places:
                places.append(value)
                self.note(field, value, fact.evidence, fact.certain)
            return
        if field in self.settled:
            self._against_rules(field, value, fact)
            return
        sure = fact.certain and grounded
        if sure and not _lowers(field, value):
            self.values[field] = value
            self.settled.add(field)
            self.note(field, value, fact.evidence, True)
        elif field in TIER_FIELDS:
            # Unsure, unquoted, or lowering the tier: the rules' unknown stays, and the user is asked.
            self.ask(field)
            self.note(field, value, fact.evidence, False)
        elif sure:
            self.values[field] = value  # a lowering fact outside the tier (e.g. no personal data), quoted
            self.settled.add(field)
            self.note(field, value, fact.evidence, True)

    def _against_rules(self, field: str, value: Any, fact: StatedFact) -> None:
        current = self.values.get(field)
        if current == value:
            self.note(field, value, fact.evidence, fact.certain)
            return
        self.notices.append(f"the model and the rules disagree on {field}; asking")
        self.note(field, value, fact.evidence, False)
        if _lowers(field, value, current):
            # The model may not lower what the rules found; a deciding field is confirmed with the user.
            if field in TIER_FIELDS:
                self.ask(field)
            return
        # The rules found the lower value: keep the protective one until the user answers.
        if field in RAISING:
            self.values.pop(field, None)  # unknown again: triage asks
        elif field in PROTECTIVE:
            self.values[field] = PROTECTIVE[field]
        else:
            self.values[field] = value
        if field in TIER_FIELDS:
            self.ask(field)

    def result(self, model: str) -> DescribedProfile:
        profile = SystemProfile.model_validate(self.values)
        return DescribedProfile(
            profile=profile,
            evidence=self.evidence,
            uncertain=self.uncertain,
            mode="llm",
            model=model,
            notices=self.notices,
        )


def merge_facts(offline: ExtractedProfile, facts: ProfileFacts, *, text: str, model: str) -> DescribedProfile:
    """The offline extraction extended with the model's checked facts (never lowering a risk signal)."""
    merge = _Merge(offline, text)
    for use_case_fact in facts.use_cases:
        merge.use_case(use_case_fact)
    for stated in facts.facts:
        merge.fact(stated)
    return merge.result(model)


def _offline(offline: ExtractedProfile, notice: str) -> DescribedProfile:
    # The profile object itself, not a dump: triage reads which fields were declared (model_fields_set).
    return DescribedProfile(
        profile=offline.profile,
        evidence=offline.evidence,
        uncertain=offline.uncertain,
        mode="offline",
        notices=[notice],
    )


def describe_with_model(
    text: str, name: str | None, model: BaseChatModel, index: KnowledgeIndex
) -> DescribedProfile:
    """A profile from a plain description: the model's structured facts merged into the offline extraction.

    The offline extractor (phrase rules and the index's embedder) always runs; the model can add use cases
    and facts with evidence, and its uncertain or tier-lowering ones become follow-up questions. If the
    model is unreachable or cannot give structured output, the offline extraction is returned with a
    notice (`mode` "offline"). Raises ValueError for an empty description.
    """
    offline = extract_profile(text, name=name, embedder=index.embedder)
    label = model_name(model)
    try:
        structured = model.with_structured_output(ProfileFacts)
    except (NotImplementedError, ValueError, TypeError) as exc:
        return _offline(
            offline,
            f"{label} cannot give structured output ({exc or type(exc).__name__}); offline extraction used",
        )
    try:
        result = structured.invoke(describe_messages(text.strip(), name))
    except ModelUnavailable as exc:
        return _offline(offline, f"{exc.reason}; offline extraction used")
    except Exception as exc:
        unavailable = classify_unavailable(exc) or ModelUnavailable(
            f"the model's extraction was not usable ({type(exc).__name__}: {str(exc)[:200]})"
        )
        log.info("describe: model failed: %s", unavailable.reason)
        return _offline(offline, f"{unavailable.reason}; offline extraction used")
    facts = result if isinstance(result, ProfileFacts) else None
    if facts is None:
        try:
            facts = ProfileFacts.model_validate(result)
        except ValidationError as exc:
            return _offline(
                offline,
                f"the model's extraction was not valid ({exc.error_count()} errors); offline extraction used",
            )
    return merge_facts(offline, facts, text=offline.profile.description, model=label)


__all__ = [
    "DescribedProfile",
    "ProfileFacts",
    "StatedFact",
    "UseCaseFact",
    "describe_with_model",
    "invoke_model",
    "merge_facts",
    "quote_found",
]
