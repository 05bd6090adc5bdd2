"""Small hand-made documents for index and retrieval tests (our own words, no legal text)."""

from __future__ import annotations

from knowledge.sections import DocumentKind, ParsedDocument, Section, SectionLevel


def regulation(source_id: str = "demo-act", *, variant: str = "v1") -> ParsedDocument:
    """A two-article 'regulation' with paragraphs and points; `variant` changes every text."""

    def s(cid: str, locator: str, level: SectionLevel, text: str, parent: str | None = None) -> Section:
        return Section(
            citation_id=f"{source_id}:{cid}",
            locator=locator,
            title=f"Title of {locator.split('(')[0]}",
            parents=[],
            parent_id=f"{source_id}:{parent}" if parent else None,
            level=level,
            text=f"{text} ({variant})",
        )

    return ParsedDocument(
        source_id=source_id,
        title="Demo Act",
        kind=DocumentKind.REGULATION,
        sections=[
            s(
                "art-1",
                "Article 1",
                SectionLevel.ARTICLE,
                "Chatbots must disclose that users talk to a machine.",
            ),
            s(
                "art-1-1",
                "Article 1(1)",
                SectionLevel.PARAGRAPH,
                "Chatbots must disclose that users talk to a machine.",
                "art-1",
            ),
            s(
                "art-2",
                "Article 2",
                SectionLevel.ARTICLE,
                "Fines for banned practices reach forty million euro.",
            ),
            s(
                "art-2-1",
                "Article 2(1)",
                SectionLevel.PARAGRAPH,
                "Fines for banned practices reach forty million euro:",
                "art-2",
            ),
            s(
                "art-2-1-a",
                "Article 2(1)(a)",
                SectionLevel.POINT,
                "emotion recognition at work is banned",
                "art-2-1",
            ),
        ],
    )


def policy(
    doc_id: str = "hr-secrets", text: str = "Salary bands for engineers are confidential."
) -> ParsedDocument:
    """A one-section policy."""
    return ParsedDocument(
        source_id=doc_id,
        title="HR secrets",
        kind=DocumentKind.POLICY,
        sections=[
            Section(
                citation_id=f"{doc_id}:salary-bands",
                locator="Salary bands",
                title="Salary bands",
                level=SectionLevel.HEADING,
                text=text,
            )
        ],
    )
