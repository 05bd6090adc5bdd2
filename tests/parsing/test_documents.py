"""Each supported format parses into nested, uniquely identified sections (fixtures made in tmp_path)."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import docx
import pytest

from knowledge.parsing import parse_file
from knowledge.sections import DocumentKind, ParsedDocument, Section, SectionLevel

_CITATION_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*:[a-z0-9]+(?:-[a-z0-9]+)*$")


def make_pdf(pages: list[list[str]]) -> bytes:
    """A real, minimal PDF: one Helvetica text line per entry, each page its own content stream."""
    objects: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    kids: list[str] = []
    for index, lines in enumerate(pages):
        page_number, content_number = 4 + 2 * index, 5 + 2 * index
        kids.append(f"{page_number} 0 R")
        operations = ["BT", "/F1 11 Tf", "16 TL", "72 760 Td"]
        for line in lines:
            escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            operations.append(f"({escaped}) Tj T*")
        operations.append("ET")
        content = "\n".join(operations).encode("latin-1")
        objects[page_number] = (
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {content_number} 0 R >>"
        ).encode()
        objects[content_number] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content)
    objects[2] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(pages)} >>".encode()
    out = bytearray(b"%PDF-1.4\n")
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for number in sorted(objects):
        out += b"%010d 00000 n \n" % offsets[number]
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref_at)
    return bytes(out)


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def by_id(document: ParsedDocument) -> dict[str, Section]:
    return {section.citation_id: section for section in document.sections}


def assert_well_formed(document: ParsedDocument) -> None:
    """Ids are unique, well formed, under the source id, and every parent id prefixes its child's."""
    ids = [section.citation_id for section in document.sections]
    assert len(ids) == len(set(ids)), ids
    known = set(ids)
    for section in document.sections:
        assert _CITATION_ID.match(section.citation_id), section.citation_id
        assert section.citation_id.startswith(f"{document.source_id}:")
        assert section.text.strip()
        if section.parent_id is not None:
            assert section.parent_id in known
            assert section.citation_id.startswith(f"{section.parent_id}-")


POLICY_MD = """\
---
as_of: 2026-01-15
owner: Responsible AI team
---
# Acceptable Use of AI Tools

Staff may use approved assistants for drafting.

## 1 Purpose

Sets expectations for everyday use.

## 2 Scope

Covers employees and contractors.

### 2.1 Personal data

Never paste customer records into a public tool.

#### 2.1.1 Exceptions

The privacy office may approve a pilot.

### 2.2 Code

Generated code is reviewed like any other change.

## 3 Données & Records

Keep prompts that shaped a decision.
"""


def test_markdown_policy_nests_headings_under_prefix_ids(tmp_path: Path) -> None:
    document = parse_file(write(tmp_path, "AI Use Policy.md", POLICY_MD))

    assert document.source_id == "ai-use-policy"
    assert document.title == "Acceptable Use of AI Tools"
    assert document.kind is DocumentKind.POLICY
    assert document.as_of == date(2026, 1, 15)
    assert [section.citation_id for section in document.sections] == [
        "ai-use-policy:intro",
        "ai-use-policy:1-purpose",
        "ai-use-policy:2-scope",
        "ai-use-policy:2-scope-2-1-personal-data",
        "ai-use-policy:2-scope-2-1-personal-data-2-1-1-exceptions",
        "ai-use-policy:2-scope-2-2-code",
        "ai-use-policy:3-donnees-records",
    ]
    assert_well_formed(document)
    sections = by_id(document)
    intro = sections["ai-use-policy:intro"]
    assert intro.text == "Staff may use approved assistants for drafting."
    assert "Responsible AI team" not in intro.text  # front-matter is not content
    scope = sections["ai-use-policy:2-scope"]
    assert scope.locator == "2 Scope" and scope.level is SectionLevel.HEADING
    assert "Covers employees" in scope.text and "privacy office may approve" in scope.text
    assert "Generated code" in scope.text
    exceptions = sections["ai-use-policy:2-scope-2-1-personal-data-2-1-1-exceptions"]
    assert exceptions.parents == ["2 Scope", "2.1 Personal data"]
    assert exceptions.parent_id == "ai-use-policy:2-scope-2-1-personal-data"
    assert exceptions.text == "The privacy office may approve a pilot."
    assert sections["ai-use-policy:3-donnees-records"].locator == "3 Données & Records"


def test_markdown_repeated_headings_get_numbered_ids(tmp_path: Path) -> None:
    text = "## Notes\n\nfirst\n\n## Notes\n\nsecond\n\n## Notes\n\nthird\n"
    document = parse_file(write(tmp_path, "faq.md", text))

    assert [(s.citation_id, s.text) for s in document.sections] == [
        ("faq:notes", "first"),
        ("faq:notes-2", "second"),
        ("faq:notes-3", "third"),
    ]
    assert document.title == "faq"  # no H1: the stem


