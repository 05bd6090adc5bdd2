"""Question analysis: what a question asks for, about which regime, about the organisation or the law, and
about which kind of system. Deterministic (patterns, the pack manifests and the triage phrase book); the
answer engine conditions retrieval and writes its lead from it.

    analysis = analyse_question("Does the Colorado AI Act apply to our hiring tool?")
    analysis.type        # QuestionType.YES_NO
    analysis.regimes     # ['colorado-ai-act']
    analysis.focus       # Focus.REGIME
    analysis.use_cases   # ['recruitment']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from enum import StrEnum
from functools import cache

from pydantic import BaseModel, ConfigDict, Field

from knowledge.lexical import tokenize
from knowledge.packs.loader import load_packs
from knowledge.packs.schema import Role
from tools.triage.catalogue import REGIME_TRIGGERS, Jurisdiction
from tools.triage.phrases import USE_CASES, phrase_hits


class QuestionType(StrEnum):
    """What kind of answer the question wants first."""

    YES_NO = "yes_no"
    WHEN = "when"
    HOW_LONG = "how_long"
    HOW_MUCH = "how_much"
    WHO = "who"
    WHAT_IS = "what_is"
    WHAT_MUST = "what_must"
    LIST = "list"
    PAST_DECISION = "past_decision"
    OTHER = "other"


class Focus(StrEnum):
    """Whose rules the question is about, which decides the order sources are read in."""

    REGIME = "regime"  # names a regime: that regime first
    ORGANISATION = "organisation"  # "we", "our", internal names: our policies and reviews first, law second
    LAW = "law"  # the law first, our policies second


class Ask(StrEnum):
    """For a yes/no question, what is asked: decides which structured fact answers it."""

    PERMISSION = "permission"  # can / may / is it allowed
    OBLIGATION = "obligation"  # must / do we have to / does X require
    APPLIES = "applies"  # does X apply to / cover
    CLASSIFICATION = "classification"  # is X high-risk / prohibited
    STATUS = "status"  # is this guidance final / this rule still in force / this law enforceable
    EXISTS = "exists"  # does the UK have an AI act / is there a federal AI law
    OTHER = "other"


class QuestionAnalysis(BaseModel):
    """The plan for answering one question."""

    model_config = ConfigDict(frozen=True)

    question: str
    type: QuestionType
    ask: Ask = Field(default=Ask.OTHER, description="For yes/no questions: what is asked.")
    regimes: list[str] = Field(default_factory=list, description="Pack regime ids the question names.")
    focus: Focus
    internal_names: list[str] = Field(
        default_factory=list, description="Names of our own systems, tools or documents it mentions."
    )
    use_cases: list[str] = Field(default_factory=list, description="Triage catalogue codes of its subject.")
    jurisdictions: list[Jurisdiction] = Field(default_factory=list, description="Places it names.")
    roles: list[Role] = Field(default_factory=list, description="Roles it names (provider, deployer...).")
    tier_asked: str | None = Field(default=None, description="EU AI Act tier a yes/no question asks about.")
    durations: list[tuple[int, str]] = Field(
        default_factory=list, description="Periods the question states, as (value, unit), e.g. (10, 'years')."
    )
    asks_prohibitions: bool = Field(
        default=False, description="Whether it asks what a regime prohibits ('What does TRAIGA ban?')."
    )

    @property
    def organisational(self) -> bool:
        """Whether the question is (also) about the organisation's own rules."""
        return (
            self.focus is Focus.ORGANISATION
            or bool(self.internal_names)
            or _WE.search(self.question) is not None
        )


