"""Listeners, one module per surface. Each acknowledges at once and works in a lazy listener."""

from __future__ import annotations

from slack_bolt import App

from integrations.slack.handlers import commands, conversations, feedback, home, quiz, tasks, triage
from integrations.slack.runtime import SlackServices


def register_all(app: App, services: SlackServices) -> None:
    """Register every listener on `app`."""
    for module in (conversations, commands, triage, tasks, feedback, home, quiz):
        module.register(app, services)
