"""The offline router: which intent a message is, and its arguments, without a language model.

Phrasing rules (regular expressions) decide first; a message no rule claims is compared by embedding
similarity with the example utterances in `intents.yaml`. Only read-only intents can be reached by
similarity: starting a triage and filing review tasks need their own phrasing, so a near miss never acts.
The thread's state decides what plain answers mean: with a triage question pending, "no" or "only in the
US" answers it; with a quiz question pending, "B", "2" or "true" answers that; with an earlier question,
"and for deployers?" is a follow-up to it. Starting a training session needs its own phrasing ("quiz me
on GDPR basics", "start a training session on how triage works with 5 questions"), like a triage.

Only the user's own message is ever routed. Retrieved document text never reaches the router, so
instructions hidden in a document cannot start an action.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cached_property
from pathlib import Path

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field

from assistant.question import own_question
from core.yaml_io import safe_load
from knowledge.embedder import Embedder
from knowledge.references import find_references, regime_hint
from tools.tasks import TaskStatus
from tools.triage.schemas import EuTier

INTENTS_PATH = Path(__file__).resolve().with_name("intents.yaml")


class Intent(StrEnum):
    """What a message asks for."""

    ASK = "ask"
    TRIAGE = "triage"
    TRIAGE_ANSWER = "triage_answer"
    RENAME = "rename"
    CANCEL = "cancel"
    SET_TIER = "set_tier"
    FILE_TASKS = "file_tasks"
    LIST_TASKS = "list_tasks"
    LIST_SYSTEMS = "list_systems"
    PAST_REVIEWS = "past_reviews"
    HELP = "help"
    TRAINING_TOPICS = "training_topics"
    START_TRAINING = "start_training"
    QUIZ_ANSWER = "quiz_answer"
    QUIZ_NEXT = "quiz_next"
    QUIZ_STOP = "quiz_stop"


# Reachable by similarity to the examples; the others need a phrasing rule.
SIMILARITY_INTENTS = frozenset(
    {Intent.LIST_TASKS, Intent.LIST_SYSTEMS, Intent.PAST_REVIEWS, Intent.HELP, Intent.TRAINING_TOPICS}
)


class RouterState(BaseModel):
    """What the router needs to know about the thread."""

    model_config = ConfigDict(frozen=True)

    pending_question: bool = Field(default=False, description="A triage question waits for an answer.")
    awaiting_description: bool = Field(default=False, description="A triage waits for its description.")
    topic: str | None = Field(default=None, description="The thread's last question, for follow-ups.")
    quiz_pending: bool = Field(default=False, description="A quiz question waits for an answer.")


class TrainingRequest(BaseModel):
    """What a request to start a training session asked for (None: the default)."""

    topic: str | None = Field(default=None, description="The topic as the user named it.")
    questions: int | None = None
    difficulty: str | None = Field(default=None, description="easy, medium or hard.")
    participants: list[str] = Field(default_factory=list, description="People mentioned (@name, <@U123>).")
    for_channel: bool = Field(default=False, description="For everyone in the thread's channel.")


class Route(BaseModel):
    """The router's decision."""

    intent: Intent
    question: str | None = Field(default=None, description="For ask: the question, follow-ups resolved.")
    follow_up: bool = False
    description: str | None = Field(default=None, description="For triage: the system's description.")
    name: str | None = Field(default=None, description="For triage and rename: the system's name.")
    status: TaskStatus | None = None
    open_only: bool = False
    eu_tier: EuTier | None = None
    training: TrainingRequest | None = Field(default=None, description="For start_training.")
    option: str | None = Field(default=None, description="For quiz_answer: the option as typed ('B').")
    session_id: int | None = Field(default=None, description="For quiz_next: a session named by number.")
    matched_by: str = Field(description="'rule:<name>', 'similarity:<score>', 'state' or 'default'.")


# --- phrasing rules ------------------------------------------------------------------------------------

_FLAGS = re.IGNORECASE | re.DOTALL
_QUESTION_WORD = re.compile(
    r"^(?:what|which|who|whom|whose|when|where|why|how|is|are|was|were|do|does|did|can|could|should|"
    r"must|may|might|will|would|shall|has|have|had)\b",
    re.IGNORECASE,
)
_POLITE = r"(?:(?:ok(?:ay)?|great|thanks|thank you|good|yes|right|now|so|hi|hello|hey)[,!.]?\s+)*"
_PLEASE = r"(?:please\s+|can you\s+|could you\s+|would you\s+|go ahead and\s+|now\s+|then\s+)?"

