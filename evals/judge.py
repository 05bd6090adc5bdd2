"""LLM-judged answer metrics (ragas Faithfulness and ResponseRelevancy), only when a judge is configured.

The judge is a chat model named like `GOVASSIST_LLM` (`provider:model`, or a model name with a base URL),
given by `govassist eval run --judge SPEC` or `GOVASSIST_EVAL_JUDGE` (with `GOVASSIST_EVAL_JUDGE_BASE_URL`
for an OpenAI-compatible server). Without one these metrics are skipped with a note: nothing offline can
judge faithfulness, and a guess would be worse than no figure. ResponseRelevancy embeds with govassist's
own embedder.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

from core.config import ConfigError, Settings
from evals.ragas_compat import ragas_ready
from evals.results import CaseResult
from evals.scoring import mean
from knowledge.embedder import Embedder

JUDGE_ENV = "GOVASSIST_EVAL_JUDGE"
JUDGE_BASE_URL_ENV = "GOVASSIST_EVAL_JUDGE_BASE_URL"
NOT_CONFIGURED = (
    f"Faithfulness and ResponseRelevancy skipped: no judge model configured (--judge or {JUDGE_ENV})"
)


def judge_spec(option: str | None) -> str | None:
    """The judge model from the option or the environment, or None."""
    spec = (option or os.environ.get(JUDGE_ENV) or "").strip()
    return spec if spec and spec.lower() != "none" else None


def _langchain_embeddings(embedder: Embedder) -> Any:
    from langchain_core.embeddings import Embeddings

    class LocalEmbeddings(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return [[float(x) for x in row] for row in embedder.embed(list(texts))]

        def embed_query(self, text: str) -> list[float]:
            return self.embed_documents([text])[0]

    return LocalEmbeddings()


def judge_qa(
    settings: Settings, spec: str, cases: list[CaseResult], embedder: Embedder
) -> tuple[dict[str, float | None], list[str]]:
    """Score grounded QA answers with the judge; adds per-case scores and returns (metrics, notes)."""
    from assistant.agent.llm import make_chat_model

    judge_settings = settings.model_copy(
        update={"llm": spec, "llm_base_url": os.environ.get(JUDGE_BASE_URL_ENV) or None}
    )
    try:
        chat = make_chat_model(judge_settings)
    except ConfigError as exc:
        return {}, [f"judge not usable: {exc}"]
    if chat is None:
        return {}, [NOT_CONFIGURED]
    ragas_ready()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ragas.dataset_schema import SingleTurnSample
        from ragas.embeddings.base import LangchainEmbeddingsWrapper
        from ragas.llms import LangchainLLMWrapper
        from ragas.metrics._answer_relevance import ResponseRelevancy
        from ragas.metrics._faithfulness import Faithfulness

        llm = LangchainLLMWrapper(chat)
        faithfulness = Faithfulness(llm=llm)
        relevancy = ResponseRelevancy(
            llm=llm, embeddings=LangchainEmbeddingsWrapper(_langchain_embeddings(embedder))
        )
    failures = 0
    for case in cases:
        contexts = case.detail.get("contexts") or []
        if case.status == "skipped" or not case.scores.get("answered") or not contexts:
            continue
        sample = SingleTurnSample(
            user_input=case.detail["question"], response=case.detail["answer"], retrieved_contexts=contexts
        )
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                case.scores["faithfulness"] = float(faithfulness.single_turn_score(sample))
                case.scores["response_relevancy"] = float(relevancy.single_turn_score(sample))
        except Exception as exc:  # a judge failure costs the metric, never the run
            failures += 1
            case.note = f"judge failed: {type(exc).__name__}: {exc}"[:300]
    metrics = {
        "faithfulness": mean([c.scores.get("faithfulness") for c in cases]),
        "response_relevancy": mean([c.scores.get("response_relevancy") for c in cases]),
    }
    notes = [f"judge {spec}: {failures} case(s) could not be judged"] if failures else []
    return metrics, notes
