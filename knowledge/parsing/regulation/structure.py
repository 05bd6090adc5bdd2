"""The shared splitter: turns the text blocks of one article or annex into a tree of numbered units.

Every source format (EUR-Lex HTML, converted Markdown, flat or nested JSON) is first reduced to a list of
`Block`s; the markers found in them (see `markers`) are nested by the numbering they continue: a marker is
only accepted as the first child of the current unit, or as the next sibling of the current unit or of
one of its ancestors. Anything else stays text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from knowledge.parsing.regulation.markers import Block, BlockStart, Candidate, Event, Kind, Mark, tokenise
from knowledge.parsing.regulation.text import normalise_space

__all__ = ["Block", "Kind", "Mark", "Node", "build_tree"]

_HEADING_WORDS = 25


@dataclass
class Node:
    """A unit of the tree: its marker (None for the article or annex itself) and its content in order."""

    mark: Mark | None
    content: list[str | Node] = field(default_factory=list)
    implied: bool = False  # inferred from the numbering: its own lead line was lost by the source
    heading: bool = False
    from_row: bool = False  # set by the lossy reading: a source row that kept its line has no children
    depth: int | None = None  # the source block's table depth, when known
    raw: str = ""  # the marker as printed in the source: "1.", "(1)", "(a)", "Section A."

    @property
    def children(self) -> list[Node]:
        """The nested units, in order."""
        return [part for part in self.content if isinstance(part, Node)]

    def full_text(self) -> str:
        """Marker, own text and children's text in document order, whitespace normalised."""
        parts = [self.raw]
        for part in self.content:
            parts.append(part.full_text() if isinstance(part, Node) else part)
        return normalise_space(" ".join(parts))

    def own_text(self) -> str:
        """The node's text before its first child (its lead), whitespace normalised."""
        lead: list[str] = []
        for part in self.content:
            if isinstance(part, Node):
                break
            lead.append(part)
        return normalise_space(" ".join(lead))


# --- Tree building --------------------------------------------------------------------------------


_FIRST_MARKS = (Mark(Kind.LETTER, "a"), Mark(Kind.ROMAN, 1), Mark(Kind.NUMBER, 1))


@dataclass
class _Option:
    mark: Mark
    parent_depth: int  # index in the stack of the node that receives the new unit
    first_child: bool


