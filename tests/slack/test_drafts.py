"""*Draft the system card* on a triage result: the card is drafted, kept with the assessment, and posted as
a file in the result's thread through the Slack file-upload flow (files_upload_v2) of the local stand-in."""

from __future__ import annotations

import json

from tests.slack.conftest import PAM, PUBLIC, SlackRig
from tests.slack.harness import find_element
from tests.slack.test_triage import CV_TOOL, open_form, submit_and_get_result
from tools.audit import list_events
from tools.docs.store import list_drafts


def test_draft_the_system_card_posts_the_file_in_the_thread(rig: SlackRig) -> None:
    form = open_form(rig, CV_TOOL)
    submit_and_get_result(rig, form, name="CV ranker", profiling="yes", jurisdictions=["EU"])
    result_message = rig.fake.messages[PUBLIC][-1]
    button = find_element(result_message["blocks"], "govassist_draft_system_card")
    assert button["text"]["text"] == "Draft the system card"
    value = json.loads(button["value"])

    rig.send.click(user=PAM, channel=PUBLIC, message=result_message, action_id="govassist_draft_system_card")
    [completed] = rig.fake.wait_for("files.completeUploadExternal")
    [asked] = rig.fake.calls_to("files.getUploadURLExternal")
    filename = f"{value['system_id']}-system-card-v{value['version']}.md"
    assert asked.params["filename"] == filename
    assert completed.params["channel_id"] == PUBLIC
    assert completed.params["thread_ts"] == result_message["ts"]  # in the triage result's thread

    [(message, content)] = rig.fake.uploaded(PUBLIC)
    assert message["thread_ts"] == result_message["ts"] and message["files"][0]["name"] == filename
    assert "Draft system card of *CV ranker* (assessment v1)" in message["text"]
    markdown = content.decode("utf-8")
    assert int(asked.params["length"]) == len(content)
    assert markdown.startswith("# System card: CV ranker\n")
    assert "[source: eu-ai-act:annex-iii-4-a; assessment v1]" in markdown
    assert "**Question for the owner:**" in markdown

    with rig.db.session() as session:
        [stored] = list_drafts(session, system_id=value["system_id"])
        [event] = list_events(session=session, action="document.drafted")
    assert stored.filename == filename and stored.created_by == PAM
    assert event.actor == PAM and event.details["draft_id"] == stored.id
