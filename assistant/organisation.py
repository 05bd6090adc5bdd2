"""The organisation's own documents in an answer: the names it uses (its systems, its documents, and the
words only it uses, such as its own name), its past reviews read as decisions, and its lists and tables
read as the items that answer.

    names = own_names(doc_titles, review_titles, law_texts)
    names.words                      # ['Northwind', 'TalentSift', ...]: found in no regulation
    fields = read_review(passage.text)
    review_plan(analysis, passage)   # "TalentSift ... was approved with conditions on 2024-09-12 (...). ..."

Deterministic and generic: a review record is read by what its field names mean (decision, outcome,
verdict; conditions, requirements; rationale, reasons), whatever words an organisation's records use.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
from pydantic import BaseModel, Field

from assistant.question import QuestionAnalysis, QuestionType, without_names
from knowledge.embedder import Embedder
from knowledge.lexical import tokenize
from knowledge.retrieval import Passage
from knowledge.statements import plain_markdown, statements

# --- the organisation's names ---------------------------------------------------------------------------

# A capitalised word of a name: "Northwind", "TalentSift", "LifePrice" (the name's distinctive words are
# those of these that no regulation uses).
_NAME_WORD = re.compile(r"\b[A-Z][A-Za-z0-9]{3,}\b")
# A short code an organisation gives its own tiers, levels and items: "T1", "SEV2", "C4".
OWN_CODE = re.compile(r"\b[A-Z]{1,4}\d{1,2}\b")


class OwnNames(BaseModel):
    """The names an organisation's documents give: what makes a question about it."""

    names: list[str] = Field(default_factory=list, description="Titles of its reviews and documents.")
    reviews: list[str] = Field(default_factory=list, description="Titles of its past reviews (systems).")
    words: list[str] = Field(
        default_factory=list, description="Capitalised words of those titles that no regulation uses."
    )
    organisation: list[str] = Field(
        default_factory=list,
        description="Those of the words in two or more document titles: the organisation's own name.",
    )
    in_policies: list[str] = Field(
        default_factory=list,
        description="Those of the words also in a policy's headings: they single out no review.",
    )
    sources: dict[str, str] = Field(
        default_factory=dict, description="The source id of each document title (not the reviews')."
    )
    codes: list[str] = Field(
        default_factory=list,
        description="Codes its documents use and no regulation does (its tiers and levels: T1, SEV2).",
    )
    listed: list[str] = Field(
        default_factory=list,
        description="The words opening its tables' rows that no regulation uses: the tools it lists.",
    )


def own_names(documents: Iterable[str], reviews: Iterable[str], law_words: set[str]) -> OwnNames:
    """The organisation's names from its document and review titles; `law_words` are the (lower-case)
    words of the law's passages, so a word such as "Premium" or "Policy" is not taken for a name."""
    reviews = sorted(set(reviews))
    names = sorted({*documents, *reviews})
    words = sorted(
        {
            word
            for name in names
            for word in _NAME_WORD.findall(name)
            if word.lower() not in law_words and not word.isupper()
        }
    )
    documents = list(documents)
    organisation = [w for w in words if sum(bool(re.search(rf"\b{w}\b", d)) for d in documents) >= 2]
    return OwnNames(names=names, reviews=reviews, words=words, organisation=organisation)


def own_codes(ours: Iterable[str], law: Iterable[str]) -> list[str]:
    """The codes (OWN_CODE) the organisation's texts `ours` use and the law's texts `law` never do: a
    question naming one ("How many days does the security review of a T3 system get?") is about us."""
    used_by_law = {code for text in law for code in OWN_CODE.findall(text)}
    return sorted({code for text in ours for code in OWN_CODE.findall(text)} - used_by_law)


def own_row_names(texts: Iterable[str], law_words: set[str]) -> list[str]:
    """The capitalised words opening the rows of our markdown tables that no regulation uses: the names of
    the tools and systems our tables list ("NorthwindGPT", "CodeAssist"), header rows left out."""
    found: set[str] = set()
    for text in texts:
        rows = [line for line in text.splitlines() if line.strip().startswith("|")]
        for row in rows[1:]:
            first = row.strip().strip("|").split("|")[0]
            found |= {w for w in _NAME_WORD.findall(first) if w.lower() not in law_words and not w.isupper()}
    return sorted(found)


