"""What changed between two assessments of a system: tiers, status, grounds, obligations, regimes, reviews
and profile fields."""

from __future__ import annotations

from tools.inventory.models import AssessmentDiff, AssessmentPublic, TierChange
from tools.triage.schemas import Ground, TriageResult


def diff_assessments(old: AssessmentPublic, new: AssessmentPublic) -> AssessmentDiff:
    """What changed from `old` to `new`: tiers, status, grounds, obligations, regimes, reviews, profile."""
    before, after = old.result, new.result
    grounds_before, grounds_after = _grounds(before), _grounds(after)
    obligations_before = {(o.id, o.citation): o for o in before.obligations}
    obligations_after = {(o.id, o.citation): o for o in after.obligations}
    regimes_before = {r.regime for r in before.other_regimes if r.applies}
    regimes_after = {r.regime for r in after.other_regimes if r.applies}
    reviews_before = {r.id for r in before.required_reviews}
    reviews_after = {r.id for r in after.required_reviews}
    profile_before, profile_after = old.profile.model_dump(mode="json"), new.profile.model_dump(mode="json")
    return AssessmentDiff(
        system_id=new.system_id,
        from_version=old.version,
        to_version=new.version,
        eu_tier=_change(old.eu_tier, new.eu_tier),
        internal_tier=_change(old.internal_tier, new.internal_tier),
        status=_change(old.status, new.status),
        grounds_added=[g for c, g in grounds_after.items() if c not in grounds_before],
        grounds_removed=[g for c, g in grounds_before.items() if c not in grounds_after],
        obligations_added=[o for k, o in obligations_after.items() if k not in obligations_before],
        obligations_removed=[o for k, o in obligations_before.items() if k not in obligations_after],
        regimes_added=sorted(regimes_after - regimes_before),
        regimes_removed=sorted(regimes_before - regimes_after),
        reviews_added=sorted(reviews_after - reviews_before),
        reviews_removed=sorted(reviews_before - reviews_after),
        profile_fields_changed=sorted(
            k
            for k in profile_before.keys() | profile_after.keys()
            if profile_before.get(k) != profile_after.get(k)
        ),
    )


def _grounds(result: TriageResult) -> dict[str, Ground]:
    finding = result.eu_ai_act
    found: dict[str, Ground] = {}
    for ground in (*finding.grounds, *finding.transparency, *(finding.gpai.grounds if finding.gpai else ())):
        found.setdefault(ground.citation, ground)
    return found


def _change(before: str, after: str) -> TierChange | None:
    return TierChange(before=before, after=after) if before != after else None
