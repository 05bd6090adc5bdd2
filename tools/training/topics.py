"""The catalogue of training topics: what each covers and which knowledge its questions come from."""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from tools.training.errors import TopicError


class Family(StrEnum):
    """Kinds of fact a question can test. Each topic draws on some of them."""

    DATE = "date"
    QUANTITY = "quantity"
    FINE = "fine"
    TERM = "term"
    MEMBERSHIP = "membership"
    EU_TIER = "eu-tier"
    FUNCTION = "function"
    TABLE = "table"
    RULE = "rule"
    APPROVAL = "approval"
    CLOZE = "cloze"
    POLICY_LIST = "policy-list"


class Topic(BaseModel):
    """One training topic."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Stable slug, e.g. 'eu-ai-act-basics'.")
    title: str = Field(description="What trainers type and reports show, e.g. 'EU AI Act basics'.")
    aliases: tuple[str, ...] = ()
    description: str
    regimes: tuple[str, ...] = Field(default=(), description="Knowledge packs the questions come from.")
    policy_sources: tuple[str, ...] = Field(
        default=(), description="Substrings of the source ids of the organisation documents it uses."
    )
    policy_required: bool = Field(
        default=False, description="True when the topic means nothing without those documents."
    )
    families: tuple[Family, ...]
    how_to_load: str = Field(default="", description="What to run when its knowledge is not indexed.")


_LOAD_PACKS = (
    "the built-in knowledge packs are indexed automatically unless load_builtin_knowledge is false; "
    "set GOVASSIST_LOAD_BUILTIN_KNOWLEDGE=true and run any command (e.g. `govassist knowledge status`)"
)

TOPICS: tuple[Topic, ...] = (
    Topic(
        id="eu-ai-act-basics",
        title="EU AI Act basics",
        aliases=("eu ai act", "ai act basics", "ai act"),
        description="Application dates, prohibited practices, risk tiers, definitions, fines and deadlines.",
        regimes=("eu-ai-act",),
        families=(
            Family.DATE,
            Family.MEMBERSHIP,
            Family.EU_TIER,
            Family.TERM,
            Family.FINE,
            Family.QUANTITY,
        ),
        how_to_load=_LOAD_PACKS,
    ),
    Topic(
        id="genai-acceptable-use",
        title="our generative AI acceptable-use policy",
        aliases=(
            "generative ai acceptable-use policy",
            "generative ai acceptable use policy",
            "acceptable-use policy",
            "acceptable use policy",
            "genai acceptable use",
            "aup",
        ),
        description="The organisation's rules for generative AI: approved tools, data, prohibited uses.",
        policy_sources=("acceptable-use",),
        policy_required=True,
        families=(Family.TABLE, Family.POLICY_LIST, Family.CLOZE, Family.APPROVAL, Family.RULE),
        how_to_load=(
            "index the organisation's generative AI acceptable-use policy: `govassist knowledge load-sample` "
            "for the sample organisation, or `govassist ingest <file> --kind policy` with a source id "
            "containing 'acceptable-use'"
        ),
    ),
    Topic(
        id="how-triage-works",
        title="how triage works",
        aliases=("triage", "risk triage", "how triage works"),
        description="How triage tiers a system under the EU AI Act and, with the tiering standard indexed, "
        "which internal tier, reviews and approvals follow.",
        regimes=("eu-ai-act",),
        policy_sources=("tiering-standard",),
        families=(Family.EU_TIER, Family.RULE, Family.TABLE, Family.APPROVAL, Family.CLOZE),
        how_to_load=_LOAD_PACKS,
    ),
    Topic(
        id="gdpr-basics",
        title="GDPR basics",
        aliases=("gdpr", "data protection basics"),
        description="Principles, lawful bases, definitions, deadlines and fines of the GDPR.",
        regimes=("gdpr",),
        families=(Family.MEMBERSHIP, Family.TERM, Family.QUANTITY, Family.FINE, Family.DATE),
        how_to_load=_LOAD_PACKS,
    ),
    Topic(
        id="nist-ai-rmf-basics",
        title="NIST AI RMF basics",
        aliases=("nist", "nist basics", "nist ai rmf", "ai rmf"),
        description="The AI RMF's functions and trustworthiness characteristics, and the generative AI "
        "risks of NIST AI 600-1.",
        regimes=("nist-ai-rmf", "nist-ai-600-1"),
        families=(Family.FUNCTION, Family.MEMBERSHIP),
        how_to_load=_LOAD_PACKS,
    ),
)


def _key(text: str) -> str:
    return " ".join(text.lower().replace("_", " ").split())


def find_topic(name: str) -> Topic:
    """The topic called `name` (its id, title or an alias, case-insensitive); TopicError listing the
    topics otherwise."""
    wanted = _key(name)
    for topic in TOPICS:
        if wanted in {_key(topic.id), _key(topic.id.replace("-", " ")), _key(topic.title)} | {
            _key(alias) for alias in topic.aliases
        }:
            return topic
    known = "; ".join(f'"{topic.title}"' for topic in TOPICS)
    raise TopicError(f"unknown topic {name!r}; known topics: {known} (see 'govassist train topics')")


def match_topic(text: str) -> Topic | None:
    """The topic `text` names, also inside a phrase ('the EU AI Act, please' names EU AI Act basics): an
    exact name first, else the topic with the longest id, title or alias found as whole words in `text`.
    None when no topic is named."""
    try:
        return find_topic(text)
    except TopicError:
        pass
    wanted = f" {' '.join(re.findall(r'[a-z0-9]+', text.lower()))} "
    best: tuple[int, Topic] | None = None
    for topic in TOPICS:
        for name in (topic.id.replace("-", " "), topic.title, *topic.aliases):
            words = " ".join(re.findall(r"[a-z0-9]+", name.lower()))
            if words and f" {words} " in wanted and (best is None or len(words) > best[0]):
                best = (len(words), topic)
    return best[1] if best else None
