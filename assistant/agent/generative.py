"""The generative path: a tool-calling loop for chat models that call tools, and a grounded answer from
numbered passages for models that do not.

`run_llm_turn` is an explicit loop over `model.bind_tools(tools)`: the model answers or asks for tools; each
tool call runs and its result (or a structured error) goes back as a ToolMessage; the loop ends with the
model's answer or after `max_steps` model calls. Malformed arguments, unknown tools and tool exceptions
never escape: they become `{"error": {...}}` messages the model can recover from, and `ToolCallRecord`s
with ok=False. Any failure of the model itself raises `ModelUnavailable`, so the agent can fall back to
the offline mode and say so.

`generate_grounded_answer` prompts with numbered passages, generates, and guards the draft (guard.py).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    InvalidToolCall,
    SystemMessage,
    ToolCall,
    ToolMessage,
)
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.agent.guard import DEFAULT_CONTACT, Citable, GuardedAnswer, guard_answer
from assistant.agent.llm import ModelUnavailable, classify_unavailable, model_name
from assistant.agent.prompts import PASSAGE_CHARS, grounded_messages
from assistant.agent.schemas import ToolCallRecord
from knowledge.embedder import Embedder
from knowledge.retrieval import Passage

log = logging.getLogger(__name__)

MAX_STEPS = 6
# A tool result longer than this is cut before it goes back to the model (the full result stays in
# LLMTurn.outputs): a context window is finite and small local servers have small ones.
MAX_TOOL_RESULT_CHARS = 8000

ErrorType = Literal["invalid_arguments", "unknown_tool", "tool_error"]


class ToolFailure(BaseModel):
    """The structured error a failed tool call returns to the model."""

    type: ErrorType
    tool: str
    message: str = Field(description="One line saying what went wrong and how to fix it.")
    details: list[str] = Field(default_factory=list, description="For invalid arguments: one per field.")

    def as_content(self) -> str:
        """The ToolMessage content: a JSON object under `error`."""
        return json.dumps({"error": self.model_dump()}, ensure_ascii=False)


class LLMTurn(BaseModel):
    """What one model-driven turn produced."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    text: str = Field(description="The model's final reply (unguarded: guard it before showing it).")
    model: str = Field(description="The model's name.")
    tool_calls: list[ToolCallRecord] = Field(default_factory=list, description="In call order.")
    steps: int = Field(description="Model calls made.")
    stop_reason: Literal["answer", "max_steps"]
    passages: list[Passage] = Field(
        default_factory=list,
        description="Passages the tools returned (what the reply may cite), deduplicated.",
    )
    outputs: list[Any] = Field(
        default_factory=list, exclude=True, description="Raw results of the successful tool calls, in order."
    )


def invoke_model(model: Runnable[Any, Any], messages: Sequence[BaseMessage]) -> AIMessage:
    """Call the model; any failure of the model becomes ModelUnavailable with a one-line reason.

    Connection refused, timeouts, rejected keys and server errors are classified (`kind`); anything else
    the model raises (an unparsable response, a provider bug) is also ModelUnavailable: the agent cannot
    fix it in conversation, and the offline mode still can answer.
    """
    try:
        result = model.invoke(list(messages))
    except ModelUnavailable:
        raise
    except Exception as exc:
        unavailable = classify_unavailable(exc)
        if unavailable is None:
            log.warning("model call failed", exc_info=exc)
            unavailable = ModelUnavailable(f"the model failed ({type(exc).__name__}: {exc})", kind="error")
        raise unavailable from exc
    if not isinstance(result, AIMessage):
        raise ModelUnavailable(f"the model returned {type(result).__name__}, not a message", kind="error")
    return result


def _validation_details(exc: ValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in err['loc']) or 'arguments'}: {err['msg']}" for err in exc.errors()]


def _render(output: Any) -> str:
    """A tool result as text for the model: JSON for models and containers, the string itself for text."""
    if isinstance(output, str):
        text = output
    elif isinstance(output, BaseModel):
        text = output.model_dump_json()
    elif isinstance(output, list | tuple) and all(isinstance(item, BaseModel) for item in output):
        text = json.dumps([item.model_dump(mode="json") for item in output], ensure_ascii=False)
    else:
        text = json.dumps(output, ensure_ascii=False, default=str)
    if len(text) > MAX_TOOL_RESULT_CHARS:
        text = text[:MAX_TOOL_RESULT_CHARS] + " … [cut]"
    return text


def passages_in(output: Any) -> list[Passage]:
    """The retrieved passages in a tool result: a Passage, a list of them, or a model with such fields."""
    if isinstance(output, Passage):
        return [output]
    if isinstance(output, list | tuple):
        return [p for item in output for p in passages_in(item) if isinstance(item, Passage | BaseModel)]
    if isinstance(output, BaseModel):
        found: list[Passage] = []
        for name in type(output).model_fields:
            value = getattr(output, name, None)
            if isinstance(value, Passage) or (
                isinstance(value, list | tuple) and any(isinstance(v, Passage) for v in value)
            ):
                found.extend(passages_in(value))
        return found
    return []


