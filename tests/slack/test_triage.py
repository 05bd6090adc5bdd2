"""Triage in Slack: the prefilled form, the result message, review tasks, assignee DMs, and messages
that follow a task's status wherever it is changed."""

from __future__ import annotations

import json
from typing import Any

from assistant.feedback import posts_about
from tests.slack.conftest import BEN, DM_LEO, LEO, PAM, PUBLIC, RAI, SlackRig
from tests.slack.fake_slack_api import Call
from tests.slack.harness import block_text, eventually, find_element
from tools.tasks import TaskStatus, change_task_status

CV_TOOL = "We screen job applicants' CVs and rank the candidates for our recruiters in Berlin."


def open_form(rig: SlackRig, text: str, *, user: str = PAM, channel: str = PUBLIC) -> dict[str, Any]:
    """Run `/govassist triage <text>` and return the form as it stands after the prefill."""
    response, _ = rig.send.command(f"triage {text}", user=user, channel=channel)
    assert response.status_code == 200 and response.text == ""
    [opened] = rig.fake.wait_for("views.open")
    assert opened.params["trigger_id"].startswith("trigger-")
    if not text:
        return rig.fake.views[next(iter(rig.fake.views))]
    [updated] = rig.fake.wait_for("views.update")
    return rig.fake.views[updated.params["view_id"]]


def submit_and_get_result(rig: SlackRig, form: dict[str, Any], **values: Any) -> Call:
    response = rig.send.submit(form, user=PAM, values=values)
    assert response.status_code == 200 and response.text == ""  # closes the modal
    [posted] = rig.fake.wait_for(
        "chat.postMessage", lambda c: "Triage:" in block_text(c.params.get("blocks", []))
    )
    return posted


def initial(form: dict[str, Any], block_id: str) -> Any:
    element = next(b for b in form["blocks"] if b.get("block_id") == block_id)["element"]
    if "initial_options" in element:
        return [o["value"] for o in element["initial_options"]]
    if "initial_option" in element:
        return element["initial_option"]["value"]
    return element.get("initial_value")


def test_the_form_is_prefilled_from_the_description(rig: SlackRig) -> None:
    form = open_form(rig, CV_TOOL)
    [loading] = rig.fake.wait_for("views.open")
    assert "Reading your description" in block_text(loading.params["view"]["blocks"])
    assert form["callback_id"] == "govassist_triage_modal"
    assert initial(form, "description") == CV_TOOL
    assert "recruitment" in initial(form, "use_cases")
    assert initial(form, "annex_i_product") == "unknown"  # not stated: triage asks rather than assumes
    assert json.loads(form["private_metadata"]) == {"user": PAM, "channel": PUBLIC, "thread_ts": None}


def test_submitting_posts_the_result_with_tier_grounds_obligations_and_dates(rig: SlackRig) -> None:
    form = open_form(rig, CV_TOOL)
    posted = submit_and_get_result(rig, form, name="CV ranker", profiling="yes", jurisdictions=["EU"])
    assert posted.params["channel"] == PUBLIC
    blocks = posted.params["blocks"]
    text = block_text(blocks)
    assert blocks[0]["type"] == "header" and "CV ranker" in blocks[0]["text"]["text"]
    assert "High-risk" in text
    assert "`eu-ai-act:annex-iii-4-a`" in text  # the ground, as a footnote with its title
    assert "*Obligations*" in text and ", from 20" in text
    assert "*Reviews required*" in text
    file_button = find_element(blocks, "govassist_file_tasks")
    reviews = rig.app.services.reviews
    value = json.loads(file_button["value"])
    assessment = reviews.assessment(value["system_id"], value["version"])
    assert assessment is not None and assessment.eu_tier == "high" and assessment.created_by == PAM
    assert assessment.profile.name == "CV ranker" and assessment.profile.profiling is True
    refs = eventually(lambda: posts_about(rig.db, subject=f"triage:{value['system_id']}:v{value['version']}"))
    assert [(r.channel, r.ts) for r in refs] == [(PUBLIC, rig.fake.messages[PUBLIC][-1]["ts"])]


