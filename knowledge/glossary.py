"""A glossary from everyday wording to the vocabulary of the law, used to expand lexical queries.

People ask "do we have to tell users they're talking to a chatbot?"; the EU AI Act speaks of systems that
"interact directly with natural persons". BM25 cannot bridge that gap, so each glossary entry lists the
phrasings people use (`patterns`) and the law's own terms (`expand`). When a question matches an entry,
its terms are added to the lexical query.

Pattern syntax (case-insensitive, matched on word boundaries):
- a plain phrase such as "chat bot": words may be separated by spaces or hyphens ("chat-bot"), and the
  last word also matches simple inflections ("bots", "scraping" for "scrape", "policies" for "policy");
- `regex:<expression>`: an explicit regular expression, still wrapped in word boundaries.

Matching is indexed: a plain pattern can only match where a word of the question starts with the first
characters of the pattern's first word, so the regexes are tried there only (`re.match` at that position);
explicit regexes are searched in full.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from core.yaml_io import safe_load

DEFAULT_GLOSSARY_PATH = Path(__file__).resolve().parent / "glossary.yaml"

REGEX_PREFIX = "regex:"
_SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
# Word boundaries that also work when a pattern starts or ends with a non-word character ("80%").
_LEFT = r"(?<!\w)"
_RIGHT = r"(?!\w)"
_SEPARATOR = r"[\s-]+"
_VOWELS = frozenset("aeiou")
# An expansion is vocabulary for BM25, not prose: a cap keeps sentences of the law out of the file.
_MAX_EXPANSION_WORDS = 24
_SENTENCE = re.compile(r"[.;:!?]\s|[.!?]$")
_TERM = re.compile(r"[a-z0-9]+(?:['.-][a-z0-9]+)*")
_WORD = re.compile(r"[a-z0-9]+")
_WORD_RUN = re.compile(r"\w+")
_KEY_LENGTH = 3
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u2010": "-", "\u2011": "-", "\u2013": "-"})


class GlossaryError(ValueError):
    """A glossary file is missing or invalid; the message names the file and the entry."""


def _inflect(word: str) -> tuple[str, str]:
    """A word's literal stem and the regex of the endings that may follow it (plural, past, -ing)."""
    lower = word.lower()
    if not word.isalpha() or len(word) < 3:
        # Acronyms and short words: only a plural ("CVs", "LLMs").
        return word, "s?"
    if lower.endswith(("ee", "ye")):
        return word, "(?:s|d|ing)?"
    if lower.endswith("e"):
        return word[:-1], "(?:e|es|ed|ing)"
    if lower.endswith("y") and lower[-2] not in _VOWELS:
        return word[:-1], "(?:y|ies|ied|ying)"
    if lower.endswith(("s", "x", "z", "ch", "sh")):
        return word, "(?:es|ed|ing)?"
    endings = ["s", "ed", "ing"]
    if lower[-1] not in _VOWELS and lower[-1] not in "wxy" and lower[-2] in _VOWELS:
        # Doubled final consonant: "ban" -> "banned", "scan" -> "scanning".
        endings += [f"{re.escape(word[-1])}ed", f"{re.escape(word[-1])}ing"]
    return word, f"(?:{'|'.join(endings)})?"


def _words(pattern: str) -> list[str]:
    words = [word for word in re.split(r"[\s-]+", pattern.strip()) if word]
    if not words:
        raise ValueError("empty pattern")
    return words


def pattern_to_regex(pattern: str) -> str:
    """The regex source (without boundaries) for one glossary pattern; see the module docstring."""
    if pattern.startswith(REGEX_PREFIX):
        source = pattern[len(REGEX_PREFIX) :].strip()
        if not source:
            raise ValueError("empty regex")
        return source
    words = _words(pattern)
    stem, endings = _inflect(words[-1])
    parts = [re.escape(word) for word in words[:-1]]
    parts.append(re.escape(stem) + endings)
    return _SEPARATOR.join(parts)


def pattern_key(pattern: str) -> str | None:
    """Up to three leading characters of the word every match of `pattern` starts with, or None.

    None (explicit regexes, patterns starting with punctuation) means the pattern is searched everywhere.
    """
    if pattern.startswith(REGEX_PREFIX):
        return None
    words = _words(pattern)
    literal = _inflect(words[0])[0] if len(words) == 1 else words[0]
    run = _WORD_RUN.match(literal.lower())
    return run.group(0)[:_KEY_LENGTH] if run else None


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """One glossary pattern compiled on its own: word boundaries, case ignored."""
    return _compile([pattern])


