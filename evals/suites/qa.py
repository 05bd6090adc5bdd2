"""The QA suite: questions through `Assistant.ask` (follow-ups through the agent, in one thread), scored on
citation ids (ragas id-based precision and recall, paragraph level), key facts, similarity to the
reference answer (ragas SemanticSimilarity), whether it answered or declined as it should, and, for the
lead-scored cases, on the lead: the verdict, figure or decision before the first blank line and the first
citation from the right source, reported for the packs, the sample organisation, the second organisation
tuned on and the held-out one.

Cases about a fixture organisation (Kestrel Health Analytics, tuned on; Halyard Freight Group, held out)
are asked in a workspace of its own (packs + its documents, no sample organisation); they are not in the
fast subset, and the suite's calibrated figures and thresholds leave them out (their figures are reported
beside)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from assistant.agent.schemas import UserContext
from assistant.schemas import Answer
from evals.datasets import FIXTURE_ORGANISATIONS, qa_cases
from evals.datasets.schema import HELD_OUT_ORGANISATION, LEAD_GROUPS, QACase
from evals.results import CaseResult, SuiteResult
from evals.scoring import (
    abstention_metrics,
    any_hit,
    context_scores,
    key_fact_recall,
    lead_of,
    lead_score,
    mean,
)
from evals.suites import AGENT_MISSING, SuiteContext, excerpt, guarded
from knowledge.access import Audience

ORGANISATION_MISSING = "the fixture organisation's workspace is not open in this run"


def select(cases: Sequence[QACase], ctx: SuiteContext) -> list[QACase]:
    """Every case, or the fast subset: the first few per regime, follow-ups and declines."""
    if not ctx.fast:
        return list(cases)
    subset = ctx.config.fast_subset
    taken: dict[str, int] = defaultdict(int)
    chosen = []
    for case in cases:
        if case.regime in FIXTURE_ORGANISATIONS:
            continue  # another workspace to build: the full run measures it, make test stays fast
        group = category_of(case)
        limit = {"follow_up": subset.qa_follow_ups, "decline": subset.qa_declines}.get(
            case.kind, subset.qa_per_regime
        )
        if taken[group] < limit:
            taken[group] += 1
            chosen.append(case)
    return chosen


def _ask(case: QACase, ctx: SuiteContext) -> Answer | None:
    """The answer, or None when a follow-up needs the agent and there is none, or a fixture
    organisation's case has no workspace for it."""
    if case.regime in FIXTURE_ORGANISATIONS:
        workspace = ctx.organisation(case.regime)
        return None if workspace is None else workspace.assistant.ask(case.question, audience=Audience())
    if case.previous is None:
        return ctx.workspace.assistant.ask(case.question, audience=Audience())
    agent = ctx.agent()
    if agent is None:
        return None
    user = UserContext(user_id="eval-qa")
    thread = ctx.thread_id(case.id)
    agent.respond(thread_id=thread, message=case.previous, user=user)
    return agent.respond(thread_id=thread, message=case.question, user=user)


def category_of(case: QACase) -> str:
    """The report's category: the regime of an answer case, else `follow_up` or `decline`."""
    return case.regime if case.kind == "answer" else case.kind


def run_case(case: QACase, ctx: SuiteContext) -> CaseResult:
    """Ask, then score."""
    category = category_of(case)
    answer = _ask(case, ctx)
    if answer is None:
        missing = ORGANISATION_MISSING if case.regime in FIXTURE_ORGANISATIONS else AGENT_MISSING
        return CaseResult(suite="qa", case_id=case.id, category=category, status="skipped", note=missing)
    text, grounded, cited = answer.answer, answer.grounded, [c.id for c in answer.citations]
    scores: dict[str, float | None] = {"answered": float(grounded)}
    if case.should_answer:
        precision, recall = context_scores(cited, case.expected_citations)
        hit = any_hit(cited, case.expected_citations)
        scores |= {
            "context_precision": precision,
            "context_recall": recall,
            "citation_hit": float(hit),
            "key_fact_recall": key_fact_recall(text, case.key_facts) if grounded else 0.0,
            "answer_similarity": ctx.similarity().score(case.reference_answer, text) if grounded else 0.0,
        }
        passed = grounded and hit
        if case.lead is not None:
            lead = lead_score(text, cited, case.lead) if grounded else None
            scores |= {
                "lead_correct": float(lead.correct) if lead else 0.0,
                "lead_source": float(lead.source) if lead else 0.0,
                "lead_content": lead.content if lead else 0.0,
                "lead_verdict": None if lead is None or lead.verdict is None else float(lead.verdict),
            }
    else:
        passed = not grounded
    return CaseResult(
        suite="qa",
        case_id=case.id,
        category=category,
        status="passed" if passed else "failed",
        scores=scores,
        detail={
            "question": case.question,
            "previous": case.previous,
            "expected": case.expected_citations,
            "cited": cited,
            "answer": excerpt(text),
            "reference_answer": case.reference_answer,
            "contexts": [c.snippet for c in answer.citations],
            "lead": excerpt(lead_of(text)) if case.lead is not None else None,
            "lead_group": case.lead_group if case.lead is not None else None,
        },
    )


