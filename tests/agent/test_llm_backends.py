"""LLM backends as configuration: `make_chat_model`, its errors, and an OpenAI-compatible endpoint over
the real wire format (a local HTTP server), reachable, failing, hanging and closed."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from langchain_core.tools import StructuredTool
from pydantic import SecretStr, ValidationError

from assistant.agent.generative import generate_grounded_answer, run_llm_turn
from assistant.agent.llm import (
    LocalGGUFChatModel,
    ModelUnavailable,
    classify_unavailable,
    make_chat_model,
    model_name,
    smollm2_gguf,
    supports_tool_calling,
)
from core.config import ConfigError, Settings
from tests.agent.openai_wire import MODEL, Reply, completion, error, wire_server
from tests.agent.test_generative_loop import LIBRARY, SearchArgs, _search
from tests.conftest import free_port

SYSTEM = "You are a test agent."


def test_none_is_the_offline_default(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings()
    assert settings.llm == "none"
    assert make_chat_model(settings) is None
    with pytest.raises(ConfigError, match="llm_base_url is set but llm is 'none'"):
        make_chat_model(make_settings(llm_base_url="http://127.0.0.1:1/v1"))


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVASSIST_LLM", "llama3.1:8b")
    monkeypatch.setenv("GOVASSIST_LLM_BASE_URL", "http://127.0.0.1:11434/v1")
    monkeypatch.setenv("GOVASSIST_LLM_API_KEY", "sk-from-env")
    monkeypatch.setenv("GOVASSIST_LLM_TIMEOUT", "7.5")
    monkeypatch.setenv("GOVASSIST_LLM_MAX_RETRIES", "0")
    settings = Settings()
    assert (settings.llm, settings.llm_base_url, settings.llm_timeout, settings.llm_max_retries) == (
        "llama3.1:8b",
        "http://127.0.0.1:11434/v1",
        7.5,
        0,
    )
    assert settings.llm_api_key == SecretStr("sk-from-env")
    assert "sk-from-env" not in repr(settings)
    model = make_chat_model(settings)
    # An Ollama model name keeps its colon; the OpenAI-compatible client gets the URL, key and limits.
    assert model_name(model) == "llama3.1:8b"  # type: ignore[arg-type]
    assert model.openai_api_base == "http://127.0.0.1:11434/v1"  # type: ignore[union-attr]
    assert model.openai_api_key.get_secret_value() == "sk-from-env"  # type: ignore[union-attr]
    assert (model.request_timeout, model.max_retries) == (7.5, 0)  # type: ignore[union-attr]
    assert supports_tool_calling(model)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"llm": "gpt4"}, "'gpt4' is not a backend"),
        ({"llm": "nosuchprovider:model-1"}, "unknown provider 'nosuchprovider'"),
        ({"llm": "anthropic:claude-x"}, "provider 'anthropic' is not installed"),
        ({"llm": "openai:"}, "expected 'provider:model'"),
        ({"llm": "local-gguf:/nowhere/model.gguf"}, "no such GGUF file"),
        ({"llm": "local-gguf:"}, "needs a path"),
        ({"llm": "mistral", "llm_base_url": "localhost:8000"}, "expected an http(s) URL"),
    ],
)
def test_bad_values_are_one_line_config_errors(make_settings, overrides, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError) as caught:
        make_chat_model(make_settings(**overrides))
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_file_that_is_not_gguf_is_refused(make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    weights = tmp_path / "model.bin"
    weights.write_bytes(b"\0")
    with pytest.raises(ConfigError, match=r"expected a \.gguf file"):
        make_chat_model(make_settings(llm=f"local-gguf:{weights}"))


def test_a_missing_api_key_is_named(make_settings, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(
        ConfigError, match="no API key for 'openai': set OPENAI_API_KEY or GOVASSIST_LLM_API_KEY"
    ):
        make_chat_model(make_settings(llm="openai:gpt-4o-mini"))
    model = make_chat_model(make_settings(llm="openai:gpt-4o-mini", llm_api_key="sk-test", llm_timeout=3))
    assert model_name(model) == "gpt-4o-mini"  # type: ignore[arg-type]
    assert model.request_timeout == 3  # type: ignore[union-attr]


def test_limits_are_validated(make_settings) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="llm_timeout"):
        make_settings(llm_timeout=0)
    with pytest.raises(ValidationError, match="llm_max_retries"):
        make_settings(llm_max_retries=-1)


def test_smollm2_names_the_packaged_gguf_without_loading_it(make_settings) -> None:  # type: ignore[no-untyped-def]
    path = smollm2_gguf()
    assert path.suffix == ".gguf" and path.stat().st_size > 50_000_000
    model = make_chat_model(make_settings(llm="smollm2", llm_max_tokens=32))
    assert isinstance(model, LocalGGUFChatModel)
    assert model.gguf_path == str(path.resolve())
    assert model.max_new_tokens == 32
    assert model_name(model) == "SmolLM2-135M-Instruct"
    assert not supports_tool_calling(model)


# --- The OpenAI-compatible endpoint over the wire ------------------------------------------------------


def _model(make_settings, url: str, **overrides):  # type: ignore[no-untyped-def]
    values = {"llm": MODEL, "llm_base_url": url, "llm_timeout": 5.0, "llm_max_retries": 0, **overrides}
    return make_chat_model(make_settings(**values))


search_tool = StructuredTool.from_function(
    func=_search, name="search_knowledge", description="Search the knowledge.", args_schema=SearchArgs
)


def test_an_openai_compatible_server_drives_the_tool_loop_end_to_end(make_settings) -> None:  # type: ignore[no-untyped-def]
    with wire_server(
        completion(tool_calls=[{"id": "call_a", "name": "search_knowledge", "arguments": '{"query": "k"}'}]),
        completion(
            tool_calls=[{"id": "call_b", "name": "search_knowledge", "arguments": {"query": "chatbot"}}]
        ),
        completion("AI systems that talk to people must say so [eu-ai-act:art-50-1]."),
    ) as server:
        model = _model(make_settings, server.url)
        turn = run_llm_turn(
            model, [search_tool], [], "Must our chatbot disclose it is AI?", system_prompt=SYSTEM
        )

    assert turn.stop_reason == "answer"
    assert turn.model == MODEL
    assert turn.text == "AI systems that talk to people must say so [eu-ai-act:art-50-1]."
    assert [(c.name, c.arguments, c.ok) for c in turn.tool_calls] == [
        ("search_knowledge", {"query": "k"}, True),
        ("search_knowledge", {"query": "chatbot"}, True),
    ]
    assert [p.citation_id for p in turn.passages] == ["eu-ai-act:art-50-1"]

    first, second, third = server.requests
    assert first.path == "/v1/chat/completions"
    assert first.headers["authorization"] == "Bearer not-needed"  # local servers need no key
    assert first.body["model"] == MODEL
    assert first.body["messages"][0] == {"role": "system", "content": SYSTEM}
    (tool,) = first.body["tools"]
    assert tool["function"]["name"] == "search_knowledge"
    assert set(tool["function"]["parameters"]["properties"]) == {"query", "k"}
    # The tool results went back as role=tool messages answering each call id, in the real wire format.
    assert [m["role"] for m in third.body["messages"]] == [
        "system",
        "user",
        "assistant",
        "tool",
        "assistant",
        "tool",
    ]
    tool_messages = [m for m in third.body["messages"] if m["role"] == "tool"]
    assert [m["tool_call_id"] for m in tool_messages] == ["call_a", "call_b"]
    assert json.loads(tool_messages[1]["content"])["passages"][0]["citation_id"] == "eu-ai-act:art-50-1"
    assert second.body["messages"][2]["tool_calls"][0]["id"] == "call_a"


def test_malformed_arguments_from_the_server_are_answered_with_an_error(make_settings) -> None:  # type: ignore[no-untyped-def]
    with wire_server(
        completion(tool_calls=[{"id": "call_x", "name": "search_knowledge", "arguments": '{"query": '}]),
        completion("Sorry."),
    ) as server:
        turn = run_llm_turn(_model(make_settings, server.url), [search_tool], [], "?", system_prompt=SYSTEM)
    (record,) = turn.tool_calls
    assert not record.ok and record.error is not None and "not valid JSON" in record.error
    tool_message = next(m for m in server.requests[1].body["messages"] if m["role"] == "tool")
    assert tool_message["tool_call_id"] == "call_x"
    assert json.loads(tool_message["content"])["error"]["type"] == "invalid_arguments"


def test_a_grounded_answer_through_the_server_is_guarded(make_settings) -> None:  # type: ignore[no-untyped-def]
    passages = [LIBRARY["chatbot"], LIBRARY["fines"]]
    draft = (
        "AI systems that interact directly with people must tell them they are interacting with an AI "
        "system [1]. Fines reach 90 000 000 EUR [2]. See also [eu-ai-act:art-4]."
    )
    with wire_server(completion(draft)) as server:
        guarded = generate_grounded_answer(_model(make_settings, server.url), "Chatbot rules?", passages)
    assert guarded.grounded
    assert [c.id for c in guarded.citations] == ["eu-ai-act:art-50-1"]
    assert "90 000 000" not in guarded.text
    assert "[eu-ai-act:art-4]" in guarded.invalid_citations
    prompt = server.requests[0].body["messages"][1]["content"]
    assert "[1] Title of art-50-1" in prompt and "[2] Title of art-99-3" in prompt


def _unavailable(model) -> tuple[ModelUnavailable, float]:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    with pytest.raises(ModelUnavailable) as caught:
        run_llm_turn(model, [search_tool], [], "Hello?", system_prompt=SYSTEM)
    return caught.value, time.monotonic() - started


def test_a_closed_port_is_unavailable_at_once(make_settings) -> None:  # type: ignore[no-untyped-def]
    model = _model(make_settings, f"http://127.0.0.1:{free_port()}/v1")
    failure, seconds = _unavailable(model)
    assert failure.kind == "connection"
    assert "cannot connect" in failure.reason
    assert seconds < 5


def test_a_hanging_server_times_out(make_settings) -> None:  # type: ignore[no-untyped-def]
    with wire_server(Reply(hang=30, body=completion("late").body)) as server:
        failure, seconds = _unavailable(_model(make_settings, server.url, llm_timeout=0.5))
    assert failure.kind == "timeout"
    assert seconds < 5


@pytest.mark.parametrize(
    ("status", "kind"),
    [(500, "server"), (503, "server"), (401, "auth"), (404, "not_found"), (429, "rate_limit")],
)
def test_http_errors_are_unavailable(make_settings, status: int, kind: str) -> None:  # type: ignore[no-untyped-def]
    with wire_server(error(status, "boom")) as server:
        failure, seconds = _unavailable(_model(make_settings, server.url))
    assert failure.kind == kind
    assert seconds < 5


def test_retries_follow_the_setting(make_settings) -> None:  # type: ignore[no-untyped-def]
    with wire_server(error(500), completion("Recovered on retry.")) as server:
        # The first reply (500) is used once; the retry gets the completion.
        turn = run_llm_turn(
            _model(make_settings, server.url, llm_max_retries=1), [], [], "Hi", system_prompt=SYSTEM
        )
    assert turn.text == "Recovered on retry."
    assert len(server.requests) == 2


def test_classify_unavailable_leaves_programming_errors_alone() -> None:
    assert classify_unavailable(KeyError("x")) is None
    assert classify_unavailable(TimeoutError("slow")).kind == "timeout"  # type: ignore[union-attr]

    class AnthropicAuthenticationError(Exception):
        pass

    assert classify_unavailable(AnthropicAuthenticationError("bad key")).kind == "auth"  # type: ignore[union-attr]