def test_invalid_form_values_are_shown_in_the_modal(rig: SlackRig) -> None:
    form = open_form(rig, CV_TOOL)
    response = rig.send.submit(form, user=PAM, values={"name": "", "training_compute_flops": "lots"})
    assert response.status_code == 200
    body = response.json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"name", "training_compute_flops"}
    assert not rig.fake.calls_to("chat.postMessage")


def test_file_tasks_assign_decide_and_follow_the_status(rig: SlackRig) -> None:
    form = open_form(rig, CV_TOOL)
    posted = submit_and_get_result(rig, form, name="CV ranker", profiling="yes")
    channel, ts = posted.params["channel"], rig.fake.messages[PUBLIC][-1]["ts"]
    result_message = rig.fake.message(channel, ts)
    assert result_message is not None

    # File the review tasks: the message now lists them, with pickers and buttons.
    rig.send.click(user=PAM, channel=channel, message=result_message, action_id="govassist_file_tasks")
    [filed] = rig.fake.wait_for("chat.update", lambda c: c.params["ts"] == ts)
    reviews = rig.app.services.reviews
    value = json.loads(find_element(result_message["blocks"], "govassist_file_tasks")["value"])
    tasks = reviews.tasks_for_assessment(value["system_id"], value["version"])
    assert tasks and all(t.status is TaskStatus.OPEN for t in tasks)
    text = block_text(filed.params["blocks"])
    assert all(f"#{t.id} " in text for t in tasks)
    with_tasks = rig.fake.message(channel, ts)
    assert with_tasks is not None
    assert "govassist_file_tasks" not in json.dumps(with_tasks["blocks"])  # filed: no second button
    [told] = rig.fake.wait_for("chat.postEphemeral", lambda c: "review task" in str(c.params.get("text")))
    assert told.params["text"].startswith(f"Filed {len(tasks)} new review task(s).")
    task = tasks[0]

    # Assign it to Leo: Leo gets a DM with the task, and the result message shows him.
    rig.send.click(
        user=PAM,
        channel=channel,
        message=with_tasks,
        action_id="govassist_task_assign",
        block_id=f"govassist_task_{task.id}",
        selected_user=LEO,
    )
    [dm] = rig.fake.wait_for("chat.postMessage", lambda c: c.params["channel"] == LEO)
    assert f"assigned review task #{task.id}" in block_text(dm.params["blocks"])
    assert reviews.task(task.id).assignee == f"<@{LEO}>"  # type: ignore[union-attr]
    dm_ts = rig.fake.messages[DM_LEO][-1]["ts"]
    refs = eventually(lambda: posts_about(rig.db, subject=f"task:{task.id}"))
    assert [(r.channel, r.ts) for r in refs] == [(DM_LEO, dm_ts)]
    rig.fake.wait_for(
        "chat.update", lambda c: c.params["ts"] == ts and f"<@{LEO}>" in block_text(c.params["blocks"])
    )

    # Ben is neither the assignee nor in the RAI team: he may not move it.
    rig.send.click(
        user=BEN,
        channel=channel,
        message=with_tasks,
        action_id="govassist_task_start",
        block_id=f"govassist_task_actions_{task.id}",
    )
    [refused] = rig.fake.wait_for("chat.postEphemeral", lambda c: c.params["user"] == BEN)
    assert "Only the assignee or the RAI team" in refused.params["text"]
    assert reviews.task(task.id).status is TaskStatus.OPEN  # type: ignore[union-attr]

    # Leo starts the review from his DM: both messages follow.
    card = rig.fake.message(DM_LEO, dm_ts)
    assert card is not None
    rig.send.click(user=LEO, channel=DM_LEO, message=card, action_id="govassist_task_start")
    rig.fake.wait_for(
        "chat.update", lambda c: c.params["ts"] == dm_ts and "in review" in block_text(c.params["blocks"])
    )
    rig.fake.wait_for(
        "chat.update", lambda c: c.params["ts"] == ts and "in review" in block_text(c.params["blocks"])
    )

    # Leo decides: the form asks why; an approval with a condition closes it.
    card = rig.fake.message(DM_LEO, dm_ts)
    assert card is not None
    rig.send.click(user=LEO, channel=DM_LEO, message=card, action_id="govassist_task_decide")
    [decide] = rig.fake.wait_for(
        "views.open", lambda c: c.params["view"].get("callback_id") == "govassist_task_decision_modal"
    )
    view = rig.fake.views[
        next(
            v
            for v, body in rig.fake.views.items()
            if body.get("callback_id") == "govassist_task_decision_modal"
        )
    ]
    missing_note = rig.send.submit(view, user=LEO, values={"decision": "rejected"})
    assert missing_note.json()["response_action"] == "errors" and "note" in missing_note.json()["errors"]
    ok = rig.send.submit(
        view,
        user=LEO,
        values={
            "decision": "approved",
            "note": "Human review of every rejection",
            "conditions": "Bias audit before use for NYC roles",
        },
    )
    assert ok.text == ""
    rig.fake.wait_for(
        "chat.update", lambda c: c.params["ts"] == ts and "approved" in block_text(c.params["blocks"])
    )
    decided = reviews.task(task.id)
    assert decided is not None and decided.status is TaskStatus.APPROVED
    assert decided.conditions == ["Bias audit before use for NYC roles"]
    assert decide.params["trigger_id"]

    # A change made elsewhere (`govassist tasks update`) reaches the message too.
    other = tasks[1]
    change_task_status(
        reviews.db, task_id=other.id, actor="cli-user", status="in_review", assignee=f"<@{RAI}>"
    )
    refreshed = rig.app.sync.run_once()
    assert other.id in refreshed
    [update] = rig.fake.calls_to("chat.update", lambda c: c.params["ts"] == ts)[-1:]
    assert f"#{other.id} " in block_text(update.params["blocks"]) and f"<@{RAI}>" in block_text(
        update.params["blocks"]
    )
    rig.fake.wait_for("chat.postMessage", lambda c: c.params["channel"] == RAI)  # the new assignee's DM


