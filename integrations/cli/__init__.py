"""The `govassist` command line: parses options, calls the library, prints. Heavy imports stay inside
commands so `--help` is instant."""

from __future__ import annotations

import gc

from integrations.cli.app import cli

# The collector's first generation is examined every GC_YOUNG_THRESHOLD new container objects (Python's
# default is 700). A cold command builds a few hundred thousand long-lived objects (modules, classes,
# pydantic schemas, the packs) and the default ran ~360 collections, two of them full, over them: about
# a tenth of a cold `ask`'s CPU time. mypy's main() raises the threshold the same way; garbage cycles
# are still collected, in fewer, larger passes.
GC_YOUNG_THRESHOLD = 200_000


def main() -> None:
    """Console-script entry point."""
    gc.set_threshold(GC_YOUNG_THRESHOLD, 30, 30)
    try:
        cli(prog_name="govassist")
    finally:
        # The command is done and the process ends: the collection Python runs at exit would walk every
        # object the command built (~0.15 s of a cold ask's CPU) to free memory the exit frees anyway.
        # Frozen objects are left to the exit; atexit handlers and finalizers still run.
        gc.freeze()


__all__ = ["cli", "main"]
