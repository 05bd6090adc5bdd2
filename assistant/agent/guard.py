"""Guarded answers: a model's draft is kept only where the passages it cites support it.

The model sees the retrieved passages numbered [1]..[n] (or, in the tool loop, by their citation ids) and
cites them in square brackets. `guard_answer`:

1. maps each marker to a retrieved passage: a number outside 1..n, or an id that was not retrieved, is
   dropped (and reported in `invalid_citations`), so an invented citation id cannot reach the reader;
2. splits the draft into sentences and scores each against the passage(s) it cites: the share of its
   content words found in the passage (light stemming), every number it states found there too, and,
   when an embedder is given, the cosine similarity to the passage's closest sentence;
3. keeps supported sentences; a sentence without a citation that a retrieved passage clearly supports
   (a stricter word share, as the model named no source) gets that citation (`attributed`); unsupported
   and uncited claims are dropped (or, with mode="flag", kept and marked); sentences without any content
   words ("In short:") pass as connectives, and a passage title said back (small models echo their
   prompt) is dropped as stating nothing;
4. renders the kept sentences with renumbered markers, the sources and the knowledge as-of date, or an
   abstention when nothing supported remains.

The thresholds are deliberately strict and set on the unit cases in tests/agent/test_guard.py, not
calibrated on a labelled dataset: a dropped true sentence costs less than a kept invented one.

Usage::

    guarded = guard_answer(draft, passages, as_of=index.knowledge_as_of())
    reply = guarded.to_answer(question)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from assistant.agent.schemas import RetrievedPassage
from assistant.answering import best_sentence, clip_words
from assistant.lead import AnswerPlan
from assistant.schemas import Answer, Citation
from knowledge.embedder import Embedder
from knowledge.lexical import tokenize
from knowledge.retrieval import Passage

DEFAULT_CONTACT = "the Responsible AI team"
SNIPPET_WORDS = 40
FLAG = "[not supported by the sources]"

# Words that carry no checkable claim: pronouns, auxiliaries, discourse words a model adds around facts.
# Modal and negation words ("must", "not") stay out of this list only in spirit: they are common in both
# drafts and passages, so counting them would inflate support for any sentence.
_FILLER = frozenset(
    """also although answer any because been being both but could did does doing each either etc
    following from further generally has have having here how however i if in into its it's itself just
    may me might more most must my need needs no nor not note only other our ours out over per please
    same say says said short should so some such summary than that that's them then there these they
    this those though through thus too under until us very was we were what when where whether which
    while who whom whose why will with within without would yes you your yours mentioned according
    passage passages source sources provided context cited cite brief briefly overall""".split()
)
# Bracketed citation markers: [2], [1, 3], [eu-ai-act:art-50-1]; "[Article 5]" is prose, not a marker.
_MARKER = re.compile(r"\[\s*([^\[\]\n]{1,200}?)\s*\]")
_LABEL = re.compile(r"^(?:passages?|sources?|refs?\.?|documents?|docs?)\s*#?\s*", re.IGNORECASE)
_CITE_TOKEN = re.compile(r"^(?:\d{1,3}|[\w.-]+:[\w.:/()#-]+)$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\[(\"'“‘])")
_ABBREVIATION = re.compile(r"\b(?:e\.g|i\.e|etc|vs|cf|Art|Arts|No|Nr|para|p|pp|Sec|Reg)\.$", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")
_MARKDOWN = re.compile(r"\*\*|__|`|^#+\s*")
# A draft's own source list or as-of line: the guard writes its own.
_TRAILER = re.compile(r"^\s*(?:\*\*)?(?:sources|references|citations)(?:\*\*)?\s*(?::|$)", re.IGNORECASE)
_AS_OF_LINE = re.compile(r"^\s*knowledge as of\b", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w.])\d[\d,.']*\d|(?<![\w.])\d")

# What a draft may cite: passages as retrieval returns them, or as the agent's tools collected them.
Citable = Passage | RetrievedPassage

Verdict = Literal["supported", "attributed", "unsupported", "uncited", "connective", "heading"]


class GuardThresholds(BaseModel):
    """How much support a sentence needs from the passage it cites."""

    lexical: float = Field(default=0.6, ge=0.0, le=1.0, description="Share of content words in the passage.")
    attribute: float = Field(
        default=0.75,
        ge=0.0,
        le=1.0,
        description="Word share to cite a sentence the model left uncited: stricter, as it named no source.",
    )
    lexical_floor: float = Field(
        default=0.25, ge=0.0, le=1.0, description="With an embedder: the least word share next to `semantic`."
    )
    semantic: float = Field(
        default=0.6,
        ge=-1.0,
        le=1.0,
        description="With an embedder: cosine to the passage's closest sentence.",
    )


class GuardedSentence(BaseModel):
    """One sentence of the draft and the guard's verdict on it."""

    text: str = Field(description="The sentence without its citation markers.")
    citations: list[str] = Field(default_factory=list, description="Retrieved citation ids it rests on.")
    verdict: Verdict
    kept: bool
    support: float = Field(description="Share of its content words found in the cited passage(s).")
    semantic: float | None = Field(default=None, description="Cosine to the closest passage sentence.")
    reason: str | None = Field(default=None, description="Why it was dropped or flagged.")


