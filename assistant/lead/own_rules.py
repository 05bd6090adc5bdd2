"""The organisation's own rules: its sentence that answers a 'we' question, the law's rule behind it, and
what its approved lists leave out."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from assistant.lead.conditioned import is_organisations
from assistant.lead.facts import _rank, _rank_scores, joined
from assistant.lead.matching import _asked_stems, _stems
from assistant.lead.models import RULE_BEHIND, AnswerPlan, FactBasis, Verdict
from assistant.lead.verdicts import (
    _CITES_LAW,
    _CODE,
    _DATE,
    _PERIOD,
    _POSITIVE,
    _covers,
    duty_verdict,
    wording_verdict,
)
from assistant.organisation import (
    best_statement,
    denies_asked_verb,
    list_items,
    split_asks,
)
from assistant.question import (
    Ask,
    QuestionAnalysis,
    QuestionType,
    question_type,
)
from knowledge.embedder import Embedder
from knowledge.retrieval import Passage
from knowledge.statements import passage_sentences, statements

_HOW_MANY = re.compile(r"\bhow many\s+(?:working\s+|calendar\s+|business\s+)?([a-z]+)", re.IGNORECASE)
_ASKS_DUTY = re.compile(r"\b(?:must|have to|has to|need to|needs to|required|obliged)\b", re.IGNORECASE)
# The action a duty question asks about: "How long do I have to report it?" -> "report".
# ("must" is left out: "How soon must the responder open ...?" puts its subject first.)
_DUTY_VERB = re.compile(r"\b(?:have|has|need|needs|required|obliged) to\s+([a-z]+)\b", re.IGNORECASE)


def orders_duty(question: str, sentence: str) -> bool:
    """Whether `sentence` orders the action a duty question asks about, as an imperative at its start or
    after a colon ("How long do I have to report it?" / "Report it to the IT Service Desk within 1 hour")."""
    found = _DUTY_VERB.search(question)
    if found is None or found.group(1).lower() in ("be", "have", "get", "do"):
        return False
    return re.search(rf"(?:^|:\s+)(?i:{re.escape(found.group(1))})\b(?!\s*:)", sentence) is not None


def _our_sentence(
    passages: Sequence[Passage],
    pattern: re.Pattern[str],
    vector: np.ndarray | None,
    embedder: Embedder | None,
    *,
    question: str = "",
) -> tuple[int, str] | None:
    """The organisation's sentence stating a period (or date), closest in meaning to the question. A
    sentence of ours that restates the law (it cites an article) is the rule behind ours, not ours: it
    answers only when no sentence of our own states one.

    When the question names one of our codes ("How often is a T4 system reviewed?"), only a sentence
    naming it answers (the periods of T1 to T3 say nothing of T4): one with a period or a date, a table
    row with a figure in the code's column ("Fairness audit: ...; t2: 20."), or any sentence of the section
    the code heads, after its heading ("T4 Low: Reviewed on change.")."""
    codes = {c.upper() for c in _CODE.findall(question)}
    cells = [re.compile(rf"\b{re.escape(code)}:\s*\d", re.IGNORECASE) for code in codes]
    found: list[tuple[int, str]] = []
    for i, p in enumerate(passages):
        if not is_organisations(p):
            continue
        headed = bool(codes) and codes <= {c.upper() for c in _CODE.findall(p.title)}
        for sentence in statements(p.text):
            if headed:
                found.append((i, f"{p.title}: {sentence}"))
            elif (
                (pattern.search(sentence) or (cells and all(cell.search(sentence) for cell in cells)))
                and len(sentence.split()) >= 5
                and codes <= {c.upper() for c in _CODE.findall(f"{p.title} {sentence}")}
            ):
                found.append((i, sentence))
    # No sentence names the code asked about ("When is the post-incident review held for a SEV3
    # incident?"), but one names its siblings ("... of closing a SEV1 or SEV2 incident"): that rule answers,
    # saying whom it names.
    siblings = [] if found or not codes else _sibling_code_sentences(passages, pattern, codes)
    found = found or siblings
    if not found:
        return None
    found = [(i, s) for i, s in found if not _CITES_LAW.search(s)] or found
    many = _HOW_MANY.search(question)
    if many:
        # "How many days does the security baseline check of a T4 system get?" is answered by a figure in
        # that unit or in the code's cell (the table's "t4: 5"), not by the T4 section's sentence that names
        # the check, nor by its "every 12 months".
        in_unit = [rf"\d+\s+(?:\w+\s+)?{re.escape(many.group(1)[:4])}", *(c.pattern for c in cells)]
        unit = re.compile("|".join(in_unit), re.IGNORECASE)
        figures = [(i, s) for i, s in found if re.search(r"\d", s.removeprefix(passages[i].title))]
        found = [(i, s) for i, s in figures if unit.search(s)] or figures or found
    if _ASKS_DUTY.search(question):
        # "When does a new tool have to be entered in the inventory?" is answered by the rule that says it
        # must ("must be in the AI inventory before any personal data touches it"), before a description.
        found = [(i, s) for i, s in found if _POSITIVE.search(s) or orders_duty(question, s)] or found
    # Read under its heading: "It meets monthly" is about the AI Review Board. A table row or a list of
    # clauses is read by its clause that states the period ("AI Review Board chair informed within 4 hours"
    # in the SEV1 row): the row's other cells would blur what it says.
    readings: list[str] = []
    owners: list[int] = []
    for n, (i, s) in enumerate(found):
        body = s.removeprefix(f"{passages[i].title}: ")
        clauses = [c for c in re.split(r";\s+", body) if pattern.search(c)] or [body]
        readings += [f"{passages[i].title}: {c}" for c in clauses]
        owners += [n] * len(clauses)
    scores = _rank_scores(vector, embedder, readings)
    best = max(range(len(readings)), key=lambda r: scores[r])
    at, sentence = found[owners[best]]
    if siblings:
        named = sorted(_family(codes, sentence))
        return at, f"Our rule names {joined(named)}, not {joined(sorted(codes))}: {sentence}"
    return at, sentence


def _family(codes: set[str], text: str) -> set[str]:
    """The codes of `text` of the same family as `codes` ("SEV1" and "SEV2" for "SEV3"), `codes` aside."""
    prefixes = {re.sub(r"-?\d+$", "", c) for c in codes}
    return {
        c.upper()
        for c in _CODE.findall(text)
        if re.sub(r"-?\d+$", "", c.upper()) in prefixes and c.upper() not in codes
    }


def _sibling_code_sentences(
    passages: Sequence[Passage], pattern: re.Pattern[str], codes: set[str]
) -> list[tuple[int, str]]:
    """Our sentences with a period (or date) that name codes of the asked codes' family and not them."""
    return [
        (i, sentence)
        for i, p in enumerate(passages)
        if is_organisations(p)
        for sentence in statements(p.text)
        if pattern.search(sentence) and len(sentence.split()) >= 5 and _family(codes, sentence)
    ]


