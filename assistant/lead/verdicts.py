"""Verdicts from structured facts and wording: a review's decision, the triage rules applied to the use
case asked about, and what a duty's or a sentence's own words say yes or no to."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from assistant.lead.facts import _packs, joined, pack_record
from assistant.lead.matching import _asked_stems, _stems, denies
from assistant.lead.models import DUTY_MATCH, AnswerPlan, FactBasis, Verdict
from assistant.organisation import (
    DATE,
    ReviewFields,
    asks_why,
    clause_verdict,
    decision_head,
    denies_asked_verb,
    read_review,
    review_decision_text,
    word_stems,
)
from assistant.question import (
    NUMBER_WORDS,
    Ask,
    QuestionAnalysis,
    QuestionType,
    asked_part,
    is_polar,
)
from knowledge.embedder import Embedder
from knowledge.lexical import tokenize
from knowledge.packs.schema import Role
from knowledge.retrieval import Passage
from knowledge.statements import statements
from tools.triage.catalogue import REGIME_TRIGGERS, use_case
from tools.triage.engine import triage
from tools.triage.schemas import Ground, SystemProfile


def review_decision(p: Passage, analysis: QuestionAnalysis | None = None) -> str | None:
    """'TalentSift ...: approved with conditions on 2024-09-12 (internal tier T1; high-risk under the EU AI
    Act). Conditions: ...', or its rationale when the question asks why (see assistant.organisation)."""
    return review_decision_text(p, analysis)


# "Was it approved?", "Did we reject it?": the decision field answers.
_ASKS_APPROVED = re.compile(r"\b(?:approv\w*|accept\w*|green-?lit|sign(?:ed)? off)\b", re.IGNORECASE)


_ASKS_REJECTED = re.compile(
    r"\b(?:reject\w*|refus\w*|turn(?:ed)? down|block\w*|den(?:y|ied))\b", re.IGNORECASE
)


def _without_system(analysis: QuestionAnalysis) -> str:
    """The question without the names of the systems it names, whole or by any of their words
    ("CodeAssist" for "CodeAssist IDE code assistant"): they say which record, not what is asked of it."""
    question = analysis.question
    for name in analysis.internal_names:
        question = question.replace(name, " ")
        for word in name.split():
            question = re.sub(rf"\b{re.escape(word)}\b", " ", question, flags=re.IGNORECASE)
    return question


def _review_plan(analysis: QuestionAnalysis, p: Passage, index: int) -> AnswerPlan | None:
    """The lead from a past review the question is about: for a yes/no question the verdict its record
    gives (its decision, or the clause of its rationale or conditions about what is asked), then the
    decision; otherwise the decision with its conditions or reasons."""
    decision = review_decision(p, analysis)
    if decision is None:
        return None
    fields = read_review(p.text)
    if analysis.type is not QuestionType.YES_NO and not is_polar(analysis.question):
        if analysis.type is QuestionType.WHO and (person := _reviewer(analysis, fields)) is not None:
            # "Who chaired the AI Review Board when TalentSift was reviewed?": the reviewer whose role says
            # it ("Helen Marsh (Chief Risk Officer, AI Review Board chair)"), then the decision.
            head = decision_head(fields, p.title)
            fact = f"{person}. {head}" if head else person
            return AnswerPlan(fact=fact, basis=FactBasis.REVIEW_DECISION, lead_index=index)
        if analysis.type is not QuestionType.PAST_DECISION and not asks_why(analysis.question):
            # "After how many failed attempts does Nora hand over to a person?": the condition that says
            # it ("... after two failed attempts to answer"), then the decision it belongs to.
            found = clause_verdict(
                _without_system(analysis),
                [*statements(fields.rationale or ""), *fields.conditions],
                min_shared=2,
            )
            head = decision_head(fields, p.title)
            if found is not None and head:
                fact = f"{found[1].rstrip('.')}. {head}"
                return AnswerPlan(fact=fact, basis=FactBasis.REVIEW_DECISION, lead_index=index)
        return AnswerPlan(fact=decision, basis=FactBasis.REVIEW_DECISION, lead_index=index)
    outcome = (fields.decision or "").lower()
    verdict: Verdict | None = None
    fact = decision
    if _ASKS_REJECTED.search(analysis.question) and outcome:
        verdict = Verdict.YES if _ASKS_REJECTED.search(outcome) else Verdict.NO
    elif _ASKS_APPROVED.search(analysis.question) and outcome:
        verdict = Verdict.YES if outcome.startswith(("approved", "accepted")) else Verdict.NO
    else:
        question = _without_system(analysis)
        texts = [*statements(fields.rationale or ""), *fields.conditions]
        found = clause_verdict(question, texts)
        if found is not None:
            verdict = Verdict.YES if found[0] else Verdict.NO
            head = decision_head(fields, p.title)
            fact = f"{found[1].rstrip('.')}. {head}" if head else found[1]
    if verdict is None:
        return None
    return AnswerPlan(verdict=verdict, fact=fact, basis=FactBasis.REVIEW_DECISION, lead_index=index)