class GuardedAnswer(BaseModel):
    """The guarded answer: only supported sentences, only retrieved citations, or an abstention."""

    text: str = Field(description="What to show: sentences with [n] markers, sources, knowledge as-of.")
    grounded: bool = Field(description="False: nothing supported remained and `text` is an abstention.")
    citations: list[Citation] = Field(description="The passages cited, numbered [1].. in order.")
    sentences: list[GuardedSentence] = Field(description="Every sentence of the draft, with its verdict.")
    invalid_citations: list[str] = Field(
        default_factory=list, description="Markers that named no retrieved passage (dropped)."
    )
    knowledge_as_of: date | None = None

    @property
    def dropped(self) -> list[GuardedSentence]:
        """Sentences left out of the answer."""
        return [s for s in self.sentences if not s.kept]

    def to_answer(self, question: str) -> Answer:
        """The ask contract (`assistant.schemas.Answer`) for this guarded answer."""
        return Answer(
            question=question,
            answer=self.text,
            grounded=self.grounded,
            citations=self.citations,
            knowledge_as_of=self.knowledge_as_of,
        )


# --- Agreement with the answer plan ---------------------------------------------------------------------

_VERDICT = re.compile(r"^\W*(yes|no)\b", re.IGNORECASE)


def _figures(text: str) -> list[str]:
    """The numbers of `text` that identify a date, period or amount (two digits or more, or a share)."""
    found = [m.group(0).replace(",", "").rstrip(".") for m in _NUMBER.finditer(text)]
    return [n for n in found if len(n.replace(".", "")) >= 2] or found


class PlanCheck(BaseModel):
    """Whether a guarded draft agrees with the structured facts the answer plan decided."""

    verdict_expected: str | None = None
    verdict_found: str | None = None
    figures_expected: list[str] = Field(default_factory=list)
    figures_found: list[str] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        """False when the draft says the opposite verdict, or gives none of the structured figures."""
        if self.verdict_expected and self.verdict_found and self.verdict_expected != self.verdict_found:
            return False
        return not self.figures_expected or bool(self.figures_found)

    @property
    def reason(self) -> str:
        """Why the check failed, in a few words ('' when it passed)."""
        if self.ok:
            return ""
        if self.verdict_expected and self.verdict_found and self.verdict_expected != self.verdict_found:
            return f"it answered {self.verdict_found} where the structured facts say {self.verdict_expected}"
        return f"it did not give the structured figure(s) {', '.join(self.figures_expected)}"


def check_plan(guarded: GuardedAnswer, plan: AnswerPlan) -> PlanCheck:
    """Compare a guarded draft with the plan's verdict (as the model stated it, even in a sentence the guard
    dropped) and figures (in what the reader is shown)."""
    kept = [s.text for s in guarded.sentences if s.kept]
    opening = [s.text for s in guarded.sentences[:2]]
    said = next((m.group(1).capitalize() for s in opening if (m := _VERDICT.match(s))), None)
    expected = _figures(plan.fact) if plan.fact else []
    text = " ".join(kept).replace(",", "")
    return PlanCheck(
        verdict_expected=plan.verdict.value if plan.verdict else None,
        verdict_found=said,
        figures_expected=expected,
        figures_found=[n for n in expected if re.search(rf"(?<![\d.]){re.escape(n)}(?![\d])", text)],
    )