def summarise(
    results: list[CaseResult],
) -> tuple[dict[str, float | None], dict[str, dict[str, float | None]]]:
    """Suite metrics (the fixture organisations' beside them, see below), and the same per category."""
    done = [r for r in results if r.status != "skipped"]

    def metrics(rows: list[CaseResult]) -> dict[str, float | None]:
        answerable = [r for r in rows if r.category != "decline"]
        out = {
            name: mean([r.scores.get(name) for r in answerable])
            for name in ("context_precision", "context_recall", "citation_hit", "key_fact_recall")
        }
        out["answer_similarity"] = mean([r.scores.get("answer_similarity") for r in answerable])
        out["pass_rate"] = sum(r.status == "passed" for r in rows) / len(rows) if rows else None
        out["cases"] = float(len(rows))
        led = [r for r in rows if "lead_correct" in r.scores]
        if led:
            for name in ("lead_correct", "lead_source", "lead_content", "lead_verdict"):
                out[name] = mean([r.scores.get(name) for r in led])
            out["lead_cases"] = float(len(led))
        return out

    # The suite's figures and thresholds are over the cases they were calibrated on (the packs, the
    # sample organisation, follow-ups and declines); each fixture organisation is reported beside them,
    # so its figures can be compared without being folded into (or tuned through) the thresholds.
    calibrated = [r for r in done if r.category not in FIXTURE_ORGANISATIONS]
    suite = metrics(calibrated)
    suite |= abstention_metrics(
        [r.category != "decline" for r in calibrated], [bool(r.scores.get("answered")) for r in calibrated]
    )
    for name in FIXTURE_ORGANISATIONS:
        rows = [r for r in done if r.category == name]
        suite["cases_held_out" if name == HELD_OUT_ORGANISATION else f"cases_{name}"] = float(len(rows))
        if rows:
            suite[f"citation_hit_{name}"] = mean([r.scores.get("citation_hit") for r in rows])
            suite[f"answer_rate_{name}"] = mean([r.scores.get("answered") for r in rows])
    follow = [r for r in done if r.category == "follow_up"]
    suite["follow_up_hit_rate"] = mean([r.scores.get("citation_hit") for r in follow])
    # The lead figure for the law and for each organisation, side by side, and overall.
    led_all = [r for r in done if "lead_correct" in r.scores]
    suite["lead_correct_all"] = mean([r.scores["lead_correct"] for r in led_all])
    for group in LEAD_GROUPS:
        led = [r for r in done if r.detail.get("lead_group") == group and "lead_correct" in r.scores]
        suite[f"lead_correct_{group}"] = mean([r.scores["lead_correct"] for r in led])
        suite[f"lead_cases_{group}"] = float(len(led))
    by_category: dict[str, list[CaseResult]] = defaultdict(list)
    for r in done:
        by_category[r.category].append(r)
    return suite, {name: metrics(rows) for name, rows in sorted(by_category.items())}


def run(ctx: SuiteContext) -> SuiteResult:
    """Run the (selected) QA cases."""
    results = []
    for case in select(qa_cases(), ctx):
        results.append(
            guarded(
                "qa",
                case.id,
                category_of(case),
                run_case,
                case,
                ctx,
            )
        )
        ctx.advance()
    metrics, categories = summarise(results)
    notes = []
    for reason in (AGENT_MISSING, ORGANISATION_MISSING):
        skipped = sum(r.status == "skipped" and r.note == reason for r in results)
        if skipped:
            notes.append(f"{skipped} case(s) skipped: {reason}")
    return SuiteResult(suite="qa", cases=results, metrics=metrics, notes=notes, categories=categories)


def count(ctx: SuiteContext) -> int:
    """How many cases `run` will take (for the progress bar)."""
    return len(select(qa_cases(), ctx))
