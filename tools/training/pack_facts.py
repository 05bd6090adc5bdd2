"""Facts from the knowledge packs: application dates, deadlines and thresholds, fine ceilings, defined
terms, prohibited practices and other sets, AI RMF functions, and the EU AI Act tier triage's rules give
each use case of the catalogue. Wrong values come from the same pack first (other dates, numbers,
terms), then from nearby values. Explanations are written here, in our own words, from the records'
structured fields.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from knowledge.packs import Pack, PackRecord, Penalty, PenaltyRule
from tools.training.evidence import (
    Claim,
    DateClaim,
    FineClaim,
    LocatorClaim,
    PhraseClaim,
    QuantityClaim,
    content_words,
    format_date,
    normalise,
    quantity_text,
)
from tools.training.facts import VALUE, Choice, Fact, nearby
from tools.training.topics import Family, Topic
from tools.triage.catalogue import CATALOGUE, UseCaseCategory
from tools.triage.engine import triage
from tools.triage.schemas import SystemProfile, TriageStatus

MAX_FACTS_PER_DATE = 3

_MONTH_NAMES = "January|February|March|April|May|June|July|August|September|October|November|December"
REGIME_NAMES = {
    "eu-ai-act": "the EU AI Act",
    "gdpr": "the GDPR",
    "nist-ai-rmf": "the NIST AI RMF",
    "nist-ai-600-1": "NIST AI 600-1",
}

# Words too common in titles to show that a wrong option overlaps a right one.
_GENERIC = frozenset({"syste", "perso", "peopl", "based", "using", "certa", "other", "speci"})


def regime_name(pack: Pack) -> str:
    """How questions name a regime: 'the EU AI Act', 'the GDPR', else the pack title."""
    return REGIME_NAMES.get(pack.regime_id, pack.title)


def _subject(pack: Pack, record: PackRecord, *, leak: Claim | None = None) -> str:
    """'Article 4 of the EU AI Act (AI literacy)'; the title is left out when it would give the answer."""
    base = f"{_locator(record)} of {regime_name(pack)}"
    # "Chapters I and II from 2 February 2025" -> "Chapters I and II": the date is the question.
    title = re.sub(
        rf"\s*\b(?:from|on|by|until)?\s*\d{{1,2}} (?:{_MONTH_NAMES}) \d{{4}}", "", record.title
    ).strip()
    if not title or (leak is not None and leak.found_in(title)) or re.search(r"\b(19|20)\d\d\b", title):
        return base
    return f"{base} ({title})"


def _locator(record: PackRecord) -> str:
    return re.sub(r"\s*\(inserted by [^)]*\)", "", record.locator)


def _article_root(citation_id: str) -> str:
    match = re.match(r"^([a-z0-9-]+:(?:art|annex)-[a-z0-9]+)", citation_id)
    return match.group(1) if match else citation_id


def _shifted_dates(day: date) -> list[date]:
    """Plausible nearby dates: six months and one or two years either side."""
    out = []
    for months in (-24, -12, -6, 6, 12, 24):
        year, month = divmod(day.month - 1 + months, 12)
        try:
            out.append(day.replace(year=day.year + year, month=month + 1))
        except ValueError:
            out.append(day.replace(year=day.year + year, month=month + 1, day=1) - timedelta(days=1))
    return out


def date_facts(pack: Pack) -> Iterator[Fact]:
    """When provisions apply, counting adopted amendments; a few records per date, timeline first."""
    amended = " (base text plus adopted amendments)" if pack.amendments else ""
    all_dates: set[date] = set()
    candidates: list[tuple[int, PackRecord, date]] = []
    for record in pack.records:
        if record.applies_from:
            all_dates.add(record.applies_from)
        effective = pack.effective_date(record.citation_id)
        if effective is None:
            continue
        all_dates.add(effective)
        if (record.level.value not in {"article", "paragraph"} and "timeline" not in record.tags) or not (
            record.applies_from or pack.explain_date(record.citation_id).changed_by
        ):
            continue
        # An article whose paragraphs apply from other dates has no one date to ask about.
        if any(
            other.citation_id.startswith(record.citation_id + "-")
            and pack.effective_date(other.citation_id) not in {None, effective}
            for other in pack.records
        ):
            continue
        priority = 0 if "timeline" in record.tags else 1 if record.level.value == "article" else 2
        candidates.append((priority, record, effective))
    if pack.entered_into_force:
        all_dates.add(pack.entered_into_force)
    # Packs with few dates (the GDPR has one) would otherwise ask the same date several times.
    per_date_limit = MAX_FACTS_PER_DATE if len({c[2] for c in candidates}) > 3 else 1
    per_date: dict[date, int] = {}
    roots: set[tuple[str, date]] = set()
    for _, record, effective in sorted(candidates, key=lambda item: item[0]):
        root = (_article_root(record.citation_id), effective)
        if per_date.get(effective, 0) >= per_date_limit or root in roots:
            continue
        answer = DateClaim(day=effective)
        subject = _subject(pack, record, leak=answer)
        pool = sorted(all_dates | set(_shifted_dates(effective)))
        explanation = pack.explain_date(record.citation_id)
        why = f"{_locator(record)} of {regime_name(pack)} ({record.title})"
        why += f" applies from {format_date(effective)}"
        if explanation.changed_by is not None and explanation.base is not None:
            why += (
                f": the base text said {format_date(explanation.base)}, and the "
                f"{explanation.changed_by.source} moved it"
            )
        fact = Fact(
            key=f"date:{record.citation_id}",
            family=Family.DATE,
            citation_id=record.citation_id,
            passage=pack.record_text(record.citation_id),
            stem=f"From which date does {subject} apply{amended}?",
            statement=f"{subject} applies from {VALUE}{amended}.",
            answer=Choice(text=format_date(effective), claim=answer),
            pool=[Choice(text=format_date(d), claim=DateClaim(day=d)) for d in pool],
            explanation=f"{why} (knowledge as of {format_date(pack.as_of)}).",
        )
        if fact.usable():
            per_date[effective] = per_date.get(effective, 0) + 1
            roots.add(root)
            yield fact


def quantity_facts(pack: Pack) -> Iterator[Fact]:
    """Deadlines, retention periods and thresholds the pack records as typed fields."""
    items: list[tuple[PackRecord, str, float, str, str]] = []
    for record in pack.records:
        for limit in record.time_limits:
            items.append((record, limit.id, float(limit.value), limit.unit.value, limit.text))
        for threshold in record.thresholds:
            items.append((record, threshold.id, threshold.value, threshold.unit, threshold.text))
    seen_texts: set[str] = set()
    for record, item_id, value, unit, text in items:
        if normalise(text) in seen_texts:
            continue
        same_unit = {v for _, _, v, u, _ in items if u == unit}
        pool = sorted(same_unit | set(nearby(value, unit)))
        answer = QuantityClaim(value=value, unit=unit)
        what = text[0].lower() + text[1:]
        where = f"Under {_locator(record)} of {regime_name(pack)}"
        fact = Fact(
            key=f"quantity:{record.citation_id}:{item_id}",
            family=Family.QUANTITY,
            citation_id=record.citation_id,
            passage=pack.record_text(record.citation_id),
            stem=f"{where}, what is the {what}?",
            statement=f"{where}, the {what} is {VALUE}.",
            answer=Choice(text=quantity_text(value, unit), claim=answer),
            pool=[Choice(text=quantity_text(v, unit), claim=QuantityClaim(value=v, unit=unit)) for v in pool],
            explanation=f"{_locator(record)} of {regime_name(pack)} ({record.title}) sets it at "
            f"{quantity_text(value, unit)}: {what}.",
        )
        if fact.usable():
            seen_texts.add(normalise(text))
            yield fact


_OTHER_FINES = ((50_000_000, 10.0), (30_000_000, 6.0), (20_000_000, 4.0), (10_000_000, 2.0), (5_000_000, 1.0))


def fine_text(amount: int | None, percent: float | None, rule: PenaltyRule) -> str:
    """'EUR 35 million or 7% of worldwide annual turnover, whichever is higher'."""
    parts = []
    if amount is not None:
        parts.append(f"EUR {amount / 1_000_000:g} million")
    if percent is not None:
        parts.append(f"{percent:g}% of worldwide annual turnover")
    text = " or ".join(parts)
    if len(parts) == 2:
        text += ", whichever is higher" if rule is PenaltyRule.HIGHER_OF else ", whichever is lower"
    return text


def fine_facts(pack: Pack, all_packs: Sequence[Pack]) -> Iterator[Fact]:
    """Fine ceilings; wrong options are the other ceilings of the same pack, then of other packs."""
    penalties: list[tuple[PackRecord, Penalty]] = [
        (record, record.penalty)
        for record in pack.records
        if record.penalty and (record.penalty.max_amount_eur or record.penalty.max_turnover_percent)
    ]
    others = [
        (record.penalty.max_amount_eur, record.penalty.max_turnover_percent)
        for other in all_packs
        for record in other.records
        if record.penalty and record.penalty.max_amount_eur and record.penalty.max_turnover_percent
    ]
    pairs = list(dict.fromkeys([*others, *_OTHER_FINES]))
    for record, penalty in penalties:
        amount, percent = penalty.max_amount_eur, penalty.max_turnover_percent
        rule = penalty.rule
        pool = [
            Choice(
                text=fine_text(a if amount is not None else None, p if percent is not None else None, rule),
                claim=FineClaim(
                    amount_eur=a if amount is not None else None,
                    turnover_percent=p if percent is not None else None,
                ),
            )
            for a, p in pairs
        ]
        where = f"Under {_locator(record)} of {regime_name(pack)}"
        value = fine_text(amount, percent, rule)
        yield Fact(
            key=f"fine:{record.citation_id}",
            family=Family.FINE,
            citation_id=record.citation_id,
            passage=pack.record_text(record.citation_id),
            stem=f"{where}, what is the maximum fine for {penalty.applies_to}?",
            statement=f"{where}, the maximum fine for {penalty.applies_to} is {VALUE}.",
            answer=Choice(text=value, claim=FineClaim(amount_eur=amount, turnover_percent=percent)),
            pool=pool,
            explanation=f"{_locator(record)} of {regime_name(pack)} caps the fine for {penalty.applies_to} "
            f"at {value}.",
        )


def _first_sentences(text: str, limit: int = 320) -> str:
    parts = re.split(r"(?<=[.!?])\s+", " ".join(text.split()))
    out = parts[0]
    for part in parts[1:]:
        if len(out) + len(part) + 1 > limit:
            break
        out += " " + part
    return out


def _redact(text: str, term: str) -> str:
    words = [re.escape(word) for word in re.split(r"[\s-]+", term.strip())]
    pattern = r"(?<![A-Za-z0-9])" + r"[\s-]+".join(words) + r"(?:s|es)?(?![A-Za-z0-9])"
    return re.sub(pattern, "[...]", text, flags=re.IGNORECASE)


def term_facts(pack: Pack) -> Iterator[Fact]:
    """Defined terms: the definition (in our words) with the term blanked out; wrong options are the
    pack's other defined terms that the definition does not mention."""
    terms = [(record, record.defined_term) for record in pack.records if record.defined_term]
    for record, term in terms:
        assert term is not None
        definition = _redact(_first_sentences(record.summary), term)
        where = f"{_locator(record)} of {regime_name(pack)}"
        yield Fact(
            key=f"term:{record.citation_id}",
            family=Family.TERM,
            citation_id=record.citation_id,
            passage=pack.record_text(record.citation_id),
            stem=f'Which term does {where} define like this: "{definition}"?',
            statement=f'{where} defines the term "{VALUE}" like this: "{definition}"',
            answer=Choice(text=term, claim=PhraseClaim(phrase=term)),
            pool=[Choice(text=t, claim=PhraseClaim(phrase=t)) for _, t in terms if t and t != term],
            explanation=f"{where} defines '{term}': {_first_sentences(record.summary)}",
        )


