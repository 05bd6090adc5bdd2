"""The conversational agent: threads, tools, the offline router and the LLM path (see `core.Agent`)."""
