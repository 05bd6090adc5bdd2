"""The App Home tab, published when the person opens it."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk.errors import SlackApiError

from integrations.slack.handlers.common import SKIP
from integrations.slack.home import home_view
from integrations.slack.runtime import SlackServices, actor, assignee_ref, log, slack_error


def publish_home(services: SlackServices, user: str) -> None:
    """views.publish of the user's home tab: their systems and open review tasks."""
    summary = services.reviews.home(actors=[actor(user)], assignee_names=[assignee_ref(user), user])
    view = home_view(summary, quiz_available=services.training is not None)
    try:
        services.client.views_publish(user_id=user, view=view)
    except SlackApiError as exc:
        log.warning("views.publish for %s failed: %s", user, slack_error(exc))


def register(app: App, services: SlackServices) -> None:
    """app_home_opened."""

    def ack_event(ack: Any, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        if not services.first_time(body.get("event_id")):
            context[SKIP] = True

    def on_home_opened(body: dict[str, Any], context: BoltContext) -> None:
        event = body.get("event") or {}
        if context.get(SKIP) or event.get("tab", "home") != "home" or not event.get("user"):
            return
        publish_home(services, event["user"])

    app.event("app_home_opened")(ack=ack_event, lazy=[on_home_opened])