def _reviewer(analysis: QuestionAnalysis, fields: ReviewFields) -> str | None:
    """Who a 'who' question about a record asks for: the person answerable for the system when the
    question names that field ("Who is the system custodian of X?"); else the one reviewer whose entry
    shares the most words (two at least) with what it asks beyond the system's name ("Who chaired ...?");
    else, when it names the reviewers' field ("Who sat on the panel ...?"), all of them; else None."""
    wanted = word_stems(_without_system(analysis))
    if (
        fields.owner
        and word_stems(fields.owner_label) - word_stems(" ".join(analysis.internal_names)) <= wanted
    ):
        return f"{fields.owner_label}: {fields.owner}"
    shared = sorted(((len(wanted & word_stems(p)), p) for p in fields.people), key=lambda f: -f[0])
    if shared and shared[0][0] >= 2 and (len(shared) == 1 or shared[1][0] < shared[0][0]):
        return shared[0][1]
    if fields.people and wanted & word_stems(fields.people_label):
        return f"{fields.people_label}: {joined(fields.people)}"
    return None


def _ground_reason(grounds: Sequence[Ground], wanted: set[str]) -> tuple[str, str | None]:
    """The reason of the ground citing one of `wanted` (the use case's provision), else of the last one."""
    chosen = next((g for g in grounds if g.citation in wanted), None)
    return (chosen.reason, chosen.citation) if chosen else ("", None)