# Other names people use for the regimes of the packs. A pack whose manifest is not listed here is still
# recognised by its id and by the acronyms in its title.
REGIME_ALIASES: dict[str, tuple[str, ...]] = {
    "eu-ai-act": (
        r"\beu ai act\b",
        r"(?<!colorado )\bai act\b",
        r"2024/1689",
        r"(?<!colorado )artificial intelligence act",
    ),
    "gdpr": (
        r"\bgdpr\b",
        r"2016/679",
        r"general data protection regulation",
        r"\buk gdpr\b",
        # Terms of art only the GDPR uses among the packs.
        r"\bdata subjects?(?:'s?)?\b",
        r"\b(?:supervisory|data protection) authorit(?:y|ies)\b",
        r"\blawful bas(?:is|es)\b",
    ),
    "colorado-ai-act": (
        r"\bcolorado\b",
        r"\bsb\s?24-205\b",
        r"\bsb\s?26-189\b",
        r"\bsb\s?25b-004\b",
        r"\bc\.?r\.?s\.?\s+6-1-17",
    ),
    "nyc-ll144": (
        r"\b(?:nyc|new york city)\b",
        r"\blocal law (?:no\.?\s*)?144\b",
        r"\bll\s?144\b",
        r"\baedts?\b",
        r"\bautomated employment decision tools?\b",
    ),
    "ecoa-reg-b": (
        r"\breg(?:ulation)?\.? b\b",
        r"\becoa\b",
        r"\bequal credit opportunity\b",
        r"\badverse action notices?\b",
        r"\bcfpb\b",
    ),
    "eeoc-title-vii": (
        r"\btitle vii\b",
        r"\beeoc\b",
        r"\buniform guidelines\b",
        r"\bfour-fifths rule\b",
        r"\bada\b",
    ),
    "us-health-ai": (r"\bhipaa\b", r"\bfda\b", r"\bsection 1557\b", r"\bsamd\b"),
    "nist-ai-rmf": (
        r"\bnist ai rmf\b",
        r"\bai rmf\b",
        r"\bai risk management framework\b",
        r"\bai 100-1\b",
        r"\b(?:govern|map|measure|manage) \d",
    ),
    "nist-ai-600-1": (r"\bai 600-1\b", r"\bgenerative (?:ai )?profile\b", r"\bgenai profile\b"),
    "iso-42001": (r"\biso(?:/iec)?\s?42001\b", r"\bai management system\b"),
    "illinois-hra-ai": (r"\billinois\b", r"\bhb\s?3773\b", r"\b775 ilcs\b"),
    "texas-traiga": (r"\btraiga\b", r"\btexas\b", r"\bhb\s?149\b"),
    "california-sb53": (
        r"\bsb\s?53\b",
        r"\btransparency in frontier (?:artificial intelligence|ai) act\b",
        r"\btfaia\b",
    ),
    "california-ccpa-admt": (
        r"\bccpa\b",
        r"\bcppa\b",
        r"\badmt\b",
        r"\bautomated decision-?making technology\b(?!.*\bcolorado\b)",
        r"\bcalifornia privacy\b",
    ),
    "california-ai-transparency": (
        r"\bsb\s?942\b",
        r"\bab\s?853\b",
        r"\b(?:california )?ai transparency act\b",
        r"\blatent disclosures?\b",
    ),
    "ny-raise": (r"\braise act\b", r"\bnew york raise\b"),
    "korea-ai-basic-act": (
        r"\bkorea\w*\b",
        r"\bai basic act\b",
        r"\bframework act on (?:the development of )?ai\b",
    ),
    "us-federal-ai": (
        r"\beo\s?14365\b",
        r"\b(?:executive order|e\.o\.)\s?14365\b",
        r"\bai litigation task force\b",
        r"\bfederal preemption\b",
        r"\bpreempt\w*\b.*\bstate ai laws?\b",
    ),
    "uk-ai": (
        r"\b(?:the )?uk\b(?! gdpr)",
        r"\bunited kingdom\b",
        r"\bbritain\b|\bbritish\b",
        r"\bking's speech\b",
    ),
}
# The EU AI Act is often called just "the AI Act"; next to another regime's name ("the UK AI act", "Korea's
# AI act") that generic name means the other regime, not the EU's.
_GENERIC_AI_ACT = re.compile(r"\b(?:ai act|artificial intelligence act)\b", re.IGNORECASE)
_EU_BY_NAME = re.compile(r"\beu\b|\beuropean?\b|2024/1689|\bomnibus\b|\barticle \d|\bannex\b|\bgpai\b", re.I)
# Where a regime reaches, so a verdict on "does <regime> apply" triages in the right place.
_REGIME_PLACE: dict[str, Jurisdiction] = {t.regime: t.jurisdiction for t in REGIME_TRIGGERS} | {
    "eu-ai-act": Jurisdiction.EU,
    "gdpr": Jurisdiction.EU,
}
_PLACES: tuple[tuple[Jurisdiction, re.Pattern[str]], ...] = (
    (Jurisdiction.EU, re.compile(r"\b(?:eu|europe\w*|member states?)\b", re.IGNORECASE)),
    (Jurisdiction.US_NYC, re.compile(r"\b(?:nyc|new york city)\b", re.IGNORECASE)),
    (Jurisdiction.US_CO, re.compile(r"\bcolorado\b", re.IGNORECASE)),
    (Jurisdiction.US, re.compile(r"\b(?:US|USA|U\.S\.|United States|America\w*)\b")),
)

