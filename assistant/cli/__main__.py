"""`python -m assistant.cli` runs the CLI."""

from assistant.cli import main

main()
