"""Abstention: calibrating the similarity threshold and scoring it on labelled in/out-of-scope questions.

python -m evals.abstention   # builds a scratch index (packs, sample organisation, official texts
                             # where present), prints the score distribution and the best threshold
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel

from evals.datasets import ScopeQuestion


class ScoredQuestion(BaseModel):
    """A labelled question and the best similarity retrieval found for it."""

    question: str
    in_scope: bool
    best_similarity: float
    named_provision: bool


class AbstentionMetrics(BaseModel):
    """How well a threshold separates answerable from unanswerable questions."""

    threshold: float
    abstain_precision: float  # of the questions it declined, the share that really were out of scope
    abstain_recall: float  # of the out-of-scope questions, the share it declined
    answer_rate_in_scope: float  # of the in-scope questions, the share it answered
    accuracy: float


def metrics_at(scored: Sequence[ScoredQuestion], threshold: float) -> AbstentionMetrics:
    """Score `threshold` on `scored` (a named provision that was found is always answered)."""
    declined = [s for s in scored if not s.named_provision and s.best_similarity < threshold]
    out = [s for s in scored if not s.in_scope]
    inside = [s for s in scored if s.in_scope]
    true_declines = sum(1 for s in declined if not s.in_scope)
    answered_inside = sum(1 for s in inside if s not in declined)
    correct = true_declines + answered_inside
    return AbstentionMetrics(
        threshold=threshold,
        abstain_precision=true_declines / len(declined) if declined else 1.0,
        abstain_recall=true_declines / len(out) if out else 1.0,
        answer_rate_in_scope=answered_inside / len(inside) if inside else 1.0,
        accuracy=correct / len(scored) if scored else 1.0,
    )


def best_threshold(scored: Sequence[ScoredQuestion]) -> AbstentionMetrics:
    """The threshold (on a 0.01 grid) with the best accuracy; ties go to the lower threshold, which
    answers more: a wrong abstention costs a question to the RAI team, not a wrong answer."""
    candidates = [metrics_at(scored, t / 100) for t in range(10, 90)]
    return max(candidates, key=lambda m: (round(m.accuracy, 6), -m.threshold))


def score_questions(assistant: object, questions: Sequence[ScopeQuestion]) -> list[ScoredQuestion]:
    """Run retrieval for each question and record its best similarity."""
    from assistant.service import TOP_K, Assistant
    from knowledge.access import Audience
    from knowledge.references import find_references
    from knowledge.retrieval import search

    assert isinstance(assistant, Assistant)
    scored = []
    for q in questions:
        passages = search(assistant.index, q.question, audience=Audience(), k=TOP_K)
        anchors = {r.anchor for r in find_references(q.question)}
        scored.append(
            ScoredQuestion(
                question=q.question,
                in_scope=q.in_scope,
                best_similarity=max((p.similarity for p in passages), default=0.0),
                named_provision=bool(anchors)
                and any(p.citation_id.split(":", 1)[-1] in anchors for p in passages),
            )
        )
    return scored


def demo_assistant(*, with_official: bool = False, home: Path | None = None) -> object:
    """A scratch index built like `make demo` (packs and sample organisation), optionally with the
    official EU AI Act and GDPR texts."""
    from assistant.service import Assistant
    from core.config import Settings
    from evals.scratch import CORPUS, scratch_home
    from knowledge.builtin import load_sample_organisation
    from knowledge.ingest import IngestRequest, ingest_paths

    assistant = Assistant.open(Settings(home=home or scratch_home("abstention")))
    load_sample_organisation(assistant.index)
    if with_official:
        official = [
            CORPUS / "eu-ai-act" / "csa" / "eu-ai-act.html",
            CORPUS / "gdpr" / "csa" / "eu-gdpr-act.html",
        ]
        ingest_paths(assistant.index, IngestRequest(paths=[p for p in official if p.is_file()]))
    return assistant


def main() -> None:
    """Calibrate on the demo configuration (add --with-official for the official texts too)."""
    import sys

    from assistant.service import ABSTAIN_BELOW
    from evals.datasets import scope_questions
    from evals.scratch import offline_environment

    offline_environment()
    assistant = demo_assistant(with_official="--with-official" in sys.argv)
    scored = score_questions(assistant, scope_questions())
    for s in sorted(scored, key=lambda s: s.best_similarity):
        print(f"{s.best_similarity:.3f} {'IN ' if s.in_scope else 'out'} {s.question[:90]}")
    best = best_threshold(scored)
    print(f"best: {best}")
    print(f"shipped ({ABSTAIN_BELOW}): {metrics_at(scored, ABSTAIN_BELOW)}")


if __name__ == "__main__":
    main()
