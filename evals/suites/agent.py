"""The agent suite: conversations through `Agent.respond`, one thread per case, scored per turn on the tool
calls (ragas ToolCallAccuracy and ToolCallF1 against the reference calls), the intent, the citations,
whether it answered, the tier of a triage, and whether a follow-up question was left pending."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from assistant.agent.schemas import AgentReply, UserContext
from evals.datasets import agent_cases
from evals.datasets.schema import AgentCase, AgentTurn, UserSpec
from evals.results import CaseResult, SuiteResult
from evals.scoring import any_hit, mean, tool_call_scores
from evals.suites import AGENT_MISSING, SuiteContext, excerpt, guarded


def select(cases: Sequence[AgentCase], ctx: SuiteContext) -> list[AgentCase]:
    """Every case, or the first few in fast mode."""
    return list(cases) if not ctx.fast else list(cases)[: ctx.config.fast_subset.agent_cases]


def user_context(spec: UserSpec) -> UserContext:
    """The dataset's user as the agent's UserContext."""
    return UserContext(user_id=spec.user_id, groups=frozenset(spec.groups), public_only=spec.public_only)


def reply_tier(reply: AgentReply) -> str | None:
    """The EU tier of the triage this reply carries, if any."""
    return reply.triage.eu_ai_act.tier.value if reply.triage is not None else None


def score_turn(turn: AgentTurn, reply: AgentReply) -> dict[str, float | None]:
    """One turn's scores (None where the turn sets no expectation)."""
    calls = [(c.name, dict(c.arguments)) for c in reply.tool_calls]
    accuracy, f1 = tool_call_scores(turn.message, calls, turn.expected_tool_calls)
    cited = [c.id for c in reply.citations]
    return {
        "tool_call_accuracy": accuracy,
        "tool_call_f1": f1,
        "intent_correct": None
        if turn.expected_intent is None
        else float(reply.intent == turn.expected_intent),
        "citation_hit": None
        if not turn.expected_citations
        else float(any_hit(cited, turn.expected_citations)),
        "grounded_correct": None
        if turn.expect_grounded is None
        else float(reply.grounded == turn.expect_grounded),
        "tier_correct": None
        if turn.expected_tier is None
        else float(reply_tier(reply) == turn.expected_tier.value),
        "pending_correct": None
        if turn.expect_pending_question is None
        else float((reply.pending_question is not None) == turn.expect_pending_question),
    }


def run_case(case: AgentCase, ctx: SuiteContext) -> CaseResult:
    """Play the conversation, then score each turn and average over turns."""
    agent = ctx.agent()
    if agent is None:
        return CaseResult(
            suite="agent", case_id=case.id, category=case.category, status="skipped", note=AGENT_MISSING
        )
    user = user_context(case.user)
    thread = ctx.thread_id(case.id)
    turns = []
    per_turn: list[dict[str, float | None]] = []
    for turn in case.turns:
        reply = agent.respond(thread_id=thread, message=turn.message, user=user)
        scores = score_turn(turn, reply)
        per_turn.append(scores)
        turns.append(
            {
                "message": turn.message,
                "intent": reply.intent,
                "tool_calls": [
                    {"name": c.name, "arguments": c.arguments, "ok": c.ok} for c in reply.tool_calls
                ],
                "expected_tool_calls": [c.model_dump(mode="json") for c in turn.expected_tool_calls],
                "cited": [c.id for c in reply.citations],
                "tier": reply_tier(reply),
                "answer": excerpt(reply.answer, 240),
            }
        )
    names = per_turn[0].keys()
    scores = {name: mean([t[name] for t in per_turn]) for name in names}
    passed = all(v is None or v == 1.0 for t in per_turn for v in t.values())
    return CaseResult(
        suite="agent",
        case_id=case.id,
        category=case.category,
        status="passed" if passed else "failed",
        scores=scores,
        detail={"turns": turns},
    )


def summarise(
    results: list[CaseResult],
) -> tuple[dict[str, float | None], dict[str, dict[str, float | None]]]:
    """Suite metrics and per-category metrics."""
    done = [r for r in results if r.status != "skipped"]

    def metrics(rows: list[CaseResult]) -> dict[str, float | None]:
        out = {
            name: mean([r.scores.get(name) for r in rows])
            for name in (
                "tool_call_accuracy",
                "tool_call_f1",
                "intent_correct",
                "citation_hit",
                "grounded_correct",
                "tier_correct",
                "pending_correct",
            )
        }
        out["pass_rate"] = sum(r.status == "passed" for r in rows) / len(rows) if rows else None
        out["cases"] = float(len(rows))
        return out

    by_category: dict[str, list[CaseResult]] = defaultdict(list)
    for r in done:
        by_category[r.category].append(r)
    return metrics(done), {name: metrics(rows) for name, rows in sorted(by_category.items())}


def run(ctx: SuiteContext) -> SuiteResult:
    """Run the (selected) conversations."""
    results = []
    for case in select(agent_cases(), ctx):
        results.append(guarded("agent", case.id, case.category, run_case, case, ctx))
        ctx.advance()
    metrics, categories = summarise(results)
    notes = [f"every case skipped: {AGENT_MISSING}"] if results and results[0].status == "skipped" else []
    return SuiteResult(suite="agent", cases=results, metrics=metrics, notes=notes, categories=categories)


def count(ctx: SuiteContext) -> int:
    """How many cases `run` will take."""
    return len(select(agent_cases(), ctx))
