"""Builds the Slack app: a slack-bolt `App` wired to the agent, with every listener registered.

    agent = Agent.open(settings)
    slack = create_app(settings, agent)            # Web API at settings.slack_api_url
    serve_http(slack, port=3000)  or  run_socket_mode(slack)   (integrations.slack.server)

Acknowledge first, then work: the app runs with `process_before_response=True` and every listener is an
ack function plus lazy listeners. The ack function (verification, rate limit, a form's validation) runs
on the request's own thread and answers Slack at once; the work (the agent, triage, Web API calls) runs
afterwards on a thread pool. So an answer that takes 20 seconds never delays an acknowledgement, in
HTTP mode and in Socket Mode alike.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient

from assistant.reviews import ReviewService
from core.config import ConfigError, Settings
from integrations.slack.directory import Directory
from integrations.slack.handlers import register_all
from integrations.slack.ratelimit import RateLimiter
from integrations.slack.runtime import ConversationalAgent, SlackServices
from integrations.slack.tasksync import TaskMessageSync

# Answers are CPU work: more threads than this only contend for the interpreter lock with the threads
# that acknowledge requests.
DEFAULT_WORKERS = 4
WARM_UP_QUESTION = "Which AI practices are prohibited?"

log = logging.getLogger("integrations.slack")


class SlackApp:
    """The bolt app and what it shares with its listeners."""

    def __init__(
        self, bolt: App, services: SlackServices, sync: TaskMessageSync, executor: ThreadPoolExecutor
    ):
        self.bolt = bolt
        self.services = services
        self.sync = sync
        self.executor = executor

    @property
    def verifies_requests(self) -> bool:
        """Whether HTTP requests are checked against the signing secret."""
        return self.services.settings.slack_signing_secret is not None

    def warm_up(self) -> None:
        """Build what the first answer would otherwise build while requests wait (the lexical index,
        the embedder): one throwaway search, recorded nowhere."""
        self.services.reviews.warm_up(WARM_UP_QUESTION)

    def close(self) -> None:
        """Stop the background work (waiting for running listeners to finish)."""
        self.sync.stop()
        self.executor.shutdown(wait=True, cancel_futures=False)


def api_base_url(settings: Settings, base_url: str | None = None) -> str:
    """The Web API base URL, with the trailing slash the SDK expects."""
    url = (base_url or settings.slack_api_url).strip()
    return url if url.endswith("/") else url + "/"


def create_app(
    settings: Settings,
    agent: ConversationalAgent,
    *,
    base_url: str | None = None,
    reviews: ReviewService | None = None,
    training: Any | None = None,
    workers: int = DEFAULT_WORKERS,
) -> SlackApp:
    """The Slack app for `agent`, calling the Web API at `base_url` (default `settings.slack_api_url`).

    Needs the bot token (SLACK_BOT_TOKEN); checks it with auth.test. HTTP requests are verified when a
    signing secret is configured (HTTP mode requires one; Socket Mode does not use it). `reviews`
    defaults to one over the agent's knowledge index; `training` is the quiz service, if installed.
    Raises ConfigError with a one-line reason.
    """
    if settings.slack_bot_token is None:
        raise ConfigError("SLACK_BOT_TOKEN is not set: the Slack app needs its bot token (xoxb-...)")
    assistant = getattr(agent, "assistant", None)
    if reviews is None:
        if assistant is None:
            raise ConfigError("the agent has no knowledge index: pass reviews=...")
        reviews = ReviewService(settings, assistant.index)
    client = WebClient(
        token=settings.slack_bot_token.get_secret_value(), base_url=api_base_url(settings, base_url)
    )
    services = SlackServices(
        settings=settings,
        agent=agent,
        reviews=reviews,
        client=client,
        directory=Directory(client, settings),
        limiter=RateLimiter(settings.slack_rate_limit, settings.slack_rate_window),
        training=training if training is not None else _training_service(settings, assistant),
    )
    executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="govassist-slack")
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    try:
        bolt = App(
            client=client,
            signing_secret=secret,
            request_verification_enabled=secret is not None,
            process_before_response=True,
            listener_executor=executor,
            logger=logging.getLogger("integrations.slack.bolt"),
            name="govassist",
        )
    except Exception as exc:  # bolt raises BoltError for a token auth.test refuses, or for no network
        executor.shutdown(wait=False)
        raise ConfigError(f"Slack app: {exc}") from exc
    sync = TaskMessageSync(services)
    services.sync = sync
    register_all(bolt, services)

    @bolt.error
    def _on_error(error: Exception, body: dict[str, Any]) -> BoltResponse | None:
        log.error("Slack listener failed (%s): %s", body.get("type"), error, exc_info=error)
        return None

    return SlackApp(bolt, services, sync, executor)


def _training_service(settings: Settings, assistant: Any | None) -> Any | None:
    """The quiz service (`assistant.training.TrainingService`) over the agent's knowledge, if installed."""
    try:
        from assistant.training import TrainingService
    except ImportError:
        return None
    return TrainingService(settings, assistant=assistant)
