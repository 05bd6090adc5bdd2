"""Renderers of a drafted document: Markdown, a printable HTML page, a Word document.

They format `DocumentDraft` and nothing else: which sections, statements, sources and questions appear is
decided when the draft is built.
"""

from __future__ import annotations

import html
import io

from tools.docs.schemas import DocumentDraft, DraftSection, OutputFormat, Statement

QUESTION_LABEL = "Question for the owner:"
DRAFT_NOTICE = (
    "Draft made by govassist from recorded facts. Every statement names its source; every question is for "
    "the system's owner to answer. Check it before use."
)


def _sources(statement: Statement) -> str:
    return "; ".join(s.label for s in statement.sources)


def _meta_lines(draft: DocumentDraft) -> list[str]:
    template = (
        f"{draft.template.title} ({draft.template.source_id})" if draft.template else "built-in sections"
    )
    return [
        f"System: {draft.system_name} ({draft.system_id}), assessment v{draft.assessment_version}",
        f"Drafted {draft.generated_at.strftime('%Y-%m-%d %H:%M UTC')} by {draft.generated_by}",
        f"Sections: {template}; knowledge as of {draft.knowledge_as_of}",
        f"Open questions for the owner: {draft.open_questions}",
    ]


def _basis(section: DraftSection) -> str:
    return f"Asked for by {section.basis}" if section.basis else ""


# --- Markdown --------------------------------------------------------------------------------------------


def to_markdown(draft: DocumentDraft) -> str:
    """The draft as Markdown: headings, statements as bullets with their sources, questions in bold."""
    lines = [f"# {draft.title}", "", f"> {DRAFT_NOTICE}", ""]
    lines += [f"- {line}" for line in _meta_lines(draft)]
    for section in draft.sections:
        lines += ["", f"{'#' * section.level} {section.heading}", ""]
        if section.basis and not section.group:
            lines += [f"_{_basis(section)}_", ""]
        lines += [f"- {s.text} [source: {_sources(s)}]" for s in section.statements]
        lines += [f"- **{QUESTION_LABEL}** {q}" for q in section.questions]
        if lines[-1] == "":
            lines.pop()
    return "\n".join(lines).rstrip() + "\n"


# --- HTML ------------------------------------------------------------------------------------------------

_CSS = """
body { font-family: Georgia, 'Times New Roman', serif; max-width: 48rem; margin: 2rem auto; color: #111;
       line-height: 1.45; padding: 0 1rem; }
h1 { font-size: 1.6rem; border-bottom: 2px solid #333; padding-bottom: .3rem; }
h2 { font-size: 1.25rem; margin-top: 1.6rem; } h3 { font-size: 1.05rem; } h4, h5, h6 { font-size: 1rem; }
.notice { background: #f4f4f4; border-left: 4px solid #888; padding: .5rem .8rem; font-size: .9rem; }
.meta { font-size: .9rem; color: #333; } .basis { font-size: .8rem; color: #555; font-style: italic; }
.source { font-size: .8rem; color: #555; font-family: monospace; }
li.question { color: #8a3b00; }
@media print { body { margin: 0; max-width: none; } h2, h3 { page-break-after: avoid; }
               li { page-break-inside: avoid; } }
"""


def to_html(draft: DocumentDraft) -> str:
    """The draft as a self-contained, printable HTML page."""
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(draft.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(draft.title)}</h1>",
        f'<p class="notice">{e(DRAFT_NOTICE)}</p>',
        '<ul class="meta">' + "".join(f"<li>{e(line)}</li>" for line in _meta_lines(draft)) + "</ul>",
    ]
    for section in draft.sections:
        level = min(6, section.level)
        parts.append(f"<h{level}>{e(section.heading)}</h{level}>")
        if section.basis and not section.group:
            parts.append(f'<p class="basis">{e(_basis(section))}</p>')
        items = [
            f'<li class="statement">{e(s.text)} <span class="source">[source: {e(_sources(s))}]</span></li>'
            for s in section.statements
        ]
        items += [
            f'<li class="question"><strong>{e(QUESTION_LABEL)}</strong> {e(q)}</li>'
            for q in section.questions
        ]
        if items:
            parts.append("<ul>" + "".join(items) + "</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


# --- Word ------------------------------------------------------------------------------------------------


def to_docx(draft: DocumentDraft) -> bytes:
    """The draft as a Word document (python-docx)."""
    from docx import Document
    from docx.shared import Pt, RGBColor

    doc = Document()
    doc.core_properties.title = draft.title
    doc.core_properties.author = draft.generated_by
    doc.add_heading(draft.title, level=0)
    doc.add_paragraph().add_run(DRAFT_NOTICE).italic = True
    for line in _meta_lines(draft):
        doc.add_paragraph(line, style="List Bullet")
    for section in draft.sections:
        doc.add_heading(section.heading, level=min(9, max(1, section.level - 1)))
        if section.basis and not section.group:
            doc.add_paragraph().add_run(_basis(section)).italic = True
        for statement in section.statements:
            paragraph = doc.add_paragraph(statement.text + " ", style="List Bullet")
            source = paragraph.add_run(f"[source: {_sources(statement)}]")
            source.font.size = Pt(8)
            source.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
        for question in section.questions:
            paragraph = doc.add_paragraph(style="List Bullet")
            paragraph.add_run(QUESTION_LABEL + " ").bold = True
            paragraph.add_run(question)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def render(draft: DocumentDraft, fmt: OutputFormat) -> bytes:
    """The draft in `fmt`, as the bytes of the file."""
    if fmt is OutputFormat.DOCX:
        return to_docx(draft)
    text = to_html(draft) if fmt is OutputFormat.HTML else to_markdown(draft)
    return text.encode("utf-8")