class _TreeBuilder:
    """Nests marker candidates by the numbering they continue. See `build_tree`."""

    def __init__(self, events: list[Event], *, annex: bool) -> None:
        self.events = events
        self.annex = annex
        self.root = Node(None)
        self.stack: list[Node] = [self.root]
        self.last_number = 0
        self.block_depth: int | None = None

    def build(self) -> Node:
        for index, event in enumerate(self.events):
            if isinstance(event, BlockStart):
                self.block_depth = event.depth
                continue
            if isinstance(event, Candidate) and self._accept(index, event):
                self.stack[-1].depth = self.block_depth
            else:
                if isinstance(event, Candidate):
                    self._close_second_list(event)
                self._holder().content.append(event if isinstance(event, str) else event.raw)
            self.block_depth = None
        return self.root

    def _holder(self) -> Node:
        """Where unmarked text goes: the innermost open unit, unless the source's table nesting shows
        that the text stands outside it (a subparagraph after a list of points belongs to the paragraph).
        The open units stay open, so their numbering can still continue."""
        depth = self.block_depth
        for node in reversed(self.stack):
            if depth is None or node.depth is None or node.depth <= depth:
                return node
        return self.root

    def _close_second_list(self, candidate: Candidate) -> None:
        """A second list in one unit ("(a)" again after "(c)"): its points are text of the unit.

        They have no id of their own (Article 43(1) has two lists of points, cited by subparagraph),
        and later markers of that list must not continue the first list.
        """
        for mark in candidate.marks:
            if mark not in _FIRST_MARKS or mark.kind is Kind.NUMBER:
                continue
            for depth in range(len(self.stack) - 1, 0, -1):
                node = self.stack[depth]
                if node.mark is not None and node.mark.kind is mark.kind:
                    del self.stack[depth:]
                    return

    # Which markers may open a unit here -------------------------------------------------------

    def _first_children(self, node: Node) -> list[Mark]:
        kinds_present = {child.mark.kind for child in node.children if child.mark}
        options: list[Mark] = []
        if node.mark is None:
            if self.annex:
                options += [Mark(Kind.SECTION, "A"), Mark(Kind.SECTION, "1")]
            options += [Mark(Kind.NUMBER, 1), Mark(Kind.LETTER, "a")]
        elif node.mark.kind is Kind.SECTION:
            # Annex I's sections continue one numbering; Annex VIII's restart at 1.
            options += [Mark(Kind.NUMBER, 1), Mark(Kind.NUMBER, self.last_number + 1), Mark(Kind.LETTER, "a")]
        elif node.mark.kind is Kind.NUMBER:
            if self.annex:
                options.append(Mark(Kind.DECIMAL, 1, int(node.mark.value)))
            options.append(Mark(Kind.LETTER, "a"))
        elif node.mark.kind is Kind.DECIMAL:
            options.append(Mark(Kind.LETTER, "a"))
        elif node.mark.kind is Kind.LETTER:
            options.append(Mark(Kind.ROMAN, 1))
        return [mark for mark in options if mark.kind not in kinds_present]

    def _options(self, candidate: Candidate) -> list[_Option]:
        options: list[_Option] = []
        # An annex's "Section A" heading often directly follows the annex title, without punctuation.
        weak = candidate.weak and candidate.marks[0].kind is not Kind.SECTION
        innermost = len(self.stack) - 1
        for mark in self._first_children(self.stack[innermost]):
            if mark in candidate.marks and (not weak or _is_heading_lead(self.stack[innermost])):
                options.append(_Option(mark, innermost, True))
        if weak:
            return options
        for depth in range(innermost, 0, -1):
            current = self.stack[depth].mark
            assert current is not None
            if current.successor() in candidate.marks:
                options.append(_Option(current.successor(), depth - 1, False))
        return options

    # Accepting a marker ------------------------------------------------------------------------

    def _accept(self, index: int, candidate: Candidate) -> bool:
        options = self._options(candidate)
        if not options:
            return self._accept_unexpected(index, candidate)
        option = options[0] if len(options) == 1 else self._disambiguate(index, options)
        del self.stack[option.parent_depth + 1 :]
        parent = self.stack[-1]
        if option.first_child:
            parent = self._parent_of_first_child(index, parent, option.mark)
        self._open(parent, option.mark, candidate)
        return True

    def _accept_unexpected(self, index: int, candidate: Candidate) -> bool:
        """Hook: whether a marker the numbering does not expect still opens a unit (it does not)."""
        return False

    def _parent_of_first_child(self, index: int, parent: Node, mark: Mark) -> Node:
        """Hook: the node that receives a first child `mark` (the innermost open unit)."""
        return parent

    def _open(self, parent: Node, mark: Mark, candidate: Candidate | None) -> Node:
        assert parent is self.stack[-1]
        node = Node(mark, implied=candidate is None)
        if candidate is not None:
            node.heading, node.raw = candidate.heading, candidate.raw
        parent.content.append(node)
        self.stack.append(node)
        if mark.kind is Kind.NUMBER:
            self.last_number = int(mark.value)
        return node

    def _disambiguate(self, index: int, options: list[_Option]) -> _Option:
        """Pick the reading whose successor comes first ("(i)" then "(ii)" is roman, then "(j)" a letter)."""
        successors = {option.mark.successor(): option for option in options}
        for event in self.events[index + 1 :]:
            if isinstance(event, Candidate):
                for mark in event.marks:
                    if mark in successors:
                        return successors[mark]
        return options[-1]


def _is_heading_lead(node: Node) -> bool:
    """A short lead without punctuation is a heading ("1. Schengen Information System (a) ...")."""
    lead = node.own_text()
    return node.mark is not None and len(lead.split()) <= _HEADING_WORDS and not re.search(r"[.,;:]", lead)


