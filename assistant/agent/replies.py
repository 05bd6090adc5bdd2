"""The offline agent's reply texts, composed from tool outputs: triage reports and questions, task and
system lists, past reviews, training quizzes, help. Every statement that rests on a source carries a
footnote `[n]`, and the footnotes list the source titles and citation ids, as answers to questions do."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from assistant.agent.schemas import RetrievedPassage
from assistant.agent.toolkit import (
    AnswerTrainingQuestionOutput,
    FileReviewTasksOutput,
    FindPastReviewsOutput,
    NextTrainingQuestionOutput,
    PassageOut,
    ReviewDecision,
    StartTrainingOutput,
)
from assistant.answering import best_sentence
from assistant.schemas import Citation
from assistant.triage_view import TriageView
from core.text import clip
from tools.inventory import SystemPublic
from tools.tasks import TaskPublic
from tools.training.schemas import QuestionKind, QuestionView, TopicInfo
from tools.triage.schemas import SystemProfile

MAX_OBLIGATIONS = 8
MAX_PAST_REVIEWS = 3
SNIPPET_CHARS = 240

HELP_TEXT = """I can help with AI governance, in plain words:
- Ask a question: "What must deployers of high-risk AI systems do?" Follow up in the same thread: "and for providers?"
- Triage a system: "I want to triage a new feature: <what it does>". I ask what I need to know one question at a time; answer in plain words ("yes", "no", "not sure", "only in the US"). Deterministic rules decide the tier, with the provisions they rest on.
- "file the reviews" files the review tasks the system's tier requires.
- "list tasks", "which tasks are open?", "list systems", "what happened to the review of <system>?"
- "cancel" stops a triage in progress.
- Training: "quiz me on EU AI Act basics", "start a training session on how triage works with 5 questions" (for this channel), "what training topics are there?". Answer a quiz question with its letter or number ("B", "2", "true"); "stop the quiz" ends it, "take quiz <n>" joins a session.
Answers cite their sources; I say so when I don't know."""  # noqa: E501 - the help text is shown as written


class Footnotes:
    """Numbers sources in order of first mention and renders them as the 'Sources:' list."""

    def __init__(self, known: dict[str, RetrievedPassage]) -> None:
        self.known = known
        self.order: list[str] = []
        self.snippets: dict[str, str] = {}

    def ref(self, citation_id: str, *, snippet: str | None = None) -> str:
        """' [n]' for this citation (numbered on first use)."""
        if citation_id not in self.order:
            self.order.append(citation_id)
        if snippet and citation_id not in self.snippets:
            self.snippets[citation_id] = snippet
        return f" [{self.order.index(citation_id) + 1}]"

    def citations(self) -> list[Citation]:
        """The cited sources in footnote order."""
        return [self._citation(cid) for cid in self.order]

    def lines(self) -> list[str]:
        """'Sources:' and one line per footnote (nothing when nothing was cited)."""
        if not self.order:
            return []
        out = ["", "Sources:"]
        for number, citation in enumerate(self.citations(), start=1):
            label = (
                citation.title
                if citation.title == citation.locator
                else f"{citation.title}, {citation.locator}"
            )
            out.append(f"[{number}] {label} ({citation.id})")
        return out

    def _citation(self, cid: str) -> Citation:
        passage = self.known.get(cid)
        source, _, anchor = cid.partition(":")
        if passage is None:
            # Indexed nowhere the reader can see (packs not loaded): the stable id still names it.
            return Citation(id=cid, source=source, title=cid, locator=anchor or cid, snippet="", score=1.0)
        snippet = self.snippets.get(cid) or clip(passage.text, SNIPPET_CHARS, flatten=True)
        return Citation(
            id=cid,
            source=passage.source_id,
            title=passage.title,
            locator=passage.locator,
            snippet=snippet,
            score=1.0,
        )


def _date(value: date | None) -> str:
    return value.isoformat() if value else "in force"


