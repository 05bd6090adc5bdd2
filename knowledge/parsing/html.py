"""HTML to an outline: `<h1>`-`<h6>` split the body text; `<title>` (else the first `<h1>`) is the title."""

from __future__ import annotations

import re
import warnings
from html import unescape

from bs4 import BeautifulSoup, Comment, NavigableString, Tag, XMLParsedAsHTMLWarning

from knowledge.parsing.headings import Heading, Outline

_HEADING_TAGS = {f"h{level}": level for level in range(1, 7)}
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "nav", "head", "svg", "button", "form"})
# Tags that stand apart as paragraphs, and tags that only start a new line.
_PARAGRAPH_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "dl",
        "div",
        "figcaption",
        "figure",
        "footer",
        "header",
        "hr",
        "main",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "ul",
    }
)
_LINE_TAGS = frozenset({"br", "caption", "dd", "dt", "li", "tbody", "tfoot", "thead", "tr"})
_CELL_TAGS = frozenset({"td", "th"})
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_TITLE = re.compile(r"<title(?:\s[^>]*)?>(?P<title>.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
# EUR-Lex pages title themselves with a file name; the act's own title is in `<p class="oj-doc-ti">`.
_OJ_DOC_TITLE = re.compile(
    r"<p\b[^>]*class=\"[^\"]*\bdoc-ti\b[^\"]*\"[^>]*>(?P<title>.*?)</p\s*>", re.IGNORECASE | re.DOTALL
)
_TAG = re.compile(r"<[^>]+>")


def page_title(html: str) -> str | None:
    """The page's `<title>` text, found without parsing the whole page (None when absent or blank)."""
    return _first_text(_TITLE, html)


def act_title(html: str) -> str | None:
    """An Official Journal act's title (its first `doc-ti` paragraph), else the page's `<title>`."""
    return _first_text(_OJ_DOC_TITLE, html) or page_title(html)


def _first_text(pattern: re.Pattern[str], html: str) -> str | None:
    match = pattern.search(html)
    if match is None:
        return None
    return " ".join(unescape(_TAG.sub(" ", match.group("title"))).split()) or None


def parse_html(html: str) -> Outline:
    """Split an HTML page at its heading elements, ignoring scripts, styles and navigation."""
    with warnings.catch_warnings():
        # XHTML pages (with an <?xml ?> prolog) read fine with the HTML parser.
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(html, "lxml")
    root = soup.body or soup
    collector = _Collector()
    collector.walk(root)
    headings = collector.headings()
    first_h1 = next((heading.text for heading in headings if heading.level == 1), None)
    return Outline(title=page_title(html) or first_h1, preamble=collector.preamble(), headings=headings)


class _Collector:
    """Walks the tree once, sending text to the preamble or to the body of the latest heading."""

    def __init__(self) -> None:
        self._preamble: list[str] = []
        self._headings: list[tuple[int, str, list[str]]] = []

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                self._buffer().append(str(child))
            elif isinstance(child, Tag):
                self._visit(child)

    def _visit(self, tag: Tag) -> None:
        name = tag.name.lower()
        if name in _SKIPPED_TAGS:
            return
        if name in _HEADING_TAGS:
            text = " ".join(tag.get_text(" ").split())
            if text:
                self._headings.append((_HEADING_TAGS[name], text, []))
            return
        if name in _PARAGRAPH_TAGS:
            self._buffer().append("\n\n")
        elif name in _LINE_TAGS:
            self._buffer().append("\n- " if name == "li" else "\n")
        self.walk(tag)
        if name in _PARAGRAPH_TAGS:
            self._buffer().append("\n\n")
        elif name in _CELL_TAGS:
            self._buffer().append(" | ")

    def _buffer(self) -> list[str]:
        return self._headings[-1][2] if self._headings else self._preamble

    def preamble(self) -> str:
        return _normalise("".join(self._preamble))

    def headings(self) -> list[Heading]:
        return [
            Heading(level=level, text=text, body=_normalise("".join(parts)))
            for level, text, parts in self._headings
        ]


def _normalise(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip().removesuffix(" |").strip() for line in text.splitlines())
    return "\n".join(lines)
