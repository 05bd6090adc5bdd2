"""Block Kit rendering: answers with citation footnotes, triage results, review tasks, escalations, help.

Every function returns plain Block Kit dicts (the wire format) and keeps within Slack's limits: 3,000
characters per section, 2,000 per button value, 50 blocks per message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from assistant.agent.schemas import AgentReply
from assistant.schemas import Citation
from assistant.triage_view import TriageView
from core.text import clip
from integrations.slack import ids
from integrations.slack.payloads import ActionPayload
from tools.tasks import TaskPublic, TaskStatus

Block = dict[str, Any]

SECTION_CHARS = 2900
VALUE_CHARS = 2000
MAX_BLOCKS = 50
MAX_OBLIGATIONS = 10
MAX_TASKS = 10

TIER_LABELS = {
    "prohibited": ":no_entry: *Prohibited*",
    "high": ":red_circle: *High-risk*",
    "limited": ":large_yellow_circle: *Limited risk* (transparency duties)",
    "minimal": ":large_green_circle: *Minimal risk*",
    "out_of_scope": ":white_circle: *Out of scope* of the EU AI Act",
}
STATUS_LABELS = {
    TaskStatus.OPEN: ":white_circle: open",
    TaskStatus.IN_REVIEW: ":large_blue_circle: in review",
    TaskStatus.APPROVED: ":white_check_mark: approved",
    TaskStatus.REJECTED: ":x: rejected",
    TaskStatus.CHANGES_REQUESTED: ":warning: changes requested",
}
_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(\|[^>]*)?>$")


# --- text helpers -------------------------------------------------------------------------------------------


def escape(text: str) -> str:
    """Text safe inside mrkdwn: Slack's three control characters escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_mrkdwn(markdown: str) -> str:
    """Markdown as the assistant writes it (bold, headings, links, bullets) in Slack's mrkdwn."""
    text = escape(markdown)
    text = re.sub(r"\*\*(.+?)\*\*", r"*\1*", text)
    text = re.sub(r"(?m)^#{1,6}\s+(.+)$", r"*\1*", text)
    text = re.sub(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)", r"<\2|\1>", text)
    return re.sub(r"(?m)^(\s*)[-*] ", r"\1• ", text)


def split_text(text: str, limit: int = SECTION_CHARS) -> list[str]:
    """`text` in pieces of at most `limit` characters, split at paragraph or line ends where possible."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = rest.rfind("\n\n", 0, limit)
        if cut < limit // 3:
            cut = rest.rfind("\n", 0, limit)
        if cut < limit // 3:
            cut = rest.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def section(text: str, **extra: Any) -> Block:
    """A mrkdwn section (text clipped to the section limit)."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, SECTION_CHARS)}, **extra}


def sections(text: str) -> list[Block]:
    """As many sections as a long text needs."""
    return [section(piece) for piece in split_text(text)]


def context(*texts: str) -> Block:
    """A context line (small grey text)."""
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": clip(t, 2900)} for t in texts if t][:10],
    }


def header(text: str) -> Block:
    """A header block (plain text, at most 150 characters)."""
    return {"type": "header", "text": {"type": "plain_text", "text": clip(text, 150), "emoji": True}}


def divider() -> Block:
    """A divider."""
    return {"type": "divider"}


def button(
    text: str, action_id: str, value: str | ActionPayload = "", *, style: str | None = None
) -> dict[str, Any]:
    """A button; a payload value is sent as compact JSON (at most 2,000 characters)."""
    raw = value if isinstance(value, str) else value.encode()
    element: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": clip(text, 75), "emoji": True},
        "action_id": action_id,
        "value": raw[:VALUE_CHARS],
    }
    if style:
        element["style"] = style
    return element


def actions(*elements: dict[str, Any], block_id: str | None = None) -> Block:
    """An actions block."""
    block: Block = {"type": "actions", "elements": list(elements)[:25]}
    if block_id:
        block["block_id"] = block_id
    return block


def cap(blocks: list[Block], limit: int = MAX_BLOCKS) -> list[Block]:
    """At most `limit` blocks: the rest is replaced by a note, keeping the final actions block."""
    if len(blocks) <= limit:
        return blocks
    tail = [blocks[-1]] if blocks[-1].get("type") == "actions" else []
    kept = blocks[: limit - 1 - len(tail)]
    return [*kept, context("_More than fits in one message; see the App Home or `/govassist tasks`._"), *tail]


