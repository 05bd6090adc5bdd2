"""Text-processing speed: the glossary's query expansion and parsing the EU AI Act's EUR-Lex HTML.

    python -m evals.bench.text_processing [--expansions 1000] [--parses 3]

These were wall-clock assertions in unit tests, which fail on a busy machine and prove nothing on an idle
one; here they are figures (the expansion was about 0.2 ms per question, a parse well under 5 s).
"""

from __future__ import annotations

import argparse
import time

from evals.bench.common import positive_int, summary_ms
from evals.scratch import EU_AI_ACT_HTML, offline_environment, require_corpus

QUESTIONS = [
    "Do we have to tell customers they are talking to a chatbot?",
    "What is the maximum fine for using a prohibited AI practice?",
    "When is a DPIA required under the GDPR?",
    "Is emotion recognition in the workplace allowed?",
    "What must deployers of high-risk AI systems do?",
    "Does a general-purpose AI model need technical documentation?",
    "Can I paste claims data into ChatGPT?",
    "What is the best pizza topping?",
]


def main() -> None:
    """Print the per-call figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--expansions", type=positive_int, default=1000, help="glossary expansions to time")
    parser.add_argument("--parses", type=positive_int, default=3, help="parses of the EU AI Act HTML to time")
    args, _ = parser.parse_known_args()
    offline_environment()
    from knowledge.glossary import load_glossary
    from knowledge.parsing.regulation.eurlex_html import parse_eurlex_html

    glossary = load_glossary()
    timings = []
    for i in range(args.expansions):
        start = time.perf_counter()
        glossary.expansion_text(QUESTIONS[i % len(QUESTIONS)])
        timings.append(time.perf_counter() - start)
    total = sum(timings)
    per_question_us = total / len(timings) * 1e6
    print(f"glossary expansion, {args.expansions} questions: {total:.3f} s, {per_question_us:.0f} µs each")

    require_corpus()
    html = EU_AI_ACT_HTML.read_text(encoding="utf-8")
    parses = []
    for _ in range(args.parses):
        start = time.perf_counter()
        sections = parse_eurlex_html(html, "eu-ai-act")
        parses.append(time.perf_counter() - start)
    print(f"EU AI Act EUR-Lex HTML parse ({len(sections)} sections): {summary_ms(parses)}")


if __name__ == "__main__":
    main()
