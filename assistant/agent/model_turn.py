"""The LLM path of a question turn: a configured chat model answers through the knowledge tools, and the
guard keeps only what the retrieved passages support.

Only question turns go to the model. Triage, task filing and the inventory stay on the deterministic
path whatever the configuration, so no tier, task or record ever depends on a model; a model may phrase an
answer, and the guard holds each sentence to the passage it cites. A model without tool calling (the
local GGUF models) gets the passages the offline retrieval found and writes from those.
"""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from pydantic import BaseModel, Field

from assistant.agent.generative import generate_grounded_answer, run_llm_turn
from assistant.agent.guard import GuardedAnswer, PlanCheck, check_plan, guard_answer
from assistant.agent.llm import ModelUnavailable, model_name, supports_tool_calling
from assistant.agent.memory import Turn
from assistant.agent.prompts import agent_system_prompt
from assistant.agent.toolkit import (
    ANSWER_QUESTION,
    FIND_PAST_REVIEWS,
    SEARCH_KNOWLEDGE,
    SearchKnowledgeInput,
    ToolContext,
    filter_kinds,
    langchain_tools,
)
from assistant.lead import plan_brief, prepare_answer
from assistant.service import TOP_K
from knowledge.retrieval import SearchFilters

# Read-only knowledge tools: a question turn has no business filing tasks or recording assessments.
QUESTION_TOOLS = (SEARCH_KNOWLEDGE.name, ANSWER_QUESTION.name, FIND_PAST_REVIEWS.name)
# Recent messages of the thread the model sees (the summary of older ones is not sent).
HISTORY_MESSAGES = 8


class ModelAnswer(BaseModel):
    """A guarded model answer to one question."""

    model: str
    guarded: GuardedAnswer
    dropped: int = Field(description="Sentences of the draft the guard left out.")
    plan_check: PlanCheck | None = Field(
        default=None, description="Agreement with the structured verdict and figures, when there are some."
    )


def history_messages(turns: Sequence[Turn], *, user_id: str) -> list[BaseMessage]:
    """The thread's recent turns as chat messages. A reply is included only when it answered this same
    user, so a model never sees what a reader with other access was shown in a shared thread."""
    messages: list[BaseMessage] = []
    asker: str | None = None
    for turn in turns[-HISTORY_MESSAGES:]:
        if turn.role == "user":
            asker = turn.user_id
            messages.append(HumanMessage(turn.content))
        elif asker == user_id:
            messages.append(AIMessage(turn.content))
    return messages


def answer_with_model(
    model: BaseChatModel,
    ctx: ToolContext,
    question: str,
    *,
    history: Sequence[BaseMessage] = (),
    filters: SearchFilters | None = None,
) -> ModelAnswer:
    """Answer `question` with `model`; every retrieval reads as `ctx.user`, and the tool calls land in
    `ctx.calls`. Raises ModelUnavailable when the model cannot be reached or fails."""
    as_of = ctx.index.knowledge_as_of()
    contact = ctx.settings.escalation_contact
    # The same analysis and plan as the offline answer: the model is told the structured verdict and
    # fact, and the guard checks its draft agrees with them.
    prepared = prepare_answer(ctx.index, question, audience=ctx.user.audience, k=TOP_K, filters=filters)
    brief = plan_brief(prepared.plan)
    if supports_tool_calling(model):
        tools = [tool for tool in langchain_tools(ctx) if tool.name in QUESTION_TOOLS]
        turn = run_llm_turn(
            model,
            tools,
            history,
            question,
            system_prompt=agent_system_prompt(knowledge_as_of=as_of, user=ctx.user.display_name)
            + (f"\n- {brief}" if brief else ""),
        )
        # Calls of tools the turn does not offer never reach the registry; the record keeps them anyway.
        offered = {tool.name for tool in tools}
        ctx.calls.extend(call for call in turn.tool_calls if call.name not in offered)
        if turn.stop_reason == "max_steps" and not turn.text.strip():
            raise ModelUnavailable(f"{turn.model} gave no answer within {turn.steps} steps")
        guarded = guard_answer(
            turn.text, list(ctx.retrieved.values()), as_of=as_of, contact=contact, embedder=ctx.index.embedder
        )
        name = turn.model
    else:
        # The search stays a recorded tool call of the turn; the model reads the conditioned passages.
        found = SEARCH_KNOWLEDGE.call(
            ctx,
            lambda: (
                SearchKnowledgeInput(query=question)
                if filters is None
                else SearchKnowledgeInput(
                    query=question, sources=filters.sources, kinds=filter_kinds(filters)
                )
            ),
        )
        if not found.ok:
            raise ModelUnavailable(f"retrieval failed before the model was asked: {found.error}")
        ctx.remember(prepared.passages)
        guarded = generate_grounded_answer(
            model,
            question,
            [ctx.retrieved[p.citation_id] for p in prepared.passages if p.citation_id in ctx.retrieved],
            as_of=as_of,
            contact=contact,
            embedder=ctx.index.embedder,
            plan=brief,
        )
        name = model_name(model)
    check = check_plan(guarded, prepared.plan) if brief else None
    return ModelAnswer(model=name, guarded=guarded, dropped=len(guarded.dropped), plan_check=check)