def compact_value(payload: ActionPayload) -> ActionPayload:
    """`payload` with its question cut until its JSON fits in a button value (the cited ids left out
    when even a short question does not fit)."""
    value = payload
    while len(value.encode()) > VALUE_CHARS:
        text = value.question or ""
        if len(text) < 20:
            kept = value.model_dump(exclude_unset=True, exclude={"citations"})
            return ActionPayload.model_validate(kept)
        value = value.model_copy(update={"question": text[: int(len(text) * 0.8)]})
    return value


def user_ref(name: str | None) -> str:
    """A stored assignee as mrkdwn: Slack mentions stay mentions, other names are escaped."""
    if not name:
        return "unassigned"
    return name if _MENTION.match(name) else escape(name)


def mention_id(name: str | None) -> str | None:
    """The Slack user id inside a stored '<@U123>' assignee."""
    match = _MENTION.match(name or "")
    return match.group(1) if match else None


# --- answers ------------------------------------------------------------------------------------------------


_SOURCES_LINE = re.compile(r"(?im)^\s*(\*\*)?sources:?(\*\*)?\s*$")
_AS_OF_LINE = re.compile(r"(?im)^\s*knowledge as of [^\n]*$")


def answer_body(text: str) -> str:
    """The answer without its trailing source list and as-of line (the blocks show those structured)."""
    match = _SOURCES_LINE.search(text)
    body = text[: match.start()] if match else text
    return _AS_OF_LINE.sub("", body).strip()


def footnote(index: int, citation: Citation) -> str:
    """'[1] *Title*, Article 50(1) · `eu-ai-act:art-50-1`'."""
    where = f", {escape(citation.locator)}" if citation.locator and citation.locator != citation.title else ""
    return f"[{index}] *{escape(clip(citation.title, 150))}*{where} · `{citation.id}`"


def answer_blocks(reply: AgentReply, *, thread_id: str, feedback: bool = True) -> list[Block]:
    """An agent reply as blocks: the answer, numbered sources with titles, the knowledge date, and the
    feedback buttons (plus "Ask the RAI team" when govassist did not know)."""
    blocks: list[Block] = sections(to_mrkdwn(answer_body(reply.answer) or reply.answer))
    if reply.pending_question and reply.pending_question not in reply.answer:
        blocks.append(section(f":question: {to_mrkdwn(reply.pending_question)}"))
    if reply.citations:
        lines = [footnote(i, c) for i, c in enumerate(reply.citations, start=1)]
        blocks.append(section("*Sources*\n" + "\n".join(lines)))
    notes = []
    if reply.knowledge_as_of:
        notes.append(f"Knowledge as of {reply.knowledge_as_of.isoformat()}")
    if reply.mode == "llm" and reply.model:
        notes.append(f"phrased by {escape(reply.model)}")
    if reply.notice:
        notes.append(escape(reply.notice))
    if notes:
        blocks.append(context(" · ".join(notes)))
    if feedback:
        value = compact_value(
            ActionPayload(
                thread_id=thread_id,
                message_id=reply.message_id,
                question=reply.question,
                citations=[c.id for c in reply.citations],
                grounded=reply.grounded,
            )
        )
        buttons = [
            button(":thumbsup: Helpful", ids.FEEDBACK_HELPFUL, value),
            button(":thumbsdown: Not helpful", ids.FEEDBACK_NOT_HELPFUL, value),
        ]
        if not reply.grounded:
            buttons.append(
                button(
                    "Ask the RAI team",
                    ids.ESCALATE,
                    ActionPayload(thread_id=thread_id, question=value.question),
                    style="primary",
                )
            )
        blocks.append(actions(*buttons, block_id="govassist_feedback"))
    return cap(blocks)


def escalate_offer_blocks(*, thread_id: str, question: str) -> list[Block]:
    """After "not helpful": the offer to hand the question to the RAI team."""
    value = compact_value(ActionPayload(thread_id=thread_id, question=question))
    return [
        section("Thanks, noted. Would you like a person from the RAI team to answer this?"),
        actions(button("Ask the RAI team", ids.ESCALATE, value, style="primary")),
    ]


# --- triage -------------------------------------------------------------------------------------------------