_WE = re.compile(r"\b(?:we|our|ours|us|I|my|me)\b|\bwe'(?:re|ve|d|ll)\b", re.IGNORECASE)
_PAST = re.compile(
    r"\bwhat did (?:we|they|you|the board) (?:decide|conclude|agree|approve)|"
    r"\b(?:did|have) we (?:approve|reject|review|decide)\w*|"
    r"\bwhat (?:was|were) (?:the )?(?:decision|outcome|conditions?)\b|\bdecision (?:on|about|for)\b|"
    r"\bwhat happened (?:to|with) (?:the )?review|\bpast reviews?\b|\bhow did we (?:decide|tier|classify)",
    re.IGNORECASE,
)
_HOW_MUCH = re.compile(
    r"\bhow much\b|\b(?:maximum|max|highest|biggest)\s+(?:fine|penalt\w*|amount)|\bhow (?:high|large|big)\b.*"
    r"\b(?:fines?|penalt\w*)|\bwhat (?:are|is) the (?:fines?|penalt\w*)|\bfin(?:e|es|ed)\b|\bpenalt\w*|"
    r"\bcaps?\b|\bcapped\b",
    re.IGNORECASE,
)
_HOW_LONG = re.compile(
    r"\bhow long\b|\bhow often\b|\bhow many (?:days|hours|weeks|months|years)\b|"
    r"\bhow (?:soon|quickly|fast)\b|"
    r"\bwithin how\b|\bdeadline\b|\bretention period\b|\bhow frequently\b",
    re.IGNORECASE,
)
_WHEN = re.compile(
    r"^\s*(?:and\s+)?(?:from\s+|by\s+|until\s+|since\s+)?when\b|\bwhat date\b|\bfrom which date\b|"
    r"\bwhich date\b|\bwhen (?:does|do|did|will|must|is|are|should)\b|\bstart (?:to )?apply",
    re.IGNORECASE,
)
# "When is a DPIA required?" asks in which cases, not from which date.
_WHEN_CONDITION = re.compile(
    r"\bwhen (?:is|are|do|does)\b(?:(?!\b(?:apply|applies|start|comply|enter|take effect)\b).)*"
    r"\b(?:required|needed|necessary|mandatory|allowed|permitted|needs?|must|regulated|covered|considered|"
    r"classified|treated|deemed|exempt)\b",
    re.IGNORECASE,
)
# "In which cases is a DPIA mandatory?": the same ask, in other words.
_CASES = re.compile(
    r"\b(?:in )?(?:which|what) (?:situations?|cases?|circumstances?)\b.*\b(?:required|needed|necessary|"
    r"mandatory|allowed|permitted|needs?|must|apply|applies)\b",
    re.IGNORECASE,
)
_WHO = re.compile(
    r"^\s*(?:and\s+)?who(?:m|se)?\b|\bwhich (?:team|person|role|body|authority|group)\b|"
    r"\bwho (?:is|are) responsible",
    re.IGNORECASE,
)
_DEFINITION = re.compile(
    r"^\s*(?:what|who)\s+(?:is|are)\s+(?:an?\s+|the\s+)?(?:definition of\s+)?[\w\s'’()-]{1,60}\??\s*$|"
    r"\bwhat does ['\"“]?[\w\s-]{1,40}['\"”]? mean\b|\bdefin(?:e|ition)\b|"
    r"\bwhat counts as\b|\bwho counts as\b|"
    r"\b(?:what|which) (?:kinds?|types?|sorts?) of [\w\s-]{1,40}? counts? as\b|"
    r"\bmeaning of\b",
    re.IGNORECASE,
)
_MUST = re.compile(
    r"^\s*(?:and\s+)?what\b.*\b(?:must|should|shall|ha(?:ve|s) to|need to|needs to|require[sd]?|obligations?|"
    r"duties|contain|include|ask for|expect)\b|\bwhat are (?:the|our|my) (?:obligations|duties|requirements)",
    re.IGNORECASE,
)
_LIST = re.compile(
    r"^\s*(?:and\s+)?(?:which|list|name)\b|\bwhat (?:are|kinds?|types?) (?:of )?(?:the )?\w+s\b",
    re.IGNORECASE,
)
_POLAR = re.compile(
    r"^\s*(?:and\s+|so\s+|but\s+)?(?:is|are|am|does|do|did|can|could|may|might|must|should|shall|will|would|"
    r"has|have|had|was|were|isn't|aren't|doesn't|don't|can't|mustn't)\b",
    re.IGNORECASE,
)
_ASK_PERMISSION = re.compile(
    r"^\s*(?:can|could|may|might)\b|\b(?:allowed|permitted|banned|forbidden|prohibited|legal|lawful|ok|okay)\b",
    re.IGNORECASE,
)
_ASK_APPLIES = re.compile(r"\b(?:apply|applies|cover|covers|covered|in scope|fall under|falls under)\b", re.I)
_ASK_OBLIGATION = re.compile(
    r"^\s*should\b|"  # "Should I try to fix the model myself?": what the rules expect of us
    r"\b(?:must|have to|has to|need to|needs to|require|requires|required|obliged|mandatory|oblige)\b|"
    # "Is the supplier questionnaire needed when we buy an AI product?"
    r"^\s*(?:is|are)\s+(?:[\w'-]+\s+){1,6}?(?:still\s+)?(?:needed|necessary)\b|"
    r"^\s*(?:do|does|did)\s+(?:[\w'-]+\s+){1,6}?(?:still\s+)?need\s+(?:an?|the|to)\b",
    re.I,
)
# "Are the Article 6 guidelines final?", "Is Circular 2022-03 still in force?": where an instrument stands,
# which a record's status answers. The question must name a kind of instrument, so "Does Regulation B still
# impose an effects test?" (a question about a rule's content) is not one.
_ASK_STATUS = re.compile(
    r"\b(?:final|finali[sz]ed|in force|in effect|enforceable|withdrawn|rescinded|repealed|superseded|"
    r"adopted|still (?:the\s+)?(?:valid|current|applicable|available|online)|(?:current|latest) version|"
    r"been cited)\b",
    re.IGNORECASE,
)
_INSTRUMENT = re.compile(
    r"\b(?:guidelines?|guidance|technical assistance|code of practice|circular|rules?|regulations?|"
    r"standards?|acts?|laws?|bills?|orders?|documents?|memos?|opinions?|statutes?|frameworks?|profiles?|"
    r"overlays?|publications?|reports?|drafts?)\b|\bcolorado\b|\bsb\s?\d|\b(?:ai\s+rmf|ir\s?\d+)",
    re.IGNORECASE,
)
_ASK_EXISTS = re.compile(r"^\s*(?:does|do|did)\b.*\bhave an?\b|^\s*(?:is|are) there\b", re.IGNORECASE)
_PROHIBITIONS = re.compile(
    r"^\s*(?:and\s+)?(?:what|which)\b.*\b(?:prohibit\w*|bans?|banned|forbid\w*|outlaw\w*)\b",
    re.IGNORECASE,
)
_TIERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("prohibited", re.compile(r"\b(?:prohibited|banned|forbidden|unacceptable)\b", re.IGNORECASE)),
    ("high", re.compile(r"\bhigh[- ]risk\b", re.IGNORECASE)),
    ("limited", re.compile(r"\blimited[- ]risk\b", re.IGNORECASE)),
    ("minimal", re.compile(r"\bminimal[- ]risk\b", re.IGNORECASE)),
)
_ROLES: tuple[tuple[Role, re.Pattern[str]], ...] = tuple(
    (role, re.compile(rf"\b{pattern}\b", re.IGNORECASE))
    for role, pattern in (
        (Role.PROVIDER, r"providers?"),
        (Role.DEPLOYER, r"deployers?"),
        (Role.IMPORTER, r"importers?"),
        (Role.DISTRIBUTOR, r"distributors?"),
        (Role.DEVELOPER, r"developers?"),
        (Role.CONTROLLER, r"controllers?"),
        (Role.PROCESSOR, r"processors?"),
        (Role.EMPLOYER, r"employers?"),
        (Role.EMPLOYMENT_AGENCY, r"employment agenc(?:y|ies)"),
        (Role.CREDITOR, r"creditors?|lenders?"),
        (Role.COVERED_ENTITY, r"covered entit(?:y|ies)"),
        (
            Role.GPAI_PROVIDER,
            r"(?:gpai|general-purpose ai) (?:model )?providers?|"
            r"providers? of (?:an? )?(?:gpai|general-purpose ai) models?",
        ),
    )
)
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fourteen": 14, "fifteen": 15, "eighteen": 18, "twenty": 20,
    "twenty-four": 24, "thirty": 30, "forty-five": 45, "forty-eight": 48, "sixty": 60, "seventy-two": 72,
    "ninety": 90,
}  # fmt: skip
_DURATION = re.compile(
    rf"\b(\d{{1,4}}|{'|'.join(sorted(NUMBER_WORDS, key=len, reverse=True))})[\s-]"
    r"(hours?|days?|business days?|working days?|weeks?|months?|years?)\b",
    re.IGNORECASE,
)


