"""The agent's tool registry: each tool's name, description (shown to a model), typed input and output,
and its function; calling a tool with typed arguments, running one a model named, and the LangChain
adapter.

Every call, typed or by name, is recorded in `ctx.calls` and never raises: bad arguments, domain errors
and unexpected failures all come back as a `ToolResult` with a one-line error the conversation can recover
from. The agent's dialogues call a tool through its constant (`TRIAGE_SYSTEM.call(ctx, args)`) and read
its typed output; only a language model's tool calls go through `run_tool(ctx, name, arguments)`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import to_jsonable_python

from assistant.agent.schemas import ToolCallRecord
from assistant.agent.toolkit.context import ToolContext, ToolError
from assistant.agent.toolkit.inventory import (
    FileReviewTasksInput,
    FileReviewTasksOutput,
    FindPastReviewsInput,
    FindPastReviewsOutput,
    ListSystemsInput,
    ListSystemsOutput,
    ListTasksInput,
    ListTasksOutput,
    file_review_tasks,
    find_past_reviews,
    list_systems,
    list_tasks,
)
from assistant.agent.toolkit.knowledge import (
    AnswerQuestionInput,
    AnswerQuestionOutput,
    SearchKnowledgeInput,
    SearchKnowledgeOutput,
    answer_question,
    search_knowledge,
)
from assistant.agent.toolkit.training import (
    AnswerTrainingQuestionInput,
    AnswerTrainingQuestionOutput,
    NextTrainingQuestionInput,
    NextTrainingQuestionOutput,
    StartTrainingInput,
    StartTrainingOutput,
    TrainingTopicsInput,
    TrainingTopicsOutput,
    answer_training_question,
    next_training_question,
    start_training,
    training_topics,
)
from assistant.agent.toolkit.triage import TriageSystemInput, TriageSystemOutput, triage_system
from assistant.service import QuestionError
from tools.tasks import TaskError

if TYPE_CHECKING:
    from langchain_core.tools import BaseTool

log = logging.getLogger(__name__)

In = TypeVar("In", bound=BaseModel)
Out = TypeVar("Out", bound=BaseModel)
# What a tool may raise that is the caller's to hear about (anything else is logged as a failure).
EXPECTED_ERRORS = (ToolError, QuestionError, TaskError, ValueError, LookupError)


@dataclass
class ToolResult(Generic[Out]):
    """What a tool call came to: its typed output, or a one-line error the conversation can recover from."""

    name: str
    arguments: dict[str, Any]
    ok: bool
    output: Out | None = None
    error: str | None = None

    def text(self) -> str:
        """The result as a model reads it: the output as JSON, or `error: ...`."""
        if self.ok and self.output is not None:
            return self.output.model_dump_json()
        return f"error: {self.error}"

    def record(self) -> ToolCallRecord:
        """The record of this call for the reply and the audit log."""
        return ToolCallRecord(name=self.name, arguments=self.arguments, ok=self.ok, error=self.error)


@dataclass(frozen=True)
class Tool(Generic[In, Out]):
    """One tool: its name, what it is for (shown to a model), its models and its function."""

    name: str
    description: str
    input_model: type[In]
    output_model: type[Out]
    function: Callable[[ToolContext, In], Out]

    def call(self, ctx: ToolContext, args: In | Callable[[], In]) -> ToolResult[Out]:
        """Run the tool with typed arguments and record the call. `args` may be a function building them
        from what the user said: its validation error (a name too long, say) becomes the result's error,
        as a model's malformed arguments do."""
        if isinstance(args, BaseModel):
            model = args
        else:
            try:
                model = args()
            except ValidationError as exc:
                return _recorded(ctx, self._invalid({}, exc))
        return _recorded(ctx, self._run(ctx, model, model.model_dump(mode="json", exclude_unset=True)))

    def _invalid(self, arguments: dict[str, Any], exc: ValidationError) -> ToolResult[Out]:
        error = _one_line(f"{self.name}: invalid arguments: {validation_message(exc)}")
        return ToolResult(name=self.name, arguments=arguments, ok=False, error=error)

    def _run(self, ctx: ToolContext, args: In, arguments: dict[str, Any]) -> ToolResult[Out]:
        name = self.name
        try:
            output = self.function(ctx, args)
        except EXPECTED_ERRORS as exc:
            return ToolResult(name=name, arguments=arguments, ok=False, error=_one_line(f"{name}: {exc}"))
        except Exception as exc:  # a tool failure must come back as a message, never a traceback
            log.exception("tool %s failed", name)
            error = _one_line(f"{name} failed: {type(exc).__name__}: {exc}")
            return ToolResult(name=name, arguments=arguments, ok=False, error=error)
        return ToolResult(name=name, arguments=arguments, ok=True, output=output)

    def run_raw(
        self, ctx: ToolContext, raw_args: dict[str, Any], arguments: dict[str, Any]
    ) -> ToolResult[Out]:
        """Validate a model's raw arguments and run the tool (not recorded: `run_tool` records)."""
        try:
            args = self.input_model.model_validate(raw_args)
        except ValidationError as exc:
            return self._invalid(arguments, exc)
        return self._run(ctx, args, arguments)


