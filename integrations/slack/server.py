"""Running the Slack app: HTTP mode (Slack POSTs signed requests to `/slack/events`) or Socket Mode
(the app opens a WebSocket to Slack; no public URL needed).

HTTP mode serves bolt's WSGI adapter from a threading WSGI server (one thread per request), so
concurrent requests are verified and acknowledged side by side; `GET /healthz` answers `ok` for load
balancers. Both modes also deliver the notification outbox (`tasksync`): the backlog at start, then
by polling, for task changes made outside this instance.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler

from core.config import ConfigError
from integrations.slack.app import SlackApp

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

log = logging.getLogger("integrations.slack")


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    """A WSGI server with a thread per request."""

    daemon_threads = True
    # Slack may send a burst of requests at once (a busy channel): keep them queued, not refused.
    request_queue_size = 256


class _QuietHandler(WSGIRequestHandler):
    """Request lines go to the logger at debug level, not to stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s - " + format, self.address_string(), *args)


def wsgi_app(slack: SlackApp) -> Callable[..., Iterable[bytes]]:
    """The WSGI application: bolt's handler at /slack/events, plus /healthz."""
    handler = SlackRequestHandler(slack.bolt, path=EVENTS_PATH)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") == "GET":
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok"]
        return handler(environ, start_response)

    return application


def make_http_server(slack: SlackApp, *, host: str = "0.0.0.0", port: int = 3000) -> WSGIServer:
    """A started-on-demand HTTP server for `slack` (call `serve_forever`). Refuses to serve without
    request verification: an unverified endpoint would take anyone's requests as Slack's."""
    if not slack.verifies_requests:
        raise ConfigError("SLACK_SIGNING_SECRET is not set: HTTP mode verifies every request with it")
    try:
        return make_server(
            host, port, wsgi_app(slack), server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
        )
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


def serve_http(slack: SlackApp, *, host: str = "0.0.0.0", port: int = 3000, poll_tasks: bool = True) -> None:
    """Serve HTTP mode until interrupted."""
    server = make_http_server(slack, host=host, port=port)
    slack.warm_up()
    if poll_tasks:
        slack.sync.start()
    log.info("govassist Slack app listening on http://%s:%d%s", host, port, EVENTS_PATH)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        slack.close()


def serve_http_in_background(
    slack: SlackApp, *, host: str = "127.0.0.1", port: int = 0
) -> tuple[WSGIServer, threading.Thread]:
    """HTTP mode on a daemon thread (tests and benchmarks); stop with `server.shutdown()`."""
    server = make_http_server(slack, host=host, port=port)
    thread = threading.Thread(target=server.serve_forever, name="govassist-slack-http", daemon=True)
    thread.start()
    return server, thread


def socket_mode_handler(slack: SlackApp) -> SocketModeHandler:
    """Bolt's Socket Mode handler for `slack` (needs SLACK_APP_TOKEN, an xapp- token)."""
    token = slack.services.settings.slack_app_token
    if token is None:
        raise ConfigError("SLACK_APP_TOKEN is not set: Socket Mode needs an app-level token (xapp-...)")
    return SocketModeHandler(slack.bolt, app_token=token.get_secret_value(), web_client=slack.services.client)


def run_socket_mode(slack: SlackApp, *, poll_tasks: bool = True) -> None:
    """Connect to Slack in Socket Mode and serve until interrupted."""
    handler = socket_mode_handler(slack)
    slack.warm_up()
    if poll_tasks:
        slack.sync.start()
    try:
        handler.start()
    finally:
        handler.close()
        slack.close()
