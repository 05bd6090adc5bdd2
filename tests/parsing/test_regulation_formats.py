"""Each regulation format on a small invented document (the real corpus is in test_regulation_corpus.py)."""

from __future__ import annotations

from knowledge.parsing.regulation import (
    detect_regime,
    is_eurlex_html,
    is_regulation_markdown,
    parse_eurlex_html,
    parse_regulation_markdown,
    parse_regulation_records,
)
from knowledge.sections import Section, SectionLevel


def _by_id(sections: list[Section]) -> dict[str, Section]:
    ids = [s.citation_id for s in sections]
    assert len(ids) == len(set(ids)), "citation ids must be unique"
    return {s.citation_id: s for s in sections}


def _row(marker: str, body: str) -> str:
    return (
        f'<table><col width="4%"/><col width="96%"/><tbody><tr><td><p class="oj-normal">{marker}</p></td>'
        f"<td>{body}</td></tr></tbody></table>"
    )


EURLEX = f"""<?xml version="1.0" encoding="UTF-8"?>
<html><head><title>L_000</title></head><body>
<div class="eli-subdivision" id="rct_1">{_row("(1)", '<p class="oj-normal">Lanterns help sailors.</p>')}</div>
<div id="cpt_I">
  <p class="oj-ti-section-1">CHAPTER I</p>
  <div class="eli-title" id="cpt_I.tit_1">
    <p class="oj-ti-section-2"><span class="oj-bold">LIGHTS AT SEA</span></p>
  </div>
  <div class="eli-subdivision" id="art_1">
    <p class="oj-ti-art">Article 1</p>
    <div class="eli-title" id="art_1.tit_1"><p class="oj-sti-art">Lanterns</p></div>
    <div id="001.001">
      <p class="oj-normal">1.   Every ship shall carry<a id="ntc1" href="#ntr1">
        (<span class="oj-super oj-note-tag">1</span>)</a>:</p>
      {_row("(a)", '<p class="oj-normal">a red lantern;</p>')}
      {
    _row(
        "(b)",
        '<p class="oj-normal">a green lantern that is:</p>'
        + _row("(i)", '<p class="oj-normal">bright;</p>')
        + _row("(ii)", '<p class="oj-normal">dry.</p>'),
    )
}
      <p class="oj-normal">Point (b) of the first subparagraph applies at night.</p>
    </div>
    <div id="001.002">
      <p class="oj-normal">2.   Power of 10<span class="oj-super">3</span> watts is enough.</p>
    </div>
    <p class="oj-note"><a id="ntr1" href="#ntc1">(<span class="oj-super">1</span>)</a> A footnote to drop.</p>
  </div>
</div>
<div class="eli-container" id="anx_I">
  <p class="oj-doc-ti">ANNEX I</p>
  <p class="oj-doc-ti">Lantern colours</p>
  <p class="oj-ti-grseq-1">1.   Red</p>
  <p class="oj-normal">Port side.</p>
  <div class="oj-enumeration-spacing">
    <p style="display: inline;">2.   </p>
    <p style="display: inline;"><span>Green for starboard.</span></p>
  </div>
</div>
</body></html>"""


def test_eurlex_html() -> None:
    assert is_eurlex_html(EURLEX) and not is_eurlex_html("<html><p id='art'>x</p></html>")

    sections = _by_id(parse_eurlex_html(EURLEX, "sea"))

    assert list(sections) == [
        "sea:recital-1",
        "sea:art-1",
        "sea:art-1-1",
        "sea:art-1-1-a",
        "sea:art-1-1-b",
        "sea:art-1-1-b-i",
        "sea:art-1-1-b-ii",
        "sea:art-1-2",
        "sea:annex-i",
        "sea:annex-i-1",
        "sea:annex-i-2",
    ]
    assert sections["sea:recital-1"].text == "Lanterns help sailors."
    point = sections["sea:art-1-1-b-ii"]
    assert (point.locator, point.title, point.level) == (
        "Article 1(1)(b)(ii)",
        "Lanterns",
        SectionLevel.SUBPOINT,
    )
    assert point.parents == [
        "Chapter I Lights at sea",
        "Article 1 Lanterns",
        "Article 1(1)",
        "Article 1(1)(b)",
    ]
    paragraph = sections["sea:art-1-1"].text
    assert paragraph.startswith("1. Every ship shall carry: (a) a red lantern;")  # the note reference is gone
    assert paragraph.endswith("(ii) dry. Point (b) of the first subparagraph applies at night.")
    assert sections["sea:art-1-1-b"].text == "(b) a green lantern that is: (i) bright; (ii) dry."
    assert sections["sea:art-1-2"].text == "2. Power of 10^3 watts is enough."
    assert "footnote" not in sections["sea:art-1"].text
    annex = sections["sea:annex-i"]
    assert (annex.title, annex.text) == ("Lantern colours", "1. Red Port side. 2. Green for starboard.")
    assert sections["sea:annex-i-2"].locator == "Annex I, point 2"