def _triage_verdict(
    analysis: QuestionAnalysis, vector: np.ndarray | None = None, embedder: Embedder | None = None
) -> tuple[Verdict, str, list[str]] | None:
    """The triage rules applied to the use case the question describes: the verdict, its reason and the
    citations behind it."""
    other = [r for r in analysis.regimes if r != "eu-ai-act"]
    asks_regime = bool(other) and analysis.ask in (Ask.APPLIES, Ask.OBLIGATION)
    if not analysis.use_cases and not (asks_regime and analysis.ask is Ask.APPLIES):
        return None
    places = [j.value for j in analysis.jurisdictions] or ["EU"]
    profile = SystemProfile(
        name="the system in the question",
        description=analysis.question,
        use_cases=analysis.use_cases or ["other"],
        jurisdictions=places,
        in_eu_scope="EU" in places,
    )
    result = triage(profile)
    subject = use_case(analysis.use_cases[0]).description.rstrip(".").lower() if analysis.use_cases else ""
    wanted = {c for code in analysis.use_cases if (c := use_case(code).citation)}
    if asks_regime:
        finding = next((f for f in result.other_regimes if f.regime == other[0]), None)
        trigger = next((t for t in REGIME_TRIGGERS if t.regime == other[0]), None)
        if finding is None or trigger is None:
            return None
        title = _packs()[other[0]].title.split(" (")[0]
        cited = [g.citation for g in finding.grounds]
        if finding.applies:
            reason = finding.grounds[-1].reason.rstrip(".") if finding.grounds else ""
            return Verdict.YES, f"{title} covers a system that {subject}. {reason}", cited
        return (
            Verdict.NO,
            f"as described, {title} does not apply: it covers {trigger.subject}",
            [trigger.scope_citation] if trigger.scope_citation else [],
        )
    tier = result.eu_ai_act.tier.value
    reason, citation = _ground_reason([*result.eu_ai_act.grounds, *result.eu_ai_act.transparency], wanted)
    cited = [citation] if citation else [g.citation for g in result.eu_ai_act.transparency]
    if analysis.ask is Ask.CLASSIFICATION and analysis.tier_asked:
        label = {
            "high": "high-risk",
            "limited": "limited-risk (only the Article 50 transparency duties)",
        }.get(tier, tier)
        verdict = Verdict.YES if tier == analysis.tier_asked else Verdict.NO
        return verdict, f"under the EU AI Act a system that {subject} is {label}. {reason}".strip(), cited
    if analysis.ask is Ask.PERMISSION and tier == "prohibited":
        return Verdict.NO, f"the EU AI Act prohibits it. {reason}".strip(), cited
    if analysis.ask is Ask.APPLIES and set(analysis.regimes) <= {"eu-ai-act"}:
        # The Act reaches every AI system in its scope; what the question wants is whether duties follow.
        if tier in ("minimal", "out_of_scope"):
            label = "minimal-risk" if tier == "minimal" else "outside its scope"
            return (
                Verdict.NO,
                f"no specific EU AI Act duties: a system that {subject} is {label}. {reason}".strip(),
                cited,
            )
        label = {"high": "high-risk", "limited": "subject to the Article 50 transparency duties"}.get(
            tier, tier
        )
        return Verdict.YES, f"a system that {subject} is {label} under the EU AI Act. {reason}".strip(), cited
    if analysis.ask is Ask.OBLIGATION and embedder is not None and vector is not None:
        # A duty the triage finds for the system, close in meaning to what the question asks.
        duties = [(g.reason, g.citation) for g in result.eu_ai_act.transparency]
        duties += [(o.title, o.citation) for o in result.obligations]
        if duties:
            closeness = embedder.embed([text for text, _ in duties]) @ vector
            best = int(np.argmax(closeness))
            if float(closeness[best]) >= DUTY_MATCH:
                text, citation = duties[best]
                return Verdict.YES, f"for a system that {subject}: {text}", [citation]
    return None


_NEGATIVE = re.compile(
    r"\b(?:never|must not|may not|shall not|cannot|can not|not allowed|not permitted|prohibited|forbidden|"
    r"banned|"
    r"do(?:es)? not use)\b",
    re.IGNORECASE,
)


# "requires" states a duty only with what it requires after it: "the reviews the tier requires." is a
# relative clause.
_POSITIVE = re.compile(
    r"\b(?:must|shall|has to|have to|is required|are required|requires?(?=\s+\w))\b", re.IGNORECASE
)


_ONLY = re.compile(r"\b(?:only|unless|provided that|as long as)\b", re.IGNORECASE)


# A permission stated as a rule ("may be used", "is allowed"), not a label such as a table's "data allowed".
_ALLOWED = re.compile(
    r"\b(?:may|can)\s+(?:\w+\s+){0,2}(?:be\s+)?\w+|\b(?:is|are|be)\s+(?:\w+\s+)?(?:allowed|permitted)\b",
    re.IGNORECASE,
)


# An obligation as the packs index it: "Provider: As a foreign AI operator ..., appoint ...".
_DUTY_LINE = re.compile(
    r"^(?:" + "|".join(re.escape(r.value.replace("_", " ")) for r in Role) + r")s?: [A-Z]", re.IGNORECASE
)


def is_duty_line(sentence: str) -> bool:
    """Whether `sentence` is a typed obligation as the packs index it ("Organisation: Plan and run ...")."""
    return bool(_DUTY_LINE.match(sentence))


