"""Feedback on answers, escalation to the RAI team, and approved answers.

- "Helpful" / "Not helpful" on an answer store the verdict; "Not helpful" asks why, then offers
  "Ask the RAI team".
- "Ask the RAI team" posts the question with the thread's conversation to the escalation channel.
- A reply in that escalation's thread becomes an approved answer when a team member reacts with
  :white_check_mark: or uses the message action "Save as approved answer" (a form to edit the text
  and choose who may see it). The answer is indexed (`approved-answer:<id>`), so later questions
  cite it, and it is posted back to the person who asked.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk.errors import SlackApiError

from assistant.feedback import (
    ApprovedAnswerPublic,
    EscalationPublic,
    FeedbackError,
    FeedbackPublic,
    approve_answer,
    find_escalation_by_message,
    find_open_escalation,
    get_escalation,
    open_escalation,
    record_feedback,
    remember_post,
    set_escalation_message,
    set_feedback_reason,
)
from core.text import clip
from integrations.slack import ids
from integrations.slack.blocks import (
    approved_answer_blocks,
    escalate_offer_blocks,
    escalation_blocks,
    escape,
    notice_blocks,
)
from integrations.slack.handlers.common import (
    SKIP,
    action_value,
    channel_of,
    tell,
    thread_of,
    user_of,
)
from integrations.slack.modals import (
    FormErrors,
    approve_view,
    feedback_view,
    parse_approve,
    parse_feedback,
    read_metadata,
)
from integrations.slack.payloads import ActionPayload
from integrations.slack.runtime import (
    SlackServices,
    actor,
    ephemeral,
    log,
    parse_conversation_id,
    post,
    slack_error,
)
from knowledge.access import Visibility

CONTEXT_MESSAGES = 12
CONTEXT_CHARS = 400


def thread_context(services: SlackServices, *, channel: str, thread_ts: str) -> list[str]:
    """The conversation so far (conversations.replies), one line per message, newest last."""
    try:
        response = services.client.conversations_replies(channel=channel, ts=thread_ts, limit=100)
    except SlackApiError as exc:
        log.warning("conversations.replies in %s failed: %s", channel, slack_error(exc))
        return []
    lines = []
    for message in (response.get("messages") or [])[-CONTEXT_MESSAGES:]:
        who = "govassist" if message.get("bot_id") else f"<@{message.get('user', '?')}>"
        text = " ".join((message.get("text") or "").split())
        if text:
            lines.append(f"• {who}: {escape(clip(text, CONTEXT_CHARS))}")
    return lines


def escalate(services: SlackServices, *, user: str, question: str, thread_id: str | None) -> str:
    """Hand a question to the RAI team; what to tell the asker."""
    channel = services.settings.slack_escalation_channel
    if not channel:
        return f"No escalation channel is configured: please ask {services.settings.escalation_contact}."
    question = question.strip()
    if not question:
        return "There is no question to hand over."
    where = parse_conversation_id(thread_id)
    if thread_id:
        existing = find_open_escalation(services.reviews.db, thread_id=thread_id, question=question)
        if existing is not None:
            return f"The RAI team already has this question (#{existing.id}); their answer will appear here."
    lines = thread_context(services, channel=where[0], thread_ts=where[1]) if where else []
    escalation = open_escalation(
        services.reviews.db,
        question=question,
        asked_by=actor(user),
        context="\n".join(lines),
        thread_id=thread_id,
    )
    blocks = escalation_blocks(
        escalation_id=escalation.id,
        question=question,
        asked_by=user,
        origin=where[0] if where else None,
        context_lines=lines,
    )
    posted = post(
        services.client, channel=channel, blocks=blocks, text=f"Question for the RAI team: {question}"
    )
    if posted is None:
        return (
            f"I could not post in the RAI team's channel; please ask {services.settings.escalation_contact}."
        )
    set_escalation_message(services.reviews.db, escalation_id=escalation.id, channel=posted[0], ts=posted[1])
    remember_post(services.reviews.db, subject=f"escalation:{escalation.id}", channel=posted[0], ts=posted[1])
    return f":raising_hand: I have asked the RAI team (#{escalation.id}). Their answer will be posted here."


def deliver(
    services: SlackServices, escalation: EscalationPublic, approved: ApprovedAnswerPublic, approver: str
) -> None:
    """Post the approved answer to the person who asked, and confirm it in the escalation thread."""
    where = parse_conversation_id(escalation.thread_id)
    blocks = approved_answer_blocks(
        answer=approved.answer, citation_id=approved.citation_id, approved_by=approver
    )
    text = f"The RAI team answered: {approved.answer}"
    if where is not None:
        posted = post(services.client, channel=where[0], blocks=blocks, text=text, thread_ts=where[1])
    else:
        posted = None
    asker = escalation.asked_by
    if posted is None and asker:
        post(services.client, channel=asker, blocks=blocks, text=text)
    if escalation.channel and escalation.message_ts:
        note = (
            f":white_check_mark: Saved as approved answer `{approved.citation_id}` "
            f"({approved.visibility.value}) and sent to <@{asker}>. Later questions will cite it."
        )
        post(
            services.client,
            channel=escalation.channel,
            blocks=notice_blocks(note),
            text=note,
            thread_ts=escalation.message_ts,
        )


def default_visibility(services: SlackServices, escalation: EscalationPublic) -> Visibility:
    """Public when the question was asked in a public channel (the asker's readers see it there),
    internal otherwise; the approval form can change it."""
    where = parse_conversation_id(escalation.thread_id)
    if where is not None and services.directory.is_public(where[0]):
        return Visibility.PUBLIC
    return Visibility.INTERNAL


def _escalation_of_reply(
    services: SlackServices, channel: str, message: dict[str, Any]
) -> EscalationPublic | None:
    """The escalation a reply in the escalation channel answers (its thread root is the escalation)."""
    thread_ts = message.get("thread_ts")
    if not thread_ts or thread_ts == message.get("ts"):
        return None
    return find_escalation_by_message(services.reviews.db, channel=channel, ts=thread_ts)


def _fetch_message(services: SlackServices, channel: str, ts: str) -> dict[str, Any] | None:
    """One message by its ts, also inside a thread (conversations.replies)."""
    try:
        response = services.client.conversations_replies(channel=channel, ts=ts, inclusive=True, limit=100)
    except SlackApiError as exc:
        log.warning("conversations.replies in %s failed: %s", channel, slack_error(exc))
        return None
    return next((m for m in response.get("messages") or [] if m.get("ts") == ts), None)


def register(app: App, services: SlackServices) -> None:
    """Feedback buttons, the reason form, escalation and approval."""

    def ack_only(ack: Ack) -> None:
        ack()

    def store(body: dict[str, Any], *, helpful: bool) -> FeedbackPublic | None:
        """The verdict of a feedback button, stored; None (and the reason told) if it can't be."""
        value, message = action_value(body), body.get("message") or {}
        try:
            return record_feedback(
                services.reviews.db,
                user_id=user_of(body) or "",
                helpful=helpful,
                question=value.question or "",
                answer=message.get("text") or "",
                citations=list(value.citations or []),
                thread_id=value.thread_id,
                message_id=value.message_id,
            )
        except FeedbackError as exc:
            tell(services, body, f":warning: {exc}")
            return None

    def on_helpful(body: dict[str, Any]) -> None:
        if store(body, helpful=True) is not None:
            tell(services, body, "Thanks for the feedback!")

    app.action(ids.FEEDBACK_HELPFUL)(ack=ack_only, lazy=[on_helpful])

    def on_not_helpful(body: dict[str, Any]) -> None:
        value = action_value(body)
        stored = store(body, helpful=False)
        if stored is None:
            return
        meta = ActionPayload(
            feedback_id=stored.id,
            channel=channel_of(body),
            thread_ts=thread_of(body),
            thread_id=value.thread_id,
            question=clip(value.question or "", 1500),
        )
        try:
            services.client.views_open(trigger_id=body["trigger_id"], view=feedback_view(meta))
        except SlackApiError as exc:  # no form: offer the escalation straight away
            log.warning("views.open failed: %s", slack_error(exc))
            _offer_escalation(services, user_of(body) or "", meta)

    app.action(ids.FEEDBACK_NOT_HELPFUL)(ack=ack_only, lazy=[on_not_helpful])

    def on_reason(body: dict[str, Any]) -> None:
        meta = read_metadata(body["view"])
        if meta.feedback_id is not None:
            set_feedback_reason(
                services.reviews.db, feedback_id=meta.feedback_id, reason=parse_feedback(body["view"])
            )
        _offer_escalation(services, user_of(body) or "", meta)

    app.view(ids.VIEW_FEEDBACK)(ack=ack_only, lazy=[on_reason])

    def on_escalate(body: dict[str, Any]) -> None:
        value = action_value(body)
        user = user_of(body) or ""
        thread_id = value.thread_id
        answer = escalate(services, user=user, question=value.question or "", thread_id=thread_id)
        where = parse_conversation_id(thread_id)
        if where is not None and answer.startswith(":raising_hand:"):
            post(
                services.client,
                channel=where[0],
                blocks=notice_blocks(answer),
                text=answer,
                thread_ts=where[1],
            )
        else:
            tell(services, body, answer)

    app.action(ids.ESCALATE)(ack=ack_only, lazy=[on_escalate])

    # --- approval by reaction -------------------------------------------------------------------------------

    def on_reaction(body: dict[str, Any], context: BoltContext) -> None:
        event = body.get("event") or {}
        item = event.get("item") or {}
        channel = item.get("channel")
        if (
            context.get(SKIP)
            or event.get("reaction") != ids.APPROVE_REACTION
            or item.get("type") != "message"
            or not channel
            or channel != services.settings.slack_escalation_channel
        ):
            return
        message = _fetch_message(services, channel, item.get("ts", ""))
        escalation = _escalation_of_reply(services, channel, message or {})
        if message is None or escalation is None:
            return
        approver = event.get("user", "")
        if not services.directory.in_rai_team(approver):
            ephemeral(
                services.client,
                channel=channel,
                user=approver,
                text="Only the RAI team can approve answers.",
                thread_ts=message.get("thread_ts"),
            )
            return
        try:
            approved = approve_answer(
                services.reviews.index,
                question=escalation.question,
                answer=message.get("text") or "",
                approved_by=actor(approver),
                escalation_id=escalation.id,
                visibility=default_visibility(services, escalation),
            )
        except FeedbackError as exc:
            ephemeral(services.client, channel=channel, user=approver, text=f":warning: {exc}")
            return
        deliver(services, escalation, approved, approver)

    def ack_event(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        if not services.first_time(body.get("event_id")):
            context[SKIP] = True

    app.event("reaction_added")(ack=ack_event, lazy=[on_reaction])

    # --- approval by message action (with a form) -----------------------------------------------------------

    def on_approve_shortcut(body: dict[str, Any]) -> None:
        channel = (body.get("channel") or {}).get("id") or ""
        message = body.get("message") or {}
        user = user_of(body) or ""
        escalation = (
            _escalation_of_reply(services, channel, message)
            if channel == services.settings.slack_escalation_channel
            else None
        )
        if escalation is None:
            tell(services, body, "Use this on a reply to an escalated question in the RAI team's channel.")
            return
        if not services.directory.in_rai_team(user):
            tell(services, body, "Only the RAI team can approve answers.")
            return
        meta = ActionPayload(escalation_id=escalation.id)
        view = approve_view(
            answer=message.get("text") or "",
            question=escalation.question,
            visibility=default_visibility(services, escalation),
            meta=meta,
        )
        try:
            services.client.views_open(trigger_id=body["trigger_id"], view=view)
        except SlackApiError as exc:
            log.warning("views.open failed: %s", slack_error(exc))

    app.shortcut(ids.SHORTCUT_APPROVE)(ack=ack_only, lazy=[on_approve_shortcut])

    def ack_approval(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        try:
            parse_approve(body["view"])
        except FormErrors as exc:
            ack(response_action="errors", errors=exc.errors)
            context[SKIP] = True
            return
        ack()

    def on_approval(body: dict[str, Any], context: BoltContext) -> None:
        if context.get(SKIP):
            return
        meta = read_metadata(body["view"])
        user = user_of(body) or ""
        escalation = (
            get_escalation(services.reviews.db, meta.escalation_id)
            if meta.escalation_id is not None
            else None
        )
        if escalation is None or not services.directory.in_rai_team(user):
            return
        answer, visibility, groups = parse_approve(body["view"])
        try:
            approved = approve_answer(
                services.reviews.index,
                question=escalation.question,
                answer=answer,
                approved_by=actor(user),
                escalation_id=escalation.id,
                visibility=visibility,
                groups=groups,
            )
        except FeedbackError as exc:
            post(services.client, channel=user, blocks=notice_blocks(f":warning: {exc}"), text=str(exc))
            return
        deliver(services, escalation, approved, user)

    app.view(ids.VIEW_APPROVE)(ack=ack_approval, lazy=[on_approval])


def _offer_escalation(services: SlackServices, user: str, meta: ActionPayload) -> None:
    """After "not helpful": an ephemeral "Ask the RAI team" button where the answer was."""
    question, thread_id, channel = meta.question or "", meta.thread_id, meta.channel
    if not question or thread_id is None:
        return
    blocks = escalate_offer_blocks(thread_id=thread_id, question=question)
    if channel:
        ephemeral(
            services.client,
            channel=channel,
            user=user,
            text="Thanks, noted. Ask the RAI team?",
            blocks=blocks,
            thread_ts=meta.thread_ts,
        )
    else:
        post(services.client, channel=user, blocks=blocks, text="Thanks, noted. Ask the RAI team?")