def _recorded(ctx: ToolContext, result: ToolResult[Out]) -> ToolResult[Out]:
    ctx.calls.append(result.record())
    return result


def present(**fields: Any) -> dict[str, Any]:
    """The fields that have a value: optional arguments left out rather than passed as None, so a tool's
    defaults apply and the recorded call shows only what was given."""
    return {key: value for key, value in fields.items() if value is not None}


SEARCH_KNOWLEDGE: Tool[SearchKnowledgeInput, SearchKnowledgeOutput] = Tool(
    "search_knowledge",
    "Search regulations, internal policies and past reviews; returns citable passages with their "
    "citation ids. Only documents the user may read are searched.",
    SearchKnowledgeInput,
    SearchKnowledgeOutput,
    search_knowledge,
)

ANSWER_QUESTION: Tool[AnswerQuestionInput, AnswerQuestionOutput] = Tool(
    "answer_question",
    "Answer an AI-governance question with citations (or abstain and name whom to ask). Pass a "
    "self-contained question.",
    AnswerQuestionInput,
    AnswerQuestionOutput,
    answer_question,
)

TRIAGE_SYSTEM: Tool[TriageSystemInput, TriageSystemOutput] = Tool(
    "triage_system",
    "Classify an AI system under the EU AI Act and other regimes. Give a description to start, or "
    "the previous result's profile and uncertain fields plus answers to its missing questions. "
    "Deterministic rules decide the tier; returns the tier, grounds, obligations and open questions.",
    TriageSystemInput,
    TriageSystemOutput,
    triage_system,
)

FILE_REVIEW_TASKS: Tool[FileReviewTasksInput, FileReviewTasksOutput] = Tool(
    "file_review_tasks",
    "File the review tasks a system's latest assessment requires. Only when the user asks for it.",
    FileReviewTasksInput,
    FileReviewTasksOutput,
    file_review_tasks,
)

FIND_PAST_REVIEWS: Tool[FindPastReviewsInput, FindPastReviewsOutput] = Tool(
    "find_past_reviews",
    "What happened to past reviews: a named system's reviews and their decisions, and similar "
    "past reviews from the knowledge base.",
    FindPastReviewsInput,
    FindPastReviewsOutput,
    find_past_reviews,
)

LIST_SYSTEMS: Tool[ListSystemsInput, ListSystemsOutput] = Tool(
    "list_systems",
    "List the AI systems in the inventory with their latest EU and internal tiers.",
    ListSystemsInput,
    ListSystemsOutput,
    list_systems,
)

LIST_TASKS: Tool[ListTasksInput, ListTasksOutput] = Tool(
    "list_tasks",
    "List review tasks, optionally by status, system or owner queue.",
    ListTasksInput,
    ListTasksOutput,
    list_tasks,
)

TRAINING_TOPICS: Tool[TrainingTopicsInput, TrainingTopicsOutput] = Tool(
    "training_topics",
    "List the training topics (quizzes) with how many questions each offers here.",
    TrainingTopicsInput,
    TrainingTopicsOutput,
    training_topics,
)

START_TRAINING: Tool[StartTrainingInput, StartTrainingOutput] = Tool(
    "start_training",
    "Start a training session (a quiz) on a topic for named people, the thread's channel, or the "
    "requester. Only when the user asks for it.",
    StartTrainingInput,
    StartTrainingOutput,
    start_training,
)

NEXT_TRAINING_QUESTION: Tool[NextTrainingQuestionInput, NextTrainingQuestionOutput] = Tool(
    "next_training_question",
    "The user's next unanswered question of a training session.",
    NextTrainingQuestionInput,
    NextTrainingQuestionOutput,
    next_training_question,
)