def test_markdown_ignores_fenced_hashes_and_reads_setext_headings(tmp_path: Path) -> None:
    text = (
        "Logging Standard\n================\n\nIntro line.\n\n"
        "Retention\n---------\n\nKeep logs 90 days.\n\n```bash\n# rotate logs\nlogrotate -f\n```\n\n"
        "Access\n------\n\nOnly on-call engineers.\n"
    )
    document = parse_file(write(tmp_path, "logging.markdown", text))

    assert document.title == "Logging Standard"
    ids = [s.citation_id for s in document.sections]
    assert ids == ["logging:intro", "logging:retention", "logging:access"]
    assert "# rotate logs" in by_id(document)["logging:retention"].text


def test_markdown_with_several_top_headings_keeps_each_as_a_section(tmp_path: Path) -> None:
    document = parse_file(write(tmp_path, "two.md", "# Alpha\n\none\n\n# Beta\n\n## Detail\n\ntwo\n"))

    assert document.title == "Alpha"
    assert [s.citation_id for s in document.sections] == ["two:alpha", "two:beta", "two:beta-detail"]


def test_html_policy_splits_at_heading_elements(tmp_path: Path) -> None:
    html = """<!DOCTYPE html><html><head><title>Vendor &amp; Model Intake</title>
    <style>h2 { color: red }</style><script>var secret = 1;</script></head>
    <body><nav><a href="/">Home</a></nav>
    <p>Read before buying any AI product.</p>
    <h2>1. Intake</h2><p>File a request with the <b>procurement</b> desk.</p>
    <h3>1.1 Evidence</h3><ul><li>Model card</li><li>Test report</li></ul>
    <h2>2. Approval</h2>
    <table><tr><th>Tier</th><th>Approver</th></tr><tr><td>T1</td><td>Board</td></tr></table>
    <!-- a comment that must not appear -->
    </body></html>"""
    document = parse_file(write(tmp_path, "intake.html", html))

    assert document.title == "Vendor & Model Intake"
    assert [s.citation_id for s in document.sections] == [
        "intake:intro",
        "intake:1-intake",
        "intake:1-intake-1-1-evidence",
        "intake:2-approval",
    ]
    assert_well_formed(document)
    sections = by_id(document)
    assert sections["intake:1-intake"].text.startswith("File a request with the procurement desk.")
    assert sections["intake:1-intake-1-1-evidence"].text == "- Model card\n- Test report"
    assert "T1 | Board" in sections["intake:2-approval"].text
    everything = " ".join(s.text for s in document.sections)
    assert "secret" not in everything and "Home" not in everything and "comment" not in everything


def test_docx_splits_by_heading_styles(tmp_path: Path) -> None:
    word = docx.Document()
    word.add_heading("Model Risk Standard", level=0)
    word.add_paragraph("Applies to every production model.")
    word.add_heading("Governance", level=1)
    word.add_paragraph("The risk committee approves tier one models.")
    word.add_heading("Roles", level=2)
    word.add_paragraph("Owners sign the model card.", style="List Bullet")
    table = word.add_table(rows=2, cols=2)
    for (row, col), value in {(0, 0): "Role", (0, 1): "Duty", (1, 0): "Owner", (1, 1): "Sign off"}.items():
        table.cell(row, col).text = value
    word.add_heading("Monitoring", level=1)
    word.add_paragraph("Drift is checked quarterly.")
    word.save(str(tmp_path / "model-risk.docx"))

    document = parse_file(tmp_path / "model-risk.docx")

    assert document.title == "Model Risk Standard"
    assert [s.citation_id for s in document.sections] == [
        "model-risk:intro",
        "model-risk:governance",
        "model-risk:governance-roles",
        "model-risk:monitoring",
    ]
    assert_well_formed(document)
    roles = by_id(document)["model-risk:governance-roles"]
    assert roles.parents == ["Governance"]
    assert roles.text == "- Owners sign the model card.\n\nRole | Duty\nOwner | Sign off"
    assert "Owners sign the model card." in by_id(document)["model-risk:governance"].text


def test_docx_without_title_style_uses_first_heading(tmp_path: Path) -> None:
    word = docx.Document()
    word.add_heading("Incident Handling", level=1)
    word.add_paragraph("Report incidents within a day.")
    word.save(str(tmp_path / "incidents.docx"))

    document = parse_file(tmp_path / "incidents.docx")

    assert document.title == "Incident Handling"
    assert [s.citation_id for s in document.sections] == ["incidents:incident-handling"]


