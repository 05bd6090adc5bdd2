"""The App Home tab: the person's AI systems with their tiers, their re-reviews coming due, and the open
review tasks that are theirs."""

from __future__ import annotations

from typing import Any

from assistant.reviews import HomeSummary
from integrations.slack import ids
from integrations.slack.blocks import (
    TIER_LABELS,
    Block,
    actions,
    button,
    context,
    divider,
    escape,
    header,
    section,
    task_blocks,
)
from tools.triage.schemas import TriageStatus

MAX_SYSTEMS = 20
MAX_TASKS = 15
# Slack allows 100 blocks in a home view.
MAX_HOME_BLOCKS = 100


def home_view(summary: HomeSummary, *, quiz_available: bool = False) -> dict[str, Any]:
    """The home tab for one person."""
    buttons = [button("Triage a system", ids.TRIAGE_NEW, "home", style="primary")]
    if quiz_available:
        buttons.append(button("Take a quiz", ids.QUIZ_START, "home"))
    blocks: list[Block] = [
        header("govassist"),
        section(
            "Ask me AI-governance questions (mention me, write to me here, or `/govassist ask`), "
            "triage an AI system, and follow its reviews."
        ),
        actions(*buttons, block_id="govassist_home_actions"),
        divider(),
        section(f"*Your AI systems* ({len(summary.systems)})"),
    ]
    if not summary.systems:
        blocks.append(context("None yet: systems you triage appear here."))
    for system in summary.systems[:MAX_SYSTEMS]:
        tier = TIER_LABELS.get(system.eu_tier or "", escape(system.eu_tier or "not assessed"))
        status = " · :hourglass: needs information" if system.status is TriageStatus.NEEDS_INFORMATION else ""
        when = f" · assessed {system.last_assessed_at.date().isoformat()}" if system.last_assessed_at else ""
        blocks.append(
            section(
                f"*{escape(system.name)}* (`{system.id}`)\n{tier} · internal tier "
                f"{escape(system.internal_tier or '-')} · v{system.latest_version or 0}{status}{when}"
            )
        )
    if len(summary.systems) > MAX_SYSTEMS:
        blocks.append(context(f"…and {len(summary.systems) - MAX_SYSTEMS} more (`govassist systems list`)"))
    if summary.due:
        blocks.append(divider())
        blocks.append(section(f"*Re-reviews due for your systems* ({len(summary.due)})"))
        for due in summary.due[:MAX_TASKS]:
            state = ":red_circle: overdue since" if due.overdue else ":calendar: due"
            filed = f"task #{due.task_id}" if due.task_id else "not filed yet"
            blocks.append(
                section(
                    f"*{escape(due.system_name)}*: {escape(due.name)} ({escape(due.owner_queue)})\n"
                    f"{state} {due.due_on.isoformat()} · approved {due.last_approved_at.date().isoformat()}"
                    f" · {filed}"
                )
            )
    blocks.append(divider())
    blocks.append(section(f"*Review tasks assigned to you* ({len(summary.assigned)})"))
    if not summary.assigned:
        blocks.append(context("Nothing assigned to you."))
    for task in summary.assigned[:MAX_TASKS]:
        blocks.extend(task_blocks(task))
    blocks.append(section(f"*Open reviews of your systems* ({len(summary.of_systems)})"))
    if not summary.of_systems:
        blocks.append(context("No open reviews."))
    for task in summary.of_systems[:MAX_TASKS]:
        blocks.extend(task_blocks(task))
    if len(blocks) > MAX_HOME_BLOCKS:
        blocks = [*blocks[: MAX_HOME_BLOCKS - 1], context("…more in `govassist tasks list --open`")]
    return {"type": "home", "blocks": blocks}