@dataclass(frozen=True)
class _Set:
    """A set of records whose titles are members (prohibited practices...) and a set of foils."""

    regime: str
    members: Callable[[PackRecord], bool]
    foils: Callable[[PackRecord], bool]
    question: str
    member_note: str
    foil_note: str


def _point_of(prefix: str) -> Callable[[PackRecord], bool]:
    return lambda r: r.citation_id.startswith(prefix) and r.level.value == "point"


_SETS = (
    _Set(
        regime="eu-ai-act",
        members=lambda r: r.citation_id.startswith("eu-ai-act:art-5-1-") and r.level.value == "point",
        foils=lambda r: (
            (r.citation_id.startswith("eu-ai-act:annex-iii-") and r.level.value == "point")
            or re.fullmatch(r"eu-ai-act:art-50-\d", r.citation_id) is not None
        ),
        question="Which of these is a prohibited AI practice under Article 5 of the EU AI Act?",
        member_note="is one of the practices Article 5 bans outright",
        foil_note="the other options are high-risk use cases (Annex III) or transparency duties "
        "(Article 50): allowed, with obligations",
    ),
    _Set(
        regime="gdpr",
        members=_point_of("gdpr:art-6-1-"),
        foils=_point_of("gdpr:art-5-1-"),
        question="Which of these is one of the six lawful bases for processing personal data "
        "in Article 6(1) of the GDPR?",
        member_note="is one of the six lawful bases of Article 6(1)",
        foil_note="the other options are data protection principles of Article 5(1), not lawful bases",
    ),
    _Set(
        regime="gdpr",
        members=_point_of("gdpr:art-5-1-"),
        foils=_point_of("gdpr:art-6-1-"),
        question="Which of these is one of the data protection principles in Article 5(1) of the GDPR?",
        member_note="is one of the principles of Article 5(1)",
        foil_note="the other options are lawful bases of Article 6(1), not principles",
    ),
    _Set(
        regime="nist-ai-600-1",
        members=lambda r: "gai-risk" in r.tags,
        foils=lambda r: r.citation_id.startswith("nist-ai-rmf:trustworthy-"),
        question="Which of these is one of the risks NIST AI 600-1 describes for generative AI?",
        member_note="is one of the twelve generative AI risks of NIST AI 600-1",
        foil_note="the other options are characteristics of trustworthy AI from the AI RMF, not risks",
    ),
    _Set(
        regime="nist-ai-rmf",
        members=lambda r: r.citation_id.startswith("nist-ai-rmf:trustworthy-"),
        foils=lambda r: "gai-risk" in r.tags,
        question="Which of these is a characteristic of trustworthy AI in the NIST AI RMF?",
        member_note="is one of the characteristics of trustworthy AI in the AI RMF",
        foil_note="the other options are generative AI risks from NIST AI 600-1, not characteristics",
    ),
)