def without_title(question: str, title: str, organisation: Iterable[str]) -> str:
    """`question` with the document title it names, whole or without the organisation's name, put as "it"
    ("How long can an exception to the Responsible AI Policy last?" -> "How long can an exception to it
    last?"): the title says which document, not which of its sections answers, and matches the
    document's introduction best. The question itself when nothing but question words would be left."""
    short = without_names(title, organisation)
    for name in (title, short):
        if len(name.split()) < 2:
            continue
        rest = re.sub(
            rf"\b(?:the\s+|our\s+)?{re.escape(name)}(?:'s|’s)?\b", "it", question, flags=re.IGNORECASE
        )
        if rest != question:
            rest = " ".join(rest.split())
            return rest if set(tokenize(rest)) - {"it"} else question
    return question


def words_of(texts: Iterable[str]) -> set[str]:
    """The lower-case words of `texts`."""
    found: set[str] = set()
    for text in texts:
        found.update(re.findall(r"[a-z0-9]+", text.lower()))
    return found


# --- past reviews ----------------------------------------------------------------------------------------

# A record's "Field: value" line, as the records parser renders JSON and YAML records (and as a markdown
# decision log writes them, once read by _record_lines).
_LINE = re.compile(r"^([A-Z][A-Za-z0-9 ()/&'-]{0,40}):\s*(.+)$", re.MULTILINE)
# A markdown field name in bold: "**Outcome:** Approved" or "**Outcome**: Approved".
_BOLD_FIELD = re.compile(r"^(?:\*\*|__)([^*_\n]{1,40}?)(?::(?:\*\*|__)|(?:\*\*|__):)[ \t]*", re.MULTILINE)
_FIELD_NAME = re.compile(r"^[A-Z][A-Za-z0-9 ()/&'-]{0,40}:(?:\s|$)")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,2}[.)]|\([a-z0-9]{1,3}\))\s+")
# A value that says there is nothing ("Conditions: none.").
_NOTHING = frozenset({"none", "n/a", "na", "nil", "-", "no conditions", "not applicable"})
# A date as records write it: "2025-02-11", "11 February 2025".
DATE = re.compile(
    r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|"
    r"November|December) \d{4}\b"
)
# What a field holds, by the words of its name; the name's last word decides first ("Decision date" is a
# date, "Board decision" a decision), then its other words in this order.
_ROLES: tuple[tuple[str, frozenset[str]], ...] = tuple(
    (role, frozenset(words.split()))
    for role, words in (
        ("date", "date dated decided on when"),
        (
            "conditions",
            "condition conditions requirement requirements control controls safeguard safeguards "
            "stipulation stipulations action actions change changes remediation mitigation mitigations",
        ),
        ("rationale", "rationale reason reasons reasoning justification why finding findings"),
        ("decision", "decision outcome verdict ruling resolution determination"),
        ("system", "system name title subject"),
        ("tier", "tier class classification category level rating band"),
        ("description", "description summary purpose"),
        ("people", "reviewers reviewer panel panellists members attendees participants signatories present"),
        # One person answerable for the system ("System Custodian", "Business owner"): not its name.
        ("owner", "owner owners custodian sponsor accountable responsible manager"),
    )
)
_SPLIT_ITEMS = re.compile(r"\.?;\s+(?=[A-Z])")
# People as records list them: "A (chair); B" or "A (Chief Risk Officer, chair), B (Legal)".
_PEOPLE_SPLIT = re.compile(r";\s+|(?<=\)),\s+")
# A decision's reference before its name in a heading ("MGC-2025-02: SepsisWatch early-warning score").
_RECORD_CODE = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-\d+[A-Z0-9-]*:\s+")


class ReviewFields(BaseModel):
    """A past review's parts, read from its record."""

    system: str | None = None
    decision: str | None = None
    date: str | None = None
    tiers: list[str] = Field(default_factory=list, description="Its classifications, as prose.")
    conditions: list[str] = Field(default_factory=list)
    conditions_label: str = "Conditions"
    rationale: str | None = None
    description: str | None = None
    people: list[str] = Field(default_factory=list, description="Who reviewed it, each with their role.")
    people_label: str = "Reviewers"
    owner: str | None = Field(default=None, description="The one person answerable for the system.")
    owner_label: str = "Owner"


