"""Terminal rendering with rich: answers with citations as footnotes, tables for status."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel

if TYPE_CHECKING:
    from assistant.schemas import Answer

console = Console()
err_console = Console(stderr=True)


def print_answer(answer: Answer) -> None:
    """An answer in a panel; abstentions in yellow."""
    style = "green" if answer.grounded else "yellow"
    title = "Answer" if answer.grounded else "No grounded answer"
    console.print(Panel(escape(answer.answer), title=title, border_style=style, expand=False))
