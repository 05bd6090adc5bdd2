"""The Slack app (slack-bolt): questions in channels, DMs and threads, self-triage, review tasks, feedback
and escalation to the RAI team, quizzes. `create_app` builds it; `server` runs it in Socket Mode or HTTP.

It talks to the rest of govassist only through `assistant/` (the agent, `assistant.reviews`,
`assistant.feedback`, `assistant.training`): never to the database directly.
"""