def _role(field: str) -> str | None:
    words = [w for w in re.split(r"[\s/()-]+", field.lower()) if w]
    for word in [*words[-1:], *words[:-1]]:
        for role, known in _ROLES:
            if word in known:
                return role
    return None


def _tier_prose(field: str, value: str) -> str:
    """'EU tier: high' -> 'high-risk under the EU AI Act'; other classifications as 'internal tier T1'."""
    value = value.strip().rstrip(".")
    if re.search(r"\beu\b|\bai act\b", field, re.IGNORECASE):
        plain = value.replace("_", " ").lower()
        if plain in ("high", "limited", "minimal"):
            return f"{plain}-risk under the EU AI Act"
        if plain in ("prohibited", "unacceptable"):
            return "a prohibited practice under the EU AI Act"
        return f"{plain} under the EU AI Act"
    return f"{field[:1].lower() + field[1:]} {value}"


def _record_lines(text: str) -> str:
    """A record as one `Field: value` line per field, however it was written: a markdown field name in
    bold is a field name; a value wrapped over several lines is one value; a field whose value is the
    list below it ("Conditions set by the Council:" then "1. ...", "2. ...") holds those items, joined
    with "; "."""
    lines: list[str] = []
    open_field = False  # the last line kept is a field whose value may go on
    listing = False  # ... and its value is a list
    for raw in _BOLD_FIELD.sub(r"\1: ", text).splitlines():
        line = raw.strip()
        item = _LIST_ITEM.match(line)
        if not line:
            # A blank line ends a field, unless the field's list is still to come after it.
            open_field = open_field and lines[-1].endswith(":")
        elif _FIELD_NAME.match(line):
            lines.append(line)
            open_field, listing = True, False
        elif open_field and item and (listing or lines[-1].endswith(":")):
            lines[-1] += ("; " if listing else " ") + line[item.end() :]
            listing = True
        elif open_field:
            lines[-1] += " " + line
        else:
            lines.append(line)
    return "\n".join(lines)


def read_review(text: str) -> ReviewFields:
    """The parts of a review record (`Field: value` lines), recognised by what their names mean; a field
    whose name says nothing known but whose value is a date ("Meeting: 11 February 2025") is its date."""
    found = ReviewFields()
    for field, raw in _LINE.findall(_record_lines(text)):
        value = " ".join(raw.split())
        if value.lower().rstrip(".") in _NOTHING:
            continue
        role = _role(field)
        if role is None and DATE.fullmatch(value.rstrip(".")):
            role = "date"
        if role == "tier":
            found.tiers.append(_tier_prose(field, value))
        elif role == "conditions" and not found.conditions:
            found.conditions = [c.strip().rstrip(".") for c in _SPLIT_ITEMS.split(value) if c.strip()]
            found.conditions_label = field
        elif role == "decision" and found.decision is None:
            found.decision = value.replace("_", " ").strip().rstrip(".")
        elif role == "people" and not found.people:
            found.people = [c.strip().rstrip(".") for c in _PEOPLE_SPLIT.split(value) if c.strip()]
            found.people_label = field
        elif role == "owner" and found.owner is None:
            found.owner, found.owner_label = value.rstrip("."), field
        elif role in ("system", "date", "rationale", "description") and getattr(found, role) is None:
            setattr(found, role, value)
    return found


_DECISION_WORDS = {"changes requested": "sent back with changes requested"}
# "Why was it tiered T3?", "How was it classified and why?": the reasons, not the conditions.
_WHY = re.compile(
    r"\bwhy\b|\bon what (?:basis|grounds)\b|\breasons?\b|\bhow (?:was|were|is|are|did we)\b.*"
    r"\b(?:classif\w*|tier\w*|rated|categori[sz]\w*|assess\w*|class)\b",
    re.IGNORECASE,
)


def asks_why(question: str) -> bool:
    """Whether `question` asks for reasons ("Why was it tiered T3?", "How was it classified?"): a review
    answers with its rationale, not one condition."""
    return _WHY.search(question) is not None


_DESCRIBE = re.compile(r"^\s*what (?:is|does|was)\b(?!.*\b(?:decid|decision|condition|outcome)\w*)", re.I)


