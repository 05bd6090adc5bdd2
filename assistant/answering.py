"""The offline answer engine: a direct lead sentence, supporting points, each marked with its citation,
then the sources; or an honest abstention. No language model is involved."""

from __future__ import annotations

import re
from datetime import date

import numpy as np

from assistant.lead import (
    HEADING_WORDS,
    AnswerPlan,
    FactBasis,
    Prepared,
    Verdict,
    coverage_verdict,
    dates_from_named_document,
    duty_verdict,
    example_verdict,
    is_duty_line,
    is_organisations,
    leads_with_what_it_names,
    names_its_answer,
    our_coverage_verdict,
    related_support,
    rests_on_our_sentence,
    table_cell_verdict,
    word_share,
    wording_verdict,
)
from assistant.organisation import best_statement, embed_cached, heading_overlap, list_items, with_items
from assistant.question import Ask, Focus, QuestionAnalysis, QuestionType, asks_which_thing, without_documents
from assistant.schemas import Answer, Citation
from knowledge.embedder import Embedder
from knowledge.lexical import tokenize
from knowledge.packs.provenance import NOTED, read_provenance, reported_clause, status_clause
from knowledge.references import find_references
from knowledge.retrieval import Passage
from knowledge.statements import MIN_STATEMENT_WORDS, clean_text, passage_heading, passage_sentences

MAX_POINTS = 3
LEAD_MAX_WORDS = 70
# A past review's decision is read with all its conditions.
DECISION_MAX_WORDS = 150
# A definition is read with the sentence drawing its edge ("Someone is not independent if ...").
DEFINITION_MAX_WORDS = 100
POINT_MAX_WORDS = 45
OFFICIAL_MAX_WORDS = 60
SNIPPET_WORDS = 40
# A supporting passage must score at least this share of the best one, or it is noise.
SUPPORT_RATIO = 0.6

# A list item cut out of its sentence: "(d) the retention period;" or "claims data: claim files, ...;"
_FRAGMENT = re.compile(r"^(?:\([a-z0-9]{1,4}\)\s|[a-z])")
# A sentence that opens with a capital and ends with a full stop, not a list item.
_CLOSED = re.compile(r"^[A-Z][^:;]*\.$")
# A sentence whose subject is its section's heading: "Owns this policy, ...", "Approval by the RAI Partner."
# Or whose subject is a pronoun standing for the heading: "It decides on T1 systems, ..." under "AI Review
# Board".
_SUBJECTLESS = re.compile(
    r"^(?:[A-Z][a-z]+s\s+(?:the|this|these|a|an|every|all|each|its|their|our)\b|[A-Z][a-z]+\s+by\b"
    r"|(?:It|They)\s+[a-z]+s?\b"
    # "Provides knowledge of the system, ...": a verb, then its object; not a plural subject and its verb
    # ("Systems are re-reviewed ...").
    r"|[A-Z][a-z]+[^s\W]s\s+(?!(?:are|is|were|was|have|has|must|may|can|could|should|shall|will|would|do|"
    r"need|not)\b)[a-z]+)"
)
# The fewest words a closed sentence of one of our sections needs to lead.
OUR_SHORT_SENTENCE_WORDS = 4
# A table row read as one statement, however short: "Privacy screening: owner queue: privacy; t3: 10."
_TABLE_ROW = re.compile(r"^[^:;]+: [a-z][\w ()-]*: [^:]+(?:; [\w ()-]+: [^:;]+)*\.$")


def _heading(p: Passage) -> str:
    return passage_heading(p.locator, p.title)


def _label(title: str, locator: str) -> str:
    return title if title == locator else f"{title}, {locator}"


_CLAUSE_END = re.compile(r"[.;!?](?=\s|$)")


def clip_words(text: str, words: int) -> str:
    """`text` cut to at most `words` words: at the last sentence or clause end that keeps at least half of
    them, else at a word, marked with an ellipsis when cut."""
    parts = text.split()
    if len(parts) <= words:
        return text
    kept = " ".join(parts[:words])
    ends = [m.end() for m in _CLAUSE_END.finditer(kept)]
    if ends and len(kept[: ends[-1]].split()) >= words // 2:
        return kept[: ends[-1]].rstrip(";") + ("" if kept[ends[-1] - 1] in ".!?" else " …")
    return kept.rstrip(",;:") + " …"