def _compile(patterns: list[str]) -> re.Pattern[str]:
    alternation = "|".join(f"(?:{pattern_to_regex(p)})" for p in patterns)
    return re.compile(f"{_LEFT}(?:{alternation}){_RIGHT}", re.IGNORECASE)


def _fold(word: str) -> str:
    # Same light plural fold as the lexical index, so "decisions" in a question covers "decision".
    if len(word) >= 4 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


class GlossaryEntry(BaseModel):
    """One everyday concept: the phrasings that signal it and the law's terms to add to the query."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_SLUG, description="Stable entry id, e.g. 'chatbot'.")
    patterns: list[str] = Field(min_length=1, description="Phrasings; plain phrases or 'regex:' prefixed.")
    expand: str = Field(min_length=1, description="The law's own terms for the concept, space separated.")
    regimes: list[str] = Field(default_factory=list, description="Hint: regime ids, e.g. 'eu-ai-act'.")

    @field_validator("patterns")
    @classmethod
    def _patterns_compile(cls, patterns: list[str]) -> list[str]:
        for index, pattern in enumerate(patterns):
            try:
                # Plain phrases are escaped and always compile; only explicit regexes can be invalid.
                if pattern.startswith(REGEX_PREFIX):
                    compile_pattern(pattern)
                else:
                    _words(pattern)
            except (re.error, ValueError) as exc:
                raise ValueError(f"patterns[{index}] {pattern!r}: {exc}") from None
        return patterns

    @field_validator("expand")
    @classmethod
    def _expand_is_vocabulary(cls, expand: str) -> str:
        words = expand.split()
        if len(words) > _MAX_EXPANSION_WORDS:
            raise ValueError(f"{len(words)} words; keep it to terms (at most {_MAX_EXPANSION_WORDS})")
        if _SENTENCE.search(expand):
            raise ValueError("looks like a sentence; list terms, not sentences")
        return expand

    @field_validator("regimes")
    @classmethod
    def _regimes_are_slugs(cls, regimes: list[str]) -> list[str]:
        for regime in regimes:
            if not re.fullmatch(_SLUG, regime):
                raise ValueError(f"regime {regime!r} is not a lowercase hyphenated id")
        return regimes


class GlossaryMatch(BaseModel):
    """A glossary entry that a question matched."""

    model_config = ConfigDict(frozen=True)

    entry_id: str
    matched: str = Field(description="The words of the question that matched a pattern.")
    expansion: str = Field(description="The entry's legal terms.")
    regimes: list[str] = Field(default_factory=list)


class _Patterns:
    """One entry's patterns that share a key, compiled on first use: a question touches a few dozen
    of the glossary's ~1,800 groups, and compiling them all cost a cold `govassist ask` about a second."""

    __slots__ = ("_regex", "patterns")

    def __init__(self, patterns: list[str]) -> None:
        self.patterns = patterns
        self._regex: re.Pattern[str] | None = None

    @property
    def regex(self) -> re.Pattern[str]:
        if self._regex is None:
            self._regex = _compile(self.patterns)
        return self._regex


class _Matcher:
    """The glossary by key: per key, the entries' patterns with that key; the unkeyed patterns apart.

    A plain class, not pydantic: reading a pydantic private attribute costs microseconds, and matching
    touches these structures hundreds of times per question.
    """

    __slots__ = ("by_key", "unkeyed")

    def __init__(self, entries: list[GlossaryEntry]) -> None:
        by_key: dict[str, list[tuple[int, _Patterns]]] = {}
        unkeyed: list[tuple[int, _Patterns]] = []
        for index, entry in enumerate(entries):
            grouped: dict[str | None, list[str]] = {}
            for pattern in entry.patterns:
                grouped.setdefault(pattern_key(pattern), []).append(pattern)
            for key, patterns in grouped.items():
                lazy = (index, _Patterns(patterns))
                if key is None:
                    unkeyed.append(lazy)
                else:
                    by_key.setdefault(key, []).append(lazy)
        self.by_key = by_key
        self.unkeyed = unkeyed

    def find(self, text: str) -> dict[int, str]:
        """Entry index -> the first words of `text` that matched one of its patterns."""
        found: dict[int, str] = {}
        for word in _WORD_RUN.finditer(text):
            lower = word.group(0)[:_KEY_LENGTH].lower()
            for length in range(1, len(lower) + 1):
                for index, group in self.by_key.get(lower[:length], ()):
                    if index not in found:
                        hit = group.regex.match(text, word.start())
                        if hit:
                            found[index] = hit.group(0)
        for index, group in self.unkeyed:
            if index not in found:
                hit = group.regex.search(text)
                if hit:
                    found[index] = hit.group(0)
        return found


