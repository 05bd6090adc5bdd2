"""`govassist slack ...`: run the Slack app (Socket Mode or HTTP) and print its manifest."""

from __future__ import annotations

import logging

import click

from core.offline import quiet_libraries
from integrations.cli.context import AppContext, pass_app


@click.group()
def slack() -> None:
    """The Slack app: questions in channels and DMs, triage, review tasks, feedback, quizzes.

    Set SLACK_BOT_TOKEN, and SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode).
    Create the Slack app from `govassist slack manifest`.

    \b
    Examples:
      govassist slack manifest > manifest.yaml
      govassist slack run
      govassist slack run --http --port 3000
    """


@slack.command()
@click.option(
    "--socket/--http",
    "socket_mode",
    default=True,
    help="Socket Mode (default: no public URL needed) or HTTP mode (Slack POSTs to /slack/events).",
)
@click.option(
    "--port", type=click.IntRange(1, 65535), default=3000, show_default=True, help="HTTP mode: port."
)
@click.option("--host", default="0.0.0.0", show_default=True, help="HTTP mode: address to listen on.")
@pass_app
def run(app: AppContext, socket_mode: bool, port: int, host: str) -> None:
    """Run the Slack app until interrupted.

    Socket Mode needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN; HTTP mode needs SLACK_BOT_TOKEN and
    SLACK_SIGNING_SECRET and serves https://<your host>/slack/events (behind your TLS proxy).
    GOVASSIST_SLACK_ESCALATION_CHANNEL is where "Ask the RAI team" posts questions.

    \b
    Examples:
      export SLACK_BOT_TOKEN=xoxb-... SLACK_APP_TOKEN=xapp-...
      govassist slack run
      export SLACK_BOT_TOKEN=xoxb-... SLACK_SIGNING_SECRET=...
      govassist slack run --http --port 3000
    """
    from core.config import ConfigError

    settings = app.settings
    needed = [("SLACK_BOT_TOKEN", settings.slack_bot_token)]
    needed.append(
        ("SLACK_APP_TOKEN", settings.slack_app_token)
        if socket_mode
        else ("SLACK_SIGNING_SECRET", settings.slack_signing_secret)
    )
    missing = [name for name, value in needed if value is None]
    if missing:
        mode = "Socket Mode" if socket_mode else "HTTP mode"
        raise click.UsageError(f"{mode} needs {' and '.join(missing)} (see `govassist slack run --help`)")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    quiet_libraries()
    from assistant.agent.agent import Agent
    from integrations.slack.app import create_app
    from integrations.slack.server import run_socket_mode, serve_http

    try:
        agent = Agent.open(settings)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        slack_app = create_app(settings, agent)
        if not settings.slack_escalation_channel:
            click.echo(
                "Note: no escalation channel is set (GOVASSIST_SLACK_ESCALATION_CHANNEL); "
                "'Ask the RAI team' will name the escalation contact instead.",
                err=True,
            )
        if socket_mode:
            click.echo("govassist Slack app connecting in Socket Mode (Ctrl-C stops it).", err=True)
            run_socket_mode(slack_app)
        else:
            click.echo(
                f"govassist Slack app listening on http://{host}:{port}/slack/events (Ctrl-C stops it).",
                err=True,
            )
            serve_http(slack_app, host=host, port=port)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)
    finally:
        agent.close()


@slack.command()
@click.option(
    "--http-url",
    metavar="URL",
    help="HTTP mode: the app's public https base URL; the manifest then points Slack at URL/slack/events.",
)
def manifest(http_url: str | None) -> None:
    """Print the Slack app manifest (YAML) to create the app at https://api.slack.com/apps.

    \b
    Examples:
      govassist slack manifest > manifest.yaml
      govassist slack manifest --http-url https://govassist.example.com
    """
    from integrations.slack.manifest import render

    try:
        click.echo(render(http_url), nl=False)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