MARKDOWN = """# REGULATION ON LANTERNS

Having regard to the sea (1),

Whereas:

(1) Lanterns help sailors (2).

(2) Ships sail at night.

HAVE ADOPTED THIS REGULATION:

## CHAPTER I

### LIGHTS AT SEA

### Article 1

**Lanterns**

1. Every ship shall carry:

(a) a red lantern;

(i) bright;

(ii) dry.

2. Lanterns shall hang high (*), as set out in point (2) of Annex I. (*) A note to drop.’

This Regulation shall be binding in its entirety.

Done at Sea.

(1) A footnote to drop.

# ANNEX I

# Lantern colours

(a) red;

(b) green.

**2.** Blue.
"""


def test_regulation_markdown_infers_lost_lines_and_drops_notes() -> None:
    assert is_regulation_markdown(MARKDOWN) and not is_regulation_markdown("# Articles of faith\n\nText")

    sections = _by_id(parse_regulation_markdown(MARKDOWN, "sea"))

    assert list(sections) == [
        "sea:recital-1",
        "sea:recital-2",
        "sea:art-1",
        "sea:art-1-1",
        "sea:art-1-1-a",
        "sea:art-1-1-b",
        "sea:art-1-1-b-i",
        "sea:art-1-1-b-ii",
        "sea:art-1-2",
        "sea:annex-i",
        "sea:annex-i-1",
        "sea:annex-i-1-a",
        "sea:annex-i-1-b",
        "sea:annex-i-2",
    ]
    assert sections["sea:recital-1"].text == "Lanterns help sailors."
    article = sections["sea:art-1"]
    assert (article.title, article.parents) == ("Lanterns", ["Chapter I Lights at sea"])
    assert sections["sea:art-1-1-b"].text == "(i) bright; (ii) dry."  # the lost point has its children's text
    assert sections["sea:art-1-2"].text == "2. Lanterns shall hang high, as set out in point (2) of Annex I.’"
    assert "binding" not in article.text and "footnote" not in article.text
    assert (sections["sea:annex-i"].title, sections["sea:annex-i-2"].text) == ("Lantern colours", "2. Blue.")


def test_csa_records_split_flat_content() -> None:
    articles = [
        {
            "article": 1,
            "article_name": "Lanterns",
            "chapter": "I",
            "chapter_name": "LIGHTS AT SEA",
            "content": "1. Ships shall carry ( 1 ) : (a) a lantern referred to in point (b); (b) a spare. "
            "2. See paragraph 1.",
        }
    ]
    annexes = [
        {
            "annex": "II",
            "annex_name": "",
            "content": "ANNEX II Colours referred to in Article 1(1) The colours are: "
            "1. Red ( OJ L 1, p. 2 ) .",
        }
    ]
    recitals = [{"recital": 3, "content": "Sailors need light."}]

    sections = _by_id(parse_regulation_records(articles, "sea") or [])
    annex = _by_id(parse_regulation_records(annexes, "sea") or [])
    recital = parse_regulation_records(recitals, "sea") or []

    assert list(sections) == ["sea:art-1", "sea:art-1-1", "sea:art-1-1-a", "sea:art-1-1-b", "sea:art-1-2"]
    assert sections["sea:art-1-1"].text.startswith(
        "1. Ships shall carry: (a) a lantern referred to in point (b);"
    )
    assert sections["sea:art-1"].parents == ["Chapter I Lights at sea"]
    assert annex["sea:annex-ii"].title == "Colours referred to in Article 1(1)"
    assert annex["sea:annex-ii-1"].text == "1. Red (OJ L 1, p. 2)."
    assert [(s.citation_id, s.locator, s.text) for s in recital] == [
        ("sea:recital-3", "Recital 3", "Sailors need light.")
    ]


def test_nested_gdprtext_records() -> None:
    data = {
        "regulation": "(EU) 2016/679",
        "recitals": [{"number": "1", "text": "Data matters.", "type": "recital"}],
        "chapters": [
            {
                "number": "I",
                "title": "General provisions",
                "type": "chapter",
                "contents": [
                    {
                        "number": "1",
                        "title": "Scope",
                        "type": "article",
                        "contents": [
                            {
                                "number": "1",
                                "type": "point",
                                "text": "This applies to:",
                                "subpoints": [
                                    {"number": "a", "text": "files;", "type": "subpoint"},
                                    {"number": "b", "text": "folders.", "type": "subpoint"},
                                ],
                            },
                            {
                                "number": None,
                                "type": "text",
                                "text": "Point (a) covers paper.",
                                "subpoints": [],
                            },
                            {"number": "2", "type": "point", "text": "It ends here.", "subpoints": []},
                        ],
                    }
                ],
            }
        ],
    }

    sections = _by_id(parse_regulation_records(data, None) or [])

    assert list(sections) == [
        "gdpr:recital-1",
        "gdpr:art-1",
        "gdpr:art-1-1",
        "gdpr:art-1-1-a",
        "gdpr:art-1-1-b",
        "gdpr:art-1-2",
    ]
    assert (
        sections["gdpr:art-1-1"].text == "1. This applies to: (a) files; (b) folders. Point (a) covers paper."
    )


