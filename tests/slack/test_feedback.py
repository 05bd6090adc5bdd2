"""Feedback buttons, "Ask the RAI team", and approved answers that later questions cite."""

from __future__ import annotations

import json
from typing import Any

from assistant.feedback import EscalationStatus, list_approved_answers, list_escalations, list_feedback
from core.models import ConversationMessage
from tests.slack.conftest import ANA, BEN, DM_BEN, PUBLIC, RAI, RAI_CHANNEL, SlackRig
from tests.slack.fake_slack_api import Call
from tests.slack.harness import block_text, eventually, find_element

# Nothing in the knowledge answers this: govassist abstains.
UNKNOWN = "Qzv wxplor frindle quaggy?"
QUESTION = "Which AI practices are prohibited?"


def answered(rig: SlackRig, *, user: str, channel: str, text: str) -> tuple[str, dict[str, Any]]:
    """Mention the app and return (thread ts, the posted answer as the fake has it)."""
    _, ts = rig.send.mention(user=user, channel=channel, text=text)
    rig.fake.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == ts)
    reply = next(
        m for m in reversed(rig.fake.messages[channel]) if m.get("thread_ts") == ts and m.get("bot_id")
    )
    message = rig.fake.message(channel, reply["ts"])
    assert message is not None
    return ts, message


def test_helpful_is_stored(rig: SlackRig) -> None:
    ts, message = answered(rig, user=BEN, channel=PUBLIC, text=QUESTION)
    response, _ = rig.send.click(
        user=BEN, channel=PUBLIC, message=message, action_id="govassist_feedback_helpful"
    )
    assert response.status_code == 200
    [stored] = eventually(lambda: list_feedback(rig.db))
    assert stored.helpful and stored.user_id == BEN and stored.question == QUESTION
    assert stored.thread_id == f"slack:T0GOV:{PUBLIC}:{ts}"
    with rig.db.session() as session:  # the verdict points at the exact reply it judges
        reply = session.get(ConversationMessage, stored.message_id)
        assert reply is not None and reply.role == "assistant" and reply.thread_id == stored.thread_id
    assert stored.citations and all(f"`{cid}`" in block_text(message["blocks"]) for cid in stored.citations)
    assert stored.answer == message["text"]
    rig.fake.wait_for("chat.postEphemeral", lambda c: "Thanks" in c.params["text"])


def test_not_helpful_asks_why_then_offers_the_rai_team(rig: SlackRig) -> None:
    ts, message = answered(rig, user=BEN, channel=PUBLIC, text=QUESTION)
    rig.send.click(user=BEN, channel=PUBLIC, message=message, action_id="govassist_feedback_not_helpful")
    [opened] = rig.fake.wait_for("views.open")
    assert opened.params["view"]["callback_id"] == "govassist_feedback_modal"
    [stored] = eventually(lambda: list_feedback(rig.db))
    assert stored.helpful is False and stored.reason is None
    view = rig.fake.views[next(iter(rig.fake.views))]
    response = rig.send.submit(
        view, user=BEN, values={"reason": "incomplete", "details": "Nothing about deadlines."}
    )
    assert response.text == ""
    [offer] = rig.fake.wait_for("chat.postEphemeral", lambda c: c.params.get("user") == BEN)
    assert offer.params["thread_ts"] == ts
    find_element(offer.params["blocks"], "govassist_escalate")
    [updated] = eventually(lambda: [f for f in list_feedback(rig.db) if f.reason])
    assert updated.reason == "It is incomplete: Nothing about deadlines."


def escalate_from(rig: SlackRig, *, channel: str, user: str, text: str) -> tuple[str, Call]:
    """Ask something govassist cannot answer and press "Ask the RAI team"; returns (thread ts, the post)."""
    ts, message = answered(rig, user=user, channel=channel, text=text)
    assert "Ask the RAI team" in block_text(message["blocks"])  # abstained: the button is there at once
    rig.send.click(user=user, channel=channel, message=message, action_id="govassist_escalate")
    [post] = rig.fake.wait_for("chat.postMessage", lambda c: c.params["channel"] == RAI_CHANNEL)
    eventually(lambda: [e for e in list_escalations(rig.db) if e.message_ts])  # where it was posted, stored
    return ts, post


def test_escalation_posts_the_question_with_the_thread_context(rig: SlackRig) -> None:
    ts, post = escalate_from(rig, channel=PUBLIC, user=BEN, text=UNKNOWN)
    text = block_text(post.params["blocks"])
    assert UNKNOWN in text and f"<@{BEN}>" in text and f"<#{PUBLIC}>" in text
    assert "Conversation so far" in text and "govassist:" in text  # the thread, the app's answer included
    [escalation] = list_escalations(rig.db)
    assert escalation.status is EscalationStatus.OPEN and escalation.asked_by == BEN
    assert escalation.thread_id == f"slack:T0GOV:{PUBLIC}:{ts}" and escalation.channel == RAI_CHANNEL
    assert UNKNOWN in escalation.context
    [note] = rig.fake.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == ts, count=2)[1:]
    assert "asked the RAI team" in note.params["text"]


