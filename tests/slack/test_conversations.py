"""Mentions, DMs, threads as conversations, the message shortcut, and who may see what."""

from __future__ import annotations

import json
from typing import Any

from tests.slack.conftest import (
    ANA,
    BEN,
    DM_ANA,
    DM_BEN,
    DM_LEO,
    INTERNAL_CITATION,
    LEO,
    PRIVATE_LEGAL,
    PRIVATE_MIXED,
    PUBLIC,
    RESTRICTED_CITATION,
    SHARED,
    SlackRig,
)
from tests.slack.fake_slack_api import Call
from tests.slack.harness import block_text

HERON = "How long does the Heron vendor keep applicant CVs under the Heron vendor contract?"
MARKETING = "Who labels marketing copy drafted with generative AI before the marketing copy is published?"


def reply_in(rig: SlackRig, channel: str, thread_ts: str, *, count: int = 1) -> list[Call]:
    """The app's replies in a thread, waiting for `count` of them."""
    return rig.fake.wait_for(
        "chat.postMessage",
        lambda c: c.params.get("channel") == channel and c.params.get("thread_ts") == thread_ts,
        count=count,
    )


def cited(call: Call) -> list[str]:
    """The citation ids a posted answer shows in its Sources footnotes."""
    text = block_text(call.params["blocks"])
    return [part.split("`")[0] for part in text.split("· `")[1:]]


def test_mention_in_a_channel_is_answered_in_its_thread_with_citations_and_feedback(rig: SlackRig) -> None:
    response, ts = rig.send.mention(
        user=BEN, channel=PUBLIC, text="Do we have to tell people they are talking to a chatbot?"
    )
    assert response.status_code == 200 and response.text == ""
    [call] = reply_in(rig, PUBLIC, ts)
    blocks = call.params["blocks"]
    assert blocks[0]["type"] == "section" and "[1]" in blocks[0]["text"]["text"]
    sources = next(b for b in blocks if b["type"] == "section" and b["text"]["text"].startswith("*Sources*"))
    lines = sources["text"]["text"].splitlines()[1:]
    assert lines and all(line.startswith(f"[{i}] *") for i, line in enumerate(lines, 1))
    assert all(":" in cid for cid in cited(call))  # stable '<source>:<locator>' ids
    assert "Knowledge as of" in block_text(blocks)
    buttons = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert buttons[:2] == ["govassist_feedback_helpful", "govassist_feedback_not_helpful"]
    value = json.loads(next(b for b in blocks if b["type"] == "actions")["elements"][0]["value"])
    assert value["thread_id"] == f"slack:T0GOV:{PUBLIC}:{ts}" and value["question"].startswith(
        "Do we have to tell"
    )
    assert call.params["text"]  # the notification text


def test_a_thread_is_one_conversation(rig: SlackRig) -> None:
    _, root = rig.send.mention(
        user=BEN, channel=PUBLIC, text="What must deployers of high-risk AI systems do?"
    )
    reply_in(rig, PUBLIC, root)
    rig.send.mention(user=BEN, channel=PUBLIC, text="and what about providers?", thread_ts=root)
    reply_in(rig, PUBLIC, root, count=2)
    turns = rig.agent.history(f"slack:T0GOV:{PUBLIC}:{root}")
    assert [t.role for t in turns] == ["user", "assistant", "user", "assistant"]
    assert turns[2].content == "and what about providers?"
    # Another thread is another conversation.
    _, other = rig.send.mention(user=BEN, channel=PUBLIC, text="Which AI practices are prohibited?")
    reply_in(rig, PUBLIC, other)
    assert len(rig.agent.history(f"slack:T0GOV:{PUBLIC}:{other}")) == 2


def test_direct_messages_are_answered(rig: SlackRig) -> None:
    response, ts = rig.send.direct_message(
        user=BEN, channel=DM_BEN, text="Which AI practices are prohibited?"
    )
    assert response.status_code == 200
    [call] = reply_in(rig, DM_BEN, ts)
    assert cited(call)
    # The app's own message events and edits are not answered.
    own = {
        "type": "message",
        "channel_type": "im",
        "channel": DM_BEN,
        "bot_id": "BBOT0001",
        "text": "x",
        "ts": "1.1",
    }
    edit = {
        "type": "message",
        "subtype": "message_changed",
        "channel_type": "im",
        "channel": DM_BEN,
        "ts": "1.2",
    }
    rig.send.event(own)
    rig.send.event(edit)
    rig.send.direct_message(user=BEN, channel=DM_BEN, text="What is a general-purpose AI model?")
    rig.fake.wait_for("chat.postMessage", lambda c: c.params.get("channel") == DM_BEN, count=2)
    assert len(rig.fake.calls_to("chat.postMessage", lambda c: c.params.get("channel") == DM_BEN)) == 2