def _two_asks(
    analysis: QuestionAnalysis, p: Passage, vector: np.ndarray | None, embedder: Embedder | None
) -> str | None:
    """For a question of two asks ("Who chairs the board and how often does it meet?"), the passage's
    sentence that answers each, closest in meaning to that ask (one stating a period for 'how often',
    a date for 'when'); None for a question of one ask or when one sentence answers both."""
    asks = split_asks(analysis.question)
    if len(asks) < 2 or embedder is None:
        return None
    found = [s for s in statements(p.text) if len(s.split()) >= 4 and not s.endswith(":")]
    if len(found) < 2:
        return None
    chosen: list[str] = []
    for ask in asks:
        kind = question_type(ask)
        pattern = {QuestionType.HOW_LONG: _PERIOD, QuestionType.WHEN: _DATE}.get(kind)
        pool = [s for s in found if pattern.search(s)] if pattern else []
        pool = pool or found
        best = best_statement(ask, pool, title=p.title, embedder=embedder, vector=embedder.embed([ask])[0])
        if best not in chosen:
            chosen.append(best)
    if len(chosen) < 2:
        return None
    return " ".join(s if s.endswith((".", "?", "!")) else s + "." for s in chosen)


# How much less close in meaning than the organisation's best sentence a sentence stating a rule (never,
# must) may be and still answer a "can we" / "must we" question.
RULE_MARGIN = 0.1
# A sentence that denies the very action asked about ("Do not delete the conversation" for "Should I delete
# the conversation?") says no from further away (set on the sample organisation's tuning questions).
DENIAL_MARGIN = 0.2
# Or from any distance when it holds this share of the question's words (chosen before any run, as "three
# words of four").
DENIAL_WORDS = 0.75


def _our_sentences(
    passages: Sequence[Passage], vector: np.ndarray, embedder: Embedder
) -> tuple[list[tuple[int, str]], np.ndarray]:
    """Our whole sentences in the top three passages, and their closeness to the question read under their
    heading ("Ownership cannot be delegated to a supplier" is about system owners)."""
    found = [
        (i, s)
        for i, p in enumerate(passages[:3])
        if is_organisations(p)
        for s in statements(p.text)
        if len(s.split()) >= 6 and not s.endswith(";")
    ]
    if not found:
        return [], np.zeros(0)
    return found, embedder.embed([f"{passages[i].title}: {s}" for i, s in found]) @ vector


