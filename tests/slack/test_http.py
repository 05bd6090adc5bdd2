"""HTTP mode: Slack's request signing is enforced, and the app acknowledges before it works."""

from __future__ import annotations

import json
import time

from tests.slack.conftest import BEN, PUBLIC, SlackRig
from tests.slack.harness import SIGNING_SECRET


def test_valid_signature_is_accepted_and_url_verification_answered(rig: SlackRig) -> None:
    body = json.dumps(
        {
            "type": "url_verification",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "token": "x",
        }
    )
    response = rig.send.post(body, content_type="application/json")
    assert response.status_code == 200
    assert response.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


def test_bad_signature_is_rejected(rig: SlackRig) -> None:
    response, _ = rig.send.command("help", user=BEN, channel=PUBLIC, secret="not-the-signing-secret")
    assert response.status_code == 401
    tampered = rig.send.post(
        json.dumps({"type": "url_verification", "challenge": "c"}),
        content_type="application/json",
        headers={"X-Slack-Signature": "v0=" + "0" * 64},
    )
    assert tampered.status_code == 401


def test_stale_timestamp_is_rejected(rig: SlackRig) -> None:
    six_minutes_ago = int(time.time()) - 6 * 60
    response, _ = rig.send.command("help", user=BEN, channel=PUBLIC, timestamp=six_minutes_ago)
    assert response.status_code == 401
    # Signed correctly for that old timestamp: the age alone is the reason.
    fresh, _ = rig.send.command("help", user=BEN, channel=PUBLIC, secret=SIGNING_SECRET)
    assert fresh.status_code == 200


def test_missing_signature_headers_are_rejected(rig: SlackRig) -> None:
    response = rig.send.http.post(
        "/slack/events",
        content=b'{"type":"url_verification","challenge":"c"}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 401


def test_health_endpoint(rig: SlackRig) -> None:
    assert rig.send.http.get("/healthz").text == "ok"
    assert rig.send.http.get("/elsewhere").status_code == 404
