"""The `govassist` command line: parses options, calls the library, prints. Heavy imports stay inside
commands so `--help` is instant."""

from __future__ import annotations

from integrations.cli.app import cli


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="govassist")


__all__ = ["cli", "main"]
