"""A yes/no question about one of a set of sibling sections: "Does a T4 system need AI Review Board
approval?" names "T4 Low" among "T1 Critical", "T2 High", "T3 Moderate" and "T4 Low". The section it names
answers by what it says, and, when it is silent where a sibling says what is asked, by that silence:
the Board is named under T1 Critical, not under T4 Low, so no.

    found = sibling_plan(question, sections, embedder=embedder, vector=vector)
    found.verdict, found.section.title, found.fact   # Verdict.NO, "T4 Low", "The system owner approves ..."

Deterministic over the organisation's own headings and sentences: a section is named by a heading word
its siblings' headings lack ("T4", "Moderate"), and what is asked is the question's words beyond that
heading and beyond what every sibling says alike ("system" in each tier's section tells them apart less).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel

from assistant.lead.facts import joined
from assistant.lead.models import Verdict
from assistant.organisation import (
    clause_verdict,
    denies_asked_verb,
    embed_cached,
    stem_share,
    topic_words,
    word_stems,
)
from knowledge.embedder import Embedder
from knowledge.lexical import tokenize
from knowledge.retrieval import Passage
from knowledge.statements import statements

# Share of what is asked a sentence must hold to say it, and below which the named section is silent on
# it. Chosen before any run, as "three words of four" and "fewer than half".
SIBLING_SAYS = 0.75
SIBLING_SILENT = 0.5
# Words of a yes/no question that ask rather than say what is asked ("Does a T3 system need ...?").
_ASKING = frozenset(
    word[:5]
    for word in "need needs needed require requires required must have has get gets does do is are "
    "any ever always also".split()
)


class SiblingAnswer(BaseModel):
    """What the named section says of what is asked, against its siblings."""

    verdict: Verdict
    section: Passage
    fact: str
    said_by: list[str]


def named_section(question: str, sections: Sequence[Passage]) -> Passage | None:
    """The one section of `sections` (siblings under one heading) that the question names by a word of its
    heading that no sibling's heading uses ("T4" of "T4 Low"); None when it names none or several."""
    asked = set(tokenize(question))
    words = [topic_words(p.title) for p in sections]
    hits = [
        p
        for i, p in enumerate(sections)
        if (words[i] - set().union(*(w for j, w in enumerate(words) if j != i))) & asked
    ]
    return hits[0] if len(hits) == 1 else None


def _asked_beyond_heading(question: str, section: Passage, sections: Sequence[Passage]) -> set[str]:
    """The stems of what is asked: the question's words beyond the named heading's, the asking words, and
    the words every sibling uses."""
    wanted = word_stems(question) - word_stems(section.title) - _ASKING
    common = set.intersection(*(word_stems(p.text) for p in sections)) if sections else set()
    return wanted - common


def _best(wanted: set[str], p: Passage) -> tuple[float, str]:
    found = [(stem_share(wanted, s), s) for s in statements(p.text) or [p.text]]
    return max(found, key=lambda f: f[0], default=(0.0, ""))


def sibling_plan(
    question: str, sections: Sequence[Passage], *, embedder: Embedder, vector: np.ndarray
) -> SiblingAnswer | None:
    """For a yes/no question naming one of `sections` (siblings under one heading, at least three), yes
    when a sentence of the named section holds what is asked (SIBLING_SAYS of its words) and does not deny
    it; no when the named section holds less than SIBLING_SILENT of it in any sentence and a sibling holds
    it: the named section's sentence that answers best leads, with the siblings that say it. None when
    neither holds."""
    if len(sections) < 3:
        return None
    section = named_section(question, sections)
    if section is None:
        return None
    wanted = _asked_beyond_heading(question, section, sections)
    if not wanted:
        return None
    share, sentence = _best(wanted, section)
    if share >= SIBLING_SAYS:
        if not _affirms(question, sentence):
            return None
        return SiblingAnswer(verdict=Verdict.YES, section=section, fact=sentence, said_by=[section.title])
    saying = [
        (best, p.title)
        for p in sections
        if p is not section and (best := _best(wanted, p))[0] >= SIBLING_SAYS and _affirms(question, best[1])
    ]
    if share >= SIBLING_SILENT or not saying:
        return None
    # The named section's counterpart of the sibling's sentence that says it answers: "Approval by the
    # business line's RAI Partner" under T3 Moderate, beside "Approval by the AI Review Board with the Chief
    # Risk Officer's sign-off" under T1 Critical.
    (_, said), _ = max(saying, key=lambda found: found[0][0])
    sentences = statements(section.text) or [section.text]
    closeness = embed_cached(embedder, [f"{section.title}: {s}" for s in sentences]) @ (
        embed_cached(embedder, [said])[0] + vector
    )
    answer = sentences[int(np.argmax(closeness))]
    said_by = [title for _, title in saying]
    fact = (
        f"{section.title}: {answer.rstrip('.')}. What is asked is named under {joined(said_by)}, "
        f"not under {section.title}"
    )
    return SiblingAnswer(verdict=Verdict.NO, section=section, fact=fact, said_by=said_by)


def _affirms(question: str, sentence: str) -> bool:
    """Whether `sentence` says what is asked rather than denies it ("No one can approve a blocked system")."""
    clause = clause_verdict(question, [sentence])
    return not denies_asked_verb(question, sentence) and (clause is None or clause[0])