def test_answer_the_open_questions_reopens_the_form_with_the_profile(rig: SlackRig) -> None:
    form = open_form(rig, "A tool that helps our staff.")
    posted = submit_and_get_result(rig, form, name="Staff helper")
    message = rig.fake.messages[PUBLIC][-1]
    edit = find_element(message["blocks"], "govassist_triage_edit")
    rig.send.click(user=PAM, channel=PUBLIC, message=message, action_id="govassist_triage_edit")
    reopened = rig.fake.wait_for("views.open", count=2)[-1]
    view = reopened.params["view"]
    assert view["callback_id"] == "govassist_triage_modal"
    assert initial(view, "name") == "Staff helper"
    assert edit["text"]["text"] in {"Answer the open questions", "Edit the profile"}
    assert "Triage: Staff helper" in block_text(posted.params["blocks"])


def test_triage_in_conversation_asks_then_posts_the_result(rig: SlackRig) -> None:
    _, root = rig.send.mention(user=PAM, channel=PUBLIC, text=f"triage {CV_TOOL}")
    [first] = rig.fake.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == root)
    assert "Question 1" in block_text(first.params["blocks"])
    assert "govassist_feedback_helpful" not in json.dumps(first.params["blocks"])  # a question, not an answer
    replies = 1
    while replies < 25:
        latest = rig.fake.calls_to("chat.postMessage", lambda c: c.params.get("thread_ts") == root)[-1]
        if latest.params["blocks"][0]["type"] == "header":
            break
        rig.send.mention(user=PAM, channel=PUBLIC, text="no", thread_ts=root)
        replies += 1
        rig.fake.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == root, count=replies)
    card = rig.fake.calls_to("chat.postMessage", lambda c: c.params.get("thread_ts") == root)[-1]
    assert card.params["blocks"][0]["type"] == "header"
    text = block_text(card.params["blocks"])
    assert "High-risk" in text and "`eu-ai-act:annex-iii-4-a`" in text
    refs = eventually(lambda: posts_about(rig.db, prefix="triage:"))
    assert refs[-1].channel == PUBLIC and refs[-1].ts == rig.fake.messages[PUBLIC][-1]["ts"]