# --- Parsing the draft ----------------------------------------------------------------------------------


class _Draft(BaseModel):
    line: int
    bullet: bool
    text: str
    markers: list[str]


def _split_line(line: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(line):
        piece = line[start : match.start()]
        if _ABBREVIATION.search(piece):
            continue
        pieces.append(piece)
        start = match.end()
    pieces.append(line[start:])
    return [p.strip() for p in pieces if p.strip()]


def _markers(text: str) -> tuple[str, list[str]]:
    """The text without its citation markers, and the marker tokens in order."""
    tokens: list[str] = []

    def take(match: re.Match[str]) -> str:
        parts = [_LABEL.sub("", p.strip()) for p in re.split(r"[,;]|\band\b", match.group(1)) if p.strip()]
        if parts and all(_CITE_TOKEN.match(p) for p in parts):
            tokens.extend(parts)
            return ""
        return match.group(0)

    cleaned = _MARKER.sub(take, text)
    cleaned = re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"\s{2,}", " ", cleaned)).strip()
    return cleaned, tokens


def _parse(draft: str) -> list[_Draft]:
    """Sentences of the draft with their markers; a marker standing alone belongs to the sentence before."""
    sentences: list[_Draft] = []
    for number, raw in enumerate(draft.splitlines()):
        if _TRAILER.match(raw):
            break  # the draft's own source list: everything after it is references, not answer
        if _AS_OF_LINE.match(raw) or not raw.strip():
            continue
        bullet = bool(_BULLET.match(raw))
        line = _MARKDOWN.sub("", _BULLET.sub("", raw)).strip()
        for piece in _split_line(line):
            text, tokens = _markers(piece)
            if not re.search(r"\w", text):
                if sentences and tokens:
                    sentences[-1].markers.extend(tokens)
                continue
            sentences.append(_Draft(line=number, bullet=bullet, text=text, markers=tokens))
    return sentences


# --- Support --------------------------------------------------------------------------------------------


def _fold(token: str) -> str:
    # A crude stem on top of tokenize's plural fold: "requires", "required", "requirement" meet.
    return token[:6] if len(token) > 6 else token


def _claim_words(text: str) -> set[str]:
    return {_fold(t) for t in tokenize(text) if t not in _FILLER and not t.replace(".", "").isdigit()}


def _numbers(text: str) -> set[str]:
    found = set()
    for match in _NUMBER.finditer(text):
        digits = re.sub(r"[,.']", "", match.group(0).rstrip(".,"))
        if digits:
            found.add(digits.lstrip("0") or "0")
    return found


class _PassageView:
    """A retrieved passage prepared for support checks."""

    def __init__(self, passage: Citable, embedder: Embedder | None) -> None:
        self.passage = passage
        body = f"{passage.title} {passage.locator} {passage.text}"
        self.words = {_fold(t) for t in tokenize(body)}
        self.heading = {
            _fold(t) for t in tokenize(f"{passage.title} {passage.locator} {passage.citation_id}")
        }
        self.numbers = _numbers(body)
        self._embedder = embedder
        self._vectors: np.ndarray | None = None

    def vectors(self) -> np.ndarray:
        if self._vectors is None:
            assert self._embedder is not None
            pieces = [s for s in re.split(r"(?<=[.;!?])\s+|\n+", self.passage.text) if len(s.split()) >= 3]
            self._vectors = self._embedder.embed(pieces or [self.passage.text])
        return self._vectors


class _Support(BaseModel):
    lexical: float
    semantic: float | None
    missing_numbers: list[str]
    supported: bool


def _support(
    text: str,
    views: Sequence[_PassageView],
    thresholds: GuardThresholds,
    embedder: Embedder | None,
    vector: np.ndarray | None,
) -> _Support:
    """How well the passages in `views`, together, support `text`."""
    words = _claim_words(text)
    pooled_words: set[str] = set().union(*(v.words for v in views)) if views else set()
    pooled_numbers: set[str] = set().union(*(v.numbers for v in views)) if views else set()
    lexical = len(words & pooled_words) / len(words) if words else 0.0
    missing = sorted(_numbers(text) - pooled_numbers)
    semantic = None
    if embedder is not None and vector is not None and views:
        semantic = max(float(np.max(v.vectors() @ vector)) for v in views)
    enough = lexical >= thresholds.lexical or (
        semantic is not None and semantic >= thresholds.semantic and lexical >= thresholds.lexical_floor
    )
    return _Support(
        lexical=lexical, semantic=semantic, missing_numbers=missing, supported=enough and not missing
    )


