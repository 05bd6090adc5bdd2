"""Delivers the notification outbox to Slack: the messages about review tasks stay current and a newly
assigned person gets one DM, whoever changed the task and however many app instances run.

Every task change (Slack buttons, `govassist tasks update`, another process, re-review filing) writes
its notifications into the database's outbox in the same transaction (`tools.outbox`). Each round here
claims the due ones for this instance (no other instance gets them), then for a refresh (TASK_CHANGED)
updates each message posted about the task (the assignee's card, subject 'task:<id>') and every triage
message of the task's system (subject 'triage:<system>:v<n>') with chat.update, and for an assignment
(TASK_ASSIGNED) sends the assignee a DM. A row is marked sent once Slack accepted it; when Slack fails
(rate limit, an outage, the network), the row is retried with back-off; after a restart the backlog is
delivered. The Slack handlers call `run_once` right after a change; `start` also polls, for changes
made elsewhere.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError

from assistant.feedback import posts_about, remember_post
from assistant.triage_view import TriageView
from integrations.slack.blocks import mention_id, task_card_blocks, triage_blocks
from integrations.slack.runtime import log, slack_error
from tools.outbox import Notification, NotificationKind, OutboxStatus
from tools.tasks import TaskPublic

if TYPE_CHECKING:
    from integrations.slack.runtime import SlackServices

_EMAIL = "@"
CLAIM_BATCH = 50
MAX_BATCHES = 20  # per round, so one round cannot run for ever while changes keep coming
# Handled event ids are needed only while Slack may still retry (minutes); sent rows for a week of hindsight.
KEEP_EVENTS = timedelta(days=1)
KEEP_SENT = timedelta(days=7)
PRUNE_EVERY_SECONDS = 3600.0
# Errors that retrying cannot fix: the message or channel is gone, or the person cannot be written to.
PERMANENT_ERRORS = frozenset(
    {
        "message_not_found",
        "cant_update_message",
        "edit_window_closed",
        "channel_not_found",
        "is_archived",
        "not_in_channel",
        "user_not_found",
        "user_disabled",
        "cannot_dm_bot",
        "invalid_blocks",
        "msg_too_long",
    }
)


def triage_subject(system_id: str, version: int) -> str:
    """The posted-message subject of a triage result."""
    return f"triage:{system_id}:v{version}"


def task_subject(task_id: int) -> str:
    """The posted-message subject of a task card."""
    return f"task:{task_id}"


class DeliveryError(Exception):
    """Slack did not accept a call: `code` is its error (or the network failure); `permanent` when
    retrying cannot help."""

    def __init__(self, code: str, *, permanent: bool) -> None:
        super().__init__(code)
        self.code = code
        self.permanent = permanent


@dataclass(frozen=True)
class Outcome:
    """What became of one delivery."""

    status: OutboxStatus
    reason: str | None = None
    permanent: bool = False


SENT = Outcome(OutboxStatus.SENT)


def _call(what: str, call: Any, **kwargs: Any) -> Any:
    """One Web API call; DeliveryError when Slack refuses it or cannot be reached."""
    try:
        return call(**kwargs)
    except SlackApiError as exc:
        code = slack_error(exc)
        raise DeliveryError(code, permanent=code in PERMANENT_ERRORS) from exc
    except OSError as exc:  # URLError, timeouts, refused connections: Slack may be back in a moment
        raise DeliveryError(f"{what}: {exc}", permanent=False) from exc


class TaskMessageSync:
    """Delivers the outbox: refreshes the Slack messages about changed tasks and DMs new assignees."""

    def __init__(self, services: SlackServices) -> None:
        self.services = services
        self.retry_after = timedelta(seconds=services.settings.slack_outbox_retry)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pruned_at = 0.0

    def run_once(self) -> list[int]:
        """Deliver the notifications due now; the ids of the tasks whose messages were refreshed."""
        refreshed: list[int] = []
        with self._lock:
            for _ in range(MAX_BATCHES):
                batch = self.services.reviews.claim_notifications(
                    worker=self.services.instance, limit=CLAIM_BATCH
                )
                refreshed += self._deliver(batch)
                if len(batch) < CLAIM_BATCH:
                    break
        return list(dict.fromkeys(refreshed))

    def _deliver(self, batch: list[Notification]) -> list[int]:
        """Refreshes first (each task and each system once per batch: they render the current state),
        then the DMs."""
        by_task: dict[int, Outcome] = {}
        systems: dict[str, Outcome] = {}
        refreshed: list[int] = []
        for notification in batch:
            if notification.kind is not NotificationKind.TASK_CHANGED:
                continue
            task_id = notification.task_id
            if task_id is None:
                self._finish(notification, Outcome(OutboxStatus.SKIPPED, "not about a task"))
                continue
            if task_id not in by_task:
                by_task[task_id] = self._refresh(task_id, systems)
                if by_task[task_id].status is OutboxStatus.SENT:
                    refreshed.append(task_id)
            self._finish(notification, by_task[task_id])
        for notification in batch:
            if notification.kind is NotificationKind.TASK_ASSIGNED:
                self._finish(notification, self._notify(notification))
        return refreshed

    def _finish(self, notification: Notification, outcome: Outcome) -> None:
        reviews = self.services.reviews
        try:
            if outcome.status is OutboxStatus.SENT:
                if not reviews.notification_sent(notification):
                    log.warning(
                        "notification %d: the claim ran out before it was marked sent", notification.id
                    )
            elif outcome.status is OutboxStatus.SKIPPED:
                reviews.notification_skipped(notification, reason=outcome.reason or "")
            else:
                status = reviews.notification_failed(
                    notification,
                    error=outcome.reason or "failed",
                    retry_after=self.retry_after,
                    permanent=outcome.permanent,
                )
                log.warning(
                    "notification %d (%s, attempt %d) failed: %s; %s",
                    notification.id,
                    notification.kind.value,
                    notification.attempts,
                    outcome.reason,
                    "will retry" if status is OutboxStatus.PENDING else "given up",
                )
        except SQLAlchemyError:
            # The claim runs out and another round delivers it again.
            log.exception("could not record the delivery of notification %d", notification.id)

    # --- refreshing messages ------------------------------------------------------------------------------

    def _refresh(self, task_id: int, systems: dict[str, Outcome]) -> Outcome:
        task = self.services.reviews.task(task_id)
        if task is None:
            return Outcome(OutboxStatus.SKIPPED, f"no review task {task_id}")
        try:
            self.refresh_cards(task)
        except DeliveryError as exc:
            return Outcome(OutboxStatus.FAILED, exc.code, exc.permanent)
        if task.system_id not in systems:
            try:
                self.refresh_system(task.system_id)
                systems[task.system_id] = SENT
            except DeliveryError as exc:
                systems[task.system_id] = Outcome(OutboxStatus.FAILED, exc.code, exc.permanent)
        return systems[task.system_id]

    def _update(self, *, channel: str, ts: str, blocks: list[dict[str, Any]], text: str) -> bool:
        """chat.update of one message; False (logged) when the message cannot be updated any more (it
        was deleted, say); DeliveryError when Slack may accept it later."""
        try:
            _call(
                "chat.update",
                self.services.client.chat_update,
                channel=channel,
                ts=ts,
                blocks=blocks,
                text=text[:3000],
            )
        except DeliveryError as exc:
            if not exc.permanent:
                raise
            log.warning("chat.update of %s/%s failed: %s", channel, ts, exc.code)
            return False
        return True

    def refresh_cards(self, task: TaskPublic) -> None:
        """Re-render the messages posted about the task itself (the assignee's DM)."""
        for ref in posts_about(self.services.reviews.db, subject=task_subject(task.id)):
            self._update(channel=ref.channel, ts=ref.ts, blocks=task_card_blocks(task), text=task.title)

    def refresh_system(self, system_id: str) -> None:
        """Re-render every triage message of the system (they list its tasks)."""
        for ref in posts_about(self.services.reviews.db, prefix=f"triage:{system_id}:v"):
            version_text = ref.subject.rsplit(":v", 1)[-1]
            if version_text.isdigit():
                self.refresh_triage(system_id, int(version_text), channel=ref.channel, ts=ref.ts)

    def refresh_triage(self, system_id: str, version: int, *, channel: str, ts: str) -> bool:
        """Re-render one triage message from the stored assessment and the current tasks."""
        reviews = self.services.reviews
        assessment = reviews.assessment(system_id, version)
        if assessment is None:
            return False
        audience = self.services.directory.channel_context(channel).audience
        precedents = reviews.precedents(assessment.profile, audience=audience)
        tasks = reviews.tasks_for_assessment(system_id, version)
        view = TriageView.of(assessment.result, version=version, precedents=precedents, tasks=tasks)
        blocks = triage_blocks(view, titles=reviews.citation_titles(view.titled_citations()))
        return self._update(channel=channel, ts=ts, blocks=blocks, text=f"Triage: {assessment.system_name}")

    # --- the assignee's DM --------------------------------------------------------------------------------

    def _notify(self, notification: Notification) -> Outcome:
        task = self.services.reviews.task(notification.task_id) if notification.task_id is not None else None
        if task is None:
            return Outcome(OutboxStatus.SKIPPED, f"no review task {notification.task_id}")
        if task.assignee != notification.assignee:
            return Outcome(
                OutboxStatus.SKIPPED, "reassigned since: the new assignee has a notification of their own"
            )
        try:
            sent = self.notify_assignee(task)
        except DeliveryError as exc:
            return Outcome(OutboxStatus.FAILED, exc.code, exc.permanent)
        return SENT if sent else Outcome(OutboxStatus.SKIPPED, f"{task.assignee} is not a Slack user")

    def notify_assignee(self, task: TaskPublic) -> bool:
        """A DM to the task's assignee, when the assignee is a Slack user (a mention or an e-mail); False
        when they are not. DeliveryError when Slack did not take it."""
        user = mention_id(task.assignee)
        if user is None and task.assignee and _EMAIL in task.assignee:
            user = self.services.directory.user_id_by_email(task.assignee.strip())
        if user is None:
            return False
        intro = f":inbox_tray: You have been assigned review task #{task.id}."
        text = f"You have been assigned review task #{task.id}: {task.title}"
        response = _call(
            "chat.postMessage",
            self.services.client.chat_postMessage,
            channel=user,
            blocks=task_card_blocks(task, intro=intro),
            text=text[:3000],
            unfurl_links=False,
        )
        channel, ts = str(response.get("channel") or user), str(response.get("ts"))
        remember_post(self.services.reviews.db, subject=task_subject(task.id), channel=channel, ts=ts)
        # A change committed while the card was on its way was refreshed (by any instance) without this
        # card, which was not remembered yet: look once more, now that later refreshes will find it.
        # The DM is sent by now: a failure here must not make it count as undelivered.
        now = self.services.reviews.task(task.id)
        if now is not None and now != task:
            try:
                self._update(channel=channel, ts=ts, blocks=task_card_blocks(now), text=now.title)
            except DeliveryError as exc:
                log.warning("task card %s/%s may show an older state: %s", channel, ts, exc.code)
        return True

    # --- polling ------------------------------------------------------------------------------------------

    def start(self, interval: float | None = None) -> None:
        """Deliver the backlog now, then poll in a daemon thread (for changes made outside this app, and
        retries), every `interval` seconds (default `slack_outbox_poll`)."""
        if self._thread is not None:
            return
        every = interval if interval is not None else self.services.settings.slack_outbox_poll

        def loop() -> None:
            while True:
                try:
                    self.run_once()
                    self._prune()
                except Exception:  # a failed round must not end the loop
                    log.exception("notification delivery failed")
                if self._stop.wait(every):
                    return

        self._stop.clear()
        self._thread = threading.Thread(target=loop, name="govassist-outbox", daemon=True)
        self._thread.start()

    def _prune(self) -> None:
        now = time.monotonic()
        if self._pruned_at and now - self._pruned_at < PRUNE_EVERY_SECONDS:
            return
        self._pruned_at = now
        events, rows = self.services.reviews.prune_deliveries(keep_events=KEEP_EVENTS, keep_sent=KEEP_SENT)
        if events or rows:
            log.info("forgot %d handled event id(s) and %d delivered notification(s)", events, rows)

    def stop(self) -> None:
        """Stop polling."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
