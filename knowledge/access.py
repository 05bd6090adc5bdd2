"""Who may read what. Restricted documents reach only members of their groups."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict


class Visibility(StrEnum):
    """How widely a document may be shown."""

    PUBLIC = "public"
    INTERNAL = "internal"
    RESTRICTED = "restricted"


def group_key(group: str) -> str:
    """The metadata flag a chunk carries for each group allowed to read it."""
    return "grp_" + re.sub(r"[^a-z0-9]+", "_", group.strip().lower()).strip("_")


class Audience(BaseModel):
    """The reader of an answer: their groups, and whether the place they read in is public."""

    model_config = ConfigDict(frozen=True)

    groups: frozenset[str] = frozenset()
    public_only: bool = False

    def can_read(self, visibility: str, groups: list[str]) -> bool:
        """Whether this reader may see a document of `visibility` shared with `groups`."""
        if visibility == Visibility.PUBLIC:
            return True
        if self.public_only:
            return False
        if visibility == Visibility.INTERNAL:
            return True
        return bool(self.groups & set(groups))

    def vector_filter(self) -> dict[str, Any]:
        """The same rule as `can_read`, as a Chroma `where` clause."""
        if self.public_only:
            return {"visibility": Visibility.PUBLIC.value}
        open_docs: dict[str, Any] = {
            "visibility": {"$in": [Visibility.PUBLIC.value, Visibility.INTERNAL.value]}
        }
        if not self.groups:
            return open_docs
        return {"$or": [open_docs, *({group_key(g): True} for g in sorted(self.groups))]}
