"""The QA suite: questions through `Assistant.ask` (follow-ups through the agent, in one thread), scored on
citation ids (ragas id-based precision and recall, paragraph level), key facts, similarity to the
reference answer (ragas SemanticSimilarity), and whether it answered or declined as it should."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from assistant.agent.schemas import UserContext
from assistant.schemas import Answer
from evals.datasets import qa_cases
from evals.datasets.schema import QACase
from evals.results import CaseResult, SuiteResult
from evals.scoring import abstention_metrics, any_hit, context_scores, key_fact_recall, mean
from evals.suites import AGENT_MISSING, SuiteContext, excerpt, guarded
from knowledge.access import Audience


def select(cases: Sequence[QACase], ctx: SuiteContext) -> list[QACase]:
    """Every case, or the fast subset: the first few per regime, follow-ups and declines."""
    if not ctx.fast:
        return list(cases)
    subset = ctx.config.fast_subset
    taken: dict[str, int] = defaultdict(int)
    chosen = []
    for case in cases:
        group = category_of(case)
        limit = {"follow_up": subset.qa_follow_ups, "decline": subset.qa_declines}.get(
            case.kind, subset.qa_per_regime
        )
        if taken[group] < limit:
            taken[group] += 1
            chosen.append(case)
    return chosen


def _ask(case: QACase, ctx: SuiteContext) -> Answer | None:
    """The answer, or None when a follow-up needs the agent and there is none."""
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
        return CaseResult(
            suite="qa", case_id=case.id, category=category, status="skipped", note=AGENT_MISSING
        )
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
        },
    )


def summarise(
    results: list[CaseResult],
) -> tuple[dict[str, float | None], dict[str, dict[str, float | None]]]:
    """Suite metrics, and the same per category."""
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
        return out

    suite = metrics(done)
    suite |= abstention_metrics(
        [r.category != "decline" for r in done], [bool(r.scores.get("answered")) for r in done]
    )
    follow = [r for r in done if r.category == "follow_up"]
    suite["follow_up_hit_rate"] = mean([r.scores.get("citation_hit") for r in follow])
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
    skipped = sum(r.status == "skipped" for r in results)
    if skipped:
        notes.append(f"{skipped} follow-up case(s) skipped: {AGENT_MISSING}")
    return SuiteResult(suite="qa", cases=results, metrics=metrics, notes=notes, categories=categories)


def count(ctx: SuiteContext) -> int:
    """How many cases `run` will take (for the progress bar)."""
    return len(select(qa_cases(), ctx))
