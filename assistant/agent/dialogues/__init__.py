"""The agent's dialogues, one responsibility each: questions (`questions`), the triage dialogue
(`triage`), training quizzes (`quiz`) and inventory and task replies (`inventory`). Each step takes a
`TurnContext` and the typed inputs it uses, calls typed tools, and returns a `TurnOutcome`."""
