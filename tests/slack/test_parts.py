"""The Slack app's parts on their own: rate limiter, command parsing, rendering limits, the triage form's
round trip, and the manifest agreeing with the listeners."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from assistant.agent.schemas import AgentReply
from assistant.schemas import Citation
from integrations.slack import ids
from integrations.slack.blocks import (
    MAX_BLOCKS,
    answer_blocks,
    answer_body,
    cap,
    section,
    split_text,
    to_mrkdwn,
)
from integrations.slack.handlers.commands import split_command
from integrations.slack.handlers.quiz import parse_quiz
from integrations.slack.manifest import manifest
from integrations.slack.modals import FormErrors, parse_triage, triage_view
from integrations.slack.payloads import ActionPayload
from integrations.slack.ratelimit import RateLimiter
from tests.conftest import REPO_ROOT
from tests.slack.fake_slack_api import SlackError, _check_blocks
from tests.slack.harness import modal_state
from tools.triage.extract import ExtractedProfile
from tools.triage.schemas import Role, SystemProfile


def test_rate_limiter_is_a_sliding_window_per_user() -> None:
    now = [0.0]
    limiter = RateLimiter(3, 10.0, clock=lambda: now[0])
    assert [limiter.check("u1").allowed for _ in range(4)] == [True, True, True, False]
    assert limiter.check("u2").allowed  # another user's own allowance
    refused = limiter.check("u1")
    assert not refused.allowed and refused.retry_after == 10.0
    now[0] = 10.5  # the first three fell out of the window
    assert limiter.check("u1").allowed
    with pytest.raises(ValueError):
        RateLimiter(0, 1.0)


def test_split_command() -> None:
    assert split_command("") == ("help", "")
    assert split_command("ask What is a deployer?") == ("ask", "What is a deployer?")
    assert split_command("TRIAGE a chatbot for claims") == ("triage", "a chatbot for claims")
    assert split_command("tasks") == ("tasks", "")
    assert split_command("What is a deployer?") == ("ask", "What is a deployer?")


def test_parse_quiz() -> None:
    assert parse_quiz("") == ("EU AI Act basics", 5, "easy", [])
    assert parse_quiz("<@U1|ana> <@U2> GDPR basics 3 hard") == ("GDPR basics", 3, "hard", ["U1", "U2"])


def test_rendering_stays_within_slack_limits() -> None:
    long = "\n\n".join(f"Paragraph {i}: " + "word " * 400 for i in range(6))
    pieces = split_text(long)
    assert len(pieces) > 1 and all(len(p) <= 2900 for p in pieces)
    assert "".join(pieces).replace(" ", "").replace("\n", "") == long.replace(" ", "").replace("\n", "")
    blocks = [section(f"block {i}") for i in range(80)] + [{"type": "actions", "elements": []}]
    capped = cap(blocks)
    assert len(capped) == MAX_BLOCKS and capped[-1]["type"] == "actions"
    assert to_mrkdwn("**Bold** <script> & [link](https://example.com)\n- item") == (
        "*Bold* &lt;script&gt; &amp; <https://example.com|link>\n• item"
    )
    assert answer_body("Lead [1]\n\nSources:\n[1] X (a:b)\n\nKnowledge as of 2026-11-20.") == "Lead [1]"


def test_answer_blocks_for_a_long_reply_pass_slacks_checks() -> None:
    citations = [
        Citation(
            id=f"eu-ai-act:art-{i}",
            source="eu-ai-act",
            title=f"Title {i} " * 20,
            locator=f"Article {i}",
            snippet="s",
            score=0.1,
        )
        for i in range(12)
    ]
    reply = AgentReply(
        question="q " * 3000,
        answer=("A long answer. " * 900) + "\n\nSources:\n[1] ...",
        grounded=False,
        citations=citations,
        knowledge_as_of=date(2026, 11, 20),
        thread_id="slack:T:C:1.0",
        intent="ask",
    )
    blocks = answer_blocks(reply, thread_id=reply.thread_id)
    _check_blocks(blocks)  # the fake Web API's own checks (raises SlackError)
    buttons = blocks[-1]["elements"]
    assert [b["action_id"] for b in buttons] == [ids.FEEDBACK_HELPFUL, ids.FEEDBACK_NOT_HELPFUL, ids.ESCALATE]
    assert all(len(b["value"]) <= 2000 for b in buttons)
    assert json.loads(buttons[2]["value"])["thread_id"] == "slack:T:C:1.0"
    with pytest.raises(SlackError):
        _check_blocks([section("x")] * 51)


def test_the_triage_form_round_trip_keeps_the_profile() -> None:
    profile = SystemProfile(
        name="Claims bot",
        description="Answers customers' questions about their insurance claims.",
        role=Role.DEPLOYER,
        jurisdictions=["EU", "US"],
        use_cases=["customer_chatbot"],
        interacts_with_people=True,
        personal_data=True,
        training_compute_flops=3e24,
    )
    extracted = ExtractedProfile(
        profile=profile, evidence=[], uncertain=["use_cases:creditworthiness", "profiling"]
    )
    view = triage_view(extracted, meta=ActionPayload(user="U1", channel="C1"))
    _check_blocks(view["blocks"], limit=100)
    parsed = parse_triage({**view, "state": {"values": modal_state(view, {})}})
    # The suspected use case is pre-selected (never a silent downgrade); unsettled fields stay unset.
    assert sorted(parsed.use_cases) == ["creditworthiness", "customer_chatbot"]
    assert parsed.role is Role.DEPLOYER and parsed.jurisdictions == ["EU", "US"]
    assert parsed.interacts_with_people is True and parsed.profiling is None
    assert "profiling" not in parsed.model_fields_set and "annex_i_product" not in parsed.model_fields_set
    assert parsed.training_compute_flops == 3e24
    with pytest.raises(FormErrors) as error:
        parse_triage({**view, "state": {"values": modal_state(view, {"description": ""})}})
    assert set(error.value.errors) == {"description"}


def test_the_manifest_declares_what_the_app_listens_to() -> None:
    data = manifest()
    assert data["settings"]["socket_mode_enabled"] is True
    assert {s["callback_id"] for s in data["features"]["shortcuts"]} == {
        ids.SHORTCUT_ASK,
        ids.SHORTCUT_APPROVE,
    }
    assert [c["command"] for c in data["features"]["slash_commands"]] == [ids.SLASH_COMMAND]
    source = "\n".join(path.read_text() for path in (REPO_ROOT / "integrations/slack/handlers").glob("*.py"))
    registered = set(re.findall(r'app\.event\("([a-z_]+)"\)', source))
    bot_events = {e.split(".")[0] for e in data["settings"]["event_subscriptions"]["bot_events"]}
    assert registered == bot_events  # message.im arrives as 'message'
    scopes = set(data["oauth_config"]["scopes"]["bot"])
    assert {
        "app_mentions:read",
        "chat:write",
        "commands",
        "im:history",
        "usergroups:read",
        "reactions:read",
    } <= scopes
    http = manifest("https://govassist.example.com/")
    assert http["settings"]["socket_mode_enabled"] is False
    assert (
        http["settings"]["event_subscriptions"]["request_url"] == "https://govassist.example.com/slack/events"
    )
    assert http["features"]["slash_commands"][0]["url"] == "https://govassist.example.com/slack/events"
    with pytest.raises(ValueError):
        manifest("http://insecure.example.com")
