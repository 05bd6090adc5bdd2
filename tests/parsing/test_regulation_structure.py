"""The shared splitter and the naming of units, on small invented texts."""

from __future__ import annotations

from knowledge.parsing.regulation.structure import Block, Node, build_tree
from knowledge.parsing.regulation.units import (
    Unit,
    UnitKind,
    chapter_heading,
    heading_case,
    units_to_sections,
)
from knowledge.sections import SectionLevel


def _paths(node: Node, prefix: str = "") -> list[str]:
    """Every unit of the tree as a dash-joined path of its labels, depth first."""
    out = []
    for child in node.children:
        assert child.mark is not None
        path = f"{prefix}-{child.mark.label}" if prefix else child.mark.label
        out.append(path)
        out.extend(_paths(child, path))
    return out


def _find(node: Node, path: str) -> Node:
    for label in path.split("-"):
        node = next(c for c in node.children if c.mark is not None and c.mark.label == label)
    return node


FLAT_ARTICLE = (
    "1. Gardeners shall keep the following records: (a) the seeds referred to in point (b) of paragraph 2; "
    "(b) the watering plan under Article 7(2); and (c) the harvest dates. "
    "2. Records under paragraph 1 shall be kept for 3 years, see points (a) and (b) of paragraph 1. "
    "3. This paragraph refers to paragraph 2. It has no points."
)


def test_flat_text_keeps_in_text_references_as_text() -> None:
    root = build_tree([Block(FLAT_ARTICLE, scan=True)])

    assert _paths(root) == ["1", "1-a", "1-b", "1-c", "2", "3"]
    assert _find(root, "1-a").full_text() == "(a) the seeds referred to in point (b) of paragraph 2;"
    assert "points (a) and (b) of paragraph 1" in _find(root, "2").full_text()
    assert root.full_text() == FLAT_ARTICLE


def test_letter_i_and_roman_i_are_told_apart_by_what_follows() -> None:
    text = (
        "1. Owls may: (g) hoot; (h) fly where: (i) the moon is up; (ii) the wind is low; "
        "(i) nest in barns; (j) sleep by day."
    ).replace("(g) hoot; ", "(a) sing; (b) blink; (c) stare; (d) turn; (e) wait; (f) hide; (g) hoot; ")

    root = build_tree([Block(text, scan=True)])

    assert [p for p in _paths(root) if p.startswith("1-h") or p in ("1-i", "1-j")] == [
        "1-h",
        "1-h-i",
        "1-h-ii",
        "1-i",
        "1-j",
    ]


def test_points_without_numbered_paragraphs_hang_off_the_article() -> None:
    root = build_tree([Block("Each lantern shall be: (a) bright; (b) dry.", scan=True)])

    assert _paths(root) == ["a", "b"]


def test_a_second_list_in_one_paragraph_stays_text_of_the_paragraph() -> None:
    flat = build_tree([Block("1. Use: (a) flour; (b) water. Avoid: (a) sand; (b) glue. 2. Bake.", scan=True)])
    blocks = [
        Block("1. Bakers shall use:", depth=0),
        Block("(a) flour;", depth=1),
        Block("(b) water.", depth=1),
        Block("They shall also avoid:", depth=0),
        Block("(a) sand;", depth=1),
        Block("(b) glue.", depth=1),
        Block("2. Ovens shall be clean.", depth=0),
    ]

    root = build_tree(blocks)

    assert _paths(root) == _paths(flat) == ["1", "1-a", "1-b", "2"]
    assert _find(root, "1-b").full_text() == "(b) water."
    assert _find(flat, "1-b").full_text() == "(b) water. Avoid:"
    assert _find(root, "1").full_text().endswith("They shall also avoid: (a) sand; (b) glue.")


def test_table_depth_puts_a_subparagraph_after_points_in_the_paragraph() -> None:
    blocks = [
        Block("1. Boats need:", depth=0),
        Block("(a) oars;", depth=1),
        Block("(b) sails.", depth=1),
        Block("The second subparagraph applies to rafts.", depth=0),
    ]

    root = build_tree(blocks)

    assert _find(root, "1-b").full_text() == "(b) sails."
    assert _find(root, "1").full_text().endswith("(b) sails. The second subparagraph applies to rafts.")


def test_lossy_markdown_infers_a_lost_point_from_its_sub_points() -> None:
    # The converter dropped the line of "(c)" because it had nested rows.
    lines = [
        "1. Kites shall be flown:",
        "(a) in parks;",
        "(b) on beaches;",
        "(i) at low tide;",
        "(ii) by day;",
        "(d) never near wires.",
    ]

    root = build_tree([Block(line) for line in lines], lossy=True)

    assert _paths(root) == ["1", "1-a", "1-b", "1-c", "1-c-i", "1-c-ii", "1-d"]
    lost = _find(root, "1-c")
    assert lost.implied and lost.full_text() == "(i) at low tide; (ii) by day;"


