"""The App Home tab, and a full quiz session through Slack."""

from __future__ import annotations

import json
from typing import Any

from tests.slack.conftest import ANA, BEN, DM_BEN, DM_PAM, LEO, PAM, PUBLIC, SlackRig
from tests.slack.harness import block_text, eventually, find_element


def test_home_tab_shows_the_users_systems_and_open_tasks(rig: SlackRig) -> None:
    services = rig.app.services
    extracted = services.reviews.describe("We screen job applicants' CVs and rank candidates for recruiters.")
    outcome = services.reviews.triage(
        extracted.profile.model_copy(update={"name": "Pam's CV ranker"}),
        actor=PAM,
        audience=services.directory.channel_context(DM_PAM).audience,
    )
    system_id, version = outcome.result.system.id, outcome.assessment_version
    assert system_id and version
    tasks = services.reviews.file_tasks(system_id, version, actor=PAM)
    services.reviews.change_task(tasks[0].id, actor=LEO, assignee=f"<@{PAM}>")
    rig.send.event(
        {"type": "app_home_opened", "user": PAM, "channel": DM_PAM, "tab": "home", "event_ts": "1.0"}
    )
    [published] = rig.fake.wait_for("views.publish", lambda c: c.params["user_id"] == PAM)
    view = published.params["view"]
    text = block_text(view["blocks"])
    assert view["type"] == "home"
    assert "Pam's CV ranker" in text and "High-risk" in text
    assert "Review tasks assigned to you* (1)" in text and f"#{tasks[0].id} " in text
    assert f"Open reviews of your systems* ({len(tasks) - 1})" in text
    # Somebody else's home does not list Pam's system.
    rig.send.event(
        {"type": "app_home_opened", "user": BEN, "channel": DM_BEN, "tab": "home", "event_ts": "1.1"}
    )
    [other] = rig.fake.wait_for("views.publish", lambda c: c.params["user_id"] == BEN)
    assert "Pam's CV ranker" not in block_text(other.params["view"]["blocks"])
    # "Triage a system" opens the form; its result comes as a DM (the home tab has no channel).
    stored = rig.fake.home_views[PAM]
    rig.send.click_in_view(user=PAM, view=stored, action_id="govassist_triage_new")
    [opened] = rig.fake.wait_for("views.open")
    form = rig.fake.views[
        next(v for v, b in rig.fake.views.items() if b.get("callback_id") == "govassist_triage_modal")
    ]
    assert json.loads(form["private_metadata"])["channel"] is None and opened.params["trigger_id"]
    rig.send.submit(
        form,
        user=PAM,
        values={
            "name": "Spam filter",
            "description": "Filters spam e-mails.",
            "use_cases": ["spam_filtering"],
        },
    )
    [result] = rig.fake.wait_for("chat.postMessage", lambda c: c.params["channel"] == PAM)
    assert "Triage: Spam filter" in block_text(result.params["blocks"])


def answer(rig: SlackRig, user: str, question_message: dict[str, Any], option: int) -> None:
    button = next(
        e
        for b in question_message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if json.loads(e["value"])["option"] == option
    )
    dm = question_message["channel"]
    rig.send.click(user=user, channel=dm, message=question_message, action_id=button["action_id"])


def latest_question(rig: SlackRig, dm: str, position: int) -> dict[str, Any]:
    def find() -> dict[str, Any] | None:
        for message in reversed(rig.fake.messages.get(dm, [])):
            if f"*Question {position} of" in block_text(message.get("blocks", [])) and any(
                b["type"] == "actions" for b in message["blocks"]
            ):
                return {**json.loads(json.dumps(message)), "channel": dm}
        return None

    return eventually(find)


def test_a_quiz_in_a_channel_with_immediate_cited_feedback(rig: SlackRig) -> None:
    training = rig.app.services.training
    assert training is not None
    response, _ = rig.send.command("quiz EU AI Act basics 3 easy", user=ANA, channel=PUBLIC)
    assert response.status_code == 200
    [announcement] = rig.fake.wait_for("chat.postMessage", lambda c: c.params["channel"] == PUBLIC)
    blocks = announcement.params["blocks"]
    assert "Quiz: EU AI Act basics" in block_text(blocks) and f"<@{ANA}>" in block_text(blocks)
    session_id = json.loads(find_element(blocks, "govassist_quiz_start")["value"])["session_id"]
    report = training.report(session_id=session_id).sessions[0]
    assert report.session.channel == PUBLIC and report.session.trainer == ANA and len(report.questions) == 3
    # Ben takes part: questions come by DM, each answer is replaced by its verdict and explanation.
    message = rig.fake.message(PUBLIC, rig.fake.messages[PUBLIC][-1]["ts"])
    assert message is not None
    rig.send.click(user=BEN, channel=PUBLIC, message=message, action_id="govassist_quiz_start")
    for record in report.questions:
        question = latest_question(rig, DM_BEN, record.position)
        right = record.position != 2  # the second one wrong on purpose
        chosen = record.correct_option if right else (record.correct_option + 1) % len(record.options)
        answer(rig, BEN, question, chosen)
        question_ts = question["ts"]
        [verdict] = rig.fake.wait_for("chat.update", lambda c: c.params["ts"] == question_ts)  # noqa: B023
        text = block_text(verdict.params["blocks"])
        assert ("Correct" in text) is right and ("Not quite" in text) is not right
        assert f"`{record.citation_id}`" in text
        assert record.explanation[:40].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in text
    [done] = rig.fake.wait_for("chat.postMessage", lambda c: "Quiz complete" in c.params["text"])
    assert "2 of 3" in done.params["text"]
    scores = {s.user_id: s for s in training.session_scores(session_id)}
    assert scores[BEN].answered == 3 and scores[BEN].correct == 2 and scores[BEN].completed


def test_a_quiz_for_named_people_sends_them_the_first_question(rig: SlackRig) -> None:
    rig.send.command(f"quiz <@{BEN}|ben> <@{LEO}|leo> GDPR basics 2", user=ANA, channel=PUBLIC)
    latest_question(rig, DM_BEN, 1)
    latest_question(rig, "DLEO0001", 1)
    training = rig.app.services.training
    assert training is not None
    [summary] = training.list_sessions()
    assert summary.channel is None and {p.user_id for p in summary.participants} == {BEN, LEO}
    # An unknown topic is a one-line error for the trainer only.
    _, name = rig.send.command("quiz underwater basket weaving", user=ANA, channel=PUBLIC)
    assert "unknown topic" in rig.fake.wait_response(name).params["text"]