class Glossary(BaseModel):
    """The validated glossary: entries with unique ids, their patterns compiled once, when first needed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    entries: list[GlossaryEntry]

    _matcher: _Matcher = PrivateAttr()

    @model_validator(mode="after")
    def _unique_ids(self) -> Glossary:
        seen: set[str] = set()
        for index, entry in enumerate(self.entries):
            if entry.id in seen:
                raise ValueError(f"entries[{index}].id: duplicate entry id {entry.id!r}")
            seen.add(entry.id)
        return self

    def model_post_init(self, context: object, /) -> None:
        """Group every entry's patterns by key (each group is compiled once, when first needed)."""
        self._matcher = _Matcher(self.entries)

    def expand(self, question: str) -> list[GlossaryMatch]:
        """The entries `question` matches, in glossary order."""
        found = self._matcher.find(question.translate(_QUOTES))
        matches: list[GlossaryMatch] = []
        for index in sorted(found):
            entry = self.entries[index]
            matches.append(
                GlossaryMatch(
                    entry_id=entry.id, matched=found[index], expansion=entry.expand, regimes=entry.regimes
                )
            )
        return matches

    def expansion_text(self, question: str, *, max_terms: int | None = None) -> str:
        """The matched entries' terms joined by spaces: deduplicated, without words already in the question.

        A hyphenated term ("general-purpose") is dropped only when all its parts are in the question.
        `max_terms` caps the number of terms so a question matching many entries is not drowned.
        """
        seen = {_fold(word) for word in _WORD.findall(question.translate(_QUOTES).lower())}
        terms: list[str] = []
        for match in self.expand(question):
            for term in _TERM.findall(match.expansion.lower()):
                parts = {_fold(part) for part in _WORD.findall(term)}
                if parts <= seen:
                    continue
                seen |= parts
                terms.append(term)
                if max_terms is not None and len(terms) >= max_terms:
                    return " ".join(terms)
        return " ".join(terms)


def parse_glossary(raw: object, *, source: str) -> Glossary:
    """Validate a parsed YAML document as a glossary; GlossaryError names `source` and the bad entry."""
    if not isinstance(raw, list):
        raise GlossaryError(
            f"{source}: expected a list of entries at the top level, got {type(raw).__name__}"
        )
    entries: list[GlossaryEntry] = []
    first_index: dict[str, int] = {}
    for index, item in enumerate(raw):
        label = f"entry {index}"
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            label += f" ({item['id']!r})"
        try:
            entry = GlossaryEntry.model_validate(item)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(part) for part in error['loc']) or 'entry'}: {error['msg']}"
                for error in exc.errors()
            )
            raise GlossaryError(f"{source}: {label}: {problems}") from exc
        if entry.id in first_index:
            raise GlossaryError(
                f"{source}: {label}: duplicate id, first used by entry {first_index[entry.id]}"
            )
        first_index[entry.id] = index
        entries.append(entry)
    return Glossary(entries=entries)


def load_glossary(path: Path | None = None) -> Glossary:
    """The glossary in `path`, or the packaged default (loaded once and cached).

    Raises GlossaryError naming the file and the offending entry.
    """
    if path is None:
        return _default_glossary()
    return _read_glossary(path)


@lru_cache(maxsize=1)
def _default_glossary() -> Glossary:
    return _read_glossary(DEFAULT_GLOSSARY_PATH)


def _read_glossary(path: Path) -> Glossary:
    try:
        raw = safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise GlossaryError(f"{path}: cannot read glossary: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise GlossaryError(f"{path}: not valid YAML: {exc}") from exc
    return parse_glossary(raw, source=str(path))
