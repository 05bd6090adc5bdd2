"""Edges that talk to other systems (Slack, ticket trackers). They call `assistant`; nothing imports them."""
