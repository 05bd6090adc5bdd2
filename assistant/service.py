"""The assistant's entry points: one per job, each returning a pydantic model."""

from __future__ import annotations

from collections.abc import Callable

from assistant.answering import answers_question, compose_answer
from assistant.lead import prepare_answer
from assistant.schemas import Answer
from core.config import Settings
from knowledge.access import Audience
from knowledge.builtin import ensure_builtin_knowledge
from knowledge.factory import open_index
from knowledge.index import KnowledgeIndex
from knowledge.retrieval import SearchFilters, official_wording

MAX_QUESTION_CHARS = 4000
TOP_K = 5
# Dense cosine similarity below which the best passage does not really answer the question.
# Calibrated with `python -m evals.abstention` on evals/datasets/scope_calibration.jsonl (packs, sample
# organisation and official EU AI Act + GDPR indexed): at 0.38, 98% of abstentions were right and 99%
# of in-scope questions were answered; tests/integration/test_abstention.py holds it there.
ABSTAIN_BELOW = 0.38


class QuestionError(ValueError):
    """The question cannot be answered as given (empty, too long); the message says why."""


def validate_question(question: str) -> str:
    """The question, stripped, or QuestionError with a one-line reason."""
    text = question.strip()
    if not text:
        raise QuestionError("the question is empty")
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"the question is too long ({len(text):,} characters; the limit is {MAX_QUESTION_CHARS:,})"
        )
    return text


class Assistant:
    """govassist's library entry point."""

    def __init__(self, settings: Settings, index: KnowledgeIndex) -> None:
        self.settings = settings
        self.index = index

    @classmethod
    def open(cls, settings: Settings, *, on_progress: Callable[[str, int], None] | None = None) -> Assistant:
        """Open storage and, unless disabled, make sure the built-in knowledge is indexed and current."""
        index = open_index(settings)
        if settings.load_builtin_knowledge:
            ensure_builtin_knowledge(index, on_progress=on_progress)
        return cls(settings, index)

    @property
    def abstain_below(self) -> float:
        """The abstention threshold in force."""
        return self.settings.abstain_below if self.settings.abstain_below is not None else ABSTAIN_BELOW

    def ask(
        self, question: str, *, audience: Audience | None = None, filters: SearchFilters | None = None
    ) -> Answer:
        """A cited answer to `question` from what `audience` may read, or an abstention."""
        text = validate_question(question)
        reader = audience or Audience()
        prepared = prepare_answer(self.index, text, audience=reader, k=TOP_K, filters=filters)
        passages = prepared.passages
        grounded = answers_question(
            text, prepared, threshold=self.abstain_below, embedder=self.index.embedder
        )
        lead = passages[prepared.plan.lead_index : prepared.plan.lead_index + 1]
        return compose_answer(
            text,
            passages,
            grounded=grounded,
            as_of=self.index.knowledge_as_of(),
            contact=self.settings.escalation_contact,
            official=official_wording(self.index, lead, audience=reader) if grounded else None,
            analysis=prepared.analysis,
            plan=prepared.plan,
            embedder=self.index.embedder,
        )

    def close(self) -> None:
        """Release database connections."""
        self.index.db.close()