# What a list fragment or a caveat costs against a whole sentence answering as well: a caveat ("we could not
# confirm ...") qualifies the answer, it does not give it.
_FORM_COST = 0.2
_CAVEAT = re.compile(r"^Caveat:")


def _poor_form(sentence: str) -> bool:
    return bool(_FRAGMENT.match(sentence) or sentence.endswith(";") or _CAVEAT.match(sentence))


def best_sentence(
    question: str,
    text: str,
    *,
    heading: str = "",
    embedder: Embedder | None = None,
    question_vector: np.ndarray | None = None,
    duty_cost: float = 0.0,
) -> str:
    """The statement of `text` that best answers `question`: closest in meaning when an embedder is given
    (whole sentences preferred over list fragments; a typed duty line, "Organisation: Plan ...", paying
    `duty_cost`), else sharing most words with it (earlier ones win ties). The passage's own heading, and
    other short lines, are used only when the text has no full sentence. Internal notation is removed."""
    if heading and text.startswith(heading):
        text = text[len(heading) :]
    sentences = [clean_text(s) for s in passage_sentences(text)]
    sentences = [s for s in sentences if s] or [clean_text(text)]
    full = [s for s in sentences if len(s.split()) >= MIN_STATEMENT_WORDS] or sentences
    if embedder is not None and len(full) > 1:
        vector = question_vector if question_vector is not None else embedder.embed([question])[0]
        meaning = embedder.embed(full) @ vector
        scored = [
            (float(meaning[i]) - _FORM_COST * _poor_form(s) - duty_cost * is_duty_line(s) - 0.002 * i, s)
            for i, s in enumerate(full)
        ]
        return max(scored, key=lambda pair: pair[0])[1]
    wanted = set(tokenize(question))
    scored = [(len(wanted & set(tokenize(s))) - 0.01 * position, s) for position, s in enumerate(full)]
    return max(scored, key=lambda pair: pair[0])[1]


def is_grounded(question: str, passages: list[Passage], *, threshold: float) -> bool:
    """Whether the passages cover the question: a provision it names was found, or the best passage is
    similar enough (the threshold is calibrated on labelled in- and out-of-scope questions)."""
    if not passages:
        return False
    anchors = {ref.anchor for ref in find_references(question)}
    if anchors and any(p.citation_id.split(":", 1)[-1] in anchors for p in passages):
        return True
    return max(p.similarity for p in passages) >= threshold


def answers_question(
    question: str, prepared: Prepared, *, threshold: float, embedder: Embedder | None
) -> bool:
    """Whether the prepared answer is in scope: its passages cover the question (`is_grounded`), a
    structured fact of the regime it names answers it (`names_its_answer`), its verdict rests on a
    sentence of ours close enough in meaning (`rests_on_our_sentence`), or it leads with what of ours it
    names, a tool's table or a system's review (`leads_with_what_it_names`), or a date or period of ours
    answers a "when" or "how long" from the document it names (`dates_from_named_document`)."""
    return (
        is_grounded(question, prepared.passages, threshold=threshold)
        or names_its_answer(prepared)
        or rests_on_our_sentence(prepared, embedder, threshold)
        or leads_with_what_it_names(prepared)
        or dates_from_named_document(prepared)
    )


def _statement(
    question: str,
    p: Passage,
    words: int,
    *,
    embedder: Embedder | None = None,
    question_vector: np.ndarray | None = None,
) -> str:
    """The passage's best sentence for `question` (by meaning, with `embedder`), marked as history when its
    rule is withdrawn or superseded, and with one short clause when it rests on reporting."""
    sentence = best_sentence(
        question, p.text, heading=_heading(p), embedder=embedder, question_vector=question_vector
    )
    return f"{_history_prefix(p)}{clip_words(sentence, words)}{_reported_suffix(p)}"


def _history_prefix(p: Passage) -> str:
    """'History only (withdrawn: ...): ' before a statement resting on a withdrawn or superseded rule."""
    provenance = read_provenance(p.text)
    return f"History only ({status_clause(provenance)}): " if provenance.historical else ""


def _reported_suffix(p: Passage) -> str:
    """The one short clause after a statement resting on reporting rather than the official text."""
    return f" {reported_clause()}" if read_provenance(p.text).reported else ""