def test_nist_records() -> None:
    subcategories = [
        {
            "subcategory_id": f"MAP {c}.{s}",
            "function": "Map",
            "category_id": f"MAP {c}",
            "category_text": f"Category {c}",
            "description": f"Outcome {c}.{s}.",
        }
        for c, s in [(1, 1), (1, 2), (2, 1)]
    ]
    playbook = [
        {
            "type": "Map",
            "title": "MAP 1.1",
            "category": "MAP-1",
            "description": "Outcome.",
            "section_about": "Why it *matters*.",
            "section_actions": "* Do this.\n* Do [that](http://x).",
            "section_doc": "### Questions\n- Is it done?",
            "section_ref": "A book.",
            "AI Actors": [],
            "Topic": [],
        }
    ]
    actions = [
        {
            "action_id": "MP-1.1-001",
            "function": "Map",
            "subcategory_id": "MAP 1.1",
            "subcategory_text": "Outcome.",
            "suggested_action": "Write it down.",
            "gai_risks": ["Privacy"],
            "ai_actor_tasks": ["Design"],
        },
        {
            "action_id": "MP1.1--002",
            "function": "Map",
            "subcategory_id": "MAP 1.1",
            "subcategory_text": "Outcome.",
            "suggested_action": "Check it.",
            "gai_risks": [],
            "ai_actor_tasks": [],
        },
    ]

    rmf = _by_id(parse_regulation_records(subcategories, None) or [])
    guidance = parse_regulation_records(playbook, None) or []
    profile = _by_id(parse_regulation_records(actions, None) or [])

    assert list(rmf) == [
        "nist-ai-rmf:map",
        "nist-ai-rmf:map-1",
        "nist-ai-rmf:map-1-1",
        "nist-ai-rmf:map-1-2",
        "nist-ai-rmf:map-2",
        "nist-ai-rmf:map-2-1",
    ]
    assert rmf["nist-ai-rmf:map-1-2"].parent_id == "nist-ai-rmf:map-1"
    assert rmf["nist-ai-rmf:map-1"].text == "Category 1 MAP 1.1: Outcome 1.1. MAP 1.2: Outcome 1.2."
    assert [(s.citation_id, s.text) for s in guidance] == [
        (
            "nist-ai-rmf:map-1-1",
            "Outcome. About: Why it matters. Suggested actions: Do this. Do that. "
            "Documentation: Questions Is it done?",
        )
    ]
    assert list(profile) == ["nist-ai-600-1:mp-1-1", "nist-ai-600-1:mp-1-1-001", "nist-ai-600-1:mp-1-1-002"]
    assert profile["nist-ai-600-1:mp-1-1-002"].locator == "MP-1.1-002"
    assert (
        profile["nist-ai-600-1:mp-1-1-001"].text
        == "Write it down. GAI risks: Privacy. AI actor tasks: Design."
    )


def test_colorado_sections() -> None:
    data = [
        {
            "section": "6-1-1799",
            "name": "Rules",
            "content": "(1) THE RULES: - (a) ONE; - (b) TWO. PAGE 3-SENATE BILL 24-205 - (2) MORE. "
            "- SECTION 2. Another law.",
        }
    ]

    sections = _by_id(parse_regulation_records(data, None) or [])

    assert list(sections) == [
        "colorado-ai-act:6-1-1799",
        "colorado-ai-act:6-1-1799-1",
        "colorado-ai-act:6-1-1799-1-a",
        "colorado-ai-act:6-1-1799-1-b",
        "colorado-ai-act:6-1-1799-2",
    ]
    assert sections["colorado-ai-act:6-1-1799"].text == "(1) THE RULES: (a) ONE; (b) TWO. (2) MORE."
    assert sections["colorado-ai-act:6-1-1799-1-b"].locator == "§ 6-1-1799(1)(b)"


def test_unknown_record_shapes_are_not_recognised() -> None:
    assert parse_regulation_records({"policies": []}, None) is None
    assert parse_regulation_records([{"id": "a", "title": "A"}], None) is None
    assert parse_regulation_records([], "x") is None
    # EU-shaped records of an act that cannot be recognised, without a source id, are not guessed at.
    assert parse_regulation_records([{"article": 1, "content": "1. Be kind."}], None) is None


def test_detect_regime() -> None:
    assert detect_regime(
        "REGULATION (EU) 2024/1689 OF THE EUROPEAN PARLIAMENT ... Regulation (EU) 2016/679"
    ) == ("eu-ai-act")
    assert detect_regime("<link href='?uri=CELEX%3A32016R0679'/> ... REGULATION (EU) 2024/1689") == "gdpr"
    assert detect_regime("NIST AI 600-1, the profile. It builds on NIST AI 100-1.") == "nist-ai-600-1"
    assert detect_regime("GOVERN 1.1 and GOVERN 1.2 and MAP 2.3 outcomes") == "nist-ai-rmf"
    assert (
        detect_regime("The controller informs the data subject. Each controller and data subject ...")
        == "gdpr"
    )
    assert detect_regime("PAGE 2-SENATE BILL 24-205") == "colorado-ai-act"
    assert detect_regime("A recipe for bread.") is None