# --- triage --------------------------------------------------------------------------------------------


def understood(profile: SystemProfile) -> str:
    """What the description told us, in one line."""
    declared = profile.model_fields_set
    facts: list[str] = []
    if profile.use_cases:
        facts.append("use cases " + ", ".join(profile.use_cases))
    if profile.jurisdictions:
        facts.append("used in " + ", ".join(profile.jurisdictions))
    if "role" in declared:
        facts.append(f"our role: {profile.role.value.replace('_', ' ')}")
    for field, words in (
        ("personal_data", "processes personal data"),
        ("profiling", "profiles people"),
        ("interacts_with_people", "interacts with people"),
        ("generates_synthetic_content", "generates content"),
        ("automated_decisions", "decides without human review"),
        ("gpai_model", "is a general-purpose AI model"),
    ):
        value = getattr(profile, field)
        if value is True:
            facts.append(words)
        elif value is False and field in declared:
            facts.append("not: " + words)
    return "; ".join(facts) if facts else "no specific facts yet"


def triage_question(
    *, name: str, question: str, number: int, first: bool, profile: SystemProfile, retry_reason: str | None
) -> str:
    """The next triage question, with what was understood so far on the first one."""
    lines: list[str] = []
    if retry_reason:
        lines.append(f"I couldn't use that answer: {retry_reason}.")
    elif first:
        lines.append(f"Triage of {name!r} (say 'call it <name>' to rename it).")
        lines.append(f"From your description: {understood(profile)}.")
        lines.append("A few facts decide the tier; I'll ask them one at a time.")
    lines.append(f"Question {number}: {question}")
    lines.append("(Answer in plain words: yes, no, not sure, or e.g. 'only in the US'; 'cancel' stops.)")
    return "\n".join(lines)


def triage_report(view: TriageView, notes: Footnotes, *, skipped: Sequence[str] = ()) -> str:
    """The classification: tier with its grounds, transparency, other regimes, obligations with dates,
    required reviews, open questions and precedent, every ground footnoted."""
    where = f" ({view.system.id})" if view.system.id else " (not recorded)"
    when = f", applies from {view.applies_from.isoformat()}" if view.applies_from else ""
    tiers = f"EU AI Act tier {view.tier.value}{when}; internal tier {view.internal_tier}"
    lines = [f"{view.system.name}{where}: {tiers}."]
    if view.grounds:
        lines.append("Why:")
        lines += [f"- {g.reason}{notes.ref(g.citation, snippet=g.reason)}" for g in view.grounds]
    if view.transparency:
        lines.append("Transparency duties (Article 50):")
        lines += [f"- {g.reason}{notes.ref(g.citation, snippet=g.reason)}" for g in view.transparency]
    if view.gpai:
        risk = "with systemic risk" if view.gpai.systemic_risk else "without systemic risk"
        lines.append(f"General-purpose AI model, {risk}:")
        lines += [f"- {g.reason}{notes.ref(g.citation, snippet=g.reason)}" for g in view.gpai.grounds]
    if view.applying_regimes:
        lines.append("Other regimes that apply:")
        for finding in view.applying_regimes:
            ground = finding.grounds[0] if finding.grounds else None
            ref = notes.ref(ground.citation, snippet=ground.reason) if ground else ""
            lines.append(f"- {finding.regime}: {ground.reason if ground else 'applies'}{ref}")
    if view.obligations:
        lines.append(f"Obligations ({len(view.obligations)}):")
        shown, more = view.obligations_shown(MAX_OBLIGATIONS)
        for o in shown:
            lines.append(f"- {o.title} ({o.owner}, from {_date(o.applies_from)}){notes.ref(o.citation)}")
        if more:
            lines.append(f"- and {more} more (`govassist systems show`).")
    if view.required_reviews:
        reviews = ", ".join(f"{x.name} ({x.due_days} days)" for x in view.required_reviews)
        lines.append(f"Required reviews: {reviews}.")
    if view.open_questions:
        lines.append("Still unknown (the tier may rise once these are answered):")
        for m in view.open_questions:
            mark = " (you were not sure)" if m.field in skipped else ""
            lines.append(f"- {m.question}{mark}")
    if view.precedents:
        lines.append("Similar systems reviewed before:")
        lines += [f"- {p.title}{notes.ref(p.citation, snippet=p.snippet)}" for p in view.precedents]
    if view.required_reviews and view.system.id:
        lines.append(f"Say 'file the reviews' to file the {len(view.required_reviews)} review task(s).")
    lines += notes.lines()
    lines += ["", f"Knowledge as of {view.knowledge_as_of.isoformat()}."]
    return "\n".join(lines)