def _status_line(p: Passage) -> str | None:
    """A line showing a stayed, adopted or proposed record's status note, where the passage has one."""
    provenance = read_provenance(p.text)
    if provenance.status in NOTED and provenance.status_note:
        return f"Status of {p.locator}: {status_clause(provenance)}"
    return None


def _citation(p: Passage, question: str) -> Citation:
    return Citation(
        id=p.citation_id,
        source=p.source_id,
        title=p.title,
        locator=p.locator,
        snippet=clip_words(best_sentence(question, p.text, heading=_heading(p)), SNIPPET_WORDS),
        score=p.score,
    )


def _ordered_support(
    passages: list[Passage], lead_index: int, analysis: QuestionAnalysis | None
) -> tuple[Passage, list[Passage]]:
    """The passage the lead cites and the supporting ones: without an analysis, those scoring close to the
    best; with one, those of the lead's regime, a named regime or the organisation's own rule, in
    retrieval order (retrieval has already put them in the order the question asks for)."""
    lead = passages[lead_index]
    rest = [p for i, p in enumerate(passages) if i != lead_index]
    if analysis is None:
        return lead, [p for p in rest if p.score >= SUPPORT_RATIO * lead.score][:MAX_POINTS]
    return lead, related_support(lead, rest, analysis)[:MAX_POINTS]


# What a place lower in the retrieval ranking costs a passage whose sentence answers better.
RANK_COST = 0.05
# How many passages after the first the lead may be chosen from.
LEAD_WINDOW = 3
_ABOUT_AMENDMENTS = re.compile(r"amend|omnibus|postpon|delay|sb ?2[456]|change", re.IGNORECASE)


def _readable_lead(
    question: str,
    passages: list[Passage],
    index: int,
    *,
    embedder: Embedder | None,
    question_vector: np.ndarray | None,
    analysis: QuestionAnalysis | None = None,
) -> int:
    """The passage to lead with, among `index` and the next LEAD_WINDOW passages of the same side (ours,
    or the law: the same regime, a regime the question names, any regime when it names none): the one
    whose best sentence and whole passage are closest in meaning to the question and whose heading and
    sentence say most of its words, a lower-ranked passage paying RANK_COST per place; a heading, a label
    or an amendment's bookkeeping never leads when a whole sentence is there. Without an embedder:
    `index` unless it is not readable."""

    def statement(p: Passage) -> str:
        return best_sentence(
            question,
            p.text,
            heading=_heading(p),
            embedder=embedder,
            question_vector=question_vector,
            duty_cost=_duty_cost(analysis),
        )

    def readable(p: Passage) -> bool:
        if ":amendment-" in p.citation_id and not _ABOUT_AMENDMENTS.search(question):
            return False  # an amendment's bookkeeping answers only questions about the amendment
        if is_organisations(p) and len(list_items(p.text)) >= 2:
            return True  # our list of short items leads as the list (see with_items)
        return len(statement(p).split()) >= MIN_STATEMENT_WORDS

    # A provision the question names ("GOVERN 1.1", "Article 50(1)") leads when it is readable: the
    # reader asked about it, however close another passage's wording comes. A question about a change
    # to it is answered by the amendment as much as by the provision, so there closeness decides.
    named = {reference.anchor for reference in find_references(question)}
    if named and not _ABOUT_AMENDMENTS.search(question):
        # The named provision wherever it ranked ("What does Article 4a allow?" ranks Article 4 first).
        for j in [index, *range(len(passages))]:
            if passages[j].citation_id.partition(":")[2] in named and readable(passages[j]):
                return j
    side = is_organisations(passages[index])
    if side and readable(passages[index]):
        # Our passages were ranked by the sentence that answers, read under its heading (see
        # conditioned_search): that order stands.
        return index
    # On the law's side: the lead's regime, a regime the question names, or, when it names none, any
    # regime (retrieval may have led with the wrong one: a health rule before the ADA's for a disability
    # question).
    regimes = {passages[index].source_id, *(analysis.regimes if analysis else ())}
    any_regime = analysis is not None and analysis.focus is Focus.LAW
    candidates = [index] + [
        j
        for j in range(index + 1, min(len(passages), index + 1 + LEAD_WINDOW))
        if is_organisations(passages[j]) == side and (side or any_regime or passages[j].source_id in regimes)
    ]
    whole = [j for j in candidates if readable(passages[j])]
    if not whole:
        return index
    if embedder is None or question_vector is None or len(whole) == 1:
        return whole[0]
    sentences = [statement(passages[j]) for j in whole]
    closeness = embedder.embed(sentences) @ question_vector
    # The sentence's closeness, the whole passage's (its heading and every sentence: one sentence of a
    # risk's record may miss what the record as a whole is about), and the question's own words in the
    # heading and the sentence ("suppliers", "third parties" under "Third-party relationships").
    scored = [
        (
            float(closeness[n])
            + passages[j].similarity
            + HEADING_WORDS * word_share(question, f"{passages[j].title} {sentences[n]}")
            - RANK_COST * (j - index),
            j,
        )
        for n, j in enumerate(whole)
    ]
    return max(scored, key=lambda item: (item[0], -item[1]))[1]


