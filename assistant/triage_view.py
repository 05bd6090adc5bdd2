"""One triage as every renderer shows it: the chat reply (`assistant/agent/replies.py`), the Slack card
(`integrations/slack/blocks.py`) and the terminal (`govassist triage`) format this view; what a triage
shows (the applying regimes, the open questions, whether it needs information, what it cites) is
decided here once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from pydantic import BaseModel, Field

from assistant.triage import Precedent, TriageOutcome
from tools.tasks import TaskPublic
from tools.triage.schemas import (
    EuTier,
    GpaiFinding,
    Ground,
    MissingInformation,
    Obligation,
    RegimeFinding,
    RequiredReview,
    SystemRef,
    TriageResult,
    TriageStatus,
)


class TriageView(BaseModel):
    """What a triage shows, in the order renderers show it."""

    system: SystemRef
    tier: EuTier
    internal_tier: str
    applies_from: date | None = Field(description="When the tier's obligations start to apply.")
    needs_information: bool = Field(description="The tier may change once the open questions are answered.")
    grounds: list[Ground] = Field(description="Why the tier: each step with its provision.")
    derogation_applied: bool
    transparency: list[Ground] = Field(description="Article 50 duties, beside the tier.")
    gpai: GpaiFinding | None
    applying_regimes: list[RegimeFinding] = Field(description="The other regimes that apply.")
    obligations: list[Obligation]
    required_reviews: list[RequiredReview]
    open_questions: list[MissingInformation]
    precedents: list[Precedent]
    tasks: list[TaskPublic] = Field(default_factory=list, description="Review tasks filed for it.")
    tasks_new: int = Field(default=0, description="How many of `tasks` this triage filed.")
    assessment_version: int | None = Field(description="Inventory version (None: not recorded).")
    knowledge_as_of: date

    @classmethod
    def of(
        cls,
        result: TriageResult,
        *,
        version: int | None,
        precedents: Sequence[Precedent] = (),
        tasks: Sequence[TaskPublic] = (),
        tasks_new: int = 0,
    ) -> TriageView:
        """The view of a rules' result with what the inventory and the index add to it."""
        eu = result.eu_ai_act
        return cls(
            system=result.system,
            tier=eu.tier,
            internal_tier=result.internal_tier,
            applies_from=eu.applies_from,
            needs_information=result.status is not TriageStatus.COMPLETE,
            grounds=eu.grounds,
            derogation_applied=eu.derogation_applied,
            transparency=eu.transparency,
            gpai=eu.gpai,
            applying_regimes=[f for f in result.other_regimes if f.applies],
            obligations=result.obligations,
            required_reviews=result.required_reviews,
            open_questions=result.missing_information,
            precedents=list(precedents),
            tasks=list(tasks),
            tasks_new=tasks_new,
            assessment_version=version,
            knowledge_as_of=result.knowledge_as_of,
        )

    @classmethod
    def of_outcome(cls, outcome: TriageOutcome) -> TriageView:
        """The view of a triage just run."""
        return cls.of(
            outcome.result,
            version=outcome.assessment_version,
            precedents=outcome.precedents,
            tasks=outcome.tasks,
            tasks_new=outcome.tasks_new,
        )

    def obligations_shown(self, limit: int | None) -> tuple[list[Obligation], int]:
        """The first `limit` obligations (all with None) and how many more there are."""
        shown = self.obligations if limit is None else self.obligations[:limit]
        return shown, len(self.obligations) - len(shown)

    def titled_citations(self) -> list[str]:
        """The citations a card names by title: the grounds, the obligations and the precedents."""
        return (
            [g.citation for g in self.grounds]
            + [o.citation for o in self.obligations]
            + [p.citation for p in self.precedents]
        )

    def cited_ids(self) -> list[str]:
        """Every provision the triage rests on: the grounds, the duties, the first ground of each regime
        that applies, the obligations and the precedents (in that order)."""
        ids = [g.citation for g in self.grounds] + [g.citation for g in self.transparency]
        if self.gpai:
            ids += [g.citation for g in self.gpai.grounds]
        ids += [f.grounds[0].citation for f in self.applying_regimes if f.grounds]
        ids += [o.citation for o in self.obligations]
        ids += [p.citation for p in self.precedents]
        return ids
