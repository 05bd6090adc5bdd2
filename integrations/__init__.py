"""The edges: the command line (`integrations/cli/`) and the Slack app (`integrations/slack/`).

Both are transports over the same library: they parse, call `assistant` (and the CLI's `eval` command,
`evals`), and render. Nothing below them imports them; `tests/test_layers.py` checks it.
"""
