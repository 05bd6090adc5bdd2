"""The triage suite: profiles through `assistant.triage.run_triage`, descriptions through
`assistant.triage.describe` first (nothing recorded), scored on the tier, dangerous downgrades, grounds
(ragas id-based precision and recall), obligations, other regimes, status and internal tier.

A dangerous downgrade is a result less severe than expected while the triage says it is complete: the
system was classified lower without a question that could still raise it. A lower tier that comes with
open questions is counted apart (`lower_tier_pending`): the rules keep asking rather than guess.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from assistant.triage import describe, run_triage
from evals.datasets import triage_cases
from evals.datasets.schema import TriageCase
from evals.results import CaseResult, SuiteResult
from evals.scoring import context_scores, mean, severity
from evals.suites import SuiteContext, guarded
from knowledge.access import Audience
from tools.triage.schemas import TriageResult, TriageStatus

ACTOR = "govassist-eval"


def select(cases: Sequence[TriageCase], ctx: SuiteContext) -> list[TriageCase]:
    """Every case, or the fast subset: every profile and the first few descriptions."""
    if not ctx.fast:
        return list(cases)
    texts = [c for c in cases if c.input == "text"][: ctx.config.fast_subset.triage_text]
    return [c for c in cases if c.input == "profile" or c in texts]


def result_for(case: TriageCase, ctx: SuiteContext) -> TriageResult:
    """Triage the case's profile or description without recording it."""
    ws = ctx.workspace
    index = ws.assistant.index
    if case.profile is not None:
        outcome = run_triage(index, ws.settings, case.profile, actor=ACTOR, record=False, audience=Audience())
    else:
        assert case.text is not None  # the schema guarantees a profile or a text
        extracted = describe(case.text, name=case.name, index=index)
        outcome = run_triage(
            index,
            ws.settings,
            extracted.profile,
            actor=ACTOR,
            record=False,
            audience=Audience(),
            extracted=extracted,
        )
    return outcome.result


def ground_ids(result: TriageResult) -> list[str]:
    """Every citation the result gives as a ground: EU AI Act, transparency, GPAI, other regimes."""
    eu = result.eu_ai_act
    ids = [g.citation for g in eu.grounds] + [g.citation for g in eu.transparency]
    if eu.gpai is not None:
        ids += [g.citation for g in eu.gpai.grounds]
    for finding in result.other_regimes:
        ids += [g.citation for g in finding.grounds]
    return list(dict.fromkeys(ids))


def _share(expected: Sequence[str], got: set[str]) -> float | None:
    return sum(1 for e in expected if e in got) / len(expected) if expected else None


def run_case(case: TriageCase, ctx: SuiteContext) -> CaseResult:
    """Triage, then score."""
    result = result_for(case, ctx)
    tier = result.eu_ai_act.tier
    gap = severity(case.expected_tier) - severity(tier)
    complete = result.status is TriageStatus.COMPLETE
    grounds = ground_ids(result)
    precision, recall = context_scores(grounds, case.expected_grounds)
    obligations = {o.citation for o in result.obligations}
    applying = {f.regime for f in result.other_regimes if f.applies}
    scores: dict[str, float | None] = {
        "tier_correct": float(tier == case.expected_tier),
        "dangerous_downgrade": float(gap > 0 and complete),
        "lower_tier_pending": float(gap > 0 and not complete),
        "over_classified": float(gap < 0),
        "grounds_precision": precision,
        "grounds_recall": recall,
        "obligations_recall": _share(case.expected_obligations, obligations),
        "regimes_recall": _share(case.expected_regimes, applying),
        "status_correct": None
        if case.expected_status is None
        else float(result.status == case.expected_status),
        "internal_tier_correct": None
        if case.expected_internal_tier is None
        else float(result.internal_tier == case.expected_internal_tier),
    }
    checks = [scores["tier_correct"], scores["grounds_recall"], scores["obligations_recall"]]
    checks += [scores["regimes_recall"], scores["status_correct"], scores["internal_tier_correct"]]
    passed = all(v is None or v == 1.0 for v in checks)
    return CaseResult(
        suite="triage",
        case_id=case.id,
        category=f"{case.input}:{case.expected_tier.value}",
        status="passed" if passed else "failed",
        scores=scores,
        detail={
            "input": case.text or (case.profile.name if case.profile else ""),
            "expected_tier": case.expected_tier.value,
            "tier": tier.value,
            "status": result.status,
            "internal_tier": result.internal_tier,
            "missing_grounds": [g for g in case.expected_grounds if g not in grounds],
            "missing_obligations": [o for o in case.expected_obligations if o not in obligations],
            "questions": [m.field for m in result.missing_information],
        },
    )


def summarise(
    results: list[CaseResult],
) -> tuple[dict[str, float | None], dict[str, dict[str, float | None]]]:
    """Suite metrics and per-category metrics."""

    def metrics(rows: list[CaseResult]) -> dict[str, float | None]:
        def avg(name: str) -> float | None:
            return mean([r.scores.get(name) for r in rows])

        def total(name: str) -> float:
            return float(sum(r.scores.get(name) or 0.0 for r in rows))

        return {
            "tier_accuracy": avg("tier_correct"),
            "dangerous_downgrades": total("dangerous_downgrade"),
            "lower_tier_pending": total("lower_tier_pending"),
            "over_classified": total("over_classified"),
            "grounds_recall": avg("grounds_recall"),
            "grounds_precision": avg("grounds_precision"),
            "obligations_recall": avg("obligations_recall"),
            "regimes_recall": avg("regimes_recall"),
            "status_accuracy": avg("status_correct"),
            "internal_tier_accuracy": avg("internal_tier_correct"),
            "pass_rate": sum(r.status == "passed" for r in rows) / len(rows) if rows else None,
            "cases": float(len(rows)),
        }

    suite = metrics(results)
    for kind in ("profile", "text"):
        suite[f"tier_accuracy_{kind}"] = mean(
            [r.scores.get("tier_correct") for r in results if r.category.startswith(kind + ":")]
        )
    by_category: dict[str, list[CaseResult]] = defaultdict(list)
    for r in results:
        by_category[r.category].append(r)
    return suite, {name: metrics(rows) for name, rows in sorted(by_category.items())}


def run(ctx: SuiteContext) -> SuiteResult:
    """Run the (selected) triage cases."""
    results = []
    for case in select(triage_cases(), ctx):
        results.append(
            guarded(
                "triage",
                case.id,
                f"{case.input}:{case.expected_tier.value}",
                run_case,
                case,
                ctx,
            )
        )
        ctx.advance()
    metrics, categories = summarise(results)
    return SuiteResult(suite="triage", cases=results, metrics=metrics, categories=categories)


def count(ctx: SuiteContext) -> int:
    """How many cases `run` will take."""
    return len(select(triage_cases(), ctx))