class Footnotes:
    """Numbers citation ids in order of first use and lists them with their titles."""

    def __init__(self) -> None:
        self.order: dict[str, int] = {}

    def mark(self, citation: str) -> str:
        """'[n]' for `citation`."""
        number = self.order.setdefault(citation, len(self.order) + 1)
        return f"[{number}]"

    def lines(self, titles: dict[str, str]) -> list[str]:
        """'[n] Title · `id`' per cited id, in number order."""
        return [
            f"[{n}] {escape(titles[c]) + ' · ' if titles.get(c) else ''}`{c}`" for c, n in self.order.items()
        ]


def triage_blocks(
    view: TriageView, *, titles: dict[str, str] | None = None, controls: bool = True
) -> list[Block]:
    """A triage: tier, grounds with citations, other regimes, obligations with dates, required reviews,
    open questions, precedent, then the review tasks and the buttons to file or refine."""
    notes = Footnotes()
    system_id = view.system.id or ""
    version, tasks = view.assessment_version, view.tasks
    blocks: list[Block] = [header(f"Triage: {view.system.name}")]
    headline = [
        f"*EU AI Act:* {TIER_LABELS.get(view.tier.value, view.tier.value)}",
        f"*Internal tier:* {escape(view.internal_tier)}",
    ]
    if view.applies_from:
        headline.append(f"*Applies from:* {view.applies_from.isoformat()}")
    if view.needs_information:
        headline.append(
            ":hourglass: *Needs information:* the tier may change once the questions below are answered"
        )
    blocks.append(section("\n".join(headline)))

    why = [f"• {escape(g.reason)} {notes.mark(g.citation)}" for g in view.grounds]
    if view.derogation_applied:
        why.append("• The Article 6(3) derogation applies: not high-risk despite the Annex III use.")
    if why:
        blocks.append(section("*Why*\n" + "\n".join(why)))
    duties = [f"• {escape(g.reason)} {notes.mark(g.citation)}" for g in view.transparency]
    if duties:
        blocks.append(section("*Transparency duties (Article 50)*\n" + "\n".join(duties)))
    if view.gpai:
        kind = "with systemic risk" if view.gpai.systemic_risk else "without systemic risk"
        gpai = [f"• {escape(g.reason)} {notes.mark(g.citation)}" for g in view.gpai.grounds]
        blocks.append(section(f"*General-purpose AI model* ({kind})\n" + "\n".join(gpai)))
    regimes = [
        f"• *{escape(r.regime)}*: "
        + "; ".join(f"{escape(g.reason)} {notes.mark(g.citation)}" for g in r.grounds)
        for r in view.applying_regimes
    ]
    if regimes:
        blocks.append(section("*Other rules that apply*\n" + "\n".join(regimes)))
    if view.obligations:
        shown, more = view.obligations_shown(MAX_OBLIGATIONS)
        lines = [
            f"• {escape(o.title)} ({escape(o.owner)}"
            + (f", from {o.applies_from.isoformat()}" if o.applies_from else "")
            + f") {notes.mark(o.citation)}"
            for o in shown
        ]
        if more:
            lines.append(f"_…and {more} more (`govassist systems show {system_id}`)_")
        blocks.append(section("*Obligations*\n" + "\n".join(lines)))
    if view.required_reviews:
        reviews = [
            f"• {escape(r.name)} ({escape(r.owner_queue)} queue, within {r.due_days} days)"
            for r in view.required_reviews
        ]
        blocks.append(section("*Reviews required*\n" + "\n".join(reviews)))
    if view.open_questions:
        questions = [f"{i}. {escape(m.question)}" for i, m in enumerate(view.open_questions, 1)]
        blocks.append(section("*Open questions*\n" + "\n".join(questions)))
    if view.precedents:
        lines = [f"• {escape(p.title)} {notes.mark(p.citation)}" for p in view.precedents]
        blocks.append(section("*Precedent: past reviews of similar systems*\n" + "\n".join(lines)))
    if notes.order:
        blocks.append(section("*Sources*\n" + "\n".join(notes.lines(titles or {}))))
    where = f"assessment v{version} of `{system_id}`" if version else "not recorded"
    blocks.append(context(f"Knowledge as of {view.knowledge_as_of.isoformat()} · {where}"))

    if tasks:
        blocks.append(divider())
        blocks.append(section(f"*Review tasks* ({len(tasks)})"))
        for task in list(tasks)[:MAX_TASKS]:
            blocks.extend(task_blocks(task, controls=controls))
    if controls and version and system_id:
        value = ActionPayload(system_id=system_id, version=version)
        buttons = []
        if view.required_reviews and len(tasks) < len(view.required_reviews):
            buttons.append(button("File review tasks", ids.FILE_TASKS, value, style="primary"))
        label = "Answer the open questions" if view.open_questions else "Edit the profile"
        buttons.append(button(label, ids.TRIAGE_EDIT, value))
        buttons.append(button("Draft the system card", ids.DRAFT_SYSTEM_CARD, value))
        blocks.append(actions(*buttons, block_id="govassist_triage"))
    return cap(blocks)


