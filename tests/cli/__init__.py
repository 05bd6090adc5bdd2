"""Running the CLI in tests: `cli_runner` gives a function that invokes it on one home directory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from integrations.cli import cli

Run = Callable[..., Result]


def cli_runner(monkeypatch: pytest.MonkeyPatch, home: Path, **env: str) -> Run:
    """`run(*args, input=None)` invoking the CLI with `--home home`, after setting `GOVASSIST_<NAME>`
    for each of `env` (capitals, e.g. ACTOR="priya"); the hashing embedder unless `env` names another."""
    for name, value in {"EMBEDDER": "hashing", **env}.items():
        monkeypatch.setenv(f"GOVASSIST_{name}", value)

    def run(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(cli, ["--home", str(home), *args], input=input, catch_exceptions=False)

    return run