@cache
def _regime_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """One pattern per regime of the packs that ship: the aliases above, the id, and the acronyms and
    bill numbers in the manifest's title ("GDPR", "SB 24-205")."""
    found = []
    packs = load_packs()
    # Words the packs' own prose uses in lower case ("raise"): an acronym spelt like one ("RAISE") names
    # its act only in capitals ("Can a reviewer raise a system's tier?" names no act).
    prose = {
        word
        for pack in packs
        for r in pack.records
        for word in re.findall(r"\b[a-z]+\b", f"{r.title} {r.summary}")
    }
    for pack in packs:
        alternatives = [re.escape(pack.regime_id), *REGIME_ALIASES.get(pack.regime_id, ())]
        for raw in re.findall(r"\b[A-Z]{2,}[A-Z0-9/-]*\b|\b[A-Z]{2} \d[\d-]+\b", pack.title):
            # "AI-enabled" gives "AI-", and a bill's chamber alone ("SB", "HB") names no one bill.
            token = raw.rstrip("/-")
            if token not in {"AI", "EU", "US", "UK", "NIST", "ISO", "IEC", "RMF", "C.R.S", "SB", "AB", "HB"}:
                spelt = rf"\b{re.escape(token)}\b"
                alternatives.append(f"(?-i:{spelt})" if token.lower() in prose else spelt)
        found.append((pack.regime_id, re.compile("|".join(alternatives), re.IGNORECASE)))
    return tuple(found)