def _our_denial(
    analysis: QuestionAnalysis,
    passages: Sequence[Passage],
    vector: np.ndarray | None,
    embedder: Embedder | None,
) -> AnswerPlan | None:
    """No to a yes/no question when one of our sentences denies the very action asked about ("Does buying
    an AI product move our duties to the vendor?" / "Buying a product does not move our duties"), within
    DENIAL_MARGIN of our closest sentence."""
    if embedder is None or vector is None:
        return None
    return _denial(analysis, *_our_sentences(passages, vector, embedder))


def _denial(
    analysis: QuestionAnalysis, found: Sequence[tuple[int, str]], closeness: np.ndarray
) -> AnswerPlan | None:
    """The plan of `_our_denial` from our sentences and their closeness: a sentence denying the asked
    action, or, for a 'can / may' question, one whose rule says no about what is asked ("Ownership cannot
    be delegated to a supplier" for "Can a supplier be the system owner?", "Do not paste it into ...
    customer records" for "Can generated output go straight into customer records?")."""
    if not found:
        return None
    best = float(closeness.max())
    stems = _asked_stems(analysis)

    def says_no(sentence: str) -> bool:
        if denies_asked_verb(analysis.question, sentence):
            return True
        return (
            analysis.ask is Ask.PERMISSION
            and wording_verdict(analysis, sentence) is Verdict.NO
            and _covers(stems, sentence)
        )

    # The question's words beyond the names of our documents it points at ("the AI policy").
    named = _stems(" ".join(analysis.internal_names))
    asked = stems - named or stems

    def says_it_all(sentence: str) -> bool:
        # "An exception ... never covers a prohibited use" for "Can an exception to the AI policy cover a
        # prohibited use?": a sentence holding what is asked answers, however far its meaning sounds.
        return len(asked & _stems(sentence)) >= DENIAL_WORDS * len(asked)

    denials = [
        j
        for j in range(len(found))
        if (float(closeness[j]) >= best - DENIAL_MARGIN or says_it_all(found[j][1])) and says_no(found[j][1])
    ]
    if not denials:
        return None
    i, sentence = found[max(denials, key=lambda j: float(closeness[j]))]
    return AnswerPlan(verdict=Verdict.NO, fact=sentence, basis=FactBasis.WORDING, lead_index=i)


def _our_rule(
    analysis: QuestionAnalysis,
    passages: Sequence[Passage],
    vector: np.ndarray | None,
    embedder: Embedder | None,
) -> AnswerPlan | None:
    """For 'can we' / 'must we' about our own rules: the organisation's sentence that states the rule
    (a prohibition or a duty) among those closest in meaning, with the verdict it gives."""
    if embedder is None or vector is None:
        return None
    found, closeness = _our_sentences(passages, vector, embedder)
    denied = _denial(analysis, found, closeness)
    if denied or not found:
        return denied
    best = float(closeness.max())
    for j in sorted(range(len(found)), key=lambda j: -float(closeness[j])):
        if float(closeness[j]) < best - RULE_MARGIN:
            break
        i, sentence = found[j]
        verdict = wording_verdict(analysis, sentence)
        if verdict is not None:
            return AnswerPlan(verdict=verdict, fact=sentence, basis=FactBasis.WORDING, lead_index=i)
        condition = _ALLOWED_ONLY.search(sentence) if analysis.ask is Ask.PERMISSION else None
        if condition is not None:
            # "May be used only with information that is already public": neither yes nor no, the
            # condition is the answer, and the rule follows it.
            return AnswerPlan(
                fact=f"Only {condition.group(1).strip()}. {sentence}", basis=FactBasis.WORDING, lead_index=i
            )
    return None


# A permission under a condition: "may be used only with information that is already public".
_ALLOWED_ONLY = re.compile(
    r"\b(?:may|can)\b(?:\s+\w+){0,3}?\s+only\s+((?:if|when|with|for|where|after|once|by|in)\b[^,.;:]*)",
    re.IGNORECASE,
)


def _law_rule(
    analysis: QuestionAnalysis,
    passages: Sequence[Passage],
    vector: np.ndarray | None,
    embedder: Embedder | None,
) -> AnswerPlan | None:
    """For 'can we' / 'must we' that our own passages lead without stating a rule: the law's passage closer
    in meaning to the question than our best one, whose sentence closest to the question states the rule
    (a duty, a prohibition), with the verdict it gives."""
    ours = max((p.similarity for p in passages if is_organisations(p)), default=0.0)
    law = sorted(
        (
            (i, p)
            for i, p in enumerate(passages)
            if not is_organisations(p) and p.similarity >= max(ours, RULE_BEHIND)
        ),
        key=lambda found: -found[1].similarity,
    )
    for i, p in law:
        # Read as the answer engine reads the law: record fields and bookkeeping lines ("Instrument: ...",
        # "Applies from ...") are no rule.
        sentences = [
            s for s in passage_sentences(p.text) if len(s.split()) >= 6 and not s.endswith((":", ";"))
        ]
        if not sentences:
            continue
        sentence = sentences[_rank(vector, embedder, sentences)[0]]
        verdict = wording_verdict(analysis, sentence) or duty_verdict(analysis, p, sentence)
        if verdict is not None:
            return AnswerPlan(verdict=verdict, fact=sentence, basis=FactBasis.WORDING, lead_index=i)
    return None


