"""Inventory and task replies: file a system's review tasks (only when asked), list tasks and systems,
and say what happened to past reviews. The inventory is internal: the tools refuse a public channel."""

from __future__ import annotations

import re

from assistant.agent import replies
from assistant.agent.router import Intent
from assistant.agent.toolkit import (
    FILE_REVIEW_TASKS,
    FIND_PAST_REVIEWS,
    LIST_SYSTEMS,
    LIST_TASKS,
    FileReviewTasksInput,
    FindPastReviewsInput,
    ListSystemsInput,
    ListTasksInput,
    ToolContext,
    present,
)
from assistant.agent.turn import TurnContext, TurnOutcome, failed
from tools import inventory
from tools.inventory import SystemPublic
from tools.tasks import TaskStatus
from tools.triage.schemas import EuTier

_STOP = frozenset("the a an of for to our my this that ai system systems tool model app service".split())
# Names match on word stems: 'the CV screener' names 'CV screening assistant'.
_STEM = 5
_NAME_MATCH = 0.6


def file_tasks(turn: TurnContext) -> TurnOutcome:
    """File the review tasks of the system the message names (or the thread's last system)."""
    system = named_system(turn.tools, turn.text)
    target = system.id if system else turn.state.last_system
    if target is None:
        which = "Which system should I file the reviews for? Name it, or triage it first."
        return failed(turn, Intent.FILE_TASKS, which)
    result = FILE_REVIEW_TASKS.call(turn.tools, lambda: FileReviewTasksInput(system=target))
    if result.output is None:
        return failed(turn, Intent.FILE_TASKS, f"I could not file the reviews: {result.error}")
    out = result.output
    turn.state.last_system = out.system_id
    return TurnOutcome(
        intent=Intent.FILE_TASKS,
        question=turn.text,
        answer=replies.filed_text(out),
        state=turn.state,
        decisions={
            "system_id": out.system_id,
            "assessment_version": out.assessment_version,
            "tasks": [t.id for t in out.tasks],
            "filed": out.filed,
        },
    )


def list_tasks(turn: TurnContext, *, status: TaskStatus | None, open_only: bool) -> TurnOutcome:
    """The review tasks, narrowed by status, openness and the system the message names."""
    system = named_system(turn.tools, turn.text)
    result = LIST_TASKS.call(
        turn.tools,
        ListTasksInput(open_only=open_only, **present(status=status, system=system.id if system else None)),
    )
    if result.output is None:
        return failed(turn, Intent.LIST_TASKS, f"I could not list the tasks: {result.error}")
    kind = status.value.replace("_", " ") + " " if status else ("open " if open_only else "")
    what = f"{kind}review task(s)" + (f" for {system.name}" if system else "")
    return TurnOutcome(
        intent=Intent.LIST_TASKS,
        question=turn.text,
        answer=replies.tasks_text(result.output.tasks, result.output.total, what=what),
        state=turn.state,
    )


def list_systems(turn: TurnContext, *, eu_tier: EuTier | None) -> TurnOutcome:
    """The inventory's systems, optionally those with one EU tier."""
    result = LIST_SYSTEMS.call(turn.tools, ListSystemsInput(**present(eu_tier=eu_tier)))
    if result.output is None:
        return failed(turn, Intent.LIST_SYSTEMS, f"I could not list the systems: {result.error}")
    what = "system(s) in the inventory" + (f" with EU tier {eu_tier.value}" if eu_tier else "")
    return TurnOutcome(
        intent=Intent.LIST_SYSTEMS,
        question=turn.text,
        answer=replies.systems_text(result.output.systems, what=what),
        state=turn.state,
    )


def past_reviews(turn: TurnContext) -> TurnOutcome:
    """The decided and open reviews of the system the message names, and similar past reviews."""
    system = named_system(turn.tools, turn.text)
    if system is not None:
        turn.state.last_system = system.id
    result = FIND_PAST_REVIEWS.call(
        turn.tools,
        lambda: FindPastReviewsInput(query=turn.text, **present(system=system.id if system else None)),
    )
    if result.output is None:
        return failed(turn, Intent.PAST_REVIEWS, f"I could not look up past reviews: {result.error}")
    notes = replies.Footnotes(turn.tools.retrieved)
    # "What conditions came with that approval?" refers to the review just shown.
    turn.state.topic = turn.text
    return TurnOutcome(
        intent=Intent.PAST_REVIEWS,
        question=turn.text,
        answer=replies.past_reviews_text(result.output, notes, query=turn.text),
        state=turn.state,
        citations=notes.citations(),
        grounded=bool(result.output.reviews or notes.order),
    )


def named_system(ctx: ToolContext, text: str) -> SystemPublic | None:
    """The inventory system the message names (by id or name, or most of the name's words)."""
    with ctx.index.db.session() as session:
        systems = inventory.list_systems(session=session)
    return mentioned_system(text, systems)


def mentioned_system(text: str, systems: list[SystemPublic]) -> SystemPublic | None:
    """The system whose id or name appears in `text`; else the one most of whose name's word stems do
    (at least 60%, and no tie). None when no system is named."""
    low = text.lower()
    exact = [s for s in systems if s.name.lower() in low or re.search(rf"\b{re.escape(s.id)}\b", low)]
    if exact:
        return max(exact, key=lambda s: len(s.name))
    stems = {w[:_STEM] for w in re.findall(r"[a-z0-9]+", low) if w not in _STOP}
    scored: list[tuple[float, SystemPublic]] = []
    for s in systems:
        words = {w[:_STEM] for w in re.findall(r"[a-z0-9]+", s.name.lower()) if w not in _STOP}
        if words:
            scored.append((len(words & stems) / len(words), s))
    scored.sort(key=lambda pair: -pair[0])
    if not scored or scored[0][0] < _NAME_MATCH:
        return None
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None
    return scored[0][1]
