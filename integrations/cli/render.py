"""Terminal rendering with rich: answers with citations as footnotes, tables for status."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text

if TYPE_CHECKING:
    from assistant.agent.schemas import AgentReply
    from assistant.schemas import Answer, Citation

console = Console()
err_console = Console(stderr=True)

_MARKER = re.compile(r"\[\d+\]")
_TITLES = {
    "ask": "Answer",
    "triage": "Triage",
    "triage_answer": "Triage",
    "rename": "Triage",
    "cancel": "Triage",
    "set_tier": "Triage",
    "file_tasks": "Review tasks",
    "list_tasks": "Review tasks",
    "list_systems": "Inventory",
    "past_reviews": "Past reviews",
    "help": "Help",
}


def split_sources(text: str) -> tuple[str, str]:
    """(body, trailer): the text without its 'Sources:' footnote block, and the lines after that block
    (such as the knowledge as-of date). Texts without a block come back whole."""
    head, marker, rest = text.partition("\nSources:\n")
    if not marker:
        return text.rstrip(), ""
    trailer = [line for line in rest.splitlines() if line.strip() and not re.match(r"^\[\d+\] ", line)]
    return head.rstrip(), "\n".join(trailer)


def _body(text: str) -> Text:
    """The text with its footnote markers [n] in bold."""
    rendered = Text()
    position = 0
    for match in _MARKER.finditer(text):
        rendered.append(text[position : match.start()])
        rendered.append(match.group(0), style="bold cyan")
        position = match.end()
    rendered.append(text[position:])
    return rendered


def print_footnotes(citations: list[Citation]) -> None:
    """One line per citation: '[n] Title, Locator  citation-id'."""
    for number, c in enumerate(citations, start=1):
        label = c.title if c.title == c.locator else f"{c.title}, {c.locator}"
        console.print(
            f"[bold cyan][{number}][/bold cyan] {escape(label)}  [dim]{escape(c.id)}[/dim]", highlight=False
        )


def _print(text: str, citations: list[Citation], *, title: str, style: str) -> None:
    body, trailer = split_sources(text)
    console.print(Panel(_body(body), title=title, border_style=style, expand=False))
    print_footnotes(citations)
    if trailer:
        console.print(escape(trailer), style="dim", highlight=False)


def print_answer(answer: Answer) -> None:
    """An answer in a panel with its citations as footnotes; abstentions in yellow."""
    style = "green" if answer.grounded else "yellow"
    title = "Answer" if answer.grounded else "No grounded answer"
    _print(answer.answer, answer.citations, title=title, style=style)


def print_reply(reply: AgentReply) -> None:
    """A chat reply: the text in a panel, citations as footnotes, a waiting question, a notice, and a
    dim line saying which thread, intent and tools the turn used."""
    title = _TITLES.get(reply.intent, reply.intent)
    if reply.intent == "ask" and not reply.grounded:
        title = "No grounded answer"
    _print(reply.answer, reply.citations, title=title, style="green" if reply.grounded else "yellow")
    if reply.notice:
        console.print(f"[yellow]{escape(reply.notice)}[/yellow]")
    tools = ", ".join(f"{c.name}{'' if c.ok else ' (failed)'}" for c in reply.tool_calls) or "none"
    model = f" · model {reply.model}" if reply.model else ""
    console.print(f"[dim]thread {escape(reply.thread_id)} · {reply.intent} · tools: {tools}{model}[/dim]")
