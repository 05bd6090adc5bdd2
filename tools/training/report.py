"""Exports of training records: attendance and scores as CSV, and a printable HTML report per session and
per person that an organisation can keep as evidence of AI literacy measures (EU AI Act, Article 4)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from html import escape

from tools.training.schemas import (
    ParticipantScore,
    PersonRecord,
    SessionReport,
    SessionSummary,
    TrainingReport,
)

CSV_COLUMNS = (
    "session_id",
    "topic",
    "date",
    "trainer",
    "channel",
    "difficulty",
    "status",
    "knowledge_version",
    "seed",
    "visibility",
    "user_id",
    "display_name",
    "joined_at",
    "answered",
    "correct",
    "total",
    "score_percent",
    "completed",
    "completed_at",
)

EVIDENCE_NOTE = (
    "Record of an AI literacy measure: evidence for Article 4 of the EU AI Act (Regulation (EU) 2024/1689), "
    "which asks providers and deployers to take measures so that their staff and others using AI systems "
    "on their behalf have a sufficient level of AI literacy."
)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def render_csv(report: TrainingReport) -> str:
    """Attendance and scores: one row per participant per session (a session nobody joined: one row)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for item in report.sessions:
        s = item.session
        base = {
            "session_id": s.id,
            "topic": s.topic,
            "date": s.created_at.date().isoformat(),
            "trainer": s.trainer,
            "channel": s.channel or "",
            "difficulty": s.difficulty.value,
            "status": s.status.value,
            "knowledge_version": s.knowledge_version or "",
            "seed": s.seed,
            "visibility": s.access.label(),
        }
        people = [p.score for p in item.people] if report.person else s.participants
        if not people:
            writer.writerow(base)
        for p in people:
            writer.writerow(
                {
                    **base,
                    "user_id": p.user_id,
                    "display_name": p.display_name or "",
                    "joined_at": p.joined_at.isoformat(),
                    "answered": p.answered,
                    "correct": p.correct,
                    "total": p.total,
                    "score_percent": f"{p.score_percent:.1f}",
                    "completed": "yes" if p.completed else "no",
                    "completed_at": p.completed_at.isoformat() if p.completed_at else "",
                }
            )
    return out.getvalue()


_CSS = """
body { font-family: "Helvetica Neue", Arial, sans-serif; color: #111; margin: 2rem; line-height: 1.4; }
h1 { font-size: 1.5rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.2rem; border-bottom: 2px solid #333; padding-bottom: 0.2rem; margin-top: 2rem; }
h3 { font-size: 1rem; margin-top: 1.2rem; }
.evidence { border: 1px solid #999; background: #f4f4f4; padding: 0.6rem 0.8rem; font-size: 0.9rem; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; font-size: 0.85rem; }
th, td { border: 1px solid #bbb; padding: 0.25rem 0.4rem; text-align: left; vertical-align: top; }
th { background: #eee; }
dl.meta { display: grid; grid-template-columns: max-content auto; gap: 0.15rem 1rem; font-size: 0.9rem; }
dl.meta dt { font-weight: bold; }
dl.meta dd { margin: 0; }
.right { color: #0a5d1a; font-weight: bold; }
.wrong { color: #8a1010; }
.cite { font-family: "DejaVu Sans Mono", monospace; font-size: 0.8rem; }
footer { margin-top: 2rem; font-size: 0.8rem; color: #555; }
@media print {
  body { margin: 0; font-size: 10pt; }
  .session, .person { page-break-before: always; break-before: page; }
  .session:first-of-type, .person:first-of-type { page-break-before: auto; break-before: auto; }
  tr, td, th { page-break-inside: avoid; break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
@page { size: A4; margin: 15mm; }
"""


def _meta(s: SessionSummary) -> str:
    rows = [
        ("Topic", s.topic),
        ("Date", _when(s.created_at)),
        ("Trainer", s.trainer),
        ("Audience", f"channel {s.channel}" if s.channel else "named participants"),
        ("Difficulty", s.difficulty.value),
        ("Questions", str(s.question_count)),
        ("Status", s.status.value + (f" (closed {_when(s.closed_at)})" if s.closed_at else "")),
        ("Knowledge version", s.knowledge_version or "unknown"),
        ("Question generator", f"{s.generator}, seed {s.seed}"),
        ("Visibility", f"{s.access.label()} (the most restricted source its questions cite)"),
    ]
    items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
    return f'<dl class="meta">{items}</dl>'


def _scores_table(scores: list[ParticipantScore]) -> str:
    if not scores:
        return "<p>No participants yet.</p>"
    head = "<tr><th>Participant</th><th>Joined</th><th>Answered</th><th>Correct</th><th>Score</th>"
    head += "<th>Completed</th></tr>"
    rows = "".join(
        f"<tr><td>{escape(p.display_name or p.user_id)}"
        + (f" ({escape(p.user_id)})" if p.display_name else "")
        + f"</td><td>{escape(_when(p.joined_at))}</td><td>{p.answered}/{p.total}</td><td>{p.correct}</td>"
        f"<td>{p.score_percent:.1f}%</td><td>{escape(_when(p.completed_at)) or 'no'}</td></tr>"
        for p in scores
    )
    return f"<table>{head}{rows}</table>"