# "The UK has no AI Act", "there is no federal AI statute": a sentence denying that something exists.
_NONE = re.compile(r"\b(?:no|none|not|without|never)\b", re.IGNORECASE)


def duty_verdict(analysis: QuestionAnalysis, p: Passage, sentence: str) -> Verdict | None:
    """Yes to 'must we / do we need' when the sentence that answers is one of the typed obligations of
    the pack record it comes from ("Carry out AI system impact assessments at planned intervals")."""
    found = pack_record(p.citation_id)
    if analysis.ask is not Ask.OBLIGATION or found is None:
        return None
    words = set(tokenize(sentence))
    for obligation in found[1].obligations:
        duty = set(tokenize(obligation.text))
        if duty and len(words & duty) / len(duty) >= DUTY_WORDS and not _NEGATIVE.search(obligation.text):
            return Verdict.YES
    return None


# The share of an obligation's words a sentence must repeat to be that obligation.
DUTY_WORDS = 0.8


# A table row as a lead renders it: "Model Passport: red: Full passport; ...; clear: Not required."
_ROW_CELL = re.compile(r"(?:^|;\s+|:\s+(?=[a-z][\w -]{0,30}:\s))([a-z][\w -]{0,30}):\s+([^;]+)")
_CELL_NO = re.compile(r"^(?:no|not required|not needed|none|never|not allowed|prohibited|n/a)\b", re.I)
_CELL_YES = re.compile(r"^(?:yes|required|always|mandatory|needed|allowed)\b", re.I)


def table_cell_verdict(question: str, sentence: str) -> Verdict | None:
    """For a yes/no question naming one column of a table row ("Does a Clear-band spam filter need a
    Model Passport?" and "Model Passport: red: Full passport; ...; clear: Not required."), the verdict
    that column's cell gives: "No", "Not required", "None" say no; "Yes", "Required" say yes. None when
    no column or several are named, or the cell says neither."""
    cells = {header.strip().lower(): value.strip() for header, value in _ROW_CELL.findall(sentence)}
    named = [h for h in cells if re.search(rf"\b{re.escape(h)}\b", question, re.IGNORECASE)]
    if len(cells) < 2 or len(named) != 1:
        return None
    value = cells[named[0]]
    if _CELL_NO.match(value):
        return Verdict.NO
    if _CELL_YES.match(value):
        return Verdict.YES
    return None


def wording_verdict(analysis: QuestionAnalysis, sentence: str) -> Verdict | None:
    """A verdict from what the best sentence plainly says, when no structured fact decides it: a
    prohibition answers 'can we' with no, a duty answers 'must we' with yes, a denial answers 'is there
    a' with no."""
    if analysis.ask is Ask.EXISTS:
        return Verdict.NO if _NONE.search(sentence) else Verdict.YES
    clause = _asked_clause(analysis, sentence) if analysis.ask is Ask.PERMISSION else None
    # "Reviewers may raise a tier with written reasons; only the AI Review Board may lower one, and never
    # below the floor" answers "Can a reviewer raise a system's tier?" in its first clause: the second's
    # "never" is about lowering. A clause that decides nothing leaves the sentence whole to decide.
    if clause is not None and (said := wording_verdict(analysis, clause)) is not None:
        return said
    if analysis.ask is Ask.OBLIGATION and _DUTY_LINE.match(sentence) and not _NEGATIVE.search(sentence):
        return Verdict.YES
    approved = approver_verdict(analysis.question, sentence)
    if approved is not None:
        return approved
    rule_asked = analysis.ask in (Ask.PERMISSION, Ask.OBLIGATION)
    if rule_asked and requires_what_is_skipped(analysis.question, sentence):
        return Verdict.NO
    if rule_asked and orders_asked_action(analysis.question, sentence):
        return Verdict.YES
    if analysis.ask is Ask.PERMISSION:
        if _NEGATIVE.search(sentence) or denies_asked_verb(analysis.question, sentence):
            return Verdict.NO
        stems = _asked_stems(analysis)
        if _excludes(stems, sentence):
            return Verdict.NO
        # A question that itself says "not" ("... a system that has not finished its reviews?") is
        # restated, not denied, by the rule's own "not".
        negated = re.search(r"\bnot\b|n't\b", analysis.question, re.IGNORECASE)
        if not negated and denies(stems, sentence) and _covers(stems, sentence):
            # "May marketing publish a realistic deep fake of a real person?" / "Realistic depictions of
            # real people ... (deep fakes) are not produced for marketing at all": what is asked, denied.
            return Verdict.NO
        if _ALLOWED.search(sentence) and not _ONLY.search(sentence):  # "may ... only if": a condition
            return Verdict.YES
    if analysis.ask is Ask.OBLIGATION:
        # "Should I try to fix the model myself?" / "Do not try to fix the model yourself."
        if _EXEMPT.search(sentence) or denies_asked_verb(analysis.question, sentence):
            return Verdict.NO
        if _POSITIVE.search(sentence) and not _NEGATIVE.search(sentence):
            return Verdict.YES
    return None


