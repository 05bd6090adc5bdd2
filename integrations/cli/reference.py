"""Generates docs/cli.md from the commands' own --help, so the CLI reference cannot drift.

python -m integrations.cli.reference          # rewrite docs/cli.md
python -m integrations.cli.reference --check  # exit 1 if docs/cli.md is stale (run by `make test`)
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from integrations.cli.app import cli

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def _walk(command: click.Command, path: list[str]) -> list[tuple[list[str], click.Command]]:
    found = [(path, command)]
    if isinstance(command, click.Group):
        # list_commands/get_command, not .commands: the root group loads its commands lazily.
        ctx = click.Context(command, info_name=" ".join(path))
        for name in sorted(command.list_commands(ctx)):
            sub = command.get_command(ctx, name)
            if sub is not None:
                found += _walk(sub, [*path, name])
    return found


def render() -> str:
    """The whole reference as Markdown."""
    parts = [
        "# govassist command reference",
        "",
        "Generated from `--help` by `python -m integrations.cli.reference`.",
        "",
    ]
    for path, command in _walk(cli, ["govassist"]):
        ctx = click.Context(command, info_name=" ".join(path), terminal_width=100, max_content_width=100)
        parts += [f"## {' '.join(path)}", "", "```", command.get_help(ctx).rstrip(), "```", ""]
    return "\n".join(parts)


def main(argv: list[str]) -> int:
    """Write the reference, or with --check report whether it is current."""
    text = render()
    if "--check" in argv:
        if not DOC.is_file() or DOC.read_text(encoding="utf-8") != text:
            print(f"{DOC} is stale: run `python -m integrations.cli.reference`", file=sys.stderr)
            return 1
        return 0
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
