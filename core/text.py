"""Text helpers every layer shares."""

from __future__ import annotations


def clip(text: str, limit: int, *, marker: str = "…", flatten: bool = False) -> str:
    """`text` in at most `limit` characters: whole when it fits, else cut and marked with `marker`, at a
    word when one ends in the second half of the room (a long word is cut where the room ends).
    `flatten` first joins lines and runs of spaces into single spaces (for one-line summaries)."""
    text = " ".join(text.split()) if flatten else text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - len(marker)]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip() + marker