def _questions_table(item: SessionReport) -> str:
    head = "<tr><th>#</th><th>Question and options</th><th>Explanation</th><th>Citation</th>"
    head += "<th>Answered correctly</th></tr>"
    rows = []
    for q in item.questions:
        options = "".join(
            f'<li class="right">{escape(o)} (right answer)</li>'
            if i == q.correct_option
            else f"<li>{escape(o)}</li>"
            for i, o in enumerate(q.options)
        )
        rows.append(
            f'<tr><td>{q.position}</td><td>{escape(q.prompt)}<ol type="A">{options}</ol></td>'
            f'<td>{escape(q.explanation)}</td><td class="cite">{escape(q.citation_id)}</td>'
            f"<td>{q.correct_answers}/{q.answers}</td></tr>"
        )
    return f"<table>{head}{''.join(rows)}</table>"


def _person_answers(person: PersonRecord) -> str:
    if not person.answers:
        return "<p>No answers recorded.</p>"
    head = "<tr><th>#</th><th>Question</th><th>Answer given</th><th>Right answer</th><th>Citation</th></tr>"
    rows = "".join(
        f"<tr><td>{a.position}</td><td>{escape(a.prompt)}</td>"
        f'<td class="{"right" if a.correct else "wrong"}">{escape(a.chosen_text)}'
        f"{' (right)' if a.correct else ' (wrong)'}</td><td>{escape(a.correct_text)}</td>"
        f'<td class="cite">{escape(a.citation_id)}</td></tr>'
        for a in person.answers
    )
    return f"<table>{head}{rows}</table>"


def _session_section(item: SessionReport) -> str:
    s = item.session
    parts = [
        f'<section class="session" id="session-{s.id}">',
        f"<h2>Session {s.id}: {escape(s.topic)}</h2>",
        _meta(s),
        "<h3>Participants and scores</h3>",
        _scores_table(s.participants),
        "<h3>Questions, with their sources</h3>",
        _questions_table(item),
    ]
    for person in item.people:
        label = person.score.display_name or person.score.user_id
        parts.append(f"<h3>Answers of {escape(label)}</h3>")
        parts.append(_person_answers(person))
    parts.append("</section>")
    return "\n".join(parts)


def _person_section(report: TrainingReport) -> str:
    person = report.person or ""
    rows = []
    for item in report.sessions:
        for p in item.people:
            rows.append(
                f"<tr><td>{item.session.id}</td><td>{escape(item.session.topic)}</td>"
                f"<td>{escape(_when(item.session.created_at))}</td><td>{escape(item.session.trainer)}</td>"
                f"<td>{p.score.correct}/{p.score.total} ({p.score.score_percent:.1f}%)</td>"
                f"<td>{escape(_when(p.score.completed_at)) or 'no'}</td></tr>"
            )
    head = (
        "<tr><th>Session</th><th>Topic</th><th>Date</th><th>Trainer</th><th>Score</th><th>Completed</th></tr>"
    )
    body = f"<table>{head}{''.join(rows)}</table>" if rows else "<p>No training sessions recorded.</p>"
    parts = [
        f'<section class="person" id="person-{escape(person)}">',
        f"<h2>Training record of {escape(person)}</h2>",
        body,
    ]
    for item in report.sessions:
        for p in item.people:
            parts.append(f"<h3>Session {item.session.id}: {escape(item.session.topic)}</h3>")
            parts.append(_meta(item.session))
            parts.append(_person_answers(p))
    parts.append("</section>")
    return "\n".join(parts)


def render_html(report: TrainingReport, *, organisation: str | None = None) -> str:
    """A self-contained, printable HTML report (one page per session, or one person's record)."""
    title = (
        f"AI literacy training record: {report.person}" if report.person else "AI literacy training records"
    )
    if report.person:
        body = _person_section(report)
    elif report.sessions:
        body = "\n".join(_session_section(item) for item in report.sessions)
    else:
        body = "<p>No training sessions recorded.</p>"
    org = f"<p>{escape(organisation)}</p>" if organisation else ""
    if report.withheld:
        # Said, not hidden: a partial record must not pass for the whole.
        body += (
            f"\n<p><strong>{report.withheld} session(s) left out:</strong> they draw on documents the "
            "reader of this report may not see.</p>"
        )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<header><h1>{escape(title)}</h1>{org}"
        f'<p class="evidence">{escape(EVIDENCE_NOTE)} Every question cites the provision or policy section '
        "it was built from; the knowledge version shows what the questions were checked against."
        "</p></header>\n"
        f"{body}\n"
        f"<footer>Generated by govassist on {escape(_when(report.generated_at))}. "
        "Questions and explanations are written from the knowledge packs and the organisation's documents; "
        "they summarise and do not quote the law. Not legal advice.</footer>\n"
        "</body>\n</html>\n"
    )
