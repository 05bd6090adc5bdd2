"""The text behind every citation id the datasets may expect, read straight from the knowledge packs,
the sample organisation and the eval fixtures, the fixture organisations included (no index, no model):
what the dataset checks compare expected ids and key facts against."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from evals.datasets import FIXTURE_ORGANISATIONS, INTERNAL_FIXTURES, RESTRICTED_FIXTURES


@cache
def reference_texts() -> dict[str, str]:
    """Citation id -> the text indexed for it (pack record text, policy section, past review)."""
    from knowledge.builtin import SAMPLES_DIR
    from knowledge.packs import load_packs
    from knowledge.parsing import parse_file

    texts: dict[str, str] = {}
    for pack in load_packs():
        for section in pack.to_document().sections:
            texts[section.citation_id] = section.text
    documents: list[Path] = [p for p in sorted(SAMPLES_DIR.glob("*.md")) if p.name.lower() != "readme.md"]
    documents += sorted(SAMPLES_DIR.glob("*review*.y*ml"))
    documents += sorted(INTERNAL_FIXTURES.glob("*.md")) + sorted(RESTRICTED_FIXTURES.glob("*.md"))
    for organisation in FIXTURE_ORGANISATIONS.values():
        documents += sorted(organisation.policies.glob("*.md"))
        documents += sorted(p for p in organisation.reviews.iterdir() if p.suffix in (".json", ".md"))
    for path in documents:
        for section in parse_file(path).sections:
            texts[section.citation_id] = f"{section.title}\n{section.text}"
    return texts


def restricted_prefixes() -> list[str]:
    """Citation-id prefixes of the restricted fixture documents."""
    return [f"{p.stem}:" for p in sorted(RESTRICTED_FIXTURES.glob("*.md"))]