def named_regimes(text: str) -> list[str]:
    """The pack regimes `text` names, in the order the packs load."""
    regimes = [regime for regime, pattern in _regime_patterns() if pattern.search(text)]
    if (
        "eu-ai-act" in regimes
        and len(regimes) > 1
        and _GENERIC_AI_ACT.search(text)
        and not _EU_BY_NAME.search(text)
    ):
        regimes.remove("eu-ai-act")
    # A bare "NIST" may mean the RMF or its generative AI profile: both, and the ranking decides between
    # them (without them, another regime's risk-management article led "..., per NIST?").
    if "nist-ai-600-1" in regimes and "nist-ai-rmf" in regimes and not re.search(r"\brmf\b", text, re.I):
        regimes.remove("nist-ai-rmf")
    if re.search(r"\bnist\b", text, re.IGNORECASE) and not {"nist-ai-rmf", "nist-ai-600-1"} & set(regimes):
        regimes += ["nist-ai-rmf", "nist-ai-600-1"]
    return regimes


# "Our bot talks to customers. Do we have to say it is an AI?", "If we rebrand it, do we take on provider
# duties?": the question is asked in its last sentence, after any condition set before it.
# A sentence end: a word (not an abbreviation such as "Art." or "U.S.") and a capital after it.
# A name such as "ChatGPT." ends one too.
_SENTENCE_END = re.compile(r"(?:(?<=[a-z]{3}[.!?])|(?<=[A-Za-z]{5}[.!?]))\s+(?=[A-Z])")
_CONDITION_FIRST = re.compile(r"^\s*(?:if|when|once|where|after|before)\b[^,?]{3,120},\s*", re.IGNORECASE)


# What a chat message opens with before it asks: "quick q:", "Hey,", "Hi team -".
_CHAT_OPENER = re.compile(
    r"^\s*(?:(?:quick\s+)?(?:q|question)\s*:|(?:hey|hi|hello)(?:\s+(?:team|all|there|everyone))?\s*[,!:-]|"
    r"(?:ok|okay|sorry|so)\s*,)\s*",
    re.IGNORECASE,
)
# A question asked after a statement in the same sentence: "My model was retrained, does it need ...?".
_ASKING_WORD = re.compile(
    r"(?:is|are|am|does|do|did|can|could|may|might|must|should|shall|will|would|has|have|was|were|"
    r"what|which|who|when|where|why|how)\b",
    re.IGNORECASE,
)
_CLAUSE = re.compile(r",\s+(?=\S)")


def asked_part(text: str) -> str:
    """The part of `text` that asks: its last sentence, without a chat opener ("quick q:") or a
    condition that opens it, or the clause after a statement that asks ("My model was retrained last
    week, does it need to be triaged again?" -> "does it need to be triaged again?")."""
    asked = [part for part in _SENTENCE_END.split(text.strip()) if part.rstrip().endswith("?")]
    last = asked[-1] if asked else text
    last = _CHAT_OPENER.sub("", last, count=1) or last
    last = _CONDITION_FIRST.sub("", last, count=1) or last
    if not _ASKING_WORD.match(last.lstrip()):
        clauses = _CLAUSE.split(last)
        tail = next((c for c in reversed(clauses[1:]) if _ASKING_WORD.match(c)), None)
        if tail is not None:
            return tail
    return last


def is_polar(text: str) -> bool:
    """Whether `text` is asked for a yes or a no ("Did we approve it?"), whatever else its type says."""
    return bool(_POLAR.match(asked_part(text)))


# "How many risks does the profile list?": a count of things, not a period ("how many days" is HOW_LONG).
_HOW_MANY = re.compile(
    r"\bhow many\s+(?:[\w-]+\s+){0,2}?(?!(?:hours?|days?|weeks?|months?|years?|times?)\b)([a-z][\w-]{2,})s\b",
    re.IGNORECASE,
)


