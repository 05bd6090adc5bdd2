"""Keeps Slack messages about review tasks current, whoever changed the task.

Every task change is an audit event (Slack buttons, `govassist tasks update`, another process). The
sync reads the events after its cursor, then (1) updates each message posted about the task (the
assignee's card, subject 'task:<id>') and every triage message of the task's system (subject
'triage:<system>:v<n>') with chat.update, and (2) sends a DM to a newly assigned Slack user.
The Slack handlers call `run_once` right after a change; `start` also polls, for changes made elsewhere.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from assistant.feedback import posts_about, remember_post
from integrations.slack.blocks import mention_id, task_card_blocks, triage_blocks
from integrations.slack.runtime import log, post, update
from tools.tasks import TaskPublic

if TYPE_CHECKING:
    from integrations.slack.runtime import SlackServices

POLL_SECONDS = 15.0
_EMAIL = "@"


def triage_subject(system_id: str, version: int) -> str:
    """The posted-message subject of a triage result."""
    return f"triage:{system_id}:v{version}"


def task_subject(task_id: int) -> str:
    """The posted-message subject of a task card."""
    return f"task:{task_id}"


class TaskMessageSync:
    """Follows the audit log and updates the Slack messages about changed tasks."""

    def __init__(self, services: SlackServices) -> None:
        self.services = services
        self.cursor = services.workspace.latest_event_id()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> list[int]:
        """Handle the task events since the last run; the ids of the tasks whose messages were refreshed."""
        with self._lock:
            found = self.services.workspace.task_changes(after=self.cursor)
            self.cursor = found.cursor
            changed = list(dict.fromkeys(c.task_id for c in found.changes))
            systems: list[str] = []
            for task_id in changed:
                task = self.services.workspace.task(task_id)
                if task is not None:
                    self.refresh_cards(task)
                    systems.append(task.system_id)
            for system_id in dict.fromkeys(systems):  # each triage message once, however many tasks changed
                self.refresh_system(system_id)
            for change in found.changes:
                if change.newly_assigned:
                    task = self.services.workspace.task(change.task_id)
                    if task is not None and task.assignee == change.assignee:
                        self.notify_assignee(task)
            return changed

    def refresh_cards(self, task: TaskPublic) -> None:
        """Re-render the messages posted about the task itself (the assignee's DM)."""
        for ref in posts_about(self.services.workspace.db, subject=task_subject(task.id)):
            update(
                self.services.client,
                channel=ref.channel,
                ts=ref.ts,
                blocks=task_card_blocks(task),
                text=task.title,
            )

    def refresh_system(self, system_id: str) -> None:
        """Re-render every triage message of the system (they list its tasks)."""
        for ref in posts_about(self.services.workspace.db, prefix=f"triage:{system_id}:v"):
            version_text = ref.subject.rsplit(":v", 1)[-1]
            if version_text.isdigit():
                self.refresh_triage(system_id, int(version_text), channel=ref.channel, ts=ref.ts)

    def refresh_triage(self, system_id: str, version: int, *, channel: str, ts: str) -> bool:
        """Re-render one triage message from the stored assessment and the current tasks."""
        workspace = self.services.workspace
        assessment = workspace.assessment(system_id, version)
        if assessment is None:
            return False
        audience = self.services.directory.channel_context(channel).audience
        precedents = workspace.precedents(assessment.profile, audience=audience)
        tasks = workspace.tasks_for_assessment(system_id, version)
        cited = [g.citation for g in assessment.result.eu_ai_act.grounds] + [
            o.citation for o in assessment.result.obligations
        ]
        blocks = triage_blocks(
            assessment.result,
            version=version,
            precedents=precedents,
            tasks=tasks,
            titles=workspace.citation_titles(cited + [p.citation for p in precedents]),
        )
        return update(
            self.services.client,
            channel=channel,
            ts=ts,
            blocks=blocks,
            text=f"Triage: {assessment.system_name}",
        )

    def notify_assignee(self, task: TaskPublic) -> None:
        """A DM to the task's assignee, when the assignee is a Slack user (a mention or an e-mail)."""
        user = mention_id(task.assignee)
        if user is None and task.assignee and _EMAIL in task.assignee:
            user = self.services.directory.user_id_by_email(task.assignee.strip())
        if user is None:
            return
        intro = f":inbox_tray: You have been assigned review task #{task.id}."
        posted = post(
            self.services.client,
            channel=user,
            blocks=task_card_blocks(task, intro=intro),
            text=f"You have been assigned review task #{task.id}: {task.title}",
        )
        if posted is not None:
            remember_post(
                self.services.workspace.db, subject=task_subject(task.id), channel=posted[0], ts=posted[1]
            )

    # --- polling --------------------------------------------------------------------------------------------

    def start(self, interval: float = POLL_SECONDS) -> None:
        """Poll in a daemon thread (for changes made outside this app)."""
        if self._thread is not None:
            return

        def loop() -> None:
            while not self._stop.wait(interval):
                try:
                    self.run_once()
                except Exception:  # a failed round must not end the loop
                    log.exception("task message sync failed")

        self._thread = threading.Thread(target=loop, name="govassist-task-sync", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop polling."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