def decision_head(fields: ReviewFields, title: str) -> str | None:
    """'TalentSift CV ranking module was approved with conditions on 2024-09-12 (internal tier T1;
    high-risk under the EU AI Act)', or None when the record states no decision."""
    if fields.decision is None:
        return None
    decision = _DECISION_WORDS.get(fields.decision.lower(), fields.decision)
    decision = decision[:1].lower() + decision[1:]
    when = f" on {fields.date}" if fields.date else ""
    head = f"{fields.system or _RECORD_CODE.sub('', title)} was {decision}{when}"
    return head + (f" ({'; '.join(fields.tiers)})" if fields.tiers else "")


def review_decision_text(p: Passage, analysis: QuestionAnalysis | None = None) -> str | None:
    """What a past review answers: its decision, date and tiers first, then its conditions, or, for a
    question asking why or how it was classified, its rationale; for 'what is X', its description."""
    fields = read_review(p.text)
    head = decision_head(fields, p.title)
    if head is None:
        return None
    question = analysis.question if analysis else ""
    if fields.rationale and asks_why(question):
        return f"{head}. {fields.rationale.rstrip('.')}."
    describe = analysis is not None and analysis.type is QuestionType.WHAT_IS and _DESCRIBE.search(question)
    if fields.description and describe:
        return f"{head}. {fields.description.rstrip('.')}."
    if fields.conditions:
        label = fields.conditions_label
        label = "Changes requested" if re.search(r"changes", fields.decision or "", re.I) else label
        return f"{head}. {label}: " + "; ".join(fields.conditions) + "."
    if fields.rationale:
        return f"{head}. {fields.rationale.rstrip('.')}."
    return head + "."


# --- a yes/no question about a review -------------------------------------------------------------------

_CLAUSE = re.compile(r"[;,:]\s+|\s+(?:so|and|but|because|while|whereas)\s+")
_STOP = frozenset(
    "a an the of to for in on at by with and or is are was were be been did do does get got have has had "
    "we our us it its this that what which who any from as".split()
)
_NEGATED = re.compile(
    r"\b(?:no|not|never|without|none|neither|nor|rejected|refused|declined|denied|unavailable|"
    r"withheld|failed)\b|n't\b",
    re.IGNORECASE,
)


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+(?:\([a-z0-9]+\))*", text.lower()) if w not in _STOP}


def clause_verdict(question: str, texts: Sequence[str], *, min_shared: int = 1) -> tuple[bool, str] | None:
    """For 'did X get Y?', the clause of `texts` that shares most words with the question beyond the
    system's own name, and whether it affirms (True) or denies (False) it; None when no clause shares
    `min_shared` words."""
    wanted = _content_words(question)
    best: tuple[int, str, str] | None = None
    for sentence in texts:
        for clause in _CLAUSE.split(sentence):
            shared = len(wanted & _content_words(clause))
            if shared and (best is None or shared > best[0]):
                best = (shared, clause, sentence)
    if best is None or best[0] < min_shared:
        return None
    return not _NEGATED.search(best[1]), best[2]


# --- ranking our passages by the sentence that answers ----------------------------------------------------

# Sentence vectors of the organisation's passages, kept between questions (its documents change rarely;
# the key is the text itself, so an edited sentence is embedded again).
_VECTORS: dict[tuple[int, str], np.ndarray] = {}
_VECTORS_MAX = 20000
# What a place lower in retrieval's order costs a passage whose sentence answers better.
RERANK_RANK_COST = 0.01
# What a heading the question names in full adds to a passage's closeness.
HEADING_WEIGHT = 0.15
# What a passage's own closeness to the question (the section as a whole, as retrieval measured it) adds
# when our passages are ranked by their statements: "What happens to a system's reviews when its tier goes
# up?" is about the re-tiering section as a whole, though a sentence of the scope section ("The tier decides
# which reviews are filed ...") shares more of its words. On the tuning questions 0.15 to 0.35 made the
# same choices (three more right, none lost); 0.5 and above lost four.
SECTION_WEIGHT = 0.25
# What the question's own words, found in a passage's best statement, add to its closeness when our
# passages are ranked (at most this much, when all of them are found): "Who approves external statements
# during an incident?" is answered by "External statements are approved by Communications and Legal",
# which the small embedder hears no closer than the incident sections around it. On the tuning questions
# 0.3 to 1.0 made the same choices bar one; 0.5 is the least that made them all.
STATEMENT_WORDS_WEIGHT = 0.5