def counted_thing(text: str) -> str | None:
    """What a 'how many' question counts, in the singular ("How many risks are listed?" -> "risk"), or
    None when it asks no count of things."""
    found = _HOW_MANY.search(text)
    return found.group(1).lower() if found else None


# "What characteristics make an AI system trustworthy?", "How are the Annex A controls organised?": the
# whole set of something, which the record the parts belong to lists.
_SET = re.compile(
    r"\b(?:what|which)\s+(?:are\s+(?:the\s+)?)?(?:\w+\s+)?(?:characteristics|elements|categories|kinds|types|"
    r"ways|bases|principles|areas|components|parts|functions|pillars|criteria)\b|"
    r"\bhow (?:are|is)\b.*\b(?:organi[sz]ed|structured|grouped|divided|arranged)\b",
    re.IGNORECASE,
)


# "Which internal tier does ... get?", "What severity is it when ...?": the thing asked for is named
# right after the question word (not "What must ...", "Which of ...").
_WHICH_THING = re.compile(
    r"^\s*(?:and\s+)?(?:which|what)\s+(?!(?:must|does|do|did|is|are|was|were|can|could|should|may|might|"
    r"will|would|has|have|had|happens?|of|if|about)\b)[a-z]",
    re.IGNORECASE,
)


def asks_which_thing(text: str) -> bool:
    """Whether `text` asks which one of a kind ("Which internal tier does it get?"): a section's heading
    may be the answer ("T3 Moderate")."""
    return _WHICH_THING.search(asked_part(text)) is not None


# "What severity is it when ...?" -> "severity"; "Which generative AI tools may staff use ...?" -> "tools".
_ASKED_KIND = re.compile(
    r"^\s*(?:and\s+)?(?:which|what)\s+((?:[\w-]+\s+){0,3}?[\w-]+)\s+"
    r"(?:does|do|did|is|are|was|were|may|can|could|should|must|will|would|has|have|applies|apply)\b",
    re.IGNORECASE,
)


def asked_kind(text: str) -> str | None:
    """The kind of thing a 'which / what ...' question asks for, by its last word ("What severity is it
    when ...?" -> "severity", "Which generative AI tools may staff use?" -> "tools"); None otherwise."""
    if not asks_which_thing(text):
        return None
    # "Someone pasted a claim file into ChatGPT. What severity is that?": the sentence that asks.
    found = _ASKED_KIND.match(asked_part(text))
    return found.group(1).split()[-1].lower() if found else None


def asks_for_set(text: str) -> bool:
    """Whether `text` asks for a whole set of things (a list, the kinds of something, how it is
    organised), not for one of them."""
    return question_type(text) is QuestionType.LIST or bool(_SET.search(text))


def asks_condition(text: str) -> bool:
    """Whether `text` asks in which cases something is required or allowed ("When is a DPIA required?"),
    not from which date."""
    return bool(_WHEN_CONDITION.search(text) or _CASES.search(text))


def question_type(text: str) -> QuestionType:
    """The question's type; the more specific asks win ("Is there a deadline" wants the period)."""
    if _PAST.search(text):
        return QuestionType.PAST_DECISION
    polar = is_polar(text)
    if _HOW_LONG.search(text) and not polar:
        return QuestionType.HOW_LONG
    if _HOW_MUCH.search(text) and not polar:
        return QuestionType.HOW_MUCH
    if _WHEN.search(text) and not polar and not _WHEN_CONDITION.search(text):
        return QuestionType.WHEN
    if polar:
        return QuestionType.YES_NO
    # "Who counts as an auditor?" asks for a definition; "Who decides what counts as an AI system?" for
    # who acts.
    if _WHO.search(text) and not re.search(r"\bwho\s+counts?\s+as\b", text, re.IGNORECASE):
        return QuestionType.WHO
    if _MUST.search(text):
        return QuestionType.WHAT_MUST
    if _DEFINITION.search(text):
        return QuestionType.WHAT_IS
    if _LIST.search(text):
        return QuestionType.LIST
    # "Hey, who do I talk to ...?", "Someone pasted a file. What severity is that?": the part that asks.
    part = asked_part(text)
    return question_type(part) if part != text else QuestionType.OTHER