# What a typed duty line ("Organisation: Plan and run an internal audit programme") costs against the
# provision's own sentence when the question does not ask what must be done: the duty restates the
# provision as an instruction, its own sentence says what it is and asks ("at planned intervals").
DUTY_LINE_COST = 0.1


def _duty_cost(analysis: QuestionAnalysis | None) -> float:
    """DUTY_LINE_COST for a question asking what something is or says (not what must be done, a yes or a
    no, or a period, amount or date, which a duty line often states: "at least 10 business days")."""
    if analysis is None or analysis.type not in (QuestionType.WHAT_IS, QuestionType.LIST, QuestionType.OTHER):
        return 0.0
    return DUTY_LINE_COST


def _overlap(a: str, b: str) -> float:
    """Share of the shorter text's words found in the other: 1.0 when one says the other again."""
    words_a, words_b = set(tokenize(a)), set(tokenize(b))
    return len(words_a & words_b) / max(1, min(len(words_a), len(words_b)))


def _lead_line(
    question: str,
    lead: Passage,
    plan: AnswerPlan | None,
    analysis: QuestionAnalysis | None,
    *,
    embedder: Embedder | None,
    question_vector: np.ndarray | None,
) -> str:
    """The first paragraph: the verdict, date, period, amount or decision, then the best supporting
    sentence of the passage it rests on, both cited."""
    sentence = best_sentence(
        question,
        lead.text,
        heading=_heading(lead),
        embedder=embedder,
        question_vector=question_vector,
        duty_cost=_duty_cost(analysis),
    )
    if is_organisations(lead) and embedder is not None and question_vector is not None:
        ask, ask_vector = question, question_vector
        if analysis is not None and analysis.internal_names:
            # "Are personal devices covered by the generative AI policy?": the document's name says which
            # document, not which of its sentences answers ("It sits under the Responsible AI Policy").
            reduced = without_documents(question, analysis.internal_names, [], placeholder="it")
            if reduced != question and set(tokenize(reduced)) - {"it"}:
                ask, ask_vector = reduced, embed_cached(embedder, [reduced])[0]
        sentence = _our_best_sentence(ask, lead, embedder, ask_vector) or sentence
    if is_organisations(lead) and analysis is not None:
        # Our sentence announcing a list ("the tools below") leads with the list it announces.
        listing = analysis.type in (QuestionType.LIST, QuestionType.WHAT_MUST)
        sentence = with_items(sentence, lead.text, title=lead.title, is_list_question=listing) or sentence
    if (
        is_organisations(lead)
        and not (plan and plan.fact)
        # A heading that is itself a question ("Q: Which tools may I use?") names no answer.
        and not lead.title.rstrip().endswith("?")
        and (
            (asks_which_thing(question) and heading_overlap(sentence, lead.title) == 0)
            # A sentence without its subject may use a word of the heading ("... of the system" under
            # "System owner"); only the heading whole names who acts.
            or (
                analysis is not None
                and analysis.type is QuestionType.WHO
                and _SUBJECTLESS.match(sentence)
                and lead.title.lower() not in sentence.lower()
            )
        )
    ):
        # "Which internal tier does a system with only Article 50 duties get?": the section's heading is
        # the answer ("T3 Moderate"), its sentence the reason; "Who owns the policy?": the role a section
        # is headed by ("Chief Risk Officer: Owns this policy, ...").
        sentence = f"{lead.title}: {sentence}"
    sentence = clip_words(sentence, LEAD_MAX_WORDS)
    verdict = plan.verdict if plan else None
    if verdict is None and analysis is not None and analysis.type is QuestionType.YES_NO:
        if is_organisations(lead):
            # A table row's cell for the column the question names says it ("clear: Not required").
            verdict = table_cell_verdict(analysis.question, sentence)
        verdict = verdict or wording_verdict(analysis, sentence) or duty_verdict(analysis, lead, sentence)
        if verdict is None and is_organisations(lead):
            verdict = example_verdict(analysis, lead, sentence)
        if verdict is None:
            covered = coverage_verdict if not is_organisations(lead) else our_coverage_verdict
            verdict = covered(analysis, sentence, lead.title)
    fact = plan.fact if plan else None
    head = f"{verdict.value}." if verdict else ""
    if fact:
        decision = plan is not None and plan.basis is FactBasis.REVIEW_DECISION
        # A record's own sentence is the answer: another sentence of the same record only repeats it.
        whole = plan is not None and plan.basis is FactBasis.RECORD_WORDING
        defining = plan is not None and plan.basis is FactBasis.DEFINITION
        limit = DECISION_MAX_WORDS if decision else DEFINITION_MAX_WORDS if defining else LEAD_MAX_WORDS
        fact = clip_words(clean_text(fact), limit)
        if head:
            # After "No." the fact opens a sentence of its own: "No. The period is 2 working days, ...".
            fact = fact[:1].upper() + fact[1:]
        head = f"{head} {fact}".strip()
        head = head if head.endswith((".", "…")) else head + "."
        # A status answer says itself that a rule is withdrawn: no 'History only' in front of it.
        history = "" if plan is not None and plan.basis is FactBasis.STATUS else _history_prefix(lead)
        if (
            decision
            or whole
            or _overlap(fact, sentence) >= 0.6
            or sentence.startswith(("Maximum fine", "Penalty tiers"))
        ):
            return f"{history}{head}{_reported_suffix(lead)} [1]"
        return f"{history}{head} [1] {sentence}{_reported_suffix(lead)} [1]"
    body = f"{head} {sentence}".strip()
    return f"{_history_prefix(lead)}{body}{_reported_suffix(lead)} [1]"