_HELP = re.compile(
    r"^\s*/?(?:help|\?|what can you do|what do you do|how do (?:i|we) use (?:you|this|govassist)|"
    r"what can i ask(?: you)?|commands)\W*$",
    _FLAGS,
)
_CANCEL = re.compile(
    r"^\s*(?:cancel|stop|abort|never ?mind|forget (?:it|that|about it|the triage))\b"
    r"(?:\s+(?:the|this)?\s*triage)?\W*$",
    _FLAGS,
)
_TIER_WORDS = (
    r"(?:minimal|limited|low|no|zero|high|not high|not a high|unacceptable)[- ]risk|prohibited|out of scope"
)
_SET_TIER = re.compile(
    rf"\b(?:it'?s|it is|this is|that is|the system is|they are|treat (?:it|this|them) as|"
    rf"classify (?:it|this|that|them|every system|all systems|everything) as|mark (?:it|this|them) as|"
    rf"set (?:the |its )?tier to|change (?:the |its )?tier to|(?:it |this )?should be|"
    rf"downgrade (?:it |this )?to|"
    rf"call it)\s+(?:only\s+|just\s+|really\s+|actually\s+|a\s+|an\s+)*(?:{_TIER_WORDS})\b"
    r"|\btrust me\b|\bignore (?:the |your |all |previous |prior )+(?:rules|instructions)\b",
    _FLAGS,
)
_RENAME = re.compile(
    r"^\s*(?:please\s+)?(?:call it|name it|rename it(?: to)?|it'?s called|its name is|the name is)\s+"
    r"[\"“']?(?P<name>[^\"”']{1,120}?)[\"”']?[.!]?\s*$",
    _FLAGS,
)
_TRIAGE = re.compile(
    rf"^\s*{_POLITE}{_PLEASE}(?:i(?:'d| would) like to\s+|i want to\s+|i need to\s+|we need to\s+|"
    r"we want to\s+|let'?s\s+|help me\s+)?"
    r"(?:triage|classify|risk[- ]assess|(?:do|start|run|begin) (?:a |the )?(?:risk )?triage(?: of| for| on)?|"
    r"assess the risk(?: tier)? of|work out the (?:risk )?tier of)\b(?P<rest>.*)$",
    _FLAGS,
)
_FILE_TASKS = re.compile(
    rf"^\s*{_POLITE}{_PLEASE}(?:file|create|open|raise|log|submit)\s+"
    r"(?:(?:the|all|its|their|those|these|them|required|needed|review)\s+)*"
    r"(?:reviews?|review tasks?|tasks?|tickets?)\b(?P<rest>.*)$",
    _FLAGS,
)
_LIST_TASKS = re.compile(
    r"^\s*(?:please\s+)?(?:list|show(?: me)?|display|what|which|any|are there|give me)\b[^?]*?"
    r"\b(?:tasks?|review queue|pending reviews|open reviews|outstanding reviews|overdue reviews)\b"
    r"|^\s*tasks\W*$",
    _FLAGS,
)
_LIST_SYSTEMS = re.compile(
    r"^\s*(?:please\s+)?(?:list|show(?: me)?|display)\s+(?:me\s+)?(?:all\s+)?(?:the\s+|our\s+)?"
    r"(?:ai\s+)?(?:systems|inventory)\b"
    r"|^\s*(?:what|which)\b[^?]*\bsystems\b[^?]*\b(?:do we have|have we (?:got|triaged|recorded|registered)|"
    r"are in the inventory|did we triage)\b"
    r"|^\s*(?:what|which)\s+(?:of\s+)?our\s+(?:ai\s+)?systems\b"
    r"|^\s*(?:what|who)(?:'s| is)\s+in\s+the\s+inventory\b",
    _FLAGS,
)
_PAST_REVIEWS = re.compile(
    r"\b(?:past|previous|earlier|prior|old)\s+(?:reviews?|decisions?|assessments?)\b"
    r"|\bwhat happened (?:to|with)\b|\bhave we (?:ever |already )?(?:reviewed|assessed|approved|rejected)\b"
    r"|\bprecedents?\b|\bwhat did we decide\b|\bwhat was (?:decided|the decision|the outcome)\b"
    r"|\bwas (?:the|our|its|it)\b[^?]*\b(?:review|dpia|assessment)\b[^?]*\b(?:approved|rejected|decided)\b"
    r"|\b(?:outcome|status|result) of the [^?]*\breview\b",
    _FLAGS,
)
_START_TRAINING = re.compile(
    rf"^\s*{_POLITE}{_PLEASE}(?:i(?:'d| would) like to\s+|i want to\s+|we want to\s+|let'?s\s+)?"
    r"(?:(?P<me>quiz me|test me|train me)|"
    r"(?:(?P<give>give me)|start|run|begin|create|launch|set up|do|hold)\s+"
    r"(?:a\s+|an\s+|the\s+|new\s+|short\s+|quick\s+)*"
    r"(?:quiz|training(?: session| quiz)?|onboarding(?: session| quiz)?|ai literacy (?:session|quiz))"
    r"(?:\s+session)?)\b(?P<rest>.*)$",
    _FLAGS,
)
_TRAINING_TOPICS = re.compile(
    r"^\s*(?:please\s+)?(?:list|show(?: me)?|what|which)\b[^?]*\b(?:training|quiz(?:zes)?)\s+topics?\b"
    r"|^\s*(?:what|which)\s+(?:quizzes|trainings|training sessions)\s+(?:are there|can i (?:take|do)|"
    r"do you (?:have|offer|run))\b",
    _FLAGS,
)
_TAKE_QUIZ = re.compile(
    r"^\s*(?:please\s+)?(?:take|join|open|continue|resume|go on with|back to)\s+(?:the\s+)?"
    r"(?:quiz|training(?: session)?|session)\s*#?(?P<id>\d{1,9})\W*$",
    _FLAGS,
)
_QUIZ_NEXT = re.compile(
    r"^\s*(?:please\s+)?(?:next(?: question)?|(?:repeat|show(?: me)?|what was)(?: the| that)? question|"
    r"(?:continue|resume|go on with)(?: the| my)? quiz)\W*$",
    _FLAGS,
)
_QUIZ_STOP = re.compile(
    r"^\s*(?:please\s+)?(?:stop|end|quit|exit|cancel|abort|finish|leave)\s+(?:the\s+|this\s+|my\s+)?"
    r"(?:quiz|training(?: session)?)\W*$|^\s*i'?m done with (?:the|this) quiz\W*$",
    _FLAGS,
)
# With a quiz question pending: 'B', '2', 'true', 'my answer is c', 'I think it's (a)'.
_QUIZ_ANSWER = re.compile(
    r"^\s*(?:(?:my answer is|the answer is|answer|i (?:think|guess|say|pick|choose)(?: it'?s)?|it'?s|option)"
    r"\s*:?\s+)?[\"'(]?(?P<option>[a-e]|[1-9]|true|false|t|f)[\"')]?\s*[.!]?\s*$",
    _FLAGS,
)
_MENTION = re.compile(r"<@(?P<slack>[UW][A-Z0-9]+)(?:\|[^>]*)?>|(?<![\w.])@(?P<name>[A-Za-z0-9][\w.-]*)")
_QUESTION_COUNT = re.compile(r"\b(?:with\s+)?(?P<n>\d{1,3})\s*(?:questions?|qs?)\b", re.IGNORECASE)
_DIFFICULTY = re.compile(
    r"\b(?:(?:at\s+|on\s+)?(?P<a>easy|medium|hard)(?:\s+(?:level|difficulty|mode|ones?|questions))?|"
    r"difficulty\s*:?\s*(?P<b>easy|medium|hard))\b",
    re.IGNORECASE,
)
_FOR_CHANNEL = re.compile(
    r"\bfor\s+(?:the\s+|this\s+|everyone in the\s+|everybody in the\s+|all of the\s+)?"
    r"(?:channel|team|everyone|everybody|all of us|us all)\b",
    re.IGNORECASE,
)
_FOR_ME = re.compile(r"\bfor\s+me\b|\bjust me\b|\bonly me\b", re.IGNORECASE)
_TOPIC_EDGE = re.compile(
    r"^(?:\s|[,.:;!-]|\b(?:on|about|in|covering|of|for|with|and|please|a|an)\b)+|"
    r"(?:\s|[,.:;!?-]|\b(?:on|about|for|with|and|please|at|questions?|level|difficulty|to|people|them)\b)+$",
    re.IGNORECASE,
)
_FOLLOW_UP_LEAD = re.compile(
    r"^\s*(?:(?:and|but|also|so|then|ok(?:ay)?)\b[\s,]*)*"
    r"(?:what about|how about|what if|what of|same (?:question )?for|and for|and under|and in|for|under)?\b",
    _FLAGS,
)
_FOLLOW_UP_START = re.compile(
    r"^\s*(?:and|but also|also|what about|how about|same (?:question )?for|and what about|what if)\b", _FLAGS
)
# A short question that points back at the thread's last one: "that ban", "in that notification", "does
# that still apply", "who can enforce it". Only a message of one sentence with no noun of its own before
# the pronoun: "What does a Candle-class algorithm need before we use it?" names what "it" is.
_BACK_DEMONSTRATIVE = re.compile(
    r"\b(?:with|of|in|on|for|about|without|after|before|under|from|break|breach|does|did|do|is|are|"
    r"was|were|has|had|enforces?|enforcing|applies|apply|covers?|follow|meet|breaking|breaches)"
    r"\s+(?:that|this|those|these)\s+(?!(?:is|are|was|were|will|would|can|could|should|must|has|have|week|"
    r"month|year|morning|afternoon|time)\b)[a-z][a-z-]+",
    re.IGNORECASE,
)
_BACK_SUBJECT = re.compile(
    r"\b(?:does|do|did|is|are|would|will|can|could)\s+(?:that|this|it|they)\s+"
    r"(?:still|also|then|apply|applies|cover|count|matter|change)\b",
    re.IGNORECASE,
)
_BACK_OBJECT = re.compile(
    r"\b(?:enforce|report|use|apply|run|deploy|change|fix|stop|audit|approve|challenge|appeal)\s+"
    r"(?:it|them)\b(?!\s+(?:is|are|to be)\b)",
    re.IGNORECASE,
)
_DETERMINER = re.compile(r"\b(?:a|an|the|our|your|my|their|its)\s", re.IGNORECASE)
_ANYWAY = re.compile(r"\banyway\b", re.IGNORECASE)
_BACK_MAX_WORDS = 14
_WH_WORD = re.compile(
    r"^(?:(?:from|since|until|by)\s+when|what|which|who|whom|whose|when|where|why|how)\b", re.IGNORECASE
)
# "How long do they keep the logs?" after a question about deployers: "they" are the deployers.
_THEY = re.compile(r"\b(?:they|them)\b", re.IGNORECASE)
_NAME = re.compile(
    r"\b(?:called|named)\s+[\"“']?(?P<name>[^\"”',.:;]{2,80}?)[\"”']?(?=\s*[,.:;]|\s+(?:that|which|who|to|for|and)\b|$)",
    _FLAGS,
)
_FILLER = frozenset(
    "a an the our my this new ai feature system tool product service model one please for me us".split()
)
_STATUS_WORDS: list[tuple[re.Pattern[str], TaskStatus | None]] = [
    (re.compile(r"\bin[ _-]review\b", re.IGNORECASE), TaskStatus.IN_REVIEW),
    (re.compile(r"\bchanges[ _-]requested\b", re.IGNORECASE), TaskStatus.CHANGES_REQUESTED),
    (re.compile(r"\bapproved\b", re.IGNORECASE), TaskStatus.APPROVED),
    (re.compile(r"\brejected\b", re.IGNORECASE), TaskStatus.REJECTED),
]
_OPEN_WORDS = re.compile(r"\b(?:open|pending|outstanding|overdue|not yet decided|undecided|to do)\b", re.I)
_TIER_FILTER: list[tuple[re.Pattern[str], EuTier]] = [
    (re.compile(r"\bhigh[- ]risk\b", re.IGNORECASE), EuTier.HIGH),
    (re.compile(r"\bprohibited\b", re.IGNORECASE), EuTier.PROHIBITED),
    (re.compile(r"\blimited[- ]risk\b", re.IGNORECASE), EuTier.LIMITED),
    (re.compile(r"\bminimal[- ]risk\b", re.IGNORECASE), EuTier.MINIMAL),
    (re.compile(r"\bout[- ]of[- ]scope\b", re.IGNORECASE), EuTier.OUT_OF_SCOPE),
]