ANSWER_TRAINING_QUESTION: Tool[AnswerTrainingQuestionInput, AnswerTrainingQuestionOutput] = Tool(
    "answer_training_question",
    "Record the user's answer to a training question; returns right or wrong with the cited "
    "explanation. Only with the user's own answer.",
    AnswerTrainingQuestionInput,
    AnswerTrainingQuestionOutput,
    answer_training_question,
)


TOOLS: dict[str, Tool[Any, Any]] = {
    tool.name: tool
    for tool in (
        SEARCH_KNOWLEDGE,
        ANSWER_QUESTION,
        TRIAGE_SYSTEM,
        FILE_REVIEW_TASKS,
        FIND_PAST_REVIEWS,
        LIST_SYSTEMS,
        LIST_TASKS,
        TRAINING_TOPICS,
        START_TRAINING,
        NEXT_TRAINING_QUESTION,
        ANSWER_TRAINING_QUESTION,
    )
}


def validation_message(exc: ValidationError) -> str:
    """Pydantic errors as one line naming each field: 'query: String should have at least 1 character'."""
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "arguments"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())[:500]


def _plain(raw: Any) -> dict[str, Any]:
    """The arguments as plain JSON data, for the record (whatever the caller passed)."""
    if not isinstance(raw, dict):
        return {"_raw": _one_line(repr(raw))}
    plain = to_jsonable_python(raw, fallback=repr)
    return plain if isinstance(plain, dict) else {"_raw": _one_line(repr(raw))}


def run_tool(ctx: ToolContext, name: str, raw_args: dict[str, Any] | None) -> ToolResult[Any]:
    """Run the tool a language model named with the arguments it wrote: validate them, run the tool, and
    return its output or a structured error. Never raises (except KeyboardInterrupt and the like): the
    turn always has something to answer with. The agent's own calls use `Tool.call` instead."""
    arguments = _plain(raw_args if raw_args is not None else {})
    result: ToolResult[Any]
    tool = TOOLS.get(name)
    if tool is None:
        error = f"unknown tool {name!r}; the tools are: {', '.join(TOOLS)}"
        result = ToolResult(name=name, arguments=arguments, ok=False, error=error)
    elif raw_args is not None and not isinstance(raw_args, dict):
        error = f"{name}: arguments must be an object of named fields, got {type(raw_args).__name__}"
        result = ToolResult(name=name, arguments=arguments, ok=False, error=error)
    else:
        result = tool.run_raw(ctx, raw_args or {}, arguments)
    return _recorded(ctx, result)


def langchain_tools(ctx: ToolContext) -> list[BaseTool]:
    """The tools as LangChain `StructuredTool`s bound to `ctx`: the args schema is the input model, the
    result is the output as JSON text, and every failure (malformed arguments included) comes back as
    `error: ...` text instead of an exception."""
    from langchain_core.tools import StructuredTool

    return [
        StructuredTool.from_function(
            func=_bound_call(ctx, tool),
            name=tool.name,
            description=tool.description,
            args_schema=tool.input_model,
            handle_tool_error=True,
            handle_validation_error=_bound_invalid(ctx, tool),
        )
        for tool in TOOLS.values()
    ]


def _bound_call(ctx: ToolContext, tool: Tool[Any, Any]) -> Callable[..., str]:
    def call(**kwargs: Any) -> str:
        return run_tool(ctx, tool.name, kwargs).text()

    return call


def _bound_invalid(ctx: ToolContext, tool: Tool[Any, Any]) -> Callable[[Exception], str]:
    # LangChain validates against the args schema before calling the tool: record the failed call too.
    def on_invalid(exc: Exception) -> str:
        message = validation_message(exc) if isinstance(exc, ValidationError) else _one_line(str(exc))
        error = _one_line(f"{tool.name}: invalid arguments: {message}")
        ctx.calls.append(ToolCallRecord(name=tool.name, arguments={}, ok=False, error=error))
        return f"error: {error}"

    return on_invalid


def tool_schemas() -> list[dict[str, Any]]:
    """Each tool's name, description and JSON schema (for documentation and prompts)."""
    return [
        {"name": s.name, "description": s.description, "parameters": s.input_model.model_json_schema()}
        for s in TOOLS.values()
    ]
