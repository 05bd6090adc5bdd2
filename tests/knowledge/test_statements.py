"""Statements: the sentences, bullets and table rows an answer chooses from, and their prose."""

from __future__ import annotations

from knowledge.statements import plain_markdown, statements


def test_a_bullet_keeps_its_bold_name_whole_so_no_mark_leaks_into_prose() -> None:
    text = (
        "- **Data protection authorities**: the Privacy Office notifies the lead authority within 48\n"
        "  hours of becoming aware.\n"
        "* **Press and public**: only the Director of Communications speaks for us."
    )
    found = statements(text)
    assert found == [
        "**Data protection authorities**: the Privacy Office notifies the lead authority within 48 hours of "
        "becoming aware.",
        "**Press and public**: only the Director of Communications speaks for us.",
    ]
    assert [plain_markdown(s) for s in found][1] == (
        "Press and public: only the Director of Communications speaks for us."
    )
