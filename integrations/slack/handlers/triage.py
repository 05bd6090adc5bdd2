"""Triage in Slack: the form (prefilled from a description), the result message, filing review tasks."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk.errors import SlackApiError

from assistant.docs import DraftNotPossibleError, draft_document
from assistant.feedback import remember_post
from assistant.triage_view import TriageView
from integrations.slack import ids
from integrations.slack.blocks import escape, notice_blocks, triage_blocks
from integrations.slack.handlers.common import SKIP, action_value, channel_of, message_ts, tell, user_of
from integrations.slack.modals import FormErrors, loading_view, parse_triage, read_metadata, triage_view
from integrations.slack.payloads import ActionPayload
from integrations.slack.runtime import SlackServices, actor, log, post, slack_error
from integrations.slack.tasksync import triage_subject
from tools.docs.schemas import DocumentKind, OutputFormat
from tools.triage.extract import ExtractedProfile


def open_triage_form(
    services: SlackServices,
    *,
    trigger_id: str,
    user: str,
    channel: str | None,
    text: str = "",
    thread_ts: str | None = None,
) -> None:
    """Open the triage form. With a description, a "reading" modal opens at once (a trigger id lasts
    3 seconds) and is replaced by the form prefilled from the description."""
    meta = ActionPayload(user=user, channel=channel, thread_ts=thread_ts)
    client = services.client
    try:
        if not text.strip():
            client.views_open(trigger_id=trigger_id, view=triage_view(None, meta=meta))
            return
        opened = client.views_open(
            trigger_id=trigger_id, view=loading_view("Triage an AI system", ":mag: Reading your description…")
        )
    except SlackApiError as exc:
        log.warning("views.open failed: %s", slack_error(exc))
        return
    view = opened.get("view") or {}
    extracted: ExtractedProfile | None
    note = None
    try:
        extracted = services.reviews.describe(text)
    except ValueError as exc:
        extracted, note = None, f":warning: {escape(str(exc))}"
    else:
        note = "Prefilled from your description: check every answer, then *Triage*."
    try:
        client.views_update(
            view_id=view.get("id"), hash=view.get("hash"), view=triage_view(extracted, meta=meta, note=note)
        )
    except SlackApiError as exc:
        log.warning("views.update failed: %s", slack_error(exc))


def post_triage_result(
    services: SlackServices, *, user: str, channel: str | None, thread_ts: str | None, view: dict[str, Any]
) -> None:
    """Triage the submitted profile and post the result where the form was opened (else as a DM)."""
    profile = parse_triage(view)
    where = channel or user
    audience = services.directory.user_context(user, where).audience
    outcome = services.reviews.triage(profile, actor=actor(user), audience=audience)
    version = outcome.assessment_version
    system_id = outcome.result.system.id
    tasks = services.reviews.tasks_for_assessment(system_id, version) if system_id and version else []
    shown = TriageView.of(outcome.result, version=version, precedents=outcome.precedents, tasks=tasks)
    blocks = triage_blocks(shown, titles=services.reviews.citation_titles(shown.titled_citations()))
    tier, internal = outcome.result.eu_ai_act.tier.value, outcome.result.internal_tier
    text = f"Triage of {profile.name}: {tier}, internal tier {internal}"
    posted = post(services.client, channel=where, blocks=blocks, text=text, thread_ts=thread_ts)
    if posted is None and where != user:
        posted = post(services.client, channel=user, blocks=blocks, text=text)
    if posted is not None and system_id and version:
        remember_post(
            services.reviews.db, subject=triage_subject(system_id, version), channel=posted[0], ts=posted[1]
        )


def post_system_card(
    services: SlackServices, body: dict[str, Any], *, system_id: str, version: int, user: str
) -> None:
    """Draft the system card of assessment `version` (read as the conversation's audience), keep it with
    the assessment, and post it as a file in the triage message's thread."""
    channel = channel_of(body) or user
    message = body.get("message") or {}
    thread_ts = message.get("thread_ts") or message_ts(body)
    reviews = services.reviews
    try:
        drafted = draft_document(
            reviews.settings,
            reviews.index,
            system=system_id,
            version=version,
            kind=DocumentKind.SYSTEM_CARD,
            fmt=OutputFormat.MARKDOWN,
            actor=actor(user),
            audience=services.directory.user_context(user, channel).audience,
        )
    except DraftNotPossibleError as exc:
        tell(services, body, f":warning: {exc}")
        return
    draft = drafted.draft
    comment = (
        f"Draft system card of *{escape(draft.system_name)}* (assessment v{draft.assessment_version}), "
        f"requested by <@{user}>: every statement names its source; "
        f"{draft.open_questions} question(s) for the owner."
    )
    try:
        services.client.files_upload_v2(
            channel=channel,
            thread_ts=thread_ts,
            content=drafted.content,
            filename=drafted.filename,
            title=draft.title,
            initial_comment=comment,
        )
    except SlackApiError as exc:
        log.warning("files.upload failed: %s", slack_error(exc))
        tell(services, body, ":warning: The system card was drafted but could not be posted here.")


def register(app: App, services: SlackServices) -> None:
    """The triage form, its submission, and the buttons on a triage result."""

    def ack_submission(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        try:
            parse_triage(body["view"])
        except FormErrors as exc:
            ack(response_action="errors", errors=exc.errors)
            context[SKIP] = True
            return
        ack()

    def on_submission(body: dict[str, Any], context: BoltContext) -> None:
        if context.get(SKIP):
            return
        view = body["view"]
        meta = read_metadata(view)
        user = meta.user or user_of(body) or ""
        try:
            post_triage_result(services, user=user, channel=meta.channel, thread_ts=meta.thread_ts, view=view)
        except Exception:
            log.exception("triage from the Slack form failed")
            failed = ":warning: The triage failed; please try again."
            post(services.client, channel=user, blocks=notice_blocks(failed), text=failed)

    app.view(ids.VIEW_TRIAGE)(ack=ack_submission, lazy=[on_submission])

    def ack_only(ack: Ack) -> None:
        ack()

    def on_file_tasks(body: dict[str, Any]) -> None:
        value = action_value(body)
        system_id, version, user = value.system_id, value.version, user_of(body) or ""
        if system_id is None or version is None:
            return
        channel, ts = channel_of(body), message_ts(body)
        if channel and ts:  # the message may predate remembering (posted by another process)
            remember_post(
                services.reviews.db, subject=triage_subject(system_id, version), channel=channel, ts=ts
            )
        try:
            filing = services.reviews.file_reviews(system_id, version, actor=actor(user))
        except LookupError as exc:
            tell(services, body, f":warning: {exc}")
            return
        if services.sync is not None:
            services.sync.run_once()
        tell(services, body, f"{filing.summary()} Assign them with the pickers in the message.")

    app.action(ids.FILE_TASKS)(ack=ack_only, lazy=[on_file_tasks])

    def on_edit(body: dict[str, Any]) -> None:
        value = action_value(body)
        system_id, version = value.system_id, value.version
        assessment = (
            services.reviews.assessment(system_id, version)
            if system_id is not None and version is not None
            else None
        )
        if assessment is None:
            tell(services, body, ":warning: That assessment no longer exists.")
            return
        message = body.get("message") or {}
        meta = ActionPayload(user=user_of(body), channel=channel_of(body), thread_ts=message.get("thread_ts"))
        note = "Answer the open questions (or correct the profile), then *Triage*: it records a new version."
        try:
            services.client.views_open(
                trigger_id=body["trigger_id"],
                view=triage_view(None, profile=assessment.profile, meta=meta, note=note),
            )
        except SlackApiError as exc:
            log.warning("views.open failed: %s", slack_error(exc))

    app.action(ids.TRIAGE_EDIT)(ack=ack_only, lazy=[on_edit])

    def on_draft(body: dict[str, Any]) -> None:
        value = action_value(body)
        system_id, version, user = value.system_id, value.version, user_of(body) or ""
        if system_id is None or version is None:
            return
        post_system_card(services, body, system_id=system_id, version=version, user=user)

    app.action(ids.DRAFT_SYSTEM_CARD)(ack=ack_only, lazy=[on_draft])

    def on_new(body: dict[str, Any]) -> None:
        user = user_of(body) or ""
        open_triage_form(services, trigger_id=body["trigger_id"], user=user, channel=channel_of(body))

    app.action(ids.TRIAGE_NEW)(ack=ack_only, lazy=[on_new])