# A short sentence that names its topic only by a pronoun ("The Data Ethics Office keeps it.").
# (Not one opening a numbered clause of its own: "2.7 Someone answers for it.")
_PRONOUN_ENDED = re.compile(
    r"^(?!\(?\d+(?:\.\d+)*[.)]?\s)(?:\S+\s+){1,7}(?:it|them|this|these)\.$", re.IGNORECASE
)


def with_antecedents(sentences: list[str]) -> list[str]:
    """`sentences`, a short one whose topic is only a pronoun at its end read with the sentence before it
    ("The AI Systems Catalogue is Kestrel's single register of systems. The Data Ethics Office keeps it."):
    alone it says nothing a person can use."""
    out: list[str] = []
    for sentence in sentences:
        if out and _PRONOUN_ENDED.match(sentence):
            out[-1] = f"{out[-1]} {sentence}"
        else:
            out.append(sentence)
    return out


def _our_best_sentence(question: str, lead: Passage, embedder: Embedder, vector: np.ndarray) -> str | None:
    """The sentence of our own section that answers: by meaning under the section's heading and by the
    question's words beyond the heading (see assistant.organisation.best_statement); whole sentences
    only, list fragments left out when a whole sentence is there."""
    text = lead.text[len(_heading(lead)) :] if lead.text.startswith(_heading(lead)) else lead.text
    found = with_antecedents([clean_text(s) for s in passage_sentences(text)])
    # Our sections are often terse under a heading that gives the context ("T3 Moderate: Approval by the
    # business line's RAI Partner."): a short sentence, capitalised and closed, is whole.
    whole = [
        s
        for s in found
        if not _FRAGMENT.match(s)
        and (
            len(s.split()) >= MIN_STATEMENT_WORDS
            or (len(s.split()) >= OUR_SHORT_SENTENCE_WORDS and (_CLOSED.match(s) or _TABLE_ROW.match(s)))
        )
    ]
    if len(whole) < 2:
        return None
    return best_statement(question, whole, title=lead.title, embedder=embedder, vector=vector)


