"""Triage: a system profile in, a cited classification out.

`triage` is pure: it reads the knowledge packs and the tiering standard it is given (or the built-in ones)
and touches no database, network or model. The steps themselves live in `tools.triage.rules`.

Usage::

    from tools.triage.engine import triage
    from tools.triage.schemas import SystemProfile
    profile = SystemProfile(name="CV screener", description="Ranks applicants", use_cases=["recruitment"])
    triage(profile).eu_ai_act.tier        # EuTier.HIGH
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from functools import cache

from knowledge.packs import Pack, load_packs
from knowledge.tiering import TieringStandard, decide_internal_tier, load_tiering_standard
from tools.triage import rules
from tools.triage.schemas import (
    EuAiActFinding,
    EuTier,
    MissingInformation,
    RequiredReview,
    SystemProfile,
    SystemRef,
    TriageResult,
    TriageStatus,
)


def triage(
    profile: SystemProfile,
    *,
    packs: Sequence[Pack] | None = None,
    standard: TieringStandard | None = None,
    as_of: date | None = None,
    system_id: str | None = None,
) -> TriageResult:
    """Classify one AI system under the EU AI Act and the other regimes, with the obligations of our role.

    `packs` default to the built-in knowledge packs and must include the EU AI Act; `standard` defaults to
    the generic tiering standard. `as_of` counts only amendments adopted by that date (None: every adopted
    amendment in the packs). Unknown facts that could change the outcome are returned as questions, with
    status `needs_information`; the tier is never lowered to guess around them.
    """
    ctx = rules.Context(profile=profile, packs=_by_regime(packs), as_of=as_of)
    classification = rules.classify(ctx)
    asking = classification.tier is not EuTier.PROHIBITED
    plan = rules.plan_obligations(ctx, classification)
    regimes = rules.assess_regimes(ctx, classification, ask=asking)
    tiering = standard or _default_standard()
    decision = decide_internal_tier(
        tiering,
        eu_tier=classification.tier.value,
        factors={factor.value for factor in rules.tier_factors(ctx, classification)},
    )
    missing = _unique([*classification.missing, *plan.missing, *regimes.missing])
    return TriageResult(
        system=SystemRef(id=system_id, name=profile.name),
        eu_ai_act=EuAiActFinding(
            tier=classification.tier,
            grounds=[*classification.grounds, *plan.grounds],
            transparency=list(classification.transparency.grounds),
            gpai=classification.gpai.finding,
            derogation_applied=classification.annex_iii.derogation_applied
            and classification.tier is not EuTier.HIGH,
            applies_from=rules.tier_applies_from(ctx, classification),
        ),
        other_regimes=list(regimes.findings),
        internal_tier=decision.tier.id,
        obligations=[*plan.obligations, *regimes.obligations],
        required_reviews=[
            RequiredReview(id=r.id, name=r.name, owner_queue=r.owner_queue, due_days=r.due_days)
            for r in decision.tier.required_reviews
        ],
        missing_information=missing,
        status=TriageStatus.NEEDS_INFORMATION if missing else TriageStatus.COMPLETE,
        knowledge_as_of=ctx.eu.as_of,
    )


def _by_regime(packs: Sequence[Pack] | None) -> dict[str, Pack]:
    found = {pack.regime_id: pack for pack in (packs if packs is not None else _default_packs())}
    if rules.EU_AI_ACT not in found:
        raise ValueError(f"triage needs the '{rules.EU_AI_ACT}' knowledge pack; got {sorted(found)}")
    return found


@cache
def _default_packs() -> tuple[Pack, ...]:
    return tuple(load_packs())


@cache
def _default_standard() -> TieringStandard:
    return load_tiering_standard()


def _unique(items: Iterable[MissingInformation]) -> list[MissingInformation]:
    """One question per field, the first asked."""
    seen: dict[str, MissingInformation] = {}
    for item in items:
        seen.setdefault(item.field, item)
    return list(seen.values())