def _asked_clause(analysis: QuestionAnalysis, sentence: str) -> str | None:
    """The clause of a sentence of several ("...; ...") that shares more of the question's words than any
    other, when there is one; None for a sentence of one clause or clauses sharing alike."""
    clauses = [c for c in re.split(r";\s+", sentence) if c.strip()]
    if len(clauses) < 2:
        return None
    stems = _asked_stems(analysis)
    shared = sorted(((len(stems & _stems(c)), c) for c in clauses), key=lambda found: -found[0])
    return shared[0][1] if shared[0][0] > shared[1][0] else None


# "Does a T2 system need the AI Review Board's approval?" / "... need approval by the AI Review Board?"
_ASKED_APPROVER = re.compile(
    r"\bneeds?\s+(?:the\s+)?(?P<owner>[\w\s'’-]+?)(?:'s|’s)\s+(?:approval|sign-off)\b|"
    r"\bneeds?\s+(?:the\s+)?(?P<named>[\w\s'’-]+?)\s+(?:approval|sign-off)\b|"
    r"\b(?:approval|sign-off)\s+(?:of|from|by)\s+(?:the\s+)?(?P<after>[\w\s'’-]+?)\s*\?|"
    # "Should external statements be cleared by Legal?"
    r"\b(?:be|is|are)\s+(?:approved|cleared|signed off|authori[sz]ed)\s+by\s+"
    r"(?:the\s+)?(?P<passive>[\w\s'’-]+?)\s*\?",
    re.IGNORECASE,
)
# Who approves, as a rule states it: "Approval by the RAI Lead and ...;", "The system owner approves ...".
_APPROVERS = re.compile(
    r"\b[Aa]pprov(?:al|ed)\s+by\s+(?P<by>[^;.]+)|(?P<subject>(?:[A-Z][\w'’-]*\s+){0,4}[\w'’-]+)\s+approves\b"
)


# A clause or a cell that excludes something: "data allowed: Up to Confidential; no special-category data"
# (not a limit such as "no later than").
_EXCLUDED = re.compile(
    r"(?:^|[;:,]\s*)no\s+(?!(?:later|earlier|sooner|more|less|fewer|longer)\b)((?:[\w-]+\s*){1,3})",
    re.IGNORECASE,
)


def _excludes(stems: set[str], sentence: str) -> bool:
    """Whether a clause of `sentence` opening with "no" excludes what the question asks about."""
    return any(_stems(m.group(1)) & stems for m in _EXCLUDED.finditer(sentence))