def embed_cached(embedder: Embedder, texts: list[str]) -> np.ndarray:
    """`embedder.embed(texts)`, reusing the vectors of texts embedded before by the same embedder."""
    owner = id(embedder)
    missing = list(dict.fromkeys(t for t in texts if (owner, t) not in _VECTORS))
    if missing:
        if len(_VECTORS) + len(missing) > _VECTORS_MAX:
            _VECTORS.clear()
        for text, vector in zip(missing, embedder.embed(missing), strict=True):
            _VECTORS[(owner, text)] = vector
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    return np.stack([_VECTORS[(owner, t)] for t in texts])


def statement_closeness(
    question: str,
    passages: Sequence[Passage],
    question_vector: np.ndarray,
    embedder: Embedder,
    *,
    words: bool = True,
) -> list[float]:
    """For each passage, how well its best statement answers the question: its closeness in meaning,
    read under its heading ("Step 3: Contain: Stop the harm first."), plus the share of the question's
    words it uses, each word weighed by how few of the statements use it (best_statement's measure)."""
    texts: list[str] = []
    owners: list[int] = []
    for n, p in enumerate(passages):
        for sentence in statements(p.text) or [p.text]:
            texts.append(f"{p.title}: {sentence}")
            owners.append(n)
    if not texts:
        return [0.0] * len(passages)
    scores = embed_cached(embedder, texts) @ question_vector
    # The question's words are counted in what follows the first ": " of "heading: sentence": the sentence,
    # and for a numbered heading ("Step 5: Investigate: ...") the step's own name with it.
    shares = asked_words(question, [t.partition(": ")[2] for t in texts]) if words else [0.0] * len(texts)
    best = [-1.0] * len(passages)
    for owner, score, share in zip(owners, scores, shares, strict=True):
        best[owner] = max(best[owner], float(score) + STATEMENT_WORDS_WEIGHT * share)
    return best


# Words of a heading that number or place a section rather than name its topic ("Step 3", "Part II").
_PLACE_WORDS = frozenset("step part section chapter annex appendix schedule article clause".split())


def heading_overlap(question: str, title: str) -> float:
    """Share of a section heading's topic words that the question uses ("Step 3: Contain" and "what
    should be done first to contain an incident?" -> 1.0): an organisation's headings say what their
    section answers."""
    words = topic_words(title)
    if not words:
        return 0.0
    return len(words & set(tokenize(question))) / len(words)


def topic_words(title: str) -> set[str]:
    """The words of a heading that name its topic (not "Step", "Part" or a number)."""
    return {w for w in tokenize(title) if w not in _PLACE_WORDS and not w.isdigit() and len(w) > 1}


def heading_names(question: str, titles: Sequence[str]) -> list[float]:
    """How much of each heading the question names (as heading_overlap), each heading word counting by
    how few of the `titles` use it: "Fairness audit" singles out the review a fairness question is about,
    where "incident", in half of a runbook's headings, singles out none."""
    words = [topic_words(t) for t in titles]
    asked = set(tokenize(question))
    used = {w: sum(w in ws for ws in words) for ws in words for w in ws}
    return [sum(1 / used[w] for w in ws & asked) / len(ws) if ws else 0.0 for ws in words]


def rank_by_statement(
    question: str, passages: Sequence[Passage], question_vector: np.ndarray, embedder: Embedder
) -> list[Passage]:
    """Our passages re-ranked by the statement that answers best, read under its heading, and by how
    much of the heading the question names, its rarer words counting more (heading_names; whole passages
    rank on their shared words and average meaning, so an introduction naming everything outranks the
    step that answers), and, with SECTION_WEIGHT, by the passage's own closeness in meaning; a lower place
    in retrieval's order costs RERANK_RANK_COST."""
    closeness = statement_closeness(question, passages, question_vector, embedder)
    named = heading_names(question, [p.title for p in passages])
    scores = [
        closeness[i]
        + HEADING_WEIGHT * named[i]
        + SECTION_WEIGHT * passages[i].similarity
        - RERANK_RANK_COST * i
        for i in range(len(passages))
    ]
    order = sorted(range(len(passages)), key=lambda i: -scores[i])
    return [passages[i] for i in order]