# A question about our own rule: "our", "my" or "ours".
_OURS = re.compile(r"\b(?:our|ours|my)\b", re.IGNORECASE)


# An allow-list: "Only the tools below may be used with internal or confidential information."
_ONLY_LISTED = re.compile(
    r"\bonly\b.*\b(?:below|listed|following|these)\b.*\b(?:may|can)\b|"
    r"\bonly\b.*\b(?:may|can)\b.*\b(?:below|listed|following)\b",
    re.IGNORECASE,
)


# A product's name as people write it: "ChatGPT", "DeepSeek", "GitHub".
_PRODUCT = re.compile(r"\b[A-Z][a-z]*[A-Z][A-Za-z0-9]*\b")


def _not_listed(analysis: QuestionAnalysis, passages: Sequence[Passage]) -> AnswerPlan | None:
    """No to 'Can we use ChatGPT to ...?' when our passage allows only the tools it lists and the tool
    the question names is not among them."""
    # An acronym ("API", "CRM") is no product's name.
    names = [
        n for n in _PRODUCT.findall(analysis.question) if n not in analysis.internal_names and not n.isupper()
    ]
    if not names:
        return None
    for i, p in enumerate(passages[:3]):
        if not is_organisations(p):
            continue
        rule = next((s for s in statements(p.text) if _ONLY_LISTED.search(s)), None)
        items = list_items(p.text)
        if rule is None or len(items) < 2:
            continue
        listed = " ".join(items).lower()
        missing = [n for n in names if n.lower() not in listed]
        if missing:
            allowed = ", ".join(re.sub(r"\s*\(.*?\)", "", item) for item in items)
            return AnswerPlan(
                verdict=Verdict.NO,
                fact=f"{missing[0]} is not on our list. {rule.rstrip('.:')}: {allowed}",
                basis=FactBasis.WORDING,
                lead_index=i,
            )
    return None


# An answer our document gives in so many words: "Yes in KestrelChat, ...", "No. Pseudonymised records
# ...", "Yes, if ...". "No other tool may ..." or "No rule may ..." is no verdict.
_STATED_VERDICT = re.compile(
    r"^(Yes|No)(?:\s*[.,;:!]\s*|\s+(?=(?:in|if|but|for|as|when|unless|only|provided|not|with|within|once|"
    r"after|before|where|subject)\b))",
)


def stated_verdict(passages: Sequence[Passage]) -> AnswerPlan | None:
    """The verdict our first passage states itself, when its first statement opens with a yes or a no
    as a word of its own (a questions-and-answers page: "Q: Can I put a tender response into an AI
    tool?" / "Yes in KestrelChat, which is approved up to Confidential."): that statement, without the
    word, is the fact."""
    if not passages or not is_organisations(passages[0]):
        return None
    said = statements(passages[0].text)
    found = _STATED_VERDICT.match(said[0]) if said else None
    if found is None:
        return None
    # "No." may be a statement of its own: the next one says what it rests on.
    rest = said[0][found.end() :].strip() or (said[1] if len(said) > 1 else "")
    if not rest:
        return None
    return AnswerPlan(
        verdict=Verdict.YES if found.group(1) == "Yes" else Verdict.NO,
        fact=rest[:1].upper() + rest[1:],
        basis=FactBasis.WORDING,
        lead_index=0,
    )


# "Only the Council may move a system down a band": who alone may act, and the act.
_ONLY_WHO = re.compile(
    r"\bonly (?:the |an? )?(?P<who>[A-Za-z][\w'-]*(?: [A-Za-z][\w'-]*){0,4}?) (?:may|can)\b(?P<act>[^,;.]*)",
    re.IGNORECASE,
)


def only_another_may(analysis: QuestionAnalysis, passages: Sequence[Passage]) -> AnswerPlan | None:
    """A 'can X do Y?' answered no by our first section's rule that only someone else may do Y ("Can the
    Chief Data Ethics Officer knock a system down a band?" / "Only the Council may move a system down a
    band"): the act shares two of the question's words, and the one who may do it is not named in the
    question."""
    if not passages or not is_organisations(passages[0]) or analysis.ask is not Ask.PERMISSION:
        return None
    asked = _stems(analysis.question)
    for sentence in statements(passages[0].text):
        for found in _ONLY_WHO.finditer(sentence):
            who = _stems(found.group("who"))
            if who & asked or len(_stems(found.group("act")) & asked) < 2:
                continue
            return AnswerPlan(verdict=Verdict.NO, fact=sentence, basis=FactBasis.WORDING, lead_index=0)
    return None
