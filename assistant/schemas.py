"""The answer contract (`govassist ask --json`), relied on by tests and integrations."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field, field_serializer


class Citation(BaseModel):
    """A passage the answer rests on."""

    id: str = Field(description="Stable citation id, e.g. 'eu-ai-act:art-50-1'.")
    source: str = Field(description="Source id, e.g. 'eu-ai-act' or a policy's document id.")
    title: str
    locator: str = Field(description="Human locator, e.g. 'Article 50(1)'.")
    snippet: str
    score: float


class Answer(BaseModel):
    """A cited answer, or an abstention (`grounded` false) that says whom to ask."""

    question: str
    answer: str
    grounded: bool
    citations: list[Citation] = Field(description="Best first.")
    knowledge_as_of: date | None

    @field_serializer("knowledge_as_of")
    def _iso(self, value: date | None) -> str | None:
        return value.isoformat() if value else None