def test_lossy_markdown_infers_a_lost_first_point_and_a_lost_definition() -> None:
    paragraph = build_tree(
        [Block(x) for x in ["1. Ferries may:", "(i) sail;", "(ii) dock;", "(b) anchor."]], lossy=True
    )
    definitions = build_tree(
        [
            Block(x)
            for x in [
                "(1) 'hull' means a body;",
                "(i) of wood;",
                "(ii) of steel;",
                "(b) of stone;",
                "(3) 'mast' means a pole.",
            ]
        ],
        lossy=True,
    )

    assert _paths(paragraph) == ["1", "1-a", "1-a-i", "1-a-ii", "1-b"]
    assert _paths(definitions) == ["1", "2", "2-a", "2-a-i", "2-a-ii", "2-b", "3"]


def test_lossy_annex_infers_lost_numbered_items_from_letters() -> None:
    # Items 1, 3 and 4 had nested letters, so their own lines were lost; item 2 had none and kept it.
    lines = [
        "The following areas:",
        "(a) hills;",
        "(b) dales.",
        "2. Rivers: all of them.",
        "(a) lakes;",
        "(b) ponds.",
        "(a) woods;",
        "(b) fields.",
    ]

    root = build_tree([Block(line) for line in lines], annex=True, lossy=True)

    assert _paths(root) == ["1", "1-a", "1-b", "2", "3", "3-a", "3-b", "4", "4-a", "4-b"]


def test_lossy_annex_keeps_letters_on_the_annex_when_nothing_says_otherwise() -> None:
    root = build_tree([Block(x) for x in ["Criteria:", "(a) size;", "(b) speed."]], annex=True, lossy=True)

    assert _paths(root) == ["a", "b"]


def test_annex_headings_sub_points_and_sections_in_flat_text() -> None:
    text = (
        "Section 1 Tools for all 1. Hammer heads: (a) steel; (b) iron. 2. Saw blades. "
        "Section 2 Tools for some 1. Chisels 1.1. Sharp ones: (a) fine. 1.2. Blunt ones."
    )

    root = build_tree([Block(text, scan=True)], annex=True)

    assert _paths(root) == [
        "1",
        "1-1",
        "1-1-a",
        "1-1-b",
        "1-2",
        "2",
        "2-1",
        "2-1-1.1",
        "2-1-1.1-a",
        "2-1-1.2",
    ]


def _unit_sections(kind: UnitKind, number: str, text: str, **extra: object) -> dict[str, object]:
    unit = Unit(kind, number, "Thing", ("Chapter IX Things",), (Block(text, scan=True),))
    return {s.citation_id: s for s in units_to_sections("src", [unit], **extra)}  # type: ignore[arg-type]


def test_article_units_are_named_with_ids_locators_parents_and_levels() -> None:
    sections = _unit_sections(UnitKind.ARTICLE, "12", "1. Lead: (a) one; (b) two: (i) x; (ii) y. 2. End.")

    assert list(sections) == [
        "src:art-12",
        "src:art-12-1",
        "src:art-12-1-a",
        "src:art-12-1-b",
        "src:art-12-1-b-i",
        "src:art-12-1-b-ii",
        "src:art-12-2",
    ]
    sub = sections["src:art-12-1-b-ii"]
    assert sub.locator == "Article 12(1)(b)(ii)"  # type: ignore[attr-defined]
    assert sub.parents == ["Chapter IX Things", "Article 12 Thing", "Article 12(1)", "Article 12(1)(b)"]  # type: ignore[attr-defined]
    assert (sub.parent_id, sub.level, sub.title) == (  # type: ignore[attr-defined]
        "src:art-12-1-b",
        SectionLevel.SUBPOINT,
        "Thing",
    )
    assert sections["src:art-12"].text.startswith("1. Lead: (a) one;")  # type: ignore[attr-defined]


def test_annex_units_are_named_with_points_and_sections() -> None:
    restarting = _unit_sections(UnitKind.ANNEX, "VIII", "Section A Alpha 1. One. Section B Beta 1. Uno.")
    continuing = _unit_sections(UnitKind.ANNEX, "I", "Section A Alpha 1. One. Section B Beta 2. Two: (a) x.")

    assert list(restarting) == [
        "src:annex-viii",
        "src:annex-viii-section-a",
        "src:annex-viii-section-a-1",
        "src:annex-viii-section-b",
        "src:annex-viii-section-b-1",
    ]
    assert restarting["src:annex-viii-section-b-1"].locator == "Annex VIII, Section B, point 1"  # type: ignore[attr-defined]
    assert list(continuing) == ["src:annex-i", "src:annex-i-1", "src:annex-i-2", "src:annex-i-2-a"]
    point = continuing["src:annex-i-2-a"]
    assert point.locator == "Annex I, point 2(a)"  # type: ignore[attr-defined]
    assert point.parents == ["Chapter IX Things", "Annex I Thing", "Annex I, Section B", "Annex I, point 2"]  # type: ignore[attr-defined]


def test_heading_case() -> None:
    assert heading_case("TRANSPARENCY FOR AI AND EU BODIES") == "Transparency for AI and EU bodies"
    assert heading_case("Already mixed Case") == "Already mixed Case"
    assert chapter_heading("CHAPTER IV", "GOVERNANCE") == "Chapter IV Governance"
