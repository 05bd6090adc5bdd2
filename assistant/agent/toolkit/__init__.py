"""The agent's tools, grouped by domain: knowledge (search, answer), triage, inventory (systems, tasks,
past reviews) and training. Each tool is a typed function over a `ToolContext` with a pydantic input and
output model; `registry` names them, calls them with typed arguments, runs a model's named calls and wraps
them for LangChain.

    from assistant.agent.toolkit import TRIAGE_SYSTEM, ToolContext
    result = TRIAGE_SYSTEM.call(ctx, TriageSystemInput(description="Ranks CVs for recruiters."))
    if result.output is not None:
        print(result.output.tier)
"""

from assistant.agent.toolkit.context import (
    INVENTORY_IS_INTERNAL,
    PassageOut,
    ToolContext,
    ToolError,
    cite_records,
    filter_kinds,
    search_filters,
)
from assistant.agent.toolkit.inventory import (
    FileReviewTasksInput,
    FileReviewTasksOutput,
    FindPastReviewsInput,
    FindPastReviewsOutput,
    ListSystemsInput,
    ListSystemsOutput,
    ListTasksInput,
    ListTasksOutput,
    ReviewDecision,
)
from assistant.agent.toolkit.knowledge import (
    AnswerQuestionInput,
    AnswerQuestionOutput,
    SearchKnowledgeInput,
    SearchKnowledgeOutput,
)
from assistant.agent.toolkit.registry import (
    ANSWER_QUESTION,
    ANSWER_TRAINING_QUESTION,
    FILE_REVIEW_TASKS,
    FIND_PAST_REVIEWS,
    LIST_SYSTEMS,
    LIST_TASKS,
    NEXT_TRAINING_QUESTION,
    SEARCH_KNOWLEDGE,
    START_TRAINING,
    TOOLS,
    TRAINING_TOPICS,
    TRIAGE_SYSTEM,
    Tool,
    ToolResult,
    langchain_tools,
    present,
    run_tool,
    tool_schemas,
    validation_message,
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
)
from assistant.agent.toolkit.triage import FieldAnswer, TriageSystemInput, TriageSystemOutput

__all__ = [
    "ANSWER_QUESTION",
    "ANSWER_TRAINING_QUESTION",
    "FILE_REVIEW_TASKS",
    "FIND_PAST_REVIEWS",
    "INVENTORY_IS_INTERNAL",
    "LIST_SYSTEMS",
    "LIST_TASKS",
    "NEXT_TRAINING_QUESTION",
    "SEARCH_KNOWLEDGE",
    "START_TRAINING",
    "TOOLS",
    "TRAINING_TOPICS",
    "TRIAGE_SYSTEM",
    "AnswerQuestionInput",
    "AnswerQuestionOutput",
    "AnswerTrainingQuestionInput",
    "AnswerTrainingQuestionOutput",
    "FieldAnswer",
    "FileReviewTasksInput",
    "FileReviewTasksOutput",
    "FindPastReviewsInput",
    "FindPastReviewsOutput",
    "ListSystemsInput",
    "ListSystemsOutput",
    "ListTasksInput",
    "ListTasksOutput",
    "NextTrainingQuestionInput",
    "NextTrainingQuestionOutput",
    "PassageOut",
    "ReviewDecision",
    "SearchKnowledgeInput",
    "SearchKnowledgeOutput",
    "StartTrainingInput",
    "StartTrainingOutput",
    "Tool",
    "ToolContext",
    "ToolError",
    "ToolResult",
    "TrainingTopicsInput",
    "TrainingTopicsOutput",
    "TriageSystemInput",
    "TriageSystemOutput",
    "cite_records",
    "filter_kinds",
    "langchain_tools",
    "present",
    "run_tool",
    "search_filters",
    "tool_schemas",
    "validation_message",
]