def membership_facts(packs: Sequence[Pack], by_id: dict[str, Pack]) -> Iterator[Fact]:
    """'Which of these is a prohibited practice / lawful basis / GAI risk?' Wrong options come from a
    neighbouring set and never share a meaningful word with any member (so none is half right)."""
    wanted = {pack.regime_id for pack in packs}
    every = [record for pack in by_id.values() for record in pack.records]
    for spec in _SETS:
        pack = by_id.get(spec.regime)
        if pack is None or spec.regime not in wanted:
            continue
        members = [r for r in pack.records if spec.members(r)]
        member_words = set().union(*(content_words(r.title) for r in members)) - _GENERIC
        foils = [
            r for r in every if spec.foils(r) and not ((content_words(r.title) - _GENERIC) & member_words)
        ]
        for record in members:
            yield Fact(
                key=f"member:{record.citation_id}",
                family=Family.MEMBERSHIP,
                citation_id=record.citation_id,
                passage=pack.record_text(record.citation_id),
                stem=spec.question,
                statement=None,  # "X is not a lawful basis" needs the foil's own record: MC only
                answer=Choice(text=record.title, claim=PhraseClaim(phrase=record.title)),
                pool=[Choice(text=f.title, claim=PhraseClaim(phrase=f.title)) for f in foils],
                explanation=f"{record.title} ({_locator(record)}) {spec.member_note}; {spec.foil_note}.",
            )