def test_pdf_headings_are_detected_in_extracted_text(tmp_path: Path) -> None:
    pdf = make_pdf(
        [
            [
                "Vendor AI Standard",
                "",
                "1 Purpose",
                "We assess vendors before first use.",
                "2 Requirements",
                "Vendors document their models (and data).",
            ],
            ["2.1 Testing", "Tests are repeated every year.", "Page 2 of 2"],
        ]
    )
    (tmp_path / "vendor.pdf").write_bytes(pdf)

    document = parse_file(tmp_path / "vendor.pdf")

    assert document.title == "Vendor AI Standard"
    assert [s.citation_id for s in document.sections] == [
        "vendor:1-purpose",
        "vendor:2-requirements",
        "vendor:2-requirements-2-1-testing",
    ]
    assert_well_formed(document)
    testing = by_id(document)["vendor:2-requirements-2-1-testing"]
    assert testing.text == "Tests are repeated every year."  # the page-number line is dropped
    assert testing.parents == ["2 Requirements"]
    assert "Vendors document their models (and data)." in by_id(document)["vendor:2-requirements"].text


def test_pdf_without_headings_falls_back_to_pages(tmp_path: Path) -> None:
    pdf = make_pdf(
        [
            ["all staff complete the training course once a year and again after a role change."],
            [],
            ["records of completion are kept by the learning team for five years."],
        ]
    )
    (tmp_path / "training.pdf").write_bytes(pdf)

    document = parse_file(tmp_path / "training.pdf")

    assert [(s.citation_id, s.locator) for s in document.sections] == [
        ("training:page-1", "Page 1"),
        ("training:page-3", "Page 3"),
    ]
    assert document.sections[1].text.startswith("records of completion")


def test_plain_text_numbered_headings_and_last_updated(tmp_path: Path) -> None:
    text = (
        "Data Retention Standard\n\nLast updated: 2025-11-02\n\n"
        "1 Purpose\nWe keep records only as long as they are needed.\n\n"
        "2. Scope\nThis covers every system that stores personal data.\n\n"
        "2.1 Backups\nBackups are kept for 30 days.\n\n"
        "1. This numbered sentence is part of the text, not a heading.\n\n12 March 2025\n"
    )
    document = parse_file(write(tmp_path, "retention.txt", text))

    assert document.title == "Data Retention Standard"
    assert document.as_of == date(2025, 11, 2)
    assert [s.citation_id for s in document.sections] == [
        "retention:intro",
        "retention:1-purpose",
        "retention:2-scope",
        "retention:2-scope-2-1-backups",
    ]
    assert_well_formed(document)
    assert by_id(document)["retention:2-scope"].locator == "2. Scope"
    backups = by_id(document)["retention:2-scope-2-1-backups"].text
    assert "numbered sentence" in backups and backups.endswith("12 March 2025")


def test_plain_text_title_case_lines_are_headings(tmp_path: Path) -> None:
    text = (
        "MODEL REGISTER STANDARD\n\nOwner: Platform team\n\n"
        "Purpose of the Register\n\nThe register lists every model in use.\n\n"
        "Who Keeps It\n\nThe platform team maintains it.\nThe Risk Office\nchecks it monthly.\n\n"
        "RETENTION\n\nEntries stay for seven years.\n"
    )
    document = parse_file(write(tmp_path, "register.txt", text))

    assert document.title == "MODEL REGISTER STANDARD"
    assert [s.citation_id for s in document.sections] == [
        "register:intro",
        "register:purpose-of-the-register",
        "register:who-keeps-it",
        "register:retention",
    ]
    assert by_id(document)["register:intro"].text == "Owner: Platform team"
    # A Title-Case line inside a sentence (lowercase continuation) is not a heading.
    assert by_id(document)["register:who-keeps-it"].text == (
        "The platform team maintains it.\nThe Risk Office\nchecks it monthly."
    )


def test_plain_text_without_headings_becomes_parts(tmp_path: Path) -> None:
    paragraph = "every reviewer records the outcome and the reasons in the shared tracker, " * 12
    text = "\n\n".join([paragraph.strip()] * 6)
    document = parse_file(write(tmp_path, "notes.txt", text))

    assert len(document.sections) > 1
    assert [s.citation_id for s in document.sections] == [
        f"notes:part-{number}" for number in range(1, len(document.sections) + 1)
    ]
    assert all(len(section.text) <= 2000 for section in document.sections)
    assert sum(s.text.count("every reviewer") for s in document.sections) == 6 * 12