def _run_tool(
    tools: dict[str, BaseTool], name: str, arguments: dict[str, Any]
) -> tuple[Any, ToolFailure | None]:
    """Run one tool call: its result, or the structured error to send back instead."""
    tool = tools.get(name)
    if tool is None:
        known = ", ".join(sorted(tools)) or "none"
        return None, ToolFailure(
            type="unknown_tool", tool=name, message=f"there is no tool {name!r}; the tools are: {known}"
        )
    try:
        output = tool.invoke(arguments)
    except ValidationError as exc:
        details = _validation_details(exc)
        return None, ToolFailure(
            type="invalid_arguments",
            tool=name,
            message=f"invalid arguments for {name}: {'; '.join(details)}",
            details=details,
        )
    except Exception as exc:  # a tool failure is reported to the model, never raised into the turn
        log.info("tool %s failed: %s", name, exc)
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return None, ToolFailure(type="tool_error", tool=name, message=f"{type(exc).__name__}: {first}")
    # Tools that handle their own errors (LangChain's handle_tool_error, the agent's tools) return them as
    # text starting with "error:"; that is a failed call too.
    if isinstance(output, str) and output.lstrip().lower().startswith("error:"):
        message = output.strip()[len("error:") :].strip() or "the tool failed"
        return None, ToolFailure(type="tool_error", tool=name, message=message.splitlines()[0])
    return output, None


def run_llm_turn(
    model: BaseChatModel,
    tools: Sequence[BaseTool],
    history: Sequence[BaseMessage],
    message: str,
    *,
    system_prompt: str,
    max_steps: int = MAX_STEPS,
) -> LLMTurn:
    """One user turn driven by a tool-calling model: call tools until the model answers.

    `history` is the thread so far (Human/AI messages, oldest first; no system message), `message` the
    user's new message. Each model call counts as a step; after `max_steps` calls without an answer the
    turn stops with stop_reason "max_steps" and the last text the model wrote (possibly empty). Raises
    ModelUnavailable when the model cannot be reached or fails, and ValueError for max_steps < 1.
    The reply is not guarded here: guard `text` against `passages` before showing it.
    """
    if max_steps < 1:
        raise ValueError(f"max_steps: expected at least 1, got {max_steps}")
    by_name = {tool.name: tool for tool in tools}
    try:
        bound: Runnable[Any, Any] = model.bind_tools(list(tools)) if tools else model
    except NotImplementedError as exc:
        raise ModelUnavailable(f"{model_name(model)} does not support tool calling", kind="error") from exc
    messages: list[BaseMessage] = [
        SystemMessage(content=system_prompt),
        *history,
        HumanMessage(content=message),
    ]
    records: list[ToolCallRecord] = []
    outputs: list[Any] = []
    passages: dict[str, Passage] = {}
    last_text = ""
    for step in range(1, max_steps + 1):
        reply = invoke_model(bound, messages)
        last_text = reply.text or last_text
        if not reply.tool_calls and not reply.invalid_tool_calls:
            return LLMTurn(
                text=reply.text,
                model=model_name(model),
                tool_calls=records,
                steps=step,
                stop_reason="answer",
                passages=list(passages.values()),
                outputs=outputs,
            )
        # Every call needs an id to answer it by; some servers leave it out.
        calls = [
            ToolCall(name=call["name"], args=call["args"], id=call.get("id") or f"call_{step}_{n}")
            for n, call in enumerate(reply.tool_calls)
        ]
        invalid = [
            InvalidToolCall(
                type="invalid_tool_call",
                name=call.get("name"),
                args=call.get("args"),
                id=call.get("id") or f"invalid_{step}_{n}",
                error=call.get("error"),
            )
            for n, call in enumerate(reply.invalid_tool_calls)
        ]
        messages.append(reply.model_copy(update={"tool_calls": calls, "invalid_tool_calls": invalid}))
        for bad in invalid:
            name = bad.get("name") or "unknown"
            error = ToolFailure(
                type="invalid_arguments",
                tool=name,
                message=f"the arguments for {name} are not valid JSON ({bad.get('error') or 'cannot parse'})",
            )
            records.append(ToolCallRecord(name=name, arguments={}, ok=False, error=error.message))
            messages.append(
                ToolMessage(content=error.as_content(), tool_call_id=str(bad["id"]), status="error")
            )
        for call in calls:
            output, failure = _run_tool(by_name, call["name"], call["args"])
            call_id = str(call["id"])
            if failure is not None:
                records.append(
                    ToolCallRecord(name=call["name"], arguments=call["args"], ok=False, error=failure.message)
                )
                messages.append(
                    ToolMessage(content=failure.as_content(), tool_call_id=call_id, status="error")
                )
                continue
            records.append(ToolCallRecord(name=call["name"], arguments=call["args"], ok=True))
            outputs.append(output)
            for passage in passages_in(output):
                passages.setdefault(passage.citation_id, passage)
            messages.append(ToolMessage(content=_render(output), tool_call_id=call_id, status="success"))
    return LLMTurn(
        text=last_text,
        model=model_name(model),
        tool_calls=records,
        steps=max_steps,
        stop_reason="max_steps",
        passages=list(passages.values()),
        outputs=outputs,
    )


def generate_grounded_answer(
    model: BaseChatModel,
    question: str,
    passages: Sequence[Citable],
    *,
    as_of: date | None = None,
    contact: str = DEFAULT_CONTACT,
    embedder: Embedder | None = None,
    max_passage_chars: int = PASSAGE_CHARS,
    plan: str | None = None,
) -> GuardedAnswer:
    """A cited answer written by `model` from the numbered `passages`, then guarded.

    For models without tool calling (the local GGUF models) and as the answer step after retrieval. With
    no passages it abstains without calling the model. Raises ModelUnavailable when the model fails.
    """
    if not passages:
        return guard_answer("", [], as_of=as_of, contact=contact)
    reply = invoke_model(model, grounded_messages(question, passages, max_chars=max_passage_chars, plan=plan))
    return guard_answer(reply.text, passages, as_of=as_of, contact=contact, embedder=embedder)
