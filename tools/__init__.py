"""Structured tools (typed functions with pydantic inputs and outputs) that the agent, the CLI and Slack
call: triage, review tasks, inventory. Filled in by the triage and agent work."""