_FUNCTIONS = ("Govern", "Map", "Measure", "Manage")


def function_facts(pack: Pack) -> Iterator[Fact]:
    """Which AI RMF function an outcome belongs to (its locator, e.g. 'GOVERN 1.6', says so)."""
    if pack.regime_id != "nist-ai-rmf":
        return
    for record in pack.records:
        match = re.fullmatch(r"nist-ai-rmf:(govern|map|measure|manage)-\d+-\d+", record.citation_id)
        if not match:
            continue
        function = match.group(1).capitalize()
        yield Fact(
            key=f"function:{record.citation_id}",
            family=Family.FUNCTION,
            citation_id=record.citation_id,
            passage=pack.record_text(record.citation_id),
            stem=f"Which function of the NIST AI RMF does the outcome '{record.title}' belong to?",
            statement=f"In the NIST AI RMF, the outcome '{record.title}' belongs to the {VALUE} function.",
            answer=Choice(text=function, claim=PhraseClaim(phrase=function.upper(), case_sensitive=True)),
            pool=[
                Choice(text=f, claim=PhraseClaim(phrase=f.upper(), case_sensitive=True))
                for f in _FUNCTIONS
                if f != function
            ],
            explanation=f"'{record.title}' is {record.locator}, an outcome of the {function} function of the "
            f"AI RMF ({pack.record(f'nist-ai-rmf:{match.group(1)}').summary.split('.')[0].strip()}).",
        )