def approver_verdict(question: str, sentence: str) -> Verdict | None:
    """Whether the approval a question asks about ("Does a T2 system need the AI Review Board's
    approval?") is the one a rule requires ("Approval by the RAI Lead and the business line's Chief Risk
    Officer; the AI Review Board is informed"): yes when the rule's approvers include the one asked, no
    when they are others; None when either side names no approver."""
    asked = _ASKED_APPROVER.search(question)
    stated = _APPROVERS.search(sentence)
    if asked is None or stated is None:
        return None
    who = next(g for g in asked.group("owner", "named", "after", "passive") if g)
    approvers = stated.group("by") or stated.group("subject") or ""
    wanted = word_stems(who)
    if not wanted:
        return None
    return Verdict.YES if wanted <= word_stems(approvers) else Verdict.NO


# "Can generated code be merged without a pull-request review?": what the question would do without.
_WITHOUT = re.compile(
    r"\bwithout\s+(?:an?\s+|the\s+|any\s+|its\s+|their\s+)?([\w-]+(?:\s+[\w-]+){0,3})", re.IGNORECASE
)


def requires_what_is_skipped(question: str, sentence: str) -> bool:
    """Whether `sentence`, without a negation, says every word of what the question would do without
    ("... without a pull-request review?" / "Generated code goes through the normal pull-request review"):
    the rule requires it, so the answer is no."""
    found = _WITHOUT.search(question.rstrip("?"))
    if found is None or _NEGATIVE.search(sentence) or re.search(r"\b(?:not|no|without)\b", sentence, re.I):
        return False
    wanted = word_stems(found.group(1))
    return bool(wanted) and wanted <= word_stems(sentence)


# "Should I keep the link ...?": the action a modal question asks about, after who would do it.
_ASKED_ACTION = re.compile(
    r"^\s*(?:should|must|can|could|may|shall|do|does)\s+(?:I|we|you|staff|employees|everyone)\s+"
    r"(?:still\s+|also\s+)?([a-z]+)\b",
    re.I,
)
_MODAL_WORDS = frozenset("have need be get".split())


def orders_asked_action(question: str, sentence: str) -> bool:
    """Whether `sentence` tells the reader to do the very action asked ("Should I keep the link?" /
    "Do not delete the conversation: take a screenshot and keep the link."): an imperative clause, at
    the sentence's start, after a colon or semicolon or after "and", opening with the asked verb."""
    found = _ASKED_ACTION.match(question)
    # "Use only approved AI tools.": an order under a condition, not a yes.
    if found is None or found.group(1).lower() in _MODAL_WORDS or _ONLY.search(sentence):
        return False
    verb = re.escape(found.group(1).lower())
    # "use: Marketing imagery" is a table's field, not an order.
    order = rf"(?:^|[:;]\s*|,?\s+and\s+)(?-i:{verb}|{verb.capitalize()})\b(?!\s*:)"
    return re.search(order, sentence) is not None


# Out of a law's reach: answers "is X covered / does it apply" with no.
_OUTSIDE = re.compile(
    r"\b(?:outside|excluded from|exempt(?:ed)? from|out of (?:its )?scope)\b", re.IGNORECASE
)


# The share of the question's own words a sentence must say for its affirmation to answer yes.
COVERAGE = 0.5


def coverage_verdict(analysis: QuestionAnalysis, sentence: str, heading: str = "") -> Verdict | None:
    """For 'Does the profile mention prompt injection?' / 'Does Section 1557 reach decision support
    tools?' (no structured fact, no modal verb), from a sentence of the law that, read under its heading,
    states at least two and half of the question's own words (the regime's name aside): no when it denies
    one of them or puts the case outside the law's reach, else yes. A sentence about something else gives
    no verdict."""
    if analysis.ask not in (Ask.OTHER, Ask.APPLIES):
        return None
    stems = _asked_stems(analysis)
    # The sentence is read under its heading ("Environmental impacts: ... the footprint").
    if not _covers(stems, f"{heading} {sentence}"):
        return None  # about something else: "not trained on data" says nothing of health data
    if denies(stems, sentence, analysis.question) or (
        analysis.ask is Ask.APPLIES and _OUTSIDE.search(sentence)
    ):
        return Verdict.NO
    return Verdict.YES