def is_question(message: str) -> bool:
    """A full question: opens with a question word and ends with a question mark."""
    text = message.strip()
    return bool(_QUESTION_WORD.match(text)) and text.endswith("?") and len(text.split()) >= 3


def triage_request(rest: str) -> tuple[str | None, str | None]:
    """(description, name) from what follows 'triage': the text after a colon, else the words after the
    leading filler ('a new feature'); None when nothing but filler is left."""
    text = rest.strip()
    name_match = _NAME.search(text)
    name = name_match.group("name").strip() if name_match else None
    if ":" in text:
        description = text.split(":", 1)[1].strip()
    else:
        words = text.split()
        while words and words[0].lower().strip(",.") in _FILLER:
            words.pop(0)
        description = " ".join(words).strip()
    if description and all(w.lower().strip(",.!?") in _FILLER for w in description.split()):
        description = ""
    return (description or None), name


def task_filters(message: str) -> tuple[TaskStatus | None, bool]:
    """(status, open_only) named in a request for tasks."""
    for pattern, status in _STATUS_WORDS:
        if pattern.search(message):
            return status, False
    return None, bool(_OPEN_WORDS.search(message))


def tier_filter(message: str) -> EuTier | None:
    """An EU tier named in a request for systems."""
    for pattern, tier in _TIER_FILTER:
        if pattern.search(message):
            return tier
    return None


