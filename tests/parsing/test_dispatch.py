"""parse_file's dispatch: suffixes, kinds, source ids, slugs, and a one-line ParseError for bad input."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from pypdf import PdfWriter

import knowledge.parsing as parsing
from knowledge.parsing import SUPPORTED_SUFFIXES, ParseError, parse_file, slugify
from knowledge.sections import DocumentKind, Section, SectionLevel

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"


def corpus_file(relative: str) -> Path:
    """A file of the shared regulatory corpus, or a skip when the corpus is not next to the repo."""
    path = CORPUS / relative
    if not path.is_file():
        pytest.skip(f"shared corpus file {relative} is not available")
    return path


def blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def zip_without_document() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    return buffer.getvalue()


def test_supported_suffixes() -> None:
    expected = {".md", ".markdown", ".txt", ".html", ".htm", ".pdf", ".docx", ".json", ".yaml", ".yml"}
    assert expected == SUPPORTED_SUFFIXES


BAD_INPUTS: list[tuple[str, bytes, str]] = [
    ("slides.pptx", b"PK\x03\x04 whatever", "unsupported file type '.pptx'"),
    ("README", b"# Title\n\ntext\n", "unsupported file type '(none)'"),
    ("empty.md", b"", "the file is empty"),
    ("spaces.txt", b"  \n\t\n  ", "the file is empty"),
    ("empty.pdf", b"", "the file is empty"),
    ("empty.docx", b"\n", "the file is empty"),
    ("empty.json", b" \n", "the file is empty"),
    ("image.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
    ("blob.json", b'{"a": "\x00"}', "binary file"),
    ("latin1.txt", "Café policy\n".encode("latin-1"), "not UTF-8 text (byte 0xe9 at offset 3)"),
    ("policy.pdf", b"this is not a PDF at all", "not a valid PDF (no %PDF header)"),
    ("broken.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", "not a valid PDF ("),
    ("plain.docx", b"just some text pretending", "not a valid DOCX (not a ZIP package)"),
    ("hollow.docx", zip_without_document(), "not a valid DOCX ("),
    ("bad.json", b'{"records": [1, 2,]}', "not valid JSON (line 1, column 19:"),
    ("bad.yaml", b"records:\n  - id: a\n - id: b\n", "not valid YAML (line 3"),
    ("scalar.json", b"42", "expected a list of records or an object, found a number"),
    ("strings.yml", b"- one\n- two\n", "record 1 is not an object (found a string)"),
    ("records.json", b'{"records": {"id": "x"}}', "'records' should be a list, found an object"),
    ("none.json", b"[]", "no sections found"),
    ("blank-records.yaml", b"records:\n  - {}\n  - note: null\n", "no sections found"),
    ("front-only.md", b"---\nas_of: 2026-01-01\n---\n\n", "no sections found"),
    ("headings-only.md", b"# A\n\n## B\n", "no sections found"),
    ("scan.pdf", blank_pdf(), "no extractable text in the PDF"),
]


@pytest.mark.parametrize(("name", "content", "problem"), BAD_INPUTS, ids=[case[0] for case in BAD_INPUTS])
def test_bad_input_raises_one_line_parse_error_naming_the_file(
    tmp_path: Path, name: str, content: bytes, problem: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(ParseError) as caught:
        parse_file(path)

    message = str(caught.value)
    assert message.startswith(f"{name}: ")
    assert problem in message
    assert "\n" not in message
    # No library traceback is chained onto the error shown to the user.
    error = caught.value
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match=r"^gone\.md: file not found$"):
        parse_file(tmp_path / "gone.md")
    (tmp_path / "folder.md").mkdir()
    with pytest.raises(ParseError, match=r"^folder\.md: is a directory"):
        parse_file(tmp_path / "folder.md")


def test_source_id_without_letters_is_refused(tmp_path: Path) -> None:
    (tmp_path / "ok.md").write_text("## A\n\ntext\n")
    with pytest.raises(ParseError, match=r"^ok\.md: source id '\?\?' has no letters or digits$"):
        parse_file(tmp_path / "ok.md", source_id="??")


def test_suffix_is_case_insensitive_and_str_paths_work(tmp_path: Path) -> None:
    (tmp_path / "Notes.MD").write_text("## Alpha\n\ntext\n")

    document = parse_file(str(tmp_path / "Notes.MD"))

    assert [s.citation_id for s in document.sections] == ["notes:alpha"]


def test_default_ids_come_from_the_slugified_stem(tmp_path: Path) -> None:
    (tmp_path / "Vendor Policy (v2) – Final.md").write_text("## Über uns\n\ntext\n")

    document = parse_file(tmp_path / "Vendor Policy (v2) – Final.md")

    assert document.source_id == "vendor-policy-v2-final"
    assert [s.citation_id for s in document.sections] == ["vendor-policy-v2-final:uber-uns"]


def test_explicit_source_id_and_kind_win(tmp_path: Path) -> None:
    (tmp_path / "reviews.json").write_text('{"doc_id": "from-file", "records": [{"id": "r1", "title": "T"}]}')

    from_file = parse_file(tmp_path / "reviews.json")
    explicit = parse_file(tmp_path / "reviews.json", kind=DocumentKind.REVIEW, source_id="Reviews 2024")

    assert (from_file.source_id, from_file.kind) == ("from-file", DocumentKind.POLICY)
    assert [s.citation_id for s in from_file.sections] == ["from-file:r1"]
    assert (explicit.source_id, explicit.kind) == ("reviews-2024", DocumentKind.REVIEW)
    assert [s.citation_id for s in explicit.sections] == ["reviews-2024:r1"]


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("3.2 Data handling", "3-2-data-handling"),
        ("  Leading & trailing!  ", "leading-trailing"),
        ("Données Personnelles", "donnees-personnelles"),
        ("Straße / Æther / Łódź", "strasse-aether-lodz"),
        ("UPPER_case--and__more", "upper-case-and-more"),
        ("Article 5(1)(f)", "article-5-1-f"),
        ("---", ""),
        ("数据", ""),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


def _fake_regulation(*, markdown: bool = False, html: bool = False, records: bool = False) -> SimpleNamespace:
    """A stand-in for knowledge.parsing.regulation that records what it was asked to parse."""
    calls: list[tuple[str, Any]] = []

    def sections(source_id: str | None) -> list[Section]:
        prefix = source_id or "fake-regime"
        return [
            Section(
                citation_id=f"{prefix}:art-1",
                locator="Article 1",
                title="Subject matter",
                level=SectionLevel.ARTICLE,
                text="text",
            )
        ]

    def parse(kind: str) -> Any:
        def parser(content: Any, source_id: str | None) -> list[Section]:
            calls.append((kind, source_id))
            return sections(source_id)

        return parser

    def parse_records(data: Any, source_id: str | None) -> list[Section] | None:
        calls.append(("records", source_id))
        return sections(source_id) if records else None

    return SimpleNamespace(
        calls=calls,
        is_eurlex_html=lambda html_text: html,
        parse_eurlex_html=parse("html"),
        is_regulation_markdown=lambda text: markdown,
        parse_regulation_markdown=parse("markdown"),
        parse_regulation_records=parse_records,
        detect_regime=lambda text: "gdpr" if "gdpr" in text.lower() else None,
    )


def test_regulation_formats_are_dispatched_to_the_regulation_parsers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _fake_regulation(markdown=True, html=True, records=True)
    monkeypatch.setattr(parsing, "_regulation", fake)
    (tmp_path / "law.md").write_text("# GDPR consolidated\n\nsome text\n")
    (tmp_path / "law.html").write_text("<html><head><title>Some regulation</title></head></html>")
    # The records parser is not handed a regime guessed from the raw text: it knows better from the shape.
    (tmp_path / "law.json").write_text('[{"article": 1, "cites": "GDPR"}]')

    markdown = parse_file(tmp_path / "law.md")
    html = parse_file(tmp_path / "law.html")
    records = parse_file(tmp_path / "law.json")

    assert (markdown.kind, markdown.source_id, markdown.title) == (
        DocumentKind.REGULATION,
        "gdpr",
        "GDPR consolidated",
    )
    assert (html.kind, html.source_id, html.title) == (DocumentKind.REGULATION, "law", "Some regulation")
    assert (records.kind, records.source_id, records.title) == (DocumentKind.REGULATION, "fake-regime", "law")
    assert fake.calls == [("markdown", "gdpr"), ("html", "law"), ("records", None)]


def test_a_given_kind_overrides_regulation_detection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = _fake_regulation(markdown=True, records=True)
    monkeypatch.setattr(parsing, "_regulation", fake)
    (tmp_path / "notes.md").write_text("## GDPR notes\n\nour reading\n")

    document = parse_file(tmp_path / "notes.md", kind=DocumentKind.POLICY)

    assert (document.kind, document.source_id) == (DocumentKind.POLICY, "notes")
    assert [s.citation_id for s in document.sections] == ["notes:gdpr-notes"]
    assert fake.calls == []


def test_unrecognised_records_fall_back_to_generic_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _fake_regulation(records=False)
    monkeypatch.setattr(parsing, "_regulation", fake)
    (tmp_path / "inventory.json").write_text('[{"id": "a", "title": "A"}]')

    document = parse_file(tmp_path / "inventory.json")

    assert fake.calls == [("records", None)]
    assert (document.kind, [s.citation_id for s in document.sections]) == (
        DocumentKind.POLICY,
        ["inventory:a"],
    )


def test_forced_regulation_kind_on_generic_text_uses_the_detected_regime(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parsing, "_regulation", _fake_regulation())
    (tmp_path / "extract.txt").write_text("GDPR Extract\n\n1 Scope\nWhat it covers.\n\n2 Terms\nWords.\n")

    document = parse_file(tmp_path / "extract.txt", kind=DocumentKind.REGULATION)

    assert (document.kind, document.source_id) == (DocumentKind.REGULATION, "gdpr")
    assert [s.citation_id for s in document.sections] == ["gdpr:1-scope", "gdpr:2-terms"]


def test_regulation_parse_errors_get_the_file_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(html_text: str, source_id: str) -> list[Section]:
        raise ParseError("no articles found")

    fake = _fake_regulation(html=True)
    fake.parse_eurlex_html = failing
    monkeypatch.setattr(parsing, "_regulation", fake)
    (tmp_path / "act.htm").write_text("<html><body>x</body></html>")

    with pytest.raises(ParseError, match=r"^act\.htm: no articles found$"):
        parse_file(tmp_path / "act.htm")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("relative", "expected_ids"),
    [
        ("eu-ai-act/csa/eu-ai-act.html", {"eu-ai-act:art-5", "eu-ai-act:art-5-1-f", "eu-ai-act:recital-53"}),
        ("eu-ai-act/cartho/EU_AI_Act.md", {"eu-ai-act:art-5", "eu-ai-act:annex-iii-4-a"}),
        ("eu-ai-act/csa/ai-act-articles.json", {"eu-ai-act:art-5", "eu-ai-act:art-5-1-f"}),
    ],
)
def test_corpus_regulations_are_detected_and_dispatched(relative: str, expected_ids: set[str]) -> None:
    path = corpus_file(relative)

    document = parse_file(path)

    assert document.kind is DocumentKind.REGULATION
    assert document.source_id == "eu-ai-act"
    ids = [section.citation_id for section in document.sections]
    assert expected_ids <= set(ids)
    assert len(ids) == len(set(ids))


@pytest.mark.slow
def test_eurlex_html_read_as_a_policy_when_asked() -> None:
    path = corpus_file("gdpr/csa/eu-gdpr-act.html")

    document = parse_file(path, kind=DocumentKind.POLICY)

    assert (document.kind, document.source_id) == (DocumentKind.POLICY, "eu-gdpr-act")
    assert document.sections and all(s.citation_id.startswith("eu-gdpr-act:") for s in document.sections)
