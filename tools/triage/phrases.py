"""Phrase matching for free-text extraction: the phrase book (`phrases.yaml`, data), sentence splitting,
negation, and the field values the rules find in a description (`phrase_hits`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, TypeAdapter, ValidationError, model_validator

from core.yaml_io import safe_load
from tools.triage.catalogue import Jurisdiction, use_case
from tools.triage.schemas import SystemProfile

PHRASES_PATH = Path(__file__).resolve().with_name("phrases.yaml")

USE_CASES = "use_cases"
JURISDICTIONS = "jurisdictions"

Method = Literal["phrase", "similarity", "llm"]


_PROFILE_FIELDS = SystemProfile.model_fields


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