def test_a_reaction_on_a_team_reply_saves_an_approved_answer_that_later_questions_cite(rig: SlackRig) -> None:
    ts, _post = escalate_from(rig, channel=PUBLIC, user=BEN, text=UNKNOWN)
    escalation = list_escalations(rig.db)[0]
    assert escalation.message_ts
    reply_ts = rig.fake.add_message(
        RAI_CHANNEL,
        user=RAI,
        text="Frindle quaggy tools need a written sign-off from the RAI team before any pilot starts.",
        thread_ts=escalation.message_ts,
    )
    # Someone outside the RAI team reacting does nothing.
    rig.send.event(
        {
            "type": "reaction_added",
            "user": BEN,
            "reaction": "white_check_mark",
            "item": {"type": "message", "channel": RAI_CHANNEL, "ts": reply_ts},
            "event_ts": "1.0",
        }
    )
    rig.fake.wait_for("chat.postEphemeral", lambda c: c.params.get("user") == BEN)
    assert not list_approved_answers(rig.db)
    rig.send.event(
        {
            "type": "reaction_added",
            "user": RAI,
            "reaction": "white_check_mark",
            "item": {"type": "message", "channel": RAI_CHANNEL, "ts": reply_ts},
            "event_ts": "1.1",
        }
    )
    [approved] = eventually(lambda: list_approved_answers(rig.db))
    assert approved.answer.startswith("Frindle quaggy tools need a written sign-off")
    assert approved.escalation_id == escalation.id and approved.approved_by == RAI
    assert approved.visibility.value == "public"  # asked in a public channel
    # The asker gets the answer in their thread; the team gets a confirmation in theirs.
    [back] = rig.fake.wait_for(
        "chat.postMessage", lambda c: c.params.get("thread_ts") == ts and "answered" in c.params["text"]
    )
    assert f"`approved-answer:{approved.id}`" in block_text(back.params["blocks"])
    rig.fake.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == escalation.message_ts)
    assert eventually(lambda: [e for e in list_escalations(rig.db) if e.status is EscalationStatus.ANSWERED])
    # A later question finds and cites the approved answer (also in a public channel).
    _, later = answered(
        rig, user=ANA, channel=PUBLIC, text="Do frindle quaggy tools need a sign-off before a pilot?"
    )
    assert f"`approved-answer:{approved.id}`" in block_text(later["blocks"])


def test_the_message_action_saves_an_edited_restricted_answer(rig: SlackRig) -> None:
    _, _post = escalate_from(rig, channel=DM_BEN, user=BEN, text=UNKNOWN)
    escalation = list_escalations(rig.db)[0]
    reply_ts = rig.fake.add_message(
        RAI_CHANNEL, user=RAI, text="Draft: ask legal first.", thread_ts=escalation.message_ts
    )
    reply = rig.fake.message(RAI_CHANNEL, reply_ts)
    assert reply is not None
    rig.send.message_shortcut(
        callback_id="govassist_save_approved_answer", user=RAI, channel=RAI_CHANNEL, message=reply
    )
    [opened] = rig.fake.wait_for(
        "views.open", lambda c: c.params["view"].get("callback_id") == "govassist_approve_modal"
    )
    view = rig.fake.views[
        next(v for v, b in rig.fake.views.items() if b.get("callback_id") == "govassist_approve_modal")
    ]
    assert json.loads(view["private_metadata"]) == {"escalation_id": escalation.id}
    missing = rig.send.submit(view, user=RAI, values={"visibility": "restricted", "groups": ""})
    assert missing.json()["response_action"] == "errors"
    ok = rig.send.submit(
        view,
        user=RAI,
        values={
            "answer": "Frindle quaggy pilots need legal sign-off.",
            "visibility": "restricted",
            "groups": "legal",
        },
    )
    assert ok.text == ""
    [approved] = eventually(lambda: list_approved_answers(rig.db))
    assert approved.visibility.value == "restricted" and approved.groups == ["legal"]
    assert approved.answer == "Frindle quaggy pilots need legal sign-off."
    # Delivered to the DM thread it came from.
    rig.fake.wait_for(
        "chat.postMessage", lambda c: c.params["channel"] == DM_BEN and "answered" in c.params["text"]
    )
    assert opened.params["trigger_id"]
    # Outside its escalation thread, the action explains itself.
    stray_ts = rig.fake.add_message(PUBLIC, user=RAI, text="hello")
    stray = rig.fake.message(PUBLIC, stray_ts)
    assert stray is not None
    rig.send.message_shortcut(
        callback_id="govassist_save_approved_answer", user=RAI, channel=PUBLIC, message=stray
    )
    rig.fake.wait_for("chat.postEphemeral", lambda c: "escalated question" in c.params["text"])