# --- review tasks -------------------------------------------------------------------------------------------


def task_line(task: TaskPublic) -> str:
    """'*#12 DPIA: CV screener* · privacy · due 2027-01-10 · in review · <@U1>'."""
    parts = [
        f"*#{task.id} {escape(task.title)}*",
        f"{escape(task.owner_queue)} queue",
        f"due {task.due_date.isoformat()}",
        STATUS_LABELS.get(task.status, task.status.value),
        user_ref(task.assignee),
    ]
    line = " · ".join(parts)
    if task.is_closed and task.resolution_note:
        line += f"\n> {escape(clip(task.resolution_note, 500))}"
    if task.conditions:
        line += "\n" + "\n".join(f"> condition: {escape(c)}" for c in task.conditions[:5])
    return line


def task_blocks(task: TaskPublic, *, controls: bool = True) -> list[Block]:
    """One task: its line with an assignee picker, and the workflow buttons while it is undecided."""
    block = section(task_line(task), block_id=f"govassist_task_{task.id}")
    if not controls or task.is_closed:
        return [block]
    picker: dict[str, Any] = {
        "type": "users_select",
        "action_id": ids.TASK_ASSIGN,
        "placeholder": {"type": "plain_text", "text": "Assign"},
    }
    assignee = mention_id(task.assignee)
    if assignee:
        picker["initial_user"] = assignee
    block["accessory"] = picker
    value = ActionPayload(task=task.id)
    buttons = []
    if task.status is TaskStatus.OPEN:
        buttons.append(button("Start review", ids.TASK_START, value))
    buttons.append(button("Decide…", ids.TASK_DECIDE, value))
    return [block, actions(*buttons, block_id=f"govassist_task_actions_{task.id}")]


def task_card_blocks(task: TaskPublic, *, intro: str | None = None) -> list[Block]:
    """A task on its own (the assignee's DM), kept current when the task changes."""
    blocks = [section(intro)] if intro else []
    blocks.extend(task_blocks(task))
    blocks.append(context(f"System `{task.system_id}`, assessment v{task.assessment_version}"))
    return blocks


def task_list_blocks(title: str, tasks: Sequence[TaskPublic], *, empty: str) -> list[Block]:
    """A list of tasks with their controls."""
    blocks: list[Block] = [section(f"*{escape(title)}*")]
    if not tasks:
        blocks.append(context(empty))
    for task in list(tasks)[:MAX_TASKS]:
        blocks.extend(task_blocks(task))
    if len(tasks) > MAX_TASKS:
        blocks.append(context(f"…and {len(tasks) - MAX_TASKS} more (`govassist tasks list --open`)"))
    return cap(blocks)


# --- escalations and approved answers -----------------------------------------------------------------------


def escalation_blocks(
    *, escalation_id: int, question: str, asked_by: str, origin: str | None, context_lines: Iterable[str]
) -> list[Block]:
    """The question as the RAI team sees it in their channel, with the conversation so far."""
    where = f" in <#{origin}>" if origin and not origin.startswith("D") else " in a direct message"
    blocks: list[Block] = [
        header(f"Question for the RAI team (#{escalation_id})"),
        section(
            f"<@{asked_by}> asked{where}:\n>{escape(clip(question, 2500)).replace(chr(10), chr(10) + '>')}"
        ),
    ]
    lines = list(context_lines)
    if lines:
        blocks.extend(sections("*Conversation so far*\n" + "\n".join(lines)))
    blocks.append(
        context(
            "Reply in this thread. React to a reply with "
            f":{ids.APPROVE_REACTION}: (or use the message action *Save as approved answer*) to send it to "
            "the person who asked and save it as an approved answer that later questions cite."
        )
    )
    return blocks


