"""The payload buttons and modals carry: readable keys out, and both readable and the old single-letter
keys in (a message posted before keeps its buttons working)."""

from __future__ import annotations

import json

import pytest

from integrations.slack.blocks import VALUE_CHARS, compact_value
from integrations.slack.payloads import ActionPayload


def test_a_payload_is_written_with_readable_keys_and_read_back() -> None:
    payload = ActionPayload(system_id="cv-ranker", version=2)
    assert json.loads(payload.encode()) == {"system_id": "cv-ranker", "version": 2}
    assert ActionPayload.parse(payload.encode()) == payload


def test_a_field_set_to_none_stays_in_the_metadata() -> None:
    meta = ActionPayload(user="U1", channel="C1", thread_ts=None)
    assert json.loads(meta.encode()) == {"user": "U1", "channel": "C1", "thread_ts": None}


@pytest.mark.parametrize(
    ("old", "expected"),
    [
        ('{"s":"cv-ranker","v":2}', ActionPayload(system_id="cv-ranker", version=2)),
        ('{"s":7}', ActionPayload(session_id=7)),
        ('{"s":7,"p":3,"o":1}', ActionPayload(session_id=7, position=3, option=1)),
        (
            '{"t":"slack:T:C:1.0","m":12,"q":"Is it high-risk?","c":["eu-ai-act:art-6"],"g":true}',
            ActionPayload(
                thread_id="slack:T:C:1.0",
                message_id=12,
                question="Is it high-risk?",
                citations=["eu-ai-act:art-6"],
                grounded=True,
            ),
        ),
        ('{"u":"U1","c":"C1","th":"1.0"}', ActionPayload(user="U1", channel="C1", thread_ts="1.0")),
        (
            '{"f":4,"c":null,"th":null,"t":"x","q":"why"}',
            ActionPayload(feedback_id=4, thread_id="x", question="why"),
        ),
        ('{"e":9}', ActionPayload(escalation_id=9)),
        ('{"task":5}', ActionPayload(task=5)),
    ],
)
def test_old_single_letter_payloads_still_parse(old: str, expected: ActionPayload) -> None:
    parsed = ActionPayload.parse(old)
    assert parsed.model_dump() == expected.model_dump()


def test_unusable_values_give_an_empty_payload_or_drop_the_bad_field() -> None:
    assert ActionPayload.parse(None) == ActionPayload()
    assert ActionPayload.parse("not json") == ActionPayload()
    assert ActionPayload.parse("[1, 2]") == ActionPayload()
    kept = ActionPayload.parse('{"m":"not a number","q":"still here"}')
    assert kept.message_id is None and kept.question == "still here"


def test_compact_value_shortens_the_question_to_fit_a_button() -> None:
    long = ActionPayload(thread_id="t", question="word " * 1000, citations=["a:b"] * 5)
    compact = compact_value(long)
    assert len(compact.encode()) <= VALUE_CHARS
    assert compact.question and long.question and long.question.startswith(compact.question)
    assert compact.citations == ["a:b"] * 5