# An identifier of the organisation's ("T1", "SEV2", "rev-2025-004"): a sentence naming another answers
# about something else.
_CODE = re.compile(r"\b[A-Za-z]{1,4}-?\d{1,4}\b")
# A sentence that keeps what it says to one of our codes: "For T1 this includes ...", "Only T1 systems ...".
_SCOPED = re.compile(rf"^\s*(?:only\s+)?(?:for\s+)?({_CODE.pattern})", re.IGNORECASE)
# A question asking whether something holds in every case, which a conditional rule does not answer.
_ABSOLUTE = re.compile(r"\b(?:always|every time|in (?:all|every) cases?|automatically)\b", re.IGNORECASE)
_CONDITIONAL = re.compile(r"\b(?:whether|unless|if|where|when|may|depending)\b", re.IGNORECASE)


def our_coverage_verdict(analysis: QuestionAnalysis, sentence: str, heading: str = "") -> Verdict | None:
    """For a yes/no question our own sentence answers without a rule's modal verb ("Does the AI Review
    Board include an external adviser?" / "... includes ... one external adviser on AI ethics"; "Is a
    red-team exercise required for T1 systems?" / "For T1 this includes a red-team exercise"): yes when,
    read under its heading, it states at least two and half of the question's words, no when it denies
    one, or states a condition where the question asks "always". None when the sentence names another of
    our identifiers than the question ("It decides on T1 systems" for a T4 question)."""
    asked = {c.upper() for c in _CODE.findall(analysis.question)}
    # A tier question about our own codes ("Is a limited-risk system ever tiered below T3?") is answered by
    # our rule as any other; without one of our codes, the triage decides a classification.
    classified = analysis.ask is Ask.CLASSIFICATION and bool(asked)
    if analysis.ask not in (Ask.OTHER, Ask.APPLIES, Ask.OBLIGATION) and not classified:
        return None
    exemption = _exemption_verdict(analysis.question, sentence, heading)
    if exemption is not None:
        return exemption
    said = {c.upper() for c in _CODE.findall(f"{heading} {sentence}")}
    scoped = _SCOPED.match(sentence)
    if asked and scoped and scoped.group(1).upper() not in asked:
        # "Is a red-team exercise part of the review for T2 systems?" / "For T1 this includes a red-team
        # exercise": the sentence keeps what is asked to another of our codes.
        others = {w for w in _asked_stems(analysis) if w not in {c.lower()[:5] for c in asked}}
        return Verdict.NO if _covers(others, f"{heading} {sentence}") else None
    if asked and not asked <= said:
        return None
    stems = _asked_stems(analysis)
    if not _covers(stems, f"{heading} {sentence}"):
        return None
    if denies(stems, sentence, analysis.question) or _EXEMPT.search(sentence) or _OUTSIDE.search(sentence):
        return Verdict.NO
    if _ABSOLUTE.search(analysis.question) and _CONDITIONAL.search(sentence):
        # "Is a full DPIA always needed for a T3 system?" / "a shorter screening decides whether a full
        # DPIA is needed": not always.
        return Verdict.NO
    return Verdict.YES


# "Are pilots exempt from the standard?": whether a rule leaves the subject before it out.
_ASKS_EXEMPT = re.compile(r"\b(?:exempt(?:ed)?|excluded|left out|excepted)\s+from\b", re.IGNORECASE)
# A rule that reaches the subject: "pilots included", "including contractors", "applies to all staff".
_INCLUDES = re.compile(r"\b(?:includ(?:ed|es|ing)|appl(?:y|ies)\s+to|covers?)\b", re.IGNORECASE)