# --- tasks, systems, past reviews ------------------------------------------------------------------------


def task_line(t: TaskPublic) -> str:
    """'#3 DPIA: CV screener -> privacy queue, due 2026-05-01 [open]'."""
    return f"#{t.id} {t.title} -> {t.owner_queue}, due {t.due_date.isoformat()} [{t.status.value}]"


def filed_text(out: FileReviewTasksOutput) -> str:
    """What filing did."""
    head = (
        f"Filed {out.filed} new review task(s) for {out.system_name} "
        f"(assessment version {out.assessment_version}, EU tier {out.eu_tier}, "
        f"internal tier {out.internal_tier})."
    )
    if not out.tasks:
        head = f"{out.system_name}'s internal tier {out.internal_tier} requires no reviews: nothing to file."
    elif out.filed == 0:
        head = f"The review tasks for {out.system_name} were already filed; nothing new:"
    return "\n".join([head, *(f"- {task_line(t)}" for t in out.tasks)])


def tasks_text(tasks: Sequence[TaskPublic], total: int, *, what: str) -> str:
    """A list of tasks."""
    if not tasks:
        return f"No {what} found."
    lines = [f"{total} {what}:" if total == len(tasks) else f"{total} {what} (showing {len(tasks)}):"]
    lines += [f"- {task_line(t)}" for t in tasks]
    return "\n".join(lines)


def systems_text(systems: Sequence[SystemPublic], *, what: str = "system(s) in the inventory") -> str:
    """A list of systems with their latest tiers."""
    if not systems:
        return f"No {what}."
    lines = [f"{len(systems)} {what}:"]
    for s in systems:
        if s.latest_version is None:
            lines.append(f"- {s.name} ({s.id}): not assessed yet")
            continue
        lines.append(
            f"- {s.name} ({s.id}): EU tier {s.eu_tier}, internal tier {s.internal_tier}, "
            f"{s.status}, version {s.latest_version}"
        )
    return "\n".join(lines)


def _decision_line(d: ReviewDecision) -> str:
    if d.decided_on is None:
        status = d.status.value.replace("_", " ")
        return f"- {d.review}: {status}, due {d.due_date.isoformat()} (task #{d.task_id}, {d.owner_queue})"
    line = f"- {d.review}: {d.status.value.replace('_', ' ')} on {d.decided_on.isoformat()}"
    if d.conditions:
        line += "; conditions: " + "; ".join(d.conditions)
    if d.note:
        line += f"; note: {d.note}"
    return line + f" (task #{d.task_id}, assessment version {d.assessment_version})"


def past_reviews_text(out: FindPastReviewsOutput, notes: Footnotes, *, query: str) -> str:
    """A system's reviews from the inventory and similar past reviews from the knowledge base."""
    lines: list[str] = []
    if out.system is not None:
        if out.reviews:
            lines.append(f"Reviews of {out.system.name}:")
            lines += [_decision_line(d) for d in out.reviews]
        else:
            lines.append(f"No review tasks have been filed for {out.system.name} yet.")
    passages = _relevant(out.passages)
    if passages:
        lines.append("Past reviews in the knowledge base:" if out.system is None else "Related past reviews:")
        for p in passages:
            sentence = best_sentence(query, p.text, heading=f"{p.locator}: {p.title}")
            lines.append(
                f"- {p.title}: {clip(sentence, SNIPPET_CHARS)}{notes.ref(p.citation_id, snippet=sentence)}"
            )
    if not lines:
        lines.append("I found no past reviews about that.")
    lines += notes.lines()
    return "\n".join(lines)


