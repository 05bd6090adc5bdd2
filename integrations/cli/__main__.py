"""`python -m integrations.cli` runs the CLI."""

from integrations.cli import main

main()