TIER_LABELS = {
    "prohibited": "Prohibited (banned by Article 5)",
    "high": "High-risk",
    "limited": "Limited risk (only the Article 50 transparency duties)",
    "minimal": "Minimal risk",
}
_TIER_PHRASES = {
    "prohibited": "prohibited (banned by Article 5)",
    "high": "high-risk",
    "limited": "limited risk (only the Article 50 transparency duties apply)",
    "minimal": "minimal risk",
}
TIER_LOCATORS: dict[str, tuple[str, ...]] = {
    "prohibited": ("Article 5(1)",),
    "high": ("Annex III", "Annex I"),
    "limited": ("Article 50",),
    "minimal": (),
}


def tier_facts(topic: Topic, by_id: dict[str, Pack]) -> Iterator[Fact]:
    """The EU AI Act tier triage's deterministic rules give a system with one use case of the catalogue.

    The tier comes from running the real rules engine; the citation is the provision the use case
    triggers, whose heading shows the part of the Act that makes the tier (Article 5(1), Annex III,
    Article 50). Carve-outs are left out: their record names the high-risk point they are carved from.
    """
    eu = by_id.get("eu-ai-act")
    if eu is None:
        return
    negatives = dict.fromkeys(
        (
            "profiling",
            "interacts_with_people",
            "generates_synthetic_content",
            "deep_fake",
            "public_interest_text",
            "gpai_model",
            "public_body_or_public_service",
            "personal_data",
            "rebrands_or_modifies",
            "automated_decisions",
        ),
        False,
    )
    triage_topic = topic.id == "how-triage-works"
    for entry in CATALOGUE:
        if entry.citation is None or entry.carve_out or not eu.has_record(entry.citation):
            continue
        if entry.category is UseCaseCategory.OTHER and not entry.citation.startswith("eu-ai-act:art-50"):
            continue
        profile = SystemProfile(
            name=entry.code.replace("_", " "),
            description=entry.description,
            use_cases=[entry.code],
            jurisdictions=["EU"],
            **negatives,  # type: ignore[arg-type]
        )
        result = triage(profile, packs=list(by_id.values()))
        tier = result.eu_ai_act.tier.value
        cited = {g.citation for g in result.eu_ai_act.grounds} | {
            g.citation for g in result.eu_ai_act.transparency
        }
        complete = result.status is TriageStatus.COMPLETE
        if not complete or tier not in TIER_LABELS or entry.citation not in cited:
            continue
        record = eu.record(entry.citation)
        use = entry.description.rstrip(".")
        if triage_topic:
            stem = (
                f'Triage is given a system used in the EU whose one use case is: "{use}". Which EU AI Act '
                "tier do its rules give the system?"
            )
            statement = f'Triage\'s rules give a system whose one use case is "{use}" the tier: {VALUE}.'
        else:
            stem = f'Under the EU AI Act, which risk tier does an AI system fall into whose use is: "{use}"?'
            statement = (
                f'Under the EU AI Act, an AI system whose use is "{use}" falls into the tier: {VALUE}.'
            )
        yield Fact(
            key=f"tier:{entry.code}",
            family=Family.EU_TIER,
            citation_id=entry.citation,
            passage=eu.record_text(entry.citation),
            stem=stem,
            statement=statement,
            answer=Choice(text=TIER_LABELS[tier], claim=LocatorClaim(prefixes=TIER_LOCATORS[tier])),
            pool=[
                Choice(text=label, claim=LocatorClaim(prefixes=TIER_LOCATORS[other]))
                for other, label in TIER_LABELS.items()
                if other != tier
            ],
            explanation=f"The use case falls under {_locator(record)} ({record.title}), so triage's "
            f"deterministic rules classify the system as {_TIER_PHRASES[tier]}. The tier comes from "
            "those rules, never from a language model.",
        )
