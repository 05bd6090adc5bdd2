"""Triage latency, p50/p95: the rules alone, a full triage (rules + precedent search), a recorded triage
(+ the inventory write), and a plain description through the offline extractor first.

    python -m evals.bench.triage_latency [--repeat 3]

Cases: the profiles and descriptions of evals/datasets/triage_cases.jsonl. The index holds the sample
organisation (its past reviews are the precedents), embedded with the packaged MiniLM; the rules read the
knowledge packs from their YAML and need no index.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from evals.bench.common import summary_ms
from evals.scratch import offline_environment, scratch_home

T = TypeVar("T")


def _time(call: Callable[[T], object], items: Sequence[T], repeat: int = 1) -> list[float]:
    """Seconds of `call(item)` for every item, `repeat` times over."""
    timings = []
    for _ in range(repeat):
        for item in items:
            start = time.perf_counter()
            call(item)
            timings.append(time.perf_counter() - start)
    return timings


def main() -> None:
    """Print the four latencies."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args, _ = parser.parse_known_args()
    offline_environment()
    from assistant.triage import describe, run_triage, tiering_standard
    from core.config import Settings
    from evals.datasets import triage_cases
    from knowledge.builtin import load_sample_organisation
    from knowledge.factory import open_index
    from knowledge.samples import SAMPLE_TIERING_STANDARD
    from tools.triage.engine import triage

    settings = Settings(
        home=scratch_home("triage"), load_builtin_knowledge=False, tiering_standard=SAMPLE_TIERING_STANDARD
    )
    index = open_index(settings)
    load_sample_organisation(index)
    standard = tiering_standard(settings)
    cases = triage_cases()
    profiles = [c.profile for c in cases if c.profile is not None]
    texts = [c.text for c in cases if c.text is not None]
    triage(profiles[0], standard=standard)  # warm the pack cache
    run_triage(index, settings, profiles[0], actor="bench", record=False)  # warm the embedder

    rules = _time(lambda p: triage(p, standard=standard), profiles, args.repeat)
    full = _time(lambda p: run_triage(index, settings, p, actor="bench", record=False), profiles)
    recorded = _time(lambda p: run_triage(index, settings, p, actor="bench", record=True), profiles)

    def from_text(text: str) -> object:
        extracted = describe(text, name=None, index=index)
        return run_triage(
            index, settings, extracted.profile, actor="bench", record=False, extracted=extracted
        )

    described = _time(from_text, texts)
    print(
        f"Triage latency ({len(profiles)} profiles, {len(texts)} descriptions; MiniLM, SQLite, local Chroma)"
    )
    print(f"  rules only (tools.triage.engine.triage): {summary_ms(rules)}")
    print(f"  run_triage, not recorded (+ precedents): {summary_ms(full)}")
    print(f"  run_triage, recorded (+ inventory):      {summary_ms(recorded)}")
    print(f"  description -> extractor -> run_triage:  {summary_ms(described)}")
    index.db.close()


if __name__ == "__main__":
    main()
