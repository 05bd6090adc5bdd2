"""The CLI imports only what the command needs: `--help` and importing the CLI stay light."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from integrations.cli.app import COMMANDS, cli, load_command

ROOT = Path(__file__).resolve().parents[2]
# Packages whose import costs seconds (or opens connections): never on the way to `--help`.
HEAVY = (
    "torch",
    "transformers",
    "sentence_transformers",
    "chromadb",
    "langchain",
    "langchain_core",
    "ragas",
    "slack_bolt",
    "slack_sdk",
    "sqlalchemy",
    "bm25s",
    "onnxruntime",
    "numpy",
    "rich",
)


def _modules_after(code: str) -> set[str]:
    """The top-level packages imported by `code` in a fresh interpreter."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=ROOT, check=True
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_importing_the_cli_pulls_in_no_heavy_package() -> None:
    loaded = _modules_after("import integrations.cli")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_help_pulls_in_no_heavy_package() -> None:
    loaded = _modules_after(
        "from integrations.cli.app import cli\n"
        "try:\n    cli(['--help'], prog_name='govassist')\nexcept SystemExit:\n    pass"
    )
    assert "click" in loaded
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_a_command_imports_only_its_own_module() -> None:
    loaded = _modules_after(
        "import sys\nfrom integrations.cli.app import cli\n"
        "try:\n    cli(['ask', '--help'], prog_name='govassist')\nexcept SystemExit:\n    pass\n"
        "mods = [m for m in sys.modules if m.startswith('integrations.cli.')]\n"
        "assert 'integrations.cli.ask' in mods and 'integrations.cli.train' not in mods, mods"
    )
    assert not loaded & {"torch", "chromadb", "sqlalchemy", "langchain", "ragas"}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_registered_summary_is_the_commands_own(name: str) -> None:
    command = load_command(name)
    # The root help prints COMMANDS[name].summary without importing the command: it must not drift.
    assert COMMANDS[name].summary == command.get_short_help_str(limit=10_000)


def test_root_help_lists_every_command_as_click_would() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert f"\n  {name} " in result.output