def training_request(rest: str, *, personal: bool) -> TrainingRequest:
    """What follows 'quiz me' / 'start a training session': topic, number of questions, difficulty, the
    people mentioned, and whether it is for the channel. A personal request ('quiz me', 'for me') is for
    the user alone; any other is for the people mentioned, else for the thread's channel."""
    text = rest
    participants = []
    for match in _MENTION.finditer(text):
        participants.append(match.group("slack") or match.group("name"))
    text = _MENTION.sub(" ", text)
    count = _QUESTION_COUNT.search(text)
    text = _QUESTION_COUNT.sub(" ", text)
    level = _DIFFICULTY.search(text)
    text = _DIFFICULTY.sub(" ", text)
    mine = personal or bool(_FOR_ME.search(text))
    text = _FOR_ME.sub(" ", _FOR_CHANNEL.sub(" ", text))
    # Connectors left where the mentions were: 'for  and  ,' go with them.
    text = re.sub(r"\bfor(?:\s*(?:,|\band\b))*\s*$", " ", text.strip(), flags=re.IGNORECASE)
    topic = " ".join(text.split())
    previous = None
    while topic != previous:
        previous = topic
        topic = _TOPIC_EDGE.sub("", topic).strip()
    return TrainingRequest(
        topic=topic or None,
        questions=int(count.group("n")) if count else None,
        difficulty=(level.group("a") or level.group("b")).lower() if level else None,
        participants=list(dict.fromkeys(participants)) if not mine else [],
        for_channel=not mine and not participants,
    )


