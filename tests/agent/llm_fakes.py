"""Scripted chat models for the LLM-path tests: LangChain's fake chat model, able to "bind" tools.

`ScriptedToolModel` replies with a fixed list of AIMessages (tool calls included) in order and records
the messages it was sent, so a test can check what came back to the model (tool results, errors).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.language_models import LanguageModelInput
from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatResult
from langchain_core.runnables import Runnable
from pydantic import Field


class ScriptedToolModel(FakeMessagesListChatModel):
    """A fake chat model with tool calling: `bind_tools` records the tools; replies come from `responses`."""

    seen: list[list[BaseMessage]] = Field(default_factory=list)
    bound_tools: list[str] = Field(default_factory=list)

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Runnable[LanguageModelInput, AIMessage]:
        self.bound_tools = [getattr(tool, "name", getattr(tool, "__name__", str(tool))) for tool in tools]
        return self

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        self.seen.append(list(messages))
        return super()._generate(messages, *args, **kwargs)


def tool_call(name: str, args: dict[str, Any], call_id: str, text: str = "") -> AIMessage:
    """An AIMessage asking for one tool call."""
    return AIMessage(content=text, tool_calls=[{"name": name, "args": args, "id": call_id}])


def scripted(*responses: BaseMessage) -> ScriptedToolModel:
    """A scripted model replying with `responses` in order."""
    return ScriptedToolModel(responses=list(responses))
