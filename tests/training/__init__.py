"""Helpers for the training tests: the sample organisation's policies parsed as the index holds them, and
checks, written independently of the generator, that an option's fact is (or is not) in a passage.

The checks read the value from the option's *text* (a date, a number with its unit, a fine, a phrase),
confirm it is the value the question's claim says, then look for it in the cited passage with their own
patterns: ISO and prose dates, digits and number words, euro amounts and percentages, table rows.
"""

from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path

from knowledge.parsing import parse_file
from knowledge.sections import DocumentKind
from tools.training.evidence import (
    CellClaim,
    DateClaim,
    FineClaim,
    ListItemClaim,
    LocatorClaim,
    PhraseClaim,
    QuantityClaim,
)
from tools.training.material import current_packs
from tools.training.schemas import GeneratedQuestion, QuestionKind, SourcePassage, TopicMaterial

SAMPLES = Path(__file__).resolve().parents[2] / "knowledge" / "samples"
MONTHS = "january february march april may june july august september october november december".split()
WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "eighteen": 18, "twenty": 20, "thirty": 30,
    "forty-eight": 48, "seventy-two": 72,
}  # fmt: skip


def sample_policies() -> list[SourcePassage]:
    """Every section of the sample organisation's Markdown policies, as parsed for the index."""
    passages = []
    for path in sorted(SAMPLES.glob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        document = parse_file(path, kind=DocumentKind.POLICY)
        passages += [
            SourcePassage(
                citation_id=s.citation_id,
                source_id=document.source_id,
                title=s.title,
                document_title=document.title,
                text=s.text,
            )
            for s in document.sections
        ]
    return passages


def full_material() -> TopicMaterial:
    """Every pack and the sample policies."""
    return TopicMaterial(packs=current_packs(), policies=sample_policies())


def cited_text(material: TopicMaterial, citation_id: str) -> str:
    """The cited record's text: the pack record as indexed, or the policy section."""
    for pack in material.packs:
        if pack.has_record(citation_id):
            return pack.record_text(citation_id)
    texts = [p.text for p in material.policies if p.citation_id == citation_id]
    assert texts, f"{citation_id} is neither a pack record nor a policy section"
    return texts[0]


def _flat(text: str) -> str:
    return " ".join(text.replace("`", "").replace("\u2013", "-").split()).lower()


def _has(text: str, needle: str) -> bool:
    return re.search(r"(?<![\w.,])" + re.escape(needle.lower()) + r"(?![\w]|[.,]\d)", _flat(text)) is not None


def date_in(text: str, day: date) -> bool:
    """The date written in ISO form or as '2 February 2025' / 'February 2, 2025'."""
    month = MONTHS[day.month - 1]
    return any(
        _has(text, form)
        for form in (day.isoformat(), f"{day.day} {month} {day.year}", f"{month} {day.day}, {day.year}")
    )


def option_date(option: str) -> date:
    """The date an option shows ('2 August 2026')."""
    match = re.fullmatch(r"(\d{1,2}) ([A-Z][a-z]+) (\d{4})", option)
    assert match, f"not a date option: {option!r}"
    return date(int(match.group(3)), MONTHS.index(match.group(2).lower()) + 1, int(match.group(1)))


def quantity_in(text: str, value: float, unit: str) -> bool:
    """'15 days', 'fifteen days', '72-hour', '10^25' / '1e+25' for FLOP."""
    if unit.upper() == "FLOP":
        exponent = round(math.log10(value))
        return any(_has(text, f) for f in (f"10^{exponent}", f"1e+{exponent}", f"1e{exponent}"))
    numbers = (
        [str(int(value))] + [w for w, v in WORDS.items() if v == value] + (["a", "an"] if value == 1 else [])
    )
    stem = {"business_days": "business day", "persons": "person"}.get(unit, unit.rstrip("s"))
    units = {stem, stem + "s", "people"} if unit == "persons" else {stem, stem + "s"}
    return any(_has(text, f"{n}{sep}{u}") for n in numbers for u in units for sep in (" ", "-"))


def option_quantity(option: str) -> tuple[float, str]:
    """(value, unit) an option shows: '72 hours', '1 month', '10^25 FLOP'."""
    flop = re.fullmatch(r"10\^(\d+) FLOP", option)
    if flop:
        return 10.0 ** int(flop.group(1)), "FLOP"
    match = re.fullmatch(r"(\d+(?:\.\d+)?) ([a-z ]+)", option)
    assert match, f"not a quantity option: {option!r}"
    unit = match.group(2).replace(" ", "_")
    return float(match.group(1)), unit if unit.endswith("s") else unit + "s"


def fine_parts(option: str) -> tuple[int | None, float | None]:
    """(euros, percent) an option shows: 'EUR 35 million or 7% of worldwide annual turnover, ...'."""
    amount = re.search(r"EUR (\d+(?:\.\d+)?) million", option)
    percent = re.search(r"(\d+(?:\.\d+)?)% of worldwide", option)
    return (
        round(float(amount.group(1)) * 1_000_000) if amount else None,
        float(percent.group(1)) if percent else None,
    )


def amount_in(text: str, euros: int) -> bool:
    """'35,000,000', '35 000 000', '35 million' or '7.5 million'."""
    return any(
        _has(text, f) for f in (f"{euros:,}", f"{euros:,}".replace(",", " "), f"{euros / 1e6:g} million")
    )


def percent_in(text: str, percent: float) -> bool:
    """'7%', '7 %', '7 per cent'."""
    return any(_has(text, f) for f in (f"{percent:g}%", f"{percent:g} %", f"{percent:g} per cent"))


def table_cell(text: str, where_column: str, where_value: str, column: str) -> list[str]:
    """The cells under `column` in rows whose `where_column` cell is `where_value`, in any table."""
    found: list[str] = []
    header: list[str] | None = None
    for line in text.splitlines():
        cells = (
            [c.strip() for c in line.strip().strip("|").split("|")] if line.strip().startswith("|") else None
        )
        if cells is None:
            header = None
        elif header is None:
            header = cells
        elif set("".join(cells)) <= set("-: "):
            continue
        elif (
            where_column in header
            and column in header
            and _flat(cells[header.index(where_column)]) == _flat(where_value)
        ):
            found.append(cells[header.index(column)])
    return found


def supported(option: str, claim: object, text: str) -> bool:
    """Whether `text` states what `option` says; also asserts the option shows the claim's value."""
    if isinstance(claim, DateClaim):
        assert option_date(option) == claim.day
        return date_in(text, claim.day)
    if isinstance(claim, QuantityClaim):
        value, unit = option_quantity(option)
        assert math.isclose(value, claim.value) and unit == claim.unit
        return quantity_in(text, claim.value, claim.unit)
    if isinstance(claim, FineClaim):
        amount, percent = fine_parts(option)
        assert (amount, percent) == (claim.amount_eur, claim.turnover_percent)
        return (amount is None or amount_in(text, amount)) and (percent is None or percent_in(text, percent))
    if isinstance(claim, PhraseClaim):
        assert _flat(option) == _flat(claim.phrase) or option.upper() == claim.phrase
        if claim.case_sensitive:
            return re.search(r"\b" + re.escape(claim.phrase) + r"\b", text) is not None
        return re.search(r"(?<!\w)" + re.escape(_flat(option)) + r"(?:s|es)?(?!\w)", _flat(text)) is not None
    if isinstance(claim, CellClaim):
        assert _flat(option) == _flat(claim.value)
        return any(
            _flat(c) == _flat(option)
            for c in table_cell(text, claim.where_column, claim.where_value, claim.column)
        )
    if isinstance(claim, ListItemClaim):
        assert _flat(option) == _flat(claim.value)
        items = re.split(r"\n\s*(?:[-*]|\d+\.)\s+", "\n" + text)
        return any(_flat(claim.anchor) in _flat(i) and _has(i, claim.value) for i in items)
    if isinstance(claim, LocatorClaim):
        first = text.strip().splitlines()[0]
        return any(re.match(re.escape(p) + r"(?!\d)", first) for p in claim.prefixes)
    raise AssertionError(f"unknown claim {claim!r}")


def wrong_is_absent(option: str, claim: object, text: str) -> bool:
    """A wrong option says nothing the passage states, not even part of it (a fine's amount or rate)."""
    if isinstance(claim, FineClaim):
        amount, percent = fine_parts(option)
        return not (
            (amount is not None and amount_in(text, amount))
            or (percent is not None and percent_in(text, percent))
        )
    return not supported(option, claim, text)


def check_question(question: GeneratedQuestion, material: TopicMaterial) -> None:
    """The right option is supported by the cited record and every wrong option is not; true/false
    statements are checked both ways."""
    text = cited_text(material, question.citation_id)
    assert question.explanation.strip()
    if question.kind is QuestionKind.TRUE_FALSE:
        (claim,) = question.claims
        assert question.answer is not None
        value = _statement_value(question)
        assert value in question.prompt, (value, question.prompt)
        if question.correct_option == 0:  # "True": the statement's value is the fact
            assert supported(value, claim, text), (question.prompt, question.citation_id)
        else:
            assert wrong_is_absent(value, claim, text), (question.prompt, question.citation_id)
            assert claim != question.answer
        return
    assert len(question.claims) == len(question.options)
    for index, (option, claim) in enumerate(zip(question.options, question.claims, strict=True)):
        if index == question.correct_option:
            assert claim == question.answer
            assert supported(option, claim, text), (question.prompt, option, question.citation_id)
        else:
            assert wrong_is_absent(option, claim, text), (question.prompt, option, question.citation_id)


def _statement_value(question: GeneratedQuestion) -> str:
    """The value a true/false statement states, found by trying the claim's possible renderings."""
    (claim,) = question.claims
    if isinstance(claim, DateClaim):
        return f"{claim.day.day} {MONTHS[claim.day.month - 1].capitalize()} {claim.day.year}"
    if isinstance(claim, QuantityClaim):
        from tools.training.evidence import quantity_text

        return quantity_text(claim.value, claim.unit)
    if isinstance(claim, FineClaim):
        from knowledge.packs import PenaltyRule
        from tools.training.pack_facts import fine_text

        rule = PenaltyRule.LOWER_OF if "whichever is lower" in question.prompt else PenaltyRule.HIGHER_OF
        return fine_text(claim.amount_eur, claim.turnover_percent, rule)
    if isinstance(claim, PhraseClaim):
        return claim.phrase.capitalize() if claim.case_sensitive else claim.phrase
    if isinstance(claim, (CellClaim, ListItemClaim)):
        return " ".join(claim.value.replace("`", "").split()).rstrip(";.")
    if isinstance(claim, LocatorClaim):
        from tools.training.pack_facts import TIER_LABELS, TIER_LOCATORS

        return next(TIER_LABELS[t] for t, p in TIER_LOCATORS.items() if p == claim.prefixes)
    raise AssertionError(claim)
