"""`/govassist ask|triage|tasks|quiz|help`, and the per-user rate limit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.slack.conftest import BEN, DM_BEN, PAM, PUBLIC, SlackRig, start_rig, stop_rig
from tests.slack.fake_slack_api import FakeSlack
from tests.slack.harness import block_text


def ack_text(response: Any) -> str:
    """What an acknowledgement shows: bolt answers plain text for `ack(text=...)`, JSON with blocks."""
    if response.headers.get("content-type", "").startswith("application/json"):
        body = response.json()
        return str(body.get("text", "")) + "\n" + block_text(body.get("blocks", []))
    return response.text


def test_help_is_the_acknowledgement_itself(rig: SlackRig) -> None:
    for text in ("help", ""):
        response, _ = rig.send.command(text, user=BEN, channel=PUBLIC)
        assert response.status_code == 200
        body = response.json()
        assert "/govassist ask" in body["text"] and "/govassist triage" in block_text(body["blocks"])
    usage, _ = rig.send.command("ask", user=BEN, channel=PUBLIC)
    assert "Usage" in ack_text(usage)


def test_ask_posts_the_question_then_replaces_it_with_the_answer(rig: SlackRig) -> None:
    response, _ = rig.send.command("ask Which AI practices are prohibited?", user=BEN, channel=PUBLIC)
    assert response.status_code == 200 and response.text == ""
    [placeholder] = rig.fake.wait_for("chat.postMessage", lambda c: c.params.get("channel") == PUBLIC)
    assert f"<@{BEN}> asked: Which AI practices are prohibited?" in block_text(placeholder.params["blocks"])
    [updated] = rig.fake.wait_for("chat.update", lambda c: c.params.get("channel") == PUBLIC)
    message = rig.fake.message(PUBLIC, updated.params["ts"])
    assert message is not None and "*Sources*" in block_text(message["blocks"])
    # The answer message's thread is the conversation.
    assert len(rig.agent.history(f"slack:T0GOV:{PUBLIC}:{updated.params['ts']}")) == 2


def test_text_without_a_subcommand_is_a_question(rig: SlackRig) -> None:
    rig.send.command("What is a general-purpose AI model?", user=BEN, channel=DM_BEN)
    [updated] = rig.fake.wait_for("chat.update", lambda c: c.params.get("channel") == DM_BEN)
    assert "*Sources*" in block_text(updated.params["blocks"])


def test_ask_where_the_app_may_not_post_answers_privately(rig: SlackRig) -> None:
    rig.fake.not_in_channel.add(PUBLIC)
    _, name = rig.send.command("ask Which AI practices are prohibited?", user=BEN, channel=PUBLIC)
    posted = rig.fake.wait_response(name)
    assert posted.params["response_type"] == "ephemeral"
    assert "*Sources*" in block_text(posted.params["blocks"])


def test_tasks_lists_open_review_tasks(rig: SlackRig) -> None:
    reviews = rig.app.services.reviews
    profile = reviews.describe("We screen job applicants' CVs and rank candidates for recruiters in Berlin.")
    outcome = reviews.triage(
        profile.profile, actor=PAM, audience=rig.app.services.directory.channel_context(DM_BEN).audience
    )
    version = outcome.assessment_version
    assert outcome.result.system.id and version
    filed = reviews.file_tasks(outcome.result.system.id, version, actor=PAM)
    assert filed
    _, name = rig.send.command("tasks", user=PAM, channel=PUBLIC)
    posted = rig.fake.wait_response(name)
    text = block_text(posted.params["blocks"])
    assert "Open reviews of your systems" in text
    assert all(f"#{task.id} " in text for task in filed[:10])
    # Someone with no systems and nothing assigned sees every open task.
    _, other = rig.send.command("tasks", user=BEN, channel=PUBLIC)
    assert "Open review tasks" in block_text(rig.fake.wait_response(other).params["blocks"])


@pytest.fixture
def limited(make_settings: Any, rig_home: Path, fake_slack: FakeSlack) -> Iterator[SlackRig]:
    """The app with a limit of 2 requests per user per minute."""
    slack, server = start_rig(make_settings, rig_home, fake_slack, slack_rate_limit=2, slack_rate_window=60.0)
    yield slack
    stop_rig(slack, server)


def test_rate_limit_per_user(limited: SlackRig) -> None:
    for _ in range(2):
        response, _ = limited.send.command("ask Which AI practices are prohibited?", user=BEN, channel=DM_BEN)
        assert response.text == ""
    refused, _ = limited.send.command("ask Which AI practices are prohibited?", user=BEN, channel=DM_BEN)
    assert refused.status_code == 200 and "try again in" in ack_text(refused)
    # Help is never limited, and other users have their own allowance.
    assert "/govassist ask" in ack_text(limited.send.command("help", user=BEN, channel=DM_BEN)[0])
    assert limited.send.command("ask What is a deployer?", user=PAM, channel=PUBLIC)[0].text == ""
    # A mention over the limit gets an ephemeral note instead of an answer.
    _, ts = limited.send.mention(user=BEN, channel=PUBLIC, text="Which AI practices are prohibited?")
    [note] = limited.fake.wait_for("chat.postEphemeral", lambda c: c.params.get("user") == BEN)
    assert "try again in" in note.params["text"] and note.params["thread_ts"] == ts
    limited.fake.wait_for("chat.update", count=3)  # the three accepted questions were answered
    assert not limited.fake.calls_to("chat.postMessage", lambda c: c.params.get("thread_ts") == ts)