def _resolve(tokens: Sequence[str], passages: Sequence[Citable]) -> tuple[list[int], list[str]]:
    """Indexes of the retrieved passages the markers name, and the markers that name none."""
    by_id = {p.citation_id.lower(): i for i, p in enumerate(passages)}
    found: list[int] = []
    invalid: list[str] = []
    for token in tokens:
        if token.isdigit():
            index = int(token) - 1
            ok = 0 <= index < len(passages)
        else:
            index = by_id.get(token.lower(), -1)
            ok = index >= 0
        if ok and index not in found:
            found.append(index)
        elif not ok:
            invalid.append(f"[{token}]")
    return found, invalid


def _judge(
    item: _Draft,
    cited: list[int],
    views: list[_PassageView],
    thresholds: GuardThresholds,
    embedder: Embedder | None,
) -> tuple[Verdict, list[int], _Support]:
    """The verdict on one sentence, the passages it ends up citing, and the support found."""
    vector = embedder.embed([item.text])[0] if embedder is not None else None
    words = _claim_words(item.text)
    if not words and not _numbers(item.text):
        return "connective", cited, _Support(lexical=0.0, semantic=None, missing_numbers=[], supported=True)
    if any(words <= view.heading for view in views):
        # A passage's title or locator said back ("[2] Article 50: Transparency"): it states nothing.
        return "heading", [], _Support(lexical=1.0, semantic=None, missing_numbers=[], supported=False)
    if cited:
        # The best single cited passage first; then all cited passages together (a sentence may join two).
        singles = [(i, _support(item.text, [views[i]], thresholds, embedder, vector)) for i in cited]
        best_index, best = max(singles, key=lambda pair: (pair[1].supported, pair[1].lexical))
        if best.supported:
            keep = [i for i, s in singles if s.supported or s.lexical >= thresholds.lexical_floor]
            return "supported", keep or [best_index], best
        pooled = _support(item.text, [views[i] for i in cited], thresholds, embedder, vector)
        if pooled.supported:
            return "supported", cited, pooled
        return "unsupported", cited, best
    # No citation: attribute it to the retrieved passage that supports it best, if one clearly does.
    strict = thresholds.model_copy(update={"lexical": max(thresholds.lexical, thresholds.attribute)})
    candidates = [(i, _support(item.text, [v], strict, None, None)) for i, v in enumerate(views)]
    if candidates:
        index, best = max(candidates, key=lambda pair: (pair[1].supported, pair[1].lexical))
        if best.supported:
            return "attributed", [index], best
        return "uncited", [], best
    return "uncited", [], _Support(lexical=0.0, semantic=None, missing_numbers=[], supported=False)


def _reason(verdict: Verdict, support: _Support) -> str | None:
    if verdict == "unsupported":
        if support.missing_numbers:
            return f"the cited passage does not state {', '.join(support.missing_numbers)}"
        return f"only {support.lexical:.0%} of its words are in the cited passage"
    if verdict == "uncited":
        return "no citation, and no retrieved passage supports it"
    if verdict == "heading":
        return "it only repeats a passage's title"
    return None


# --- Rendering ------------------------------------------------------------------------------------------


def _label(p: Citable) -> str:
    return p.title if p.title == p.locator else f"{p.title}, {p.locator}"


def _abstention(passages: Sequence[Citable], *, as_of: date | None, contact: str) -> str:
    """The guard's 'I don't know', worded like the offline engine's (assistant.answering.abstain)."""
    lines = ["I don't know: nothing in my knowledge supports an answer with a source I can cite."]
    nearest = list(dict.fromkeys(_label(p) for p in passages[:3]))
    if nearest:
        lines.append("The closest topics I do cover: " + "; ".join(nearest) + ".")
    lines.append(f"Please ask {contact}.")
    if as_of:
        lines.append(f"Knowledge as of {as_of.isoformat()}.")
    return "\n".join(lines)


def _with_marks(text: str, marks: str) -> str:
    """'... an AI system.' + '[1]' -> '... an AI system [1].'"""
    if not marks:
        return text
    marks = marks.strip()
    if text[-1:] in ".!?:":
        return f"{text[:-1]} {marks}{text[-1]}"
    return f"{text} {marks}"