# --- follow-ups ----------------------------------------------------------------------------------------

# Terms that a follow-up swaps for their counterpart in the previous question ("and for deployers?").
_SWAPS: dict[str, re.Pattern[str]] = {
    "role": re.compile(
        r"\b(?:providers?|deployers?|importers?|distributors?|authori[sz]ed representatives?|"
        r"product manufacturers?|operators?)\b",
        re.IGNORECASE,
    ),
    "regime": re.compile(
        r"\b(?:(?:the )?EU AI Act|(?:the )?AI Act|GDPR|NIST AI RMF|NIST|ISO(?:/IEC)? 42001|"
        r"Colorado(?: AI Act)?|NYC Local Law 144|Local Law 144|LL ?144|ECOA|Regulation B|Title VII)\b",
        re.IGNORECASE,
    ),
    "tier": re.compile(
        r"\b(?:(?:high|limited|minimal)[- ]risk(?: AI)?(?: systems?)?|"
        r"prohibited(?: AI)?(?: systems?| practices?)?|"
        r"general[- ]purpose AI(?: models?| systems?)?|GPAI(?: models?| systems?)?)\b",
        re.IGNORECASE,
    ),
}


def is_follow_up(message: str, state: RouterState) -> bool:
    """Whether `message` continues the thread's last question rather than asking a new one."""
    if not state.topic:
        return False
    text = message.strip()
    if _FOLLOW_UP_START.match(text) or refers_back(text):
        return True
    # "deployers?", "under GDPR?": a short fragment that is not a question of its own.
    return text.endswith("?") and len(text.split()) <= 4 and not _QUESTION_WORD.match(text)