# --- questions of two asks --------------------------------------------------------------------------------

# "Who chairs the board and how often does it meet?": two asks, each answered by its own sentence.
_SECOND_ASK = re.compile(
    r",?\s+(?:and|&)\s+(?=(?:who|whom|whose|what|when|where|why|how|which|is|are|does|do|did|can|must|"
    r"should|may)\b)",
    re.IGNORECASE,
)


def split_asks(question: str) -> list[str]:
    """The asks of a question joined by 'and <question word>'; one item when it asks one thing."""
    parts = [p.strip(" ?") for p in _SECOND_ASK.split(question, maxsplit=1)]
    if len(parts) == 2 and all(len(p.split()) >= 3 for p in parts):
        return parts
    return [question]


# --- a verb the question asks about, denied by the rule -----------------------------------------------

_DENIED_VERB = re.compile(
    # "Do not try to fix the model yourself": the action denied is "fix".
    r"\b(?:does|do|did|will|shall|may|must|can|should|is|are)\s+not\s+(?:be\s+)?(?:(?:try|attempt|seek)\s+to\s+)?"
    r"(\w+)|\b(?:never|cannot)\s+(?:be\s+)?(?:(?:try|attempt|seek)\s+to\s+)?(\w+)|"
    # "No claim is declined ... and no candidate rejected by a model alone": the action denied is "reject".
    r"\bno\s+\w+\s+(?:is\s+|are\s+)?(\w+ed)\b",
    re.IGNORECASE,
)


def denies_asked_verb(question: str, sentence: str) -> bool:
    """Whether `sentence` denies the very action the question asks about ("Can generative AI decide
    whether a claim is paid?" / "Generative AI does not decide claims"). An action the question denies
    itself is restated, not denied ("Is a supplier that cannot say which model it uses a red flag?")."""
    asked = {w[:5] for w in re.findall(r"[a-z]+", question.lower()) if len(w) >= 3} - {"whet", "that"}
    # The question's own denials count wherever they stand ("a supplier that cannot say ...").
    asked -= {verb[:5] for verb in _denied_verbs(question, rules_only=False)}
    return any(
        len(verb) >= 3 and verb not in _NOT_ACTIONS and verb[:5] in asked for verb in _denied_verbs(sentence)
    )


def _denied_verbs(text: str, *, rules_only: bool = True) -> list[str]:
    """The verbs `text` denies ("does not decide" -> "decide"), lower-case; with `rules_only`, not those of
    a relative clause, which describe a case rather than deny an action ("An AI tool is found in use that
    was never triaged")."""
    return [
        next((g for g in m.groups() if g), "").lower()
        for m in _DENIED_VERB.finditer(text)
        if not (rules_only and in_relative_clause(text, m.start()))
    ]


# The opening of a relative clause just before a denial: "... that was", "... which has been" (not a
# reported statement: "states that ECOA does not authorise ...").
_RELATIVE = re.compile(
    r"\b(?:that|which|who)\s+(?:was|were|is|are|has|have|had)(?:\s+been)?\s+$", re.IGNORECASE
)


def in_relative_clause(text: str, start: int) -> bool:
    """Whether what starts at `start` in `text` opens just after a relative pronoun ("that was never
    triaged"): it describes a case rather than states a rule."""
    return _RELATIVE.search(text[:start]) is not None


# Short words after "not" that are no action ("are not all ...") or too general to deny what was asked
# ("do not use it for claims" says nothing of using it for drafting).
_NOT_ACTIONS = frozenset(
    "the and for all any our its you own one two use get put set has had are was".split()
)


# --- lists and tables -------------------------------------------------------------------------------------

_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+(.*)$")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}")
# A sentence that announces a list or table: "Only the tools below may be used ...", "... as follows:".
_ANNOUNCES = re.compile(r"\b(?:below|following|as follows|listed|these)\b|:\s*$", re.IGNORECASE)
LIST_MAX_ITEMS = 8


