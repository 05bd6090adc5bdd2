"""Parse one file of any supported format into citable sections.

`parse_file` picks the parser from the file's suffix and, unless told the kind, whether the content is
a regulation (EUR-Lex HTML, regulation Markdown, known regulation records) or a policy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from core.text import clip
from knowledge.parsing import regulation as _regulation

# The generic HTML, DOCX and PDF parsers (BeautifulSoup, python-docx, pypdf) are imported by the function
# that needs them: importing this package, as anything needing `slugify` does, stays cheap.
from knowledge.parsing.headings import Outline, build_parts, build_sections, split_into_parts
from knowledge.parsing.markdown import parse_markdown
from knowledge.parsing.metadata import find_as_of, split_front_matter, to_date
from knowledge.parsing.plaintext import parse_plain_text
from knowledge.parsing.reading import decode_text, read_bytes
from knowledge.parsing.records import build_record_sections, load_structured, read_record_set
from knowledge.parsing.slugs import slugify
from knowledge.sections import DocumentKind, ParsedDocument, ParseError, Section

__all__ = ["SUPPORTED_SUFFIXES", "ParseError", "parse_file", "slugify"]

_DEFAULT_DOC_ID = "document"
# A PDF may carry a little junk before its header; readers look for it in the first kilobyte.
_PDF_HEADER_WINDOW = 1024
_ZIP_MAGIC = b"PK\x03\x04"


def parse_file(
    path: Path | str, *, kind: DocumentKind | None = None, source_id: str | None = None
) -> ParsedDocument:
    """Parse the file at `path` into a ParsedDocument whose sections carry citation ids.

    `kind` None means: regulation if a regulation format is recognised, else policy. `source_id` None
    means: the detected regime for regulations, else the slugified file stem (or a records file's
    `doc_id`). Raises ParseError, with a one-line message naming the file, for unsupported, empty,
    binary, corrupt or section-less files.

    >>> parse_file(Path("policies/acceptable-use.md")).sections[0].citation_id  # doctest: +SKIP
    'acceptable-use:1-purpose'
    """
    path = Path(path)
    parser = _PARSERS.get(path.suffix.lower())
    if parser is None:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        suffix = path.suffix or "(none)"
        raise ParseError(f"{path.name}: unsupported file type '{suffix}' (supported: {supported})")
    request = _Request(
        path=path,
        kind=DocumentKind(kind) if kind is not None else None,
        source_id=_explicit_source_id(path, source_id),
    )
    try:
        document = parser(request, read_bytes(path))
    except ParseError as exc:
        raise ParseError(_named(path, str(exc))) from None
    if not document.sections:
        raise ParseError(f"{path.name}: no sections found (no text to cite)")
    return document


@dataclass(frozen=True)
class _Request:
    """What the caller asked for, handed to the parser of one format."""

    path: Path
    kind: DocumentKind | None
    source_id: str | None

    @property
    def may_be_regulation(self) -> bool:
        return self.kind in (None, DocumentKind.REGULATION)

    def regulation_id(self, text: str) -> str | None:
        """The caller's source id, else the regime detected in `text`."""
        return self.source_id or _regulation.detect_regime(text)


def _parse_markdown_file(request: _Request, data: bytes) -> ParsedDocument:
    front_matter, text = split_front_matter(decode_text(data))
    as_of = find_as_of(text, front_matter)
    outline = parse_markdown(text)
    front_title = front_matter.get("title")
    title = str(front_title).strip() if front_title else outline.title
    if request.may_be_regulation and _regulation.is_regulation_markdown(text):
        return _regulation_document(
            request,
            title=title,
            as_of=as_of,
            text=text,
            parse=lambda source_id: _regulation.parse_regulation_markdown(text, source_id),
        )
    return _outline_document(request, outline, title=title, text=text, as_of=as_of)


def _parse_text_file(request: _Request, data: bytes) -> ParsedDocument:
    text = decode_text(data)
    outline = parse_plain_text(text)
    return _outline_document(request, outline, title=outline.title, text=text, as_of=find_as_of(text))


def _parse_html_file(request: _Request, data: bytes) -> ParsedDocument:
    from knowledge.parsing.html import act_title, parse_html

    html = decode_text(data)
    if request.may_be_regulation and _regulation.is_eurlex_html(html):
        return _regulation_document(
            request,
            title=act_title(html),
            as_of=find_as_of(html),
            text=html,
            parse=lambda source_id: _regulation.parse_eurlex_html(html, source_id),
        )
    try:
        outline = parse_html(html)
    except RecursionError:
        raise ParseError("the HTML is nested too deeply to read") from None
    text = "\n\n".join([outline.preamble, *(heading.body for heading in outline.headings)])
    return _outline_document(request, outline, title=outline.title, text=text, as_of=find_as_of(text))


def _parse_pdf_file(request: _Request, data: bytes) -> ParsedDocument:
    from knowledge.parsing.pdf import EncryptedPdfError, extract_pages

    if b"%PDF-" not in data[:_PDF_HEADER_WINDOW]:
        raise ParseError("not a valid PDF (no %PDF header)")
    try:
        pages = extract_pages(data)
    except EncryptedPdfError as exc:
        raise ParseError(str(exc)) from None
    except Exception as exc:  # pypdf signals damage with many exception types
        raise ParseError(f"not a valid PDF ({_one_line(exc)})") from None
    text = "\n".join(pages)
    if not text.strip():
        raise ParseError("no extractable text in the PDF (is it a scanned image?)")
    outline = parse_plain_text(text, allow_markdown=False)
    return _outline_document(
        request, outline, title=outline.title, text=text, as_of=find_as_of(text), pages=pages
    )