def refers_back(message: str) -> bool:
    """Whether a short question of one sentence points back at an earlier one ("What conditions came with
    that approval?", "Does that still apply if ...?", "Who can enforce it?")."""
    text = message.strip()
    if len(text.split()) > _BACK_MAX_WORDS or re.search(r"[.!?]\s+\S", text):
        return False
    if _BACK_DEMONSTRATIVE.search(text) or _BACK_SUBJECT.search(text) or _ANYWAY.search(text):
        return True
    found = _BACK_OBJECT.search(text)
    return found is not None and not _DETERMINER.search(text[: found.start()])


def rewrite_follow_up(topic: str, message: str) -> str:
    """The follow-up as a self-contained question: its role, regime or tier swapped into the previous
    question where that names one of the same kind; a follow-up that asks its own what / when / who
    question is asked as it is, the previous question after it in brackets for what it refers to ("What
    is the fine if we break that ban? (Is emotion recognition at work prohibited under the AI Act)"), so
    the answer is to the new question; else the previous question narrowed to the follow-up's focus.
    Deterministic: the same thread state and message give the same question."""
    focus = _FOLLOW_UP_LEAD.sub("", message.strip(" ?!.,"), count=1).strip(" ?!.,")
    if not focus:
        return topic
    rewritten = topic
    swapped = False
    for pattern in _SWAPS.values():
        wanted = pattern.search(focus)
        present = pattern.search(rewritten)
        if wanted and present and wanted.group(0).lower() != present.group(0).lower():
            rewritten = pattern.sub(wanted.group(0), rewritten)
            swapped = True
    if swapped:
        return rewritten
    if _WH_WORD.match(focus) and len(focus.split()) >= 3:
        focus = f"{focus[0].upper()}{focus[1:]}"
        role = _SWAPS["role"].search(topic)
        if role and _THEY.search(focus) and not _SWAPS["role"].search(focus):
            resolved = _THEY.sub(role.group(0), focus, count=1)
            if not refers_back(resolved):
                return f"{resolved}?"  # self-contained now: the earlier question would only blur it
        # The earlier question's own brackets go: a third turn's "that" points at the second.
        earlier = own_question(topic).rstrip(" ?!.")
        return f"{focus}? ({earlier})"
    if _QUESTION_WORD.match(focus):
        focus = focus[0].lower() + focus[1:]
    return f"{topic.rstrip(' ?!.')}, regarding {focus}?"


# --- the router ----------------------------------------------------------------------------------------


class IntentExamples(BaseModel):
    """intents.yaml: per-embedder thresholds and example utterances per intent."""

    thresholds: dict[str, float]
    intents: dict[Intent, list[str]]


def load_examples(path: Path = INTENTS_PATH) -> IntentExamples:
    """The example utterances (ValueError naming the file if it is malformed)."""
    try:
        return IntentExamples.model_validate(safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValueError) as exc:
        raise ValueError(f"{path}: invalid intent examples: {exc}") from exc


