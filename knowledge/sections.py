"""The unit every parser produces: one citable section of a document."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class DocumentKind(StrEnum):
    """What a document is, which decides how it is split and how answers present it."""

    REGULATION = "regulation"
    POLICY = "policy"
    REVIEW = "review"


class SectionLevel(StrEnum):
    """Where a section sits in its document's structure."""

    DOCUMENT = "document"
    CHAPTER = "chapter"
    ARTICLE = "article"
    PARAGRAPH = "paragraph"
    POINT = "point"
    SUBPOINT = "subpoint"
    ANNEX = "annex"
    ANNEX_SECTION = "annex_section"
    RECITAL = "recital"
    HEADING = "heading"
    RECORD = "record"


class Section(BaseModel):
    """One citable unit (an article, a paragraph, a point, a policy heading, a record).

    `citation_id` is `<source-id>:<locator-slug>` in lowercase and hyphenated
    (`eu-ai-act:art-5-1-f`); a parent's id is a prefix of its children's ids.
    """

    model_config = ConfigDict(frozen=True)

    citation_id: str = Field(description="Stable id: '<source-id>:<locator-slug>'.")
    locator: str = Field(description="Human locator, e.g. 'Article 5(1)(f)' or a policy heading.")
    title: str = Field(description="The section's own title, or its nearest titled ancestor's.")
    parents: list[str] = Field(default_factory=list, description="Ancestors' titles, outermost first.")
    parent_id: str | None = Field(default=None, description="Citation id of the enclosing section.")
    level: SectionLevel
    text: str = Field(description="The section's full text, including its children's text.")


class ParsedDocument(BaseModel):
    """What parsing one file yields."""

    source_id: str = Field(description="Citation prefix: a regime id or the document id.")
    title: str
    kind: DocumentKind
    sections: list[Section]
    as_of: date | None = Field(default=None, description="Date the text is current as of, if known.")


class ParseError(Exception):
    """A file could not be parsed; the message names the file and the problem."""