def test_a_resent_event_is_answered_once(rig: SlackRig) -> None:
    ts = rig.fake.add_message(PUBLIC, user=BEN, text="<@UBOT0001> Which AI practices are prohibited?")
    event = {
        "type": "app_mention",
        "user": BEN,
        "text": "<@UBOT0001> Which AI practices are prohibited?",
        "ts": ts,
        "channel": PUBLIC,
        "event_ts": ts,
    }
    for _ in range(3):  # Slack retries with the same event id
        assert (
            rig.send.event(event, event_id="EvRETRY0001", headers={"X-Slack-Retry-Num": "1"}).status_code
            == 200
        )
    reply_in(rig, PUBLIC, ts)
    rig.send.mention(user=BEN, channel=PUBLIC, text="one more", thread_ts=ts)
    reply_in(rig, PUBLIC, ts, count=2)
    assert len(rig.fake.calls_to("chat.postMessage", lambda c: c.params.get("thread_ts") == ts)) == 2


def ask_and_cite(rig: SlackRig, *, user: str, channel: str, question: str, dm: bool) -> list[str]:
    if dm:
        _, ts = rig.send.direct_message(user=user, channel=channel, text=question)
    else:
        _, ts = rig.send.mention(user=user, channel=channel, text=question)
    [call] = reply_in(rig, channel, ts)
    return cited(call)


def test_restricted_documents_reach_only_their_groups(rig: SlackRig) -> None:
    # Ana is in 'legal' by configuration, Leo through the Slack user group @legal-team, Ben in neither.
    assert RESTRICTED_CITATION in ask_and_cite(rig, user=ANA, channel=DM_ANA, question=HERON, dm=True)
    assert RESTRICTED_CITATION in ask_and_cite(rig, user=LEO, channel=DM_LEO, question=HERON, dm=True)
    assert RESTRICTED_CITATION not in ask_and_cite(rig, user=BEN, channel=DM_BEN, question=HERON, dm=True)
    # A private channel whose members are all legal may see it; one with Ben in it may not.
    assert RESTRICTED_CITATION in ask_and_cite(rig, user=ANA, channel=PRIVATE_LEGAL, question=HERON, dm=False)
    assert RESTRICTED_CITATION not in ask_and_cite(
        rig, user=ANA, channel=PRIVATE_MIXED, question=HERON, dm=False
    )
    # The Web API was asked who is in which group.
    assert rig.fake.calls_to("usergroups.list") and rig.fake.calls_to("usergroups.users.list")
    assert rig.fake.calls_to("conversations.members")


def test_public_and_shared_channels_get_public_knowledge_only(rig: SlackRig) -> None:
    in_dm = ask_and_cite(rig, user=ANA, channel=DM_ANA, question=MARKETING, dm=True)
    assert INTERNAL_CITATION in in_dm
    for channel in (PUBLIC, SHARED):
        for question in (HERON, MARKETING):
            shown = ask_and_cite(rig, user=ANA, channel=channel, question=question, dm=False)
            assert RESTRICTED_CITATION not in shown and INTERNAL_CITATION not in shown
    info = rig.fake.calls_to("conversations.info", lambda c: c.params.get("channel") == SHARED)
    assert info  # publicness comes from Slack, not from the channel id


def test_message_shortcut_asks_about_the_message_in_its_thread(rig: SlackRig) -> None:
    ts = rig.fake.add_message(
        PUBLIC, user=BEN, text="We plan to let a chatbot answer customer claims. Any rules?"
    )
    message = rig.fake.message(PUBLIC, ts)
    assert message is not None
    response, _ = rig.send.message_shortcut(
        callback_id="govassist_ask_about_message", user=ANA, channel=PUBLIC, message=message
    )
    assert response.status_code == 200
    [call] = reply_in(rig, PUBLIC, ts)
    assert cited(call)
    turns = rig.agent.history(f"slack:T0GOV:{PUBLIC}:{ts}")
    assert turns[0].content.startswith("We plan to let a chatbot")


def test_shortcut_where_the_app_is_not_a_member_answers_privately(rig: SlackRig) -> None:
    rig.fake.not_in_channel.add(PUBLIC)
    ts = rig.fake.add_message(PUBLIC, user=BEN, text="What is a general-purpose AI model?")
    message: dict[str, Any] = rig.fake.message(PUBLIC, ts) or {}
    _, name = rig.send.message_shortcut(
        callback_id="govassist_ask_about_message", user=ANA, channel=PUBLIC, message=message
    )
    posted = rig.fake.wait_response(name)
    assert posted.params["response_type"] == "ephemeral"
    assert "*Sources*" in block_text(posted.params["blocks"])