def list_items(text: str) -> list[str]:
    """The items of the first list in `text`: a markdown table's first cells (header left out), or a
    bullet or numbered list's items, wrapped lines joined."""
    lines = text.splitlines()
    table = [line for line in lines if line.strip().startswith("|")]
    if len(table) >= 3:
        rows = [line for line in table if not _TABLE_RULE.match(line.strip())][1:]
        return [plain_markdown(row.strip().strip("|").split("|")[0]) for row in rows if row.strip("| ")]
    items: list[str] = []
    for line in lines:
        found = _ITEM.match(line)
        if found:
            items.append(found.group(1).strip())
        elif items and line.startswith((" ", "\t")) and line.strip():
            items[-1] += " " + line.strip()
        elif items and not line.strip():
            break
    return [plain_markdown(item).rstrip(";,.") for item in items]


def with_items(sentence: str, text: str, *, title: str, is_list_question: bool) -> str | None:
    """The lead sentence with the items it announces ("Only the tools below may be used with confidential
    information: NorthwindGPT (...); CodeAssist (...)"), or, for a 'which ...' question on a passage
    that is only a list, its heading and items; None when neither applies."""
    items = list_items(text)
    if len(items) < 2:
        return None
    shown = items[:LIST_MAX_ITEMS]
    more = "; and others" if len(items) > LIST_MAX_ITEMS else ""
    said = sentence.rstrip(".").strip()
    # The sentence is an item, or opens one ("Forge, the code assistant ..." of an item that goes on).
    if any(item.rstrip(".") == said or item.startswith(said + ".") for item in items):
        if not is_list_question:
            return None
        listed = "; ".join(shown) + more + "."
        # A heading that is itself a question ("Q: Which tools may I use?") is not said again.
        return listed if title.rstrip().endswith("?") else f"{plain_markdown(title)}: {listed}"
    if _ANNOUNCES.search(sentence):
        return sentence.rstrip(":. ") + ": " + "; ".join(shown) + more + "."
    return None


# What the question's own words, found in a sentence, add to its closeness when choosing among the
# sentences of one of our sections (at most this much, when all of them are found).
ASKED_WORDS_WEIGHT = 0.2


def word_stems(text: str) -> set[str]:
    """Word stems of `text` by their first five letters ("chairs" and "chaired" meet)."""
    return {w[:5] for w in tokenize(text)}


def stem_share(wanted: set[str], text: str) -> float:
    """The share of the stems `wanted` (word_stems) that `text` uses; 0 when nothing is wanted."""
    return len(wanted & word_stems(text)) / len(wanted) if wanted else 0.0


def asked_words(ask: str, sentences: Sequence[str], *, known: str = "") -> list[float]:
    """For each sentence, the share of the ask's words it uses (stems; names such as "Northwind's" and
    the words of `known` left out), each word counting by the share of the sentences it singles out: a
    word many of them use ("system" in every sentence of a tier's section) tells them apart less."""
    wanted = word_stems(re.sub(r"(?<=\s)[A-Z]\w*(?:'s|’s)?", " ", ask)) - word_stems(known)
    if not wanted:
        return [0.0] * len(sentences)
    said = [word_stems(s) for s in sentences]
    weight = {w: 1 / max(1, sum(w in stems for stems in said)) for w in wanted}
    return [sum(weight[w] for w in wanted & stems) / len(wanted) for stems in said]