def _ask(text: str) -> Ask:
    if _ASK_STATUS.search(text) and _INSTRUMENT.search(text):
        return Ask.STATUS
    if _ASK_EXISTS.search(text) and _INSTRUMENT.search(text) and not _WE.search(text):
        return Ask.EXISTS
    if _ASK_APPLIES.search(text):
        return Ask.APPLIES
    if any(pattern.search(text) for _, pattern in _TIERS) and re.match(r"\s*(?:is|are)\b", text, re.I):
        return Ask.CLASSIFICATION
    # "Must Legal confirm a prohibited-practice finding?" asks a duty, whatever words of permission follow.
    if re.match(r"\s*(?:must|shall)\b", text, re.IGNORECASE):
        return Ask.OBLIGATION
    if _ASK_PERMISSION.search(text):
        return Ask.PERMISSION
    if _ASK_OBLIGATION.search(text):
        return Ask.OBLIGATION
    return Ask.OTHER


def _use_cases(text: str) -> list[str]:
    """Catalogue codes the triage phrase book finds in the question, negated mentions left out."""
    codes: list[str] = []
    for hit in phrase_hits(text):
        if (
            hit.field == USE_CASES
            and not hit.negated
            and isinstance(hit.value, str)
            and hit.value not in codes
        ):
            codes.append(hit.value)
    return codes


def stated_durations(text: str) -> list[tuple[int, str]]:
    """The periods `text` states, as (value, unit): "within 2 working days" -> (2, "business_days")."""
    found = []
    for number, unit in _DURATION.findall(text):
        value = int(number) if number.isdigit() else NUMBER_WORDS[number.lower()]
        unit = unit.lower().replace("working", "business").replace(" ", "_")
        found.append((value, unit if unit.endswith("s") else unit + "s"))
    return found


# "TalentSift CV ranking module" is mentioned as "TalentSift": the generic words after the name are dropped.
_GENERIC_TAIL = re.compile(
    r"\s+(?:customer|term|cv|module|model|chatbot|assistant|system|tool|policy|standard|template)\b",
    re.IGNORECASE,
)


def mentions(text: str, word: str) -> bool:
    """Whether `text` mentions one of our name words: a word written in inner capitals ("TalentSift") in
    any case, any other ("Northwind", "Brand") only capitalised, so "brand" in a question is not the
    "Brand Studio" system."""
    flags = re.IGNORECASE if re.search(r"[a-z][A-Z]", word) else 0
    return re.search(rf"\b{re.escape(word)}\b", text, flags) is not None


def without_names(question: str, words: Iterable[str]) -> str:
    """`question` without the organisation's own name ("Which tools may Northwind staff use?" -> "Which
    tools may staff use?"): within its own documents the name matches every introduction and says
    nothing about the topic."""
    for word in words:
        question = re.sub(rf"\b{re.escape(word)}(?:'s|’s)?\b\s*", "", question)
    return " ".join(question.split())


# Words a reference to one of our documents by its kind may put before the kind: "the AI policy".
KIND_WORDS_BETWEEN = 2


# What follows a document's kind in its title: "Risk Banding Standard for Algorithmic Systems".
_TITLE_TAIL = re.compile(r"\s+(?:for|of|on|under)\s+.*$", re.IGNORECASE)


def _kind_reference(title: str, words_between: int) -> re.Pattern[str]:
    """A reference to the document `title` by its kind, the last word of its title before a "for ..."
    ("Standard" of "Risk Banding Standard for Algorithmic Systems"), with up to `words_between` words
    before it: "the policy", "this runbook", "the generative AI policy", "the banding standard"."""
    kind = re.escape((_TITLE_TAIL.sub("", title) or title).split()[-1])
    between = rf"(?:[\w-]+\s+){{0,{words_between}}}"
    return re.compile(rf"\b(?:the|this|that|our)\s+({between}){kind}\b", re.IGNORECASE)


def _by_kind(text: str, documents: Sequence[str], words_between: int) -> list[str]:
    """Our `documents` that `text` points at by their kind; of several, those whose titles hold a word
    the reference puts before the kind ("the banding standard": the standard whose title says
    "Banding"), when some do."""
    found: dict[str, set[str]] = {}
    for name in documents:
        match = _kind_reference(name, words_between).search(text)
        if match:
            found[name] = set(tokenize(match.group(1))) & set(tokenize(name))
    named = [n for n, shared in found.items() if shared]
    return named or list(found)


