"""Who may take a training session: the most restricted source its questions came from.

A session's questions quote and paraphrase the passages they cite, so a session is as confidential as
its most confidential source. Knowledge packs are public; the organisation's documents are internal or
restricted to groups as they were ingested. The same rule as for documents (`Audience.can_read`) then
decides who may be shown the session's questions and answer them.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field

from knowledge.access import Audience, Visibility
from tools.training.errors import SessionAccessError, TrainingError

_RANK = {Visibility.PUBLIC: 0, Visibility.INTERNAL: 1, Visibility.RESTRICTED: 2}


class SourceAccess(BaseModel):
    """How widely a source (or a session built from sources) may be shown, as for documents."""

    model_config = ConfigDict(frozen=True)

    visibility: Visibility = Visibility.PUBLIC
    groups: tuple[str, ...] = Field(default=(), description="For restricted: the groups that may read it.")

    def readable_by(self, audience: Audience) -> bool:
        """Whether `audience` may see what comes from this source."""
        return audience.can_read(self.visibility.value, list(self.groups))

    def label(self) -> str:
        """'public', 'internal' or 'restricted (legal, hr)'."""
        if self.visibility is Visibility.RESTRICTED:
            return f"restricted ({', '.join(self.groups)})" if self.groups else "restricted"
        return self.visibility.value


PUBLIC = SourceAccess()


def most_restricted(accesses: Iterable[SourceAccess]) -> SourceAccess:
    """The access a session built from these sources has: the highest visibility among them; for
    restricted sources, only groups every one of them shares (a reader must be able to read them all).

    Raises TrainingError when restricted sources share no group: nobody could take such a session.
    """
    found = list(accesses)
    if not found:
        return PUBLIC
    top = max(found, key=lambda a: _RANK[a.visibility]).visibility
    if top is not Visibility.RESTRICTED:
        return SourceAccess(visibility=top)
    restricted = [set(a.groups) for a in found if a.visibility is Visibility.RESTRICTED]
    shared = set.intersection(*restricted)
    if not shared:
        raise TrainingError(
            "the questions would come from restricted documents that share no group, so nobody could take "
            "the session; start it for a narrower audience"
        )
    return SourceAccess(visibility=Visibility.RESTRICTED, groups=tuple(sorted(shared)))


def require_readable(access: SourceAccess, audience: Audience, *, what: str) -> None:
    """SessionAccessError (one line, naming no restricted content) unless `audience` may read `access`.

    `what` names the session for the message, e.g. 'training session 3'.
    """
    if access.readable_by(audience):
        return
    if audience.public_only:
        raise SessionAccessError(
            f"{what} draws on {access.visibility.value} documents and cannot be used in a public channel; "
            "use a private channel or a direct message"
        )
    raise SessionAccessError(f"{what} draws on restricted documents you may not read")