def _parse_docx_file(request: _Request, data: bytes) -> ParsedDocument:
    from knowledge.parsing.docx import parse_docx

    if not data.startswith(_ZIP_MAGIC):
        raise ParseError("not a valid DOCX (not a ZIP package)")
    try:
        outline, text = parse_docx(data)
    except Exception as exc:  # python-docx and zipfile signal damage with many exception types
        raise ParseError(f"not a valid DOCX ({_one_line(exc)})") from None
    return _outline_document(request, outline, title=outline.title, text=text, as_of=find_as_of(text))


def _parse_json_file(request: _Request, data: bytes) -> ParsedDocument:
    return _records_document(request, decode_text(data), syntax="json")


def _parse_yaml_file(request: _Request, data: bytes) -> ParsedDocument:
    return _records_document(request, decode_text(data), syntax="yaml")


def _records_document(request: _Request, text: str, *, syntax: Literal["json", "yaml"]) -> ParsedDocument:
    loaded = load_structured(text, syntax=syntax)
    file_title = _text_field(loaded.get("title")) if isinstance(loaded, dict) else None
    if request.may_be_regulation:
        # Not the regime detected in the raw text: the records parser knows the regime from the shape,
        # and a framework's records may well name another act first.
        sections = _regulation.parse_regulation_records(loaded, request.source_id)
        if sections is not None:
            return ParsedDocument(
                source_id=request.source_id or _id_prefix(sections) or _stem_id(request.path),
                kind=DocumentKind.REGULATION,
                title=file_title or request.path.stem,
                sections=sections,
                as_of=_records_as_of(loaded),
            )
    record_set = read_record_set(loaded)
    doc_id = request.source_id or record_set.doc_id or _stem_id(request.path)
    if request.kind is DocumentKind.REGULATION and not request.source_id:
        doc_id = request.regulation_id(text) or doc_id
    return ParsedDocument(
        source_id=doc_id,
        title=record_set.title or request.path.stem,
        kind=request.kind or DocumentKind.POLICY,
        as_of=record_set.as_of,
        sections=build_record_sections(record_set.records, doc_id=doc_id),
    )


def _regulation_document(
    request: _Request,
    *,
    title: str | None,
    as_of: date | None,
    text: str,
    parse: Callable[[str], list[Section]],
) -> ParsedDocument:
    source_id = request.regulation_id(text) or _stem_id(request.path)
    return ParsedDocument(
        source_id=source_id,
        title=title or request.path.stem,
        kind=DocumentKind.REGULATION,
        sections=parse(source_id),
        as_of=as_of,
    )


def _outline_document(
    request: _Request,
    outline: Outline,
    *,
    title: str | None,
    text: str,
    as_of: date | None,
    pages: list[str] | None = None,
) -> ParsedDocument:
    """Sections from headings when there are any; else one per PDF page, or fixed-size parts."""
    kind = request.kind or DocumentKind.POLICY
    doc_id = request.source_id
    if doc_id is None and kind is DocumentKind.REGULATION:
        doc_id = request.regulation_id(text)
    doc_id = doc_id or _stem_id(request.path)
    doc_title = title or request.path.stem
    if outline.headings:
        sections = build_sections(outline, doc_id=doc_id, doc_title=doc_title)
    elif pages is not None:
        sections = build_parts(pages, doc_id=doc_id, doc_title=doc_title, label="page")
    else:
        sections = build_parts(
            split_into_parts(outline.preamble), doc_id=doc_id, doc_title=doc_title, label="part"
        )
    return ParsedDocument(source_id=doc_id, title=doc_title, kind=kind, sections=sections, as_of=as_of)


def _explicit_source_id(path: Path, source_id: str | None) -> str | None:
    if source_id is None:
        return None
    slug = slugify(source_id)
    if not slug:
        raise ParseError(f"{path.name}: source id {source_id!r} has no letters or digits")
    return slug


def _stem_id(path: Path) -> str:
    return slugify(path.stem) or _DEFAULT_DOC_ID


def _id_prefix(sections: list[Section]) -> str | None:
    return sections[0].citation_id.split(":", 1)[0] if sections else None


def _records_as_of(loaded: object) -> date | None:
    return to_date(loaded.get("as_of")) if isinstance(loaded, dict) else None


def _text_field(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def _named(path: Path, message: str) -> str:
    message = " ".join(message.split())
    return message if message.startswith(f"{path.name}:") else f"{path.name}: {message}"


def _one_line(exc: Exception) -> str:
    return clip(str(exc), 200, marker="...", flatten=True) or type(exc).__name__


_PARSERS: dict[str, Callable[[_Request, bytes], ParsedDocument]] = {
    ".md": _parse_markdown_file,
    ".markdown": _parse_markdown_file,
    ".txt": _parse_text_file,
    ".html": _parse_html_file,
    ".htm": _parse_html_file,
    ".pdf": _parse_pdf_file,
    ".docx": _parse_docx_file,
    ".json": _parse_json_file,
    ".yaml": _parse_yaml_file,
    ".yml": _parse_yaml_file,
}

SUPPORTED_SUFFIXES: frozenset[str] = frozenset(_PARSERS)
