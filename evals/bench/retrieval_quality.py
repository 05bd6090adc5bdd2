"""Recall@5 of govassist's hybrid retrieval on the official EU AI Act and GDPR texts.

python -m evals.bench.retrieval_quality [--show-misses]
"""

from __future__ import annotations

import argparse

from evals.bench.common import CORPUS, EU_AI_ACT_HTML, offline_environment, require_corpus, scratch_home


def main() -> None:
    """Ingest the official texts into a scratch home and score the labelled questions."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--show-misses", action="store_true")
    args, _ = parser.parse_known_args()
    offline_environment()
    require_corpus()
    from core.config import Settings
    from evals.datasets import retrieval_questions
    from evals.retrieval import score_retrieval
    from knowledge.access import Audience
    from knowledge.factory import open_index
    from knowledge.ingest import IngestRequest, ingest_paths
    from knowledge.retrieval import search

    index = open_index(Settings(home=scratch_home("retrieval"), load_builtin_knowledge=False))
    ingest_paths(index, IngestRequest(paths=[EU_AI_ACT_HTML, CORPUS / "gdpr" / "csa" / "eu-gdpr-act.html"]))
    questions = retrieval_questions()
    score = score_retrieval(
        questions, lambda q: [p.citation_id for p in search(index, q, audience=Audience(), k=5)], k=5
    )
    print("Retrieval on the official texts (EU AI Act + GDPR, EUR-Lex HTML)")
    print(f"  questions: {score.questions}")
    print(f"  recall@5 at paragraph level: {score.recall:.3f} (target >= 0.90)")
    print(f"  recall@5 exact id:           {score.exact_recall:.3f}")
    if args.show_misses:
        for miss in score.misses:
            print(
                f"  MISS {miss.id}: {miss.question}\n"
                f"       expected {miss.expected}\n       got      {miss.retrieved}"
            )


if __name__ == "__main__":
    main()
