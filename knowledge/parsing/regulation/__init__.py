"""Structure-aware parsers for official regulatory texts.

Each format is reduced to units (articles, annexes, recitals, records) and split by one shared splitter,
so the EUR-Lex HTML, the Markdown conversion and the JSON copies of an act yield the same citation ids:
`eu-ai-act:art-5-1-h-iii`, `eu-ai-act:annex-iii-4-a`, `eu-ai-act:recital-53`, `gdpr:art-6-1-f`,
`nist-ai-rmf:govern-1-1`, `nist-ai-600-1:gv-1-1-001`, `colorado-ai-act:6-1-1701-1`.
"""

from knowledge.parsing.regulation.eurlex_html import is_eurlex_html, parse_eurlex_html
from knowledge.parsing.regulation.markdown import is_regulation_markdown, parse_regulation_markdown
from knowledge.parsing.regulation.records import parse_regulation_records
from knowledge.parsing.regulation.regimes import detect_regime

__all__ = [
    "detect_regime",
    "is_eurlex_html",
    "is_regulation_markdown",
    "parse_eurlex_html",
    "parse_regulation_markdown",
    "parse_regulation_records",
]