def _relevant(passages: Iterable[PassageOut]) -> list[PassageOut]:
    return list(passages)[:MAX_PAST_REVIEWS]


# --- training quizzes ------------------------------------------------------------------------------------

EVIDENCE = "Results are recorded as AI-literacy training (EU AI Act, Article 4)."


def _option(view: QuestionView, index: int) -> str:
    """'B) 72 hours' for multiple choice, 'True' for true/false."""
    if view.kind is QuestionKind.TRUE_FALSE:
        return view.options[index]
    return f"{view.option_label(index)}) {view.options[index]}"


def training_topics_text(topics: Sequence[TopicInfo]) -> str:
    """The topics a quiz can be on, with how many questions each offers here."""
    lines = [
        "Training topics (say 'quiz me on <topic>', optionally with a number of questions and easy, medium "
        "or hard):"
    ]
    for t in topics:
        if t.available:
            lines.append(f"- {t.title}: {t.description} (up to {t.questions_available} questions)")
        else:
            lines.append(f"- {t.title}: not available here ({t.note})")
    return "\n".join(lines)


def quiz_question(view: QuestionView) -> str:
    """One quiz question with its options and how to answer."""
    lines = [f"Question {view.position} of {view.total}: {view.prompt}"]
    if view.kind is QuestionKind.TRUE_FALSE:
        lines.append("(Answer true or false; 'stop the quiz' ends the quiz.)")
    else:
        lines += [_option(view, i) for i in range(len(view.options))]
        last = view.option_label(len(view.options) - 1)
        lines.append(f"(Answer with a letter A-{last} or its number; 'stop the quiz' ends the quiz.)")
    return "\n".join(lines)


def quiz_started(out: StartTrainingOutput) -> str:
    """The new session: topic, size, for whom, and how others join."""
    s = out.session
    if s.channel:
        who = "everyone in this channel"
    else:
        who = ", ".join(p.display_name or p.user_id for p in s.participants)
    lines = [
        f"Started training session {s.id}: {s.topic}, {s.question_count} question(s), {s.difficulty.value}, "
        f"for {who}. {EVIDENCE}"
    ]
    if s.channel or not out.for_requester:
        lines.append(f"To take part, say 'take quiz {s.id}' to me.")
    if out.notice:
        lines.append(f"Note: {out.notice}")
    return "\n".join(lines)


def quiz_feedback(out: AnswerTrainingQuestionOutput, notes: Footnotes) -> str:
    """Right or wrong, the right answer, and the explanation with its source footnoted."""
    fb, view = out.feedback, out.question
    lines: list[str] = []
    if fb.already_answered:
        lines.append(f"You had answered question {fb.position} already; your first answer counts.")
    if fb.correct:
        lines.append(f"Right: {_option(view, fb.correct_option)}.")
    else:
        lines.append(f"Not quite: the answer is {_option(view, fb.correct_option)}.")
    lines.append(f"{fb.explanation}{notes.ref(fb.citation_id)}")
    lines.append(f"Score so far: {fb.correct_so_far} of {fb.answered} right ({fb.total} questions in all).")
    return "\n".join(lines)


def quiz_done(out: NextTrainingQuestionOutput) -> str:
    """The end of the quiz for this user."""
    return (
        f"You have answered all {out.total} questions of the quiz on {out.topic}: {out.correct} right. "
        f"{EVIDENCE}"
    )


def quiz_stopped(session_id: int) -> str:
    """The quiz left for now."""
    return (
        f"Stopped the quiz (training session {session_id}). Your answers so far are recorded; say "
        f"'take quiz {session_id}' to go on later."
    )
