"""Review tasks from Slack: assign (the assignee gets a DM), start a review, record a decision. Every
change refreshes the messages about the task (see `tasksync`)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk.errors import SlackApiError

from integrations.slack import ids
from integrations.slack.blocks import mention_id, notice_blocks
from integrations.slack.handlers.common import SKIP, action_value, channel_of, tell, user_of
from integrations.slack.modals import FormErrors, decision_view, parse_decision, read_metadata
from integrations.slack.payloads import ActionPayload
from integrations.slack.runtime import SlackServices, actor, assignee_ref, log, post, slack_error
from tools.tasks import TaskError, TaskNotFoundError, TaskPublic, TaskStatus


def may_change(services: SlackServices, user: str, task: TaskPublic) -> bool:
    """The task's assignee and the RAI team may move a task along (anyone, when no team is configured)."""
    return mention_id(task.assignee) == user or services.directory.in_rai_team(user)


def may_assign(services: SlackServices, user: str, task: TaskPublic) -> bool:
    """Who may move it, and also the person who triaged the system (they file and route its reviews)."""
    if may_change(services, user, task):
        return True
    assessment = services.reviews.assessment(task.system_id, task.assessment_version)
    return assessment is not None and assessment.created_by == actor(user)


def _task_id(body: dict[str, Any]) -> int | None:
    value = action_value(body)
    if value.task is not None:
        return value.task
    block_id = ((body.get("actions") or [{}])[0]).get("block_id") or ""
    tail = block_id.rsplit("_", 1)[-1]
    return int(tail) if tail.isdigit() else None


def change(services: SlackServices, body: dict[str, Any], task_id: int, **changes: Any) -> TaskPublic | None:
    """Apply a change as the acting user, refresh the messages, and tell the user if it was refused."""
    user = user_of(body) or ""
    task = services.reviews.task(task_id)
    if task is None:
        tell(services, body, f":warning: There is no review task #{task_id}.")
        return None
    allowed = (
        may_assign(services, user, task) if set(changes) == {"assignee"} else may_change(services, user, task)
    )
    if not allowed:
        tell(services, body, f":no_entry: Only the assignee or the RAI team can change task #{task_id}.")
        return None
    try:
        changed = services.reviews.change_task(task_id, actor=actor(user), **changes)
    except (TaskError, TaskNotFoundError) as exc:
        tell(services, body, f":warning: {exc.args[0]}")
        return None
    if services.sync is not None:
        services.sync.run_once()
    return changed


def register(app: App, services: SlackServices) -> None:
    """Task buttons, the assignee picker and the decision form."""

    def ack_only(ack: Ack) -> None:
        ack()

    def on_start(body: dict[str, Any]) -> None:
        task_id = _task_id(body)
        if task_id is not None:
            change(services, body, task_id, status=TaskStatus.IN_REVIEW.value)

    app.action(ids.TASK_START)(ack=ack_only, lazy=[on_start])

    def on_assign(body: dict[str, Any]) -> None:
        task_id = _task_id(body)
        chosen = ((body.get("actions") or [{}])[0]).get("selected_user")
        if task_id is None or not chosen:
            return
        change(services, body, task_id, assignee=assignee_ref(chosen))

    app.action(ids.TASK_ASSIGN)(ack=ack_only, lazy=[on_assign])

    def on_decide(body: dict[str, Any]) -> None:
        task_id = _task_id(body)
        user = user_of(body) or ""
        task = services.reviews.task(task_id) if task_id is not None else None
        if task is None:
            tell(services, body, ":warning: That review task no longer exists.")
            return
        if not may_change(services, user, task):
            tell(services, body, f":no_entry: Only the assignee or the RAI team can decide task #{task.id}.")
            return
        if task.status is TaskStatus.OPEN:
            tell(services, body, f"Task #{task.id} is open: press *Start review* before deciding it.")
            return
        meta = ActionPayload(channel=channel_of(body))
        try:
            services.client.views_open(
                trigger_id=body["trigger_id"],
                view=decision_view(task_id=task.id, title=task.title, meta=meta),
            )
        except SlackApiError as exc:
            log.warning("views.open failed: %s", slack_error(exc))

    app.action(ids.TASK_DECIDE)(ack=ack_only, lazy=[on_decide])

    def ack_decision(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        try:
            parse_decision(body["view"])
        except FormErrors as exc:
            ack(response_action="errors", errors=exc.errors)
            context[SKIP] = True
            return
        ack()

    def on_decision(body: dict[str, Any], context: BoltContext) -> None:
        if context.get(SKIP):
            return
        view = body["view"]
        meta = read_metadata(view)
        status, note, conditions = parse_decision(view)
        task_id = meta.task
        if task_id is None:
            return
        changed = change(services, body, task_id, status=status, note=note, conditions=conditions)
        if changed is not None and not meta.channel:
            user = user_of(body) or ""
            text = f"Task #{changed.id} is {changed.status.value}."
            post(services.client, channel=user, blocks=notice_blocks(text), text=text)

    app.view(ids.VIEW_DECIDE)(ack=ack_decision, lazy=[on_decision])