def guard_answer(
    draft: str,
    passages: Sequence[Citable],
    *,
    as_of: date | None = None,
    contact: str = DEFAULT_CONTACT,
    embedder: Embedder | None = None,
    mode: Literal["drop", "flag"] = "drop",
    thresholds: GuardThresholds | None = None,
) -> GuardedAnswer:
    """Keep only the sentences of `draft` that the retrieved `passages` support, citing only those passages.

    `passages` are the ones the model was shown, in the order it saw them ([1] is `passages[0]`): retrieval
    `Passage`s or the agent's `RetrievedPassage`s.
    `embedder` (e.g. the index's) adds a semantic check beside the word overlap. With mode="drop"
    unsupported and uncited claims are left out; with mode="flag" they stay, marked as not supported.
    When no supported sentence remains the answer is an abstention (`grounded` false) naming `contact`.
    The text always ends with the knowledge as-of date when `as_of` is known.
    """
    limits = thresholds or GuardThresholds()
    views = [_PassageView(p, embedder) for p in passages]
    judged: list[tuple[_Draft, GuardedSentence, list[int]]] = []
    invalid: list[str] = []
    for item in _parse(draft):
        cited, bad = _resolve(item.markers, passages)
        invalid.extend(bad)
        verdict, used, support = _judge(item, cited, views, limits, embedder)
        kept = verdict in {"supported", "attributed", "connective"} or (
            mode == "flag" and verdict in {"unsupported", "uncited"}
        )
        sentence = GuardedSentence(
            text=item.text,
            citations=[passages[i].citation_id for i in used],
            verdict=verdict,
            kept=kept,
            support=round(support.lexical, 3),
            semantic=None if support.semantic is None else round(support.semantic, 3),
            reason=_reason(verdict, support),
        )
        judged.append((item, sentence, used))

    claims = [s for _, s, _ in judged if s.verdict in {"supported", "attributed"}]
    if not claims:
        return GuardedAnswer(
            text=_abstention(passages, as_of=as_of, contact=contact),
            grounded=False,
            citations=[],
            sentences=[s.model_copy(update={"kept": False}) for _, s, _ in judged],
            invalid_citations=invalid,
            knowledge_as_of=as_of,
        )

    numbering: dict[int, int] = {}
    snippets: dict[int, str] = {}
    lines: dict[int, list[str]] = {}
    bullets: dict[int, bool] = {}
    for item, sentence, used in judged:
        if not sentence.kept:
            continue
        marks = []
        for index in used:
            if index not in numbering:
                numbering[index] = len(numbering) + 1
                snippets[index] = best_sentence(sentence.text, passages[index].text)
            marks.append(f"[{numbering[index]}]")
        flag = f" {FLAG}" if sentence.verdict in {"unsupported", "uncited"} else ""
        rendered = _with_marks(sentence.text, "".join(marks) + flag)
        lines.setdefault(item.line, []).append(rendered)
        bullets.setdefault(item.line, item.bullet)
    body = [("- " if bullets[n] else "") + " ".join(parts) for n, parts in sorted(lines.items())]
    dropped = sum(1 for _, s, _ in judged if not s.kept)
    if dropped:
        body += [
            "",
            f"({dropped} sentence(s) of the draft were left out: the retrieved sources do not support them.)",
        ]
    ordered = sorted(numbering, key=numbering.__getitem__)
    body += ["", "Sources:"]
    body += [f"[{numbering[i]}] {_label(passages[i])} ({passages[i].citation_id})" for i in ordered]
    if as_of:
        body += ["", f"Knowledge as of {as_of.isoformat()}."]
    citations = [
        Citation(
            id=passages[i].citation_id,
            source=passages[i].source_id,
            title=passages[i].title,
            locator=passages[i].locator,
            snippet=clip_words(snippets[i], SNIPPET_WORDS),
            score=getattr(passages[i], "score", 0.0),
        )
        for i in ordered
    ]
    return GuardedAnswer(
        text="\n".join(body),
        grounded=True,
        citations=citations,
        sentences=[s for _, s, _ in judged],
        invalid_citations=invalid,
        knowledge_as_of=as_of,
    )