def _exemption_verdict(question: str, sentence: str, heading: str) -> Verdict | None:
    """For 'Are X exempt from ...?': no when our sentence, read under its heading, names X and says the
    rule includes or applies to it ("The standard applies to systems we build, buy or use, pilots
    included"), yes when it names X and says it is exempt or outside. None for any other question."""
    found = _ASKS_EXEMPT.search(question)
    if found is None:
        return None
    subject = _stems(question[: found.start()])
    if not subject & _stems(f"{heading} {sentence}"):
        return None
    if _EXEMPT.search(sentence) or _OUTSIDE.search(sentence):
        return Verdict.YES
    if _INCLUDES.search(sentence) and not denies(subject, sentence):
        return Verdict.NO
    return None


# "..., is that an AI incident?": what a yes/no question asks a case to be.
_ASKS_TO_BE = re.compile(
    r"\b(?:is|are|would)\s+(?:that|this|it|these|those)\s+(?:be\s+|counted\s+as\s+)?(?:an?\s+|the\s+)?"
    r"([\w\s-]{2,60}?)\s*\?\s*$",
    re.IGNORECASE,
)
_EXAMPLES = re.compile(r"^\s*(?:examples?|for example|e\.g\.)\b", re.IGNORECASE)


def example_verdict(analysis: QuestionAnalysis, p: Passage, sentence: str) -> Verdict | None:
    """Yes to "..., is that an AI incident?" when our sentence answering it is one of the examples listed
    under the heading that defines what is asked ("Examples" under "What is an AI incident") and says the
    case the question describes (at least two and half of its words)."""
    question = analysis.question
    part = asked_part(question)
    asked = _ASKS_TO_BE.search(part)
    if asked is None or not _EXAMPLES.match(p.title):
        return None
    kind = _stems(asked.group(1))
    if not kind or not kind <= _stems(" ".join(p.parents)):
        return None
    # The case is told before what it is asked to be: "If our chatbot gives a customer wrong info, ...".
    told = question[: max(question.rfind(part), 0)] + part[: asked.start()]
    return Verdict.YES if _covers(_stems(told), sentence) else None


def _covers(stems: set[str], sentence: str) -> bool:
    """Whether `sentence` states at least two and half of the question's own words."""
    said = stems & _stems(sentence)
    return len(said) >= 2 and len(said) >= COVERAGE * len(stems)


# A duty waived: "is not required", "need not", "does not need to", "is exempt", "optional".
_EXEMPT = re.compile(
    r"\b(?:(?:is|are)\s+not\s+(?:required|needed|necessary|mandatory)|need\s+not|no\s+need|"
    r"do(?:es)?\s+not\s+(?:need|have)\s+to|(?:is|are)\s+exempt\w*|(?:is|are)\s+optional)\b",
    re.IGNORECASE,
)


# A period as policies write it: "10 years", "within fifteen working days", "a 72-hour window", "every
# quarter", "twice a year", "a fortnight".
_NUMBER = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))  # "twenty-four" before "twenty"
_PERIOD = re.compile(
    rf"\b(?:\d+|{_NUMBER})[\s-](?:business |working |calendar )?"
    r"(?:minutes?|hours?|days?|weeks?|months?|quarters?|years?)\b|"
    r"\b(?:annually|yearly|half-yearly|biannually|quarterly|monthly|fortnightly|weekly|daily|fortnight|"
    r"(?:every|each|a|per|once a|twice a) (?:day|week|fortnight|month|quarter|year))\b",
    re.IGNORECASE,
)


# A sentence that cites a provision ("(Article 73)", "Art. 26(5)", "§ 1002.9").
_CITES_LAW = re.compile(r"\b(?:Article|Art\.)\s*\d|§\s*\d")


# "When is a system triaged again?" / "... triaged again when its purpose, model, ... change": a when our
# rules answer by the event it comes with, before or after.
_EVENT = re.compile(
    r"\b(?:when|whenever|before|after|once|as soon as|at (?:each|every|the start of|renewal))\b",
    re.IGNORECASE,
)
_PERIOD_OR_EVENT = re.compile(f"{_PERIOD.pattern}|{_EVENT.pattern}", re.IGNORECASE)


# A date as our rules and the records write it (one pattern, organisation.DATE).
_DATE = DATE