def best_statement(
    ask: str, sentences: Sequence[str], *, title: str, embedder: Embedder, vector: np.ndarray
) -> str:
    """The sentence of one of our sections that answers `ask`: closest in meaning, plus a share of
    ASKED_WORDS_WEIGHT for the ask's words it uses beyond the section heading's (every sentence of the
    section is about the heading; "Who chairs the board?" is answered by the one that says "chaired")."""
    # Read under its heading, "It is chaired by ..." is about the board.
    closeness = embed_cached(embedder, [f"{title}: {s}" for s in sentences]) @ vector
    # The heading's words are in every sentence's context: they do not choose.
    words = asked_words(ask, sentences, known=title)
    # "Who decides on T1 systems?" is answered by the sentence that names who acts ("Approval by the AI
    # Review Board"), which the embedder hears no closer than one listing the evidence.
    by_whom = _WHO.match(ask) is not None
    scores = [
        float(closeness[i])
        + ASKED_WORDS_WEIGHT * words[i]
        + (ASKED_WORDS_WEIGHT / 2 if by_whom and _AGENT.search(sentences[i]) else 0.0)
        for i in range(len(sentences))
    ]
    # "What happens when a review misses its target?" is answered by the sentence that names that case in a
    # clause of its own ("... escalates ... when a target is missed by 5 days").
    case = _WHAT_HAPPENS.match(ask)
    if case is not None:
        # Four letters: "misses" and "missed" meet.
        wanted = {w[:4] for w in word_stems(case.group(1)) - word_stems(title)}
        for i, sentence in enumerate(sentences):
            clauses = [{w[:4] for w in word_stems(m.group(0))} for m in _CASE_CLAUSE.finditer(sentence)]
            if wanted and any(2 * len(wanted & c) >= len(wanted) for c in clauses):
                scores[i] += ASKED_WORDS_WEIGHT
    # "Who scores the supplier's answers?" is answered by a sentence that says who scores ("The RAI
    # Partner scores it"), however much closer the one about the answers sounds: when a sentence uses
    # the asked verb, the answer is one of those.
    acts = _WHO_VERB.match(ask)
    acted = word_stems(acts.group(1)) if acts else set()
    # "What is the due-day target for the privacy screening of a T3 system?": of a table's rows, those with
    # the code asked about ("...; t3: 10") answer; the others are about other codes. (A yes/no question may
    # name the code to be told it is another: "Is an untriaged tool in use a SEV1 incident?")
    codes = OWN_CODE.findall(ask) if _WH_QUESTION.match(ask) else []
    coded = [i for i in range(len(sentences)) if codes and all(_names_code(sentences[i], c) for c in codes)]
    candidates = coded or range(len(sentences))
    saying = [i for i in candidates if acted and acted <= word_stems(sentences[i])]
    return sentences[max(saying or candidates, key=lambda i: (scores[i], -i))]


_WH_QUESTION = re.compile(r"\s*(?:what|which|how|when|who|whom|where)\b", re.IGNORECASE)


def _names_code(sentence: str, code: str) -> bool:
    """Whether `sentence` names our `code` ("T3"), as a word or a table cell ("t3: 10")."""
    return re.search(rf"\b{re.escape(code)}\b", sentence, re.IGNORECASE) is not None


_WHO = re.compile(r"\s*(?:and\s+)?(?:who|whom|whose)\b", re.IGNORECASE)
# "What happens when / if / once ...?" and the case it names; a sentence's clause naming a case.
_WHAT_HAPPENS = re.compile(r"\s*what\s+happens\s+(?:when|if|once|after|where)\s+(.+)", re.IGNORECASE)
_CASE_CLAUSE = re.compile(r"\b(?:when|if|once|after|where|whenever)\b[^,;.]*", re.IGNORECASE)
# The verb of "Who (may) lower(s) ...?".
_WHO_VERB = re.compile(
    r"\s*who\s+(?:(?:may|must|can|should|will|shall|does|do)\s+)?(?!is\b|are\b|was\b|has\b)([a-z]+)\b",
    re.IGNORECASE,
)


def acting_first(question: str, passages: Sequence[Passage]) -> list[Passage]:
    """For "Who keeps the AI inventory?", our passages with a statement that uses the asked verb ("keeps",
    "signed") with more than half of the question's words after it ("AI", "inventory") first, each group
    in its given order: the section that says who acts, not the one about the thing acted on."""
    acts = _WHO_VERB.match(question)
    if acts is None:
        return list(passages)
    verb = tokenize(acts.group(1))
    if not verb:
        return list(passages)
    forms = {verb[0], verb[0] + "s", verb[0] + "d", verb[0] + "ed", verb[0] + "es"}
    objects = set(tokenize(question[acts.end() :]))

    def acts_on(p: Passage) -> bool:
        for sentence in statements(p.text):
            # Read under its heading: "signed by the Data Protection Officer" under "Privacy review and DPIA".
            words = set(tokenize(f"{p.title} {sentence}"))
            if words & forms and 2 * len(words & objects) > len(objects):
                return True
        return False

    acting = [p for p in passages if acts_on(p)]
    return acting + [p for p in passages if p not in acting]


# Who acts, named after "by": "by the AI Review Board", "by the business line's RAI Partner".
_AGENT = re.compile(r"\bby\s+(?:the\s+|a\s+|an\s+)?(?:[a-z]+(?:'s|’s)?\s+){0,3}[A-Z]")