def mentioned_names(
    text: str,
    names: Iterable[str],
    words: Iterable[str] = (),
    organisation: Iterable[str] = (),
    documents: Iterable[str] = (),
) -> list[str]:
    """Which of `names` (our systems, tools, documents) `text` mentions: by their first words, by one of
    `words`, the words of our names that no regulation uses ("Northwind", "TalentSift's"), or by the whole
    name without the `organisation`'s own name ("the Responsible AI Policy" for "Northwind Mutual
    Responsible AI Policy"); and which of our `documents` it points at by their kind, the last word of
    their title ("the policy", "this runbook": every one of ours of that kind)."""
    said = [w for w in words if mentions(text, w)]
    organisation = list(organisation)
    documents = [name for name in documents if len(name.split()) >= 2]

    def by_kind(words_between: int) -> list[str]:
        return _by_kind(text, documents, words_between)

    found = by_kind(0)
    for name in names:
        if name in found:
            continue
        head = _GENERIC_TAIL.split(name, maxsplit=1)[0]
        short = without_names(name, organisation)
        if (
            (len(head) >= 3 and re.search(rf"\b{re.escape(head)}\b", text, re.IGNORECASE))
            or any(re.search(rf"\b{re.escape(w)}\b", name) for w in said)
            or (
                short != name
                and len(short.split()) >= 2
                and re.search(rf"\b{re.escape(short)}\b", text, re.IGNORECASE)
            )
        ):
            found.append(name)
    if not found:
        # "the AI policy", "our incident runbook": a kind with up to two words before it, when no name of
        # ours is used ("the Responsible AI Policy" names one policy, not every one).
        found = by_kind(KIND_WORDS_BETWEEN)
    return found


# The earlier question a follow-up carries in brackets after its own (assistant.agent.router).
_FOLLOW_UP_CONTEXT = re.compile(r"\?\s*\([^()]*\)\s*$")


def own_question(text: str) -> str:
    """A follow-up without the earlier question it carries ("What has to be in that notification? (How
    quickly must a breach be reported)" -> "What has to be in that notification?"); any other text as is."""
    return _FOLLOW_UP_CONTEXT.sub("?", text)


def without_documents(
    text: str, documents: Sequence[str], organisation: Iterable[str], *, placeholder: str = " "
) -> str:
    """`text` with the documents of ours it names, by title or by kind ("the generative AI policy"), put as
    `placeholder`: a policy's name is no use case of the system asked about, and says which document, not
    which of its sections answers."""
    for name in documents:
        # The whole title before its short form: "the Acme Freight AI Rules", then "the Freight AI Rules".
        for title in sorted({name, without_names(name, organisation)}, key=len, reverse=True):
            text = re.sub(
                rf"\b(?:the\s+|our\s+)?{re.escape(title)}\b", placeholder, text, flags=re.IGNORECASE
            )
        text = _kind_reference(name, KIND_WORDS_BETWEEN).sub(placeholder, text)
    return " ".join(text.split()) if placeholder.strip() else text


def analyse_question(
    text: str,
    *,
    internal_names: Iterable[str] = (),
    own_words: Iterable[str] = (),
    organisation: Iterable[str] = (),
    documents: Iterable[str] = (),
    own_codes: Iterable[str] = (),
) -> QuestionAnalysis:
    """The deterministic plan for `text`. `internal_names` are names of the organisation's own systems,
    tools and documents (from its ingested policies and reviews), `own_words` the words of those names
    no regulation uses, `organisation` the words of its own name, `documents` the titles of its documents,
    `own_codes` the codes its documents use and no regulation does ("T3", "SEV1"): mentioning a name
    (whole without the organisation's name, or by its first or its own words), one of its documents by
    kind ("the policy") or one of its codes makes the question organisational.

    A thread's follow-up comes with the earlier question in brackets after its own question mark ("What
    has to be in that notification? (How quickly must a breach be reported ...)"): what it names (regimes,
    use cases, places, roles) counts, but what is asked (the type, the verdict asked for, durations) is read
    from the follow-up alone."""
    asked = own_question(text)
    organisation = list(organisation)
    documents = list(documents)
    regimes = named_regimes(text)
    ours = mentioned_names(text, internal_names, own_words, organisation, documents)
    if regimes:
        focus = Focus.REGIME
    elif ours or _WE.search(text) or any(re.search(rf"\b{re.escape(c)}\b", text) for c in own_codes):
        focus = Focus.ORGANISATION
    else:
        focus = Focus.LAW
    kind = question_type(asked)
    places = [place for place, pattern in _PLACES if pattern.search(text)]
    places += [_REGIME_PLACE[r] for r in regimes if r in _REGIME_PLACE and _REGIME_PLACE[r] not in places]
    return QuestionAnalysis(
        question=text,
        type=kind,
        ask=_ask(asked_part(asked)) if kind is QuestionType.YES_NO else Ask.OTHER,
        regimes=regimes,
        focus=focus,
        internal_names=ours,
        use_cases=_use_cases(without_documents(text, [n for n in ours if n in set(documents)], organisation)),
        jurisdictions=places,
        roles=[role for role, pattern in _ROLES if pattern.search(text)],
        tier_asked=next((tier for tier, pattern in _TIERS if pattern.search(asked)), None),
        durations=stated_durations(asked),
        asks_prohibitions=bool(_PROHIBITIONS.search(asked)),
    )