class _LossyTreeBuilder(_TreeBuilder):
    """For a Markdown conversion of the EUR-Lex HTML that dropped the own line of every table row (a
    point, a definition, an annex item) that had nested rows: the lost units are inferred from the
    numbering, with no text of their own."""

    def _open(self, parent: Node, mark: Mark, candidate: Candidate | None) -> Node:
        node = super()._open(parent, mark, candidate)
        node.from_row = candidate is not None and self._is_row(node)
        return node

    def _is_row(self, node: Node) -> bool:
        """Whether a node came from a table row in the original HTML: points, definitions ("(1)") and an
        annex's numbered items; an article's "1." paragraphs are not rows, nor are headings."""
        assert node.mark is not None
        if node.heading:
            return False
        if node.mark.kind in (Kind.LETTER, Kind.ROMAN) or node.raw.startswith("("):
            return True
        return self.annex and node.mark.kind in (Kind.NUMBER, Kind.DECIMAL)

    def _implied(self, parent: Node, mark: Mark) -> Node:
        return self._open(parent, mark, None)

    def _parent_of_first_child(self, index: int, parent: Node, mark: Mark) -> Node:
        """A row that kept its line had no children, so a first child after it belongs to the row's next
        sibling, whose line was lost (Article 5(1): "(b)", then "(i)", "(ii)", then "(d)" means "(c)").
        A container (the annex, a section, a heading) that later holds units of an intermediate kind, or
        restarts this numbering, has lost its first intermediate unit (Annex III: letters before "2.").
        """
        if parent.from_row and parent.mark is not None:
            self.stack.pop()
            return self._implied(self.stack[-1], parent.mark.successor())
        intermediate = self._intermediate_kind(parent, mark)
        if intermediate is not None and self._container_needs(index, parent, mark, intermediate):
            first = next((m for m in self._first_children(parent) if m.kind is intermediate), None)
            if first is not None:
                return self._implied(parent, first)
        return parent

    def _accept_unexpected(self, index: int, candidate: Candidate) -> bool:
        return self._accept_restart(candidate) or self._accept_after_lost_first(candidate)

    def _accept_restart(self, candidate: Candidate) -> bool:
        """A numbering restarting at its first value after a row's children means a new, lost row."""
        for mark in candidate.marks:
            if mark not in _FIRST_MARKS:
                continue
            for depth in range(len(self.stack) - 1, 0, -1):
                node = self.stack[depth]
                owner = self.stack[depth - 1]
                if node.mark is None or node.mark.kind is not mark.kind or owner.mark is None:
                    continue
                if not self._is_row(owner):
                    return False
                del self.stack[depth - 1 :]
                sibling = self._implied(self.stack[-1], owner.mark.successor())
                self._open(sibling, mark, candidate)
                return True
        return False

    def _accept_after_lost_first(self, candidate: Candidate) -> bool:
        """A sub-point run where a point was expected means that point's line was lost (Article 41(1):
        the lead, then "(i)" ... "(iv)", then "(b)": the "(i)" belong to a lost "(a)"). After a row that
        kept its line, the lost point is the first of the row's lost next sibling (Article 3(61))."""
        node = self.stack[-1]
        lost_sibling = node.mark.successor() if node.from_row and node.mark is not None else None
        host = Node(lost_sibling) if lost_sibling is not None else node
        for first in self._first_children(host):
            for mark in self._first_children(Node(first)):
                if mark in candidate.marks:
                    if lost_sibling is not None:
                        self.stack.pop()
                        host = self._implied(self.stack[-1], lost_sibling)
                    self._open(self._implied(host, first), mark, candidate)
                    return True
        return False

    def _intermediate_kind(self, parent: Node, mark: Mark) -> Kind | None:
        if not self.annex or mark.kind is not Kind.LETTER:
            return None
        if parent.mark is None or parent.mark.kind is Kind.SECTION:
            return Kind.NUMBER
        return Kind.DECIMAL if parent.mark.kind is Kind.NUMBER else None

    def _container_needs(self, index: int, parent: Node, mark: Mark, intermediate: Kind) -> bool:
        """Look ahead within `parent`: does it hold a unit of the intermediate kind, or restart `mark`?"""
        parent_rank = parent.mark.kind if parent.mark is not None else -1
        for event in self.events[index + 1 :]:
            if not isinstance(event, Candidate):
                continue
            kinds = {m.kind for m in event.marks}
            if any(kind <= parent_rank for kind in kinds):
                return False
            if intermediate in kinds or mark in event.marks:
                return True
        return False


def build_tree(blocks: list[Block], *, annex: bool = False, lossy: bool = False) -> Node:
    """Nest the numbered units found in `blocks` under a root node for the article or annex.

    `annex` allows annex-only numbering (sections, "3.2." sub-points). `lossy` is for the Markdown
    conversion of the EUR-Lex HTML, which dropped the own line of every table row (point, annex item)
    that had nested rows: the missing units are inferred from the numbering, with no text of their own.
    """
    builder = _LossyTreeBuilder if lossy else _TreeBuilder
    return builder(tokenise(blocks), annex=annex).build()