def _conflict(
    question: str,
    lead: Passage,
    support: list[Passage],
    analysis: QuestionAnalysis | None,
    *,
    embedder: Embedder | None,
    question_vector: np.ndarray | None,
) -> str | None:
    """A note when the organisation's rule and the law give opposite answers to a yes/no question (a
    policy allowing what the law forbids, or waiving what it requires), rather than picking one silently."""
    if (
        analysis is None
        or analysis.type is not QuestionType.YES_NO
        or analysis.ask not in (Ask.PERMISSION, Ask.OBLIGATION)
    ):
        return None
    used = [lead, *support]
    ours = next((p for p in used if is_organisations(p) and p.kind == "policy"), None)
    law = next((p for p in used if not is_organisations(p)), None)
    if ours is None or law is None:
        return None
    said = {
        id(p): wording_verdict(
            analysis,
            best_sentence(
                question, p.text, heading=_heading(p), embedder=embedder, question_vector=question_vector
            ),
        )
        for p in (ours, law)
    }
    policy, legal = said[id(ours)], said[id(law)]
    if policy and legal and policy != legal:
        policy_yes = policy is Verdict.YES
        if (analysis.ask is Ask.PERMISSION and policy_yes) or (
            analysis.ask is Ask.OBLIGATION and not policy_yes
        ):
            return (
                f"Note: the sources conflict. {_label(ours.title, ours.locator)} answers "
                f"{policy.value.lower()}, {_label(law.title, law.locator)} answers "
                f"{legal.value.lower()}; the law prevails over an internal policy: check with legal."
            )
    return None


def compose_answer(
    question: str,
    passages: list[Passage],
    *,
    grounded: bool,
    as_of: date | None,
    contact: str,
    official: dict[str, str] | None = None,
    analysis: QuestionAnalysis | None = None,
    plan: AnswerPlan | None = None,
    embedder: Embedder | None = None,
) -> Answer:
    """Render the answer text and the citation list from ranked passages. With the question's `analysis`
    and answer `plan` (see assistant.lead), the lead gives the verdict or fact first and supporting
    sentences are chosen by meaning with `embedder`."""
    if not grounded:
        return abstain(question, passages, as_of=as_of, contact=contact)
    vector = embedder.embed([question])[0] if embedder is not None else None
    index = plan.lead_index if plan else 0
    if analysis is not None and not (plan and plan.fact):
        index = _readable_lead(
            question, passages, index, embedder=embedder, question_vector=vector, analysis=analysis
        )
    lead, support = _ordered_support(passages, index, analysis)
    used = [lead, *support]
    lines = [_lead_line(question, lead, plan, analysis, embedder=embedder, question_vector=vector)]
    status = _status_line(lead)
    if status:
        lines.append(status)
    conflict = _conflict(question, lead, support, analysis, embedder=embedder, question_vector=vector)
    if conflict:
        lines.append(conflict)
    wording = (official or {}).get(lead.citation_id)
    if wording:
        lines.append(
            f'Official text, {lead.locator}: "{clip_words(" ".join(wording.split()), OFFICIAL_MAX_WORDS)}"'
        )
    if support:
        lines.append("")
        for number, p in enumerate(support, start=2):
            statement = _statement(question, p, POINT_MAX_WORDS, embedder=embedder, question_vector=vector)
            lines.append(f"- {p.locator}: {statement} [{number}]")
    lines += ["", "Sources:"]
    lines += [f"[{n}] {_label(p.title, p.locator)} ({p.citation_id})" for n, p in enumerate(used, start=1)]
    if as_of:
        lines += ["", f"Knowledge as of {as_of.isoformat()}."]
    return Answer(
        question=question,
        answer="\n".join(lines),
        grounded=True,
        citations=[_citation(p, question) for p in used],
        knowledge_as_of=as_of,
    )


def abstain(question: str, passages: list[Passage], *, as_of: date | None, contact: str) -> Answer:
    """An honest 'I don't know' that names the nearest topics it does know and whom to ask."""
    lines = ["I don't know: nothing in my knowledge answers this with a source I can cite."]
    nearest = list(dict.fromkeys(_label(p.title, p.locator) for p in passages[:3]))
    if nearest:
        lines.append("The closest topics I do cover: " + "; ".join(nearest) + ".")
    lines.append(f"Please ask {contact}.")
    if as_of:
        lines.append(f"Knowledge as of {as_of.isoformat()}.")
    return Answer(
        question=question, answer="\n".join(lines), grounded=False, citations=[], knowledge_as_of=as_of
    )