def approved_answer_blocks(*, answer: str, citation_id: str, approved_by: str) -> list[Block]:
    """The RAI team's approved answer, as posted back to the person who asked."""
    return [
        section(
            f":white_check_mark: *The RAI team answered* (<@{approved_by}>):\n{to_mrkdwn(clip(answer, 2600))}"
        ),
        context(f"Saved as an approved answer · `{citation_id}` · later answers cite it"),
    ]


# --- help ---------------------------------------------------------------------------------------------------


HELP_TEXT = (
    "*govassist* answers AI-governance questions with citations, triages AI systems and tracks reviews.\n"
    "• `/govassist ask <question>`: a cited answer (or mention me in a channel, or write to me directly)\n"
    "• `/govassist triage [description]`: the triage form, prefilled from your description\n"
    "• `/govassist tasks`: open review tasks, yours first\n"
    "• `/govassist quiz [topic]`: a short AI-literacy quiz\n"
    "• `/govassist help`: this message\n"
    "In a thread, mention me again to follow up: the thread is one conversation. In public channels I "
    "use public knowledge only; write to me directly for internal policies."
)


def help_blocks() -> list[Block]:
    """What the app can do."""
    return [section(HELP_TEXT)]


def notice_blocks(text: str) -> list[Block]:
    """A one-line message (errors, confirmations)."""
    return [section(text)]


# --- quizzes ---------------------------------------------------------------------------------------------


def quiz_announcement_blocks(
    *,
    session_id: int,
    topic: str,
    questions: int,
    difficulty: str,
    trainer: str,
    participants: Sequence[str] = (),
) -> list[Block]:
    """The message that opens a quiz in a channel: who started it and the button to take part."""
    who = (
        "for " + ", ".join(f"<@{p}>" for p in participants)
        if participants
        else "for everyone here: press the button to take part"
    )
    return [
        header(f"Quiz: {topic}"),
        section(
            f"<@{trainer}> started a {questions}-question quiz ({escape(difficulty)}) {who}. The questions "
            "come to you privately; your answers and score are kept as AI-literacy training records."
        ),
        actions(
            button("Take the quiz", ids.QUIZ_START, ActionPayload(session_id=session_id), style="primary")
        ),
    ]


def quiz_question_blocks(view: Any) -> list[Block]:
    """A question (`tools.training.schemas.QuestionView`) with one button per option."""
    lines = [f"*Question {view.position} of {view.total}*", escape(view.prompt)]
    if view.kind.value != "true_false":
        lines += [f"*{view.option_label(i)}.* {escape(option)}" for i, option in enumerate(view.options)]
    buttons = [
        # Action ids must differ within a block: one per option, all matched by the quiz handler.
        button(
            view.option_label(i),
            f"{ids.QUIZ_ANSWER}_{i}",
            ActionPayload(session_id=view.session_id, position=view.position, option=i),
        )
        for i in range(len(view.options))
    ]
    return [
        section("\n".join(lines)),
        actions(*buttons, block_id=f"govassist_quiz_{view.session_id}_{view.position}"),
    ]


def quiz_feedback_blocks(view: Any, feedback: Any) -> list[Block]:
    """The question again with the verdict and the cited explanation (`AnswerFeedback`) instead of buttons."""
    lines = [f"*Question {view.position} of {view.total}*", escape(view.prompt)]
    if view.kind.value != "true_false":
        lines += [f"*{view.option_label(i)}.* {escape(option)}" for i, option in enumerate(view.options)]
    if feedback.correct:
        verdict = f":white_check_mark: *Correct*: {escape(feedback.correct_text)}"
    else:
        verdict = (
            f":x: *Not quite.* You chose {escape(feedback.chosen_text)}; "
            f"the answer is *{escape(feedback.correct_text)}*"
        )
    if feedback.already_answered:
        verdict += " _(you had answered this before: the first answer counts)_"
    title = f"{escape(feedback.citation_title)} · " if feedback.citation_title else ""
    return [
        section("\n".join(lines)),
        section(f"{verdict}\n{escape(feedback.explanation)} [1]"),
        context(
            f"[1] {title}`{feedback.citation_id}` · {feedback.correct_so_far} of {feedback.answered} right "
            f"so far, {feedback.answered}/{feedback.total} answered"
        ),
    ]