def test_json_records_become_one_section_each(tmp_path: Path) -> None:
    records = [
        {
            "id": "SYS-001",
            "name": "Chat helpdesk",
            "owner": {"team": "Support", "contact_email": "a@b.c"},
            "uses_pii": True,
            "regions": ["EU", "UK"],
            "notes": None,
        },
        {"slug": "fraud-score", "title": "Fraud scoring"},
        {"title": "Résumé Parser", "riskTier": "high"},
        {"id": "SYS-001", "name": "Chat helpdesk v2"},
        {"description": "no id and no title"},
    ]
    document = parse_file(write(tmp_path, "systems.json", json.dumps(records)))

    assert document.title == "systems"
    assert [(s.citation_id, s.locator) for s in document.sections] == [
        ("systems:sys-001", "Chat helpdesk"),
        ("systems:fraud-score", "Fraud scoring"),
        ("systems:resume-parser", "Résumé Parser"),
        ("systems:sys-001-2", "Chat helpdesk v2"),
        ("systems:record-5", "Record 5"),
    ]
    assert all(s.level is SectionLevel.RECORD for s in document.sections)
    assert document.sections[0].text.splitlines() == [
        "ID: SYS-001",
        "Name: Chat helpdesk",
        "Owner team: Support",
        "Owner contact email: a@b.c",
        "Uses PII: yes",
        "Regions: EU; UK",
    ]
    assert document.sections[2].text.splitlines() == ["Title: Résumé Parser", "Risk tier: high"]


def test_yaml_records_with_file_metadata(tmp_path: Path) -> None:
    text = (
        "title: Model inventory\ndoc_id: Model Inventory 2026\nas_of: 2026-02-01\n"
        "records:\n"
        "  - id: m-1\n    system: Churn predictor\n    launched: 2025-03-04\n"
        "    checks:\n      - name: bias audit\n        passed: true\n"
    )
    document = parse_file(write(tmp_path, "inventory.yaml", text))

    assert document.source_id == "model-inventory-2026"
    assert document.title == "Model inventory"
    assert document.as_of == date(2026, 2, 1)
    [section] = document.sections
    assert section.citation_id == "model-inventory-2026:m-1"
    assert section.locator == section.title == "Churn predictor"
    assert section.text.splitlines() == [
        "ID: m-1",
        "System: Churn predictor",
        "Launched: 2025-03-04",
        "Checks: name: bias audit, passed: yes",
    ]


def test_review_records(tmp_path: Path) -> None:
    reviews = {
        "title": "Past AI reviews",
        "records": [
            {
                "id": "rev-2024-017",
                "system": "CV screening assistant",
                "date": "2024-05-02",
                "eu_tier": "high",
                "internal_tier": "T1",
                "decision": "approved with conditions",
                "conditions": ["human review of every rejection", "quarterly bias audit"],
                "rationale": "Ranks job applicants.",
            },
            {
                "id": "rev-2024-031",
                "system": "Meeting summariser",
                "eu_tier": "minimal",
                "decision": "approved",
            },
        ],
    }
    document = parse_file(write(tmp_path, "past-reviews.yml", json.dumps(reviews)), kind=DocumentKind.REVIEW)

    assert document.kind is DocumentKind.REVIEW
    assert document.title == "Past AI reviews"
    assert document.source_id == "past-reviews"
    first = by_id(document)["past-reviews:rev-2024-017"]
    assert first.locator == "CV screening assistant"
    assert first.text.splitlines() == [
        "ID: rev-2024-017",
        "System: CV screening assistant",
        "Date: 2024-05-02",
        "EU tier: high",
        "Internal tier: T1",
        "Decision: approved with conditions",
        "Conditions: human review of every rejection; quarterly bias audit",
        "Rationale: Ranks job applicants.",
    ]
    assert "past-reviews:rev-2024-031" in by_id(document)


def test_single_object_is_one_record(tmp_path: Path) -> None:
    record = {"id": "dpia-9", "title": "Voice analytics DPIA", "as_of": "2025-09-30", "risk": "medium"}
    text = json.dumps(record)
    document = parse_file(write(tmp_path, "dpia.json", text))

    assert document.title == "Voice analytics DPIA"
    assert document.as_of == date(2025, 9, 30)
    assert [s.citation_id for s in document.sections] == ["dpia:dpia-9"]
    assert "Risk: medium" in document.sections[0].text


@pytest.mark.parametrize("suffix", [".md", ".txt", ".html"])
def test_utf8_bom_is_accepted(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"bom{suffix}"
    path.write_bytes("\ufeff# Heading One\n\nBody text here.\n".encode())

    document = parse_file(path)

    assert "\ufeff" not in document.title
    assert any("Body text here." in s.text for s in document.sections)