class Router:
    """Phrasing rules, then similarity to example utterances; deterministic for a given embedder."""

    def __init__(self, embedder: Embedder, examples: IntentExamples | None = None) -> None:
        self.embedder = embedder
        self.examples = examples or load_examples()
        thresholds = self.examples.thresholds
        self.threshold = thresholds.get(embedder.name, thresholds.get("default", 0.62))

    @cached_property
    def _example_matrix(self) -> tuple[list[Intent], np.ndarray]:
        labels = [intent for intent, texts in self.examples.intents.items() for _ in texts]
        texts = [text for texts in self.examples.intents.values() for text in texts]
        return labels, self.embedder.embed(texts)

    def nearest(self, message: str) -> tuple[Intent, float]:
        """The intent of the most similar example utterance and its cosine similarity."""
        labels, matrix = self._example_matrix
        vector = self.embedder.embed([message.strip().rstrip("?!.")])[0]
        scores = matrix @ vector
        best = int(np.argmax(scores))
        return labels[best], float(scores[best])

    def route(self, message: str, state: RouterState | None = None) -> Route:
        """The intent of `message` in a thread in `state`, with its arguments."""
        state = state or RouterState()
        text = message.strip()
        if _HELP.match(text):
            return Route(intent=Intent.HELP, matched_by="rule:help")
        if state.quiz_pending:
            answer = _QUIZ_ANSWER.match(text)
            if answer:
                return Route(intent=Intent.QUIZ_ANSWER, option=answer.group("option"), matched_by="state")
        if _QUIZ_STOP.match(text):
            return Route(intent=Intent.QUIZ_STOP, matched_by="rule:quiz_stop")
        if _CANCEL.match(text):
            return Route(intent=Intent.CANCEL, matched_by="rule:cancel")
        take = _TAKE_QUIZ.match(text)
        if take:
            return Route(
                intent=Intent.QUIZ_NEXT, session_id=int(take.group("id")), matched_by="rule:take_quiz"
            )
        if _QUIZ_NEXT.match(text):
            return Route(intent=Intent.QUIZ_NEXT, matched_by="rule:quiz_next")
        start = _START_TRAINING.match(text)
        if start and not is_question(text):
            personal = bool(start.group("me") or start.group("give"))
            request = training_request(start.group("rest"), personal=personal)
            return Route(intent=Intent.START_TRAINING, training=request, matched_by="rule:start_training")
        if _TRAINING_TOPICS.search(text):
            return Route(intent=Intent.TRAINING_TOPICS, matched_by="rule:training_topics")
        triage = _TRIAGE.match(text)
        if triage:
            # Before the tier rule: what a description claims about its tier is not a fact the rules read.
            description, name = triage_request(triage.group("rest"))
            return Route(intent=Intent.TRIAGE, description=description, name=name, matched_by="rule:triage")
        if state.awaiting_description:
            return Route(intent=Intent.TRIAGE, description=text, matched_by="state")
        if _SET_TIER.search(text) and not is_question(text):
            return Route(intent=Intent.SET_TIER, matched_by="rule:set_tier")
        rename = _RENAME.match(text)
        if rename:
            return Route(intent=Intent.RENAME, name=rename.group("name").strip(), matched_by="rule:rename")
        if _FILE_TASKS.match(text):
            return Route(intent=Intent.FILE_TASKS, matched_by="rule:file_tasks")
        if _LIST_TASKS.search(text):
            status, open_only = task_filters(text)
            return Route(
                intent=Intent.LIST_TASKS, status=status, open_only=open_only, matched_by="rule:tasks"
            )
        if _LIST_SYSTEMS.search(text):
            return Route(intent=Intent.LIST_SYSTEMS, eu_tier=tier_filter(text), matched_by="rule:systems")
        if _PAST_REVIEWS.search(text):
            return Route(intent=Intent.PAST_REVIEWS, matched_by="rule:past_reviews")
        if state.pending_question and not is_question(text) and not _FOLLOW_UP_START.match(text):
            return Route(intent=Intent.TRIAGE_ANSWER, matched_by="state")
        if is_follow_up(text, state):
            assert state.topic is not None
            return Route(
                intent=Intent.ASK,
                question=rewrite_follow_up(state.topic, text),
                follow_up=True,
                matched_by="rule:follow_up",
            )
        intent, score = self.nearest(text)
        # A message that names a regime or a provision is about the law, whatever it resembles.
        about_the_law = bool(regime_hint(text) or find_references(text))
        if intent in SIMILARITY_INTENTS and score >= self.threshold and not about_the_law:
            matched = f"similarity:{score:.3f}"
            if intent is Intent.LIST_TASKS:
                status, open_only = task_filters(text)
                return Route(intent=intent, status=status, open_only=open_only, matched_by=matched)
            if intent is Intent.LIST_SYSTEMS:
                return Route(intent=intent, eu_tier=tier_filter(text), matched_by=matched)
            return Route(intent=intent, matched_by=matched)
        return Route(intent=Intent.ASK, question=text, matched_by="default")
