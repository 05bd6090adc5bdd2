"""The Slack app manifest shipped in `manifest.yaml`, for Socket Mode or with HTTP-mode request URLs."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

MANIFEST_PATH = Path(__file__).resolve().with_name("manifest.yaml")
EVENTS_PATH = "/slack/events"


@cache
def _load() -> dict[str, Any]:
    data = yaml.safe_load(MANIFEST_PATH.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def manifest(http_url: str | None = None) -> dict[str, Any]:
    """The manifest; with `http_url` (the app's public base URL) Socket Mode is off and Slack sends
    events, commands and interactions to `<http_url>/slack/events`. ValueError for a URL that is not
    https (Slack requires it) or has no host."""
    data = copy.deepcopy(_load())
    if http_url is None:
        return data
    parsed = urlparse(http_url.strip())
    if parsed.scheme != "https" or not parsed.netloc:
        raise ValueError(f"--http-url must be an https:// URL with a host, got {http_url!r}")
    endpoint = http_url.strip().rstrip("/") + EVENTS_PATH
    settings = data["settings"]
    settings["socket_mode_enabled"] = False
    settings["event_subscriptions"]["request_url"] = endpoint
    settings["interactivity"]["request_url"] = endpoint
    for command in data["features"]["slash_commands"]:
        command["url"] = endpoint
    return data


def render(http_url: str | None = None) -> str:
    """The manifest as YAML."""
    header = "# govassist Slack app manifest" + (
        f" (HTTP mode, {http_url})" if http_url else " (Socket Mode)"
    )
    return header + "\n" + yaml.safe_dump(manifest(http_url), sort_keys=False, allow_unicode=True)
