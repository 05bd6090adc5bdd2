"""`govassist slack run|manifest`: configuration errors, the manifest, and the real process in HTTP mode."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml
from click.testing import CliRunner

from integrations.cli.app import cli
from tests.conftest import REPO_ROOT, free_port
from tests.slack.conftest import ABSTAIN_BELOW, BEN, PUBLIC, RAI_CHANNEL
from tests.slack.fake_slack_api import BOT_TOKEN, FakeSlack
from tests.slack.harness import SIGNING_SECRET, SlackSender


def test_run_without_tokens_is_a_one_line_usage_error(tmp_path: Path) -> None:
    runner = CliRunner()
    socket = runner.invoke(cli, ["--home", str(tmp_path / "h"), "slack", "run"])
    assert socket.exit_code == 2
    assert "Socket Mode needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN" in socket.output
    http = runner.invoke(
        cli, ["--home", str(tmp_path / "h"), "slack", "run", "--http"], env={"SLACK_BOT_TOKEN": "xoxb-1"}
    )
    assert http.exit_code == 2 and "HTTP mode needs SLACK_SIGNING_SECRET" in http.output
    assert runner.invoke(cli, ["slack", "run", "--http", "--port", "70000"]).exit_code == 2


def test_manifest(tmp_path: Path) -> None:
    runner = CliRunner()
    socket = runner.invoke(cli, ["slack", "manifest"])
    assert socket.exit_code == 0
    data = yaml.safe_load(socket.output)
    assert data["settings"]["socket_mode_enabled"] is True
    assert data == yaml.safe_load((REPO_ROOT / "integrations/slack/manifest.yaml").read_text())
    http = yaml.safe_load(
        runner.invoke(cli, ["slack", "manifest", "--http-url", "https://ga.example.com"]).output
    )
    assert http["settings"]["interactivity"]["request_url"] == "https://ga.example.com/slack/events"
    bad = runner.invoke(cli, ["slack", "manifest", "--http-url", "ga.example.com"])
    assert bad.exit_code == 2 and "https://" in bad.output


@pytest.mark.slow
def test_the_cli_serves_http_mode(rig_home: Path, fake_slack: FakeSlack) -> None:
    port = free_port()
    env = {
        **os.environ,
        "GOVASSIST_HOME": str(rig_home),
        "GOVASSIST_EMBEDDER": "hashing",
        "GOVASSIST_ABSTAIN_BELOW": str(ABSTAIN_BELOW),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "GOVASSIST_SLACK_API_URL": fake_slack.api_url,
        "GOVASSIST_SLACK_ESCALATION_CHANNEL": RAI_CHANNEL,
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "integrations.cli",
            "slack",
            "run",
            "--http",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).text == "ok":
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                output = proc.stdout.read() if proc.stdout else ""
                pytest.fail(f"govassist slack run --http did not come up: {output}")
            time.sleep(0.3)
        sender = SlackSender(f"http://127.0.0.1:{port}", fake_slack)
        try:
            assert sender.command("help", user=BEN, channel=PUBLIC, secret="wrong")[0].status_code == 401
            response, ts = sender.mention(user=BEN, channel=PUBLIC, text="Which AI practices are prohibited?")
            assert response.status_code == 200
            [reply] = fake_slack.wait_for(
                "chat.postMessage", lambda c: c.params.get("thread_ts") == ts, timeout=60
            )
            assert "*Sources*" in json.dumps(reply.params["blocks"])
            assert fake_slack.calls_to("auth.test")[0].headers["authorization"] == f"Bearer {BOT_TOKEN}"
        finally:
            sender.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
