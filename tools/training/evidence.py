"""What a quiz option claims, and whether a cited passage supports that claim.

Every generated question keeps, for each option, a typed claim (a date, a quantity, a fine, a phrase, a
table cell...). A claim is *supported* by a passage when the passage states it: the date in ISO or prose
form, the number with its unit in digits or words, the phrase itself, the table row with that cell. The
generator keeps a question only when the right option's claim is supported by the cited passage and no
wrong option's claim is, even in part, so a distractor can never accidentally be true as well.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

_MONTHS = "January February March April May June July August September October November December".split()
_ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
_ONES += "sixteen seventeen eighteen nineteen"
_WORDS = _ONES.split()
_TENS = {20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty", 70: "seventy", 80: "eighty"}
_TENS |= {90: "ninety"}

_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-"})
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def normalise(text: str) -> str:
    """Lowercase text with one space between words, plain dashes and quotes, no markdown emphasis."""
    text = text.translate(_DASHES).translate(_QUOTES).replace("`", "").replace("**", "")
    return re.sub(r"\s+", " ", text).strip().lower()


def contains_phrase(text: str, phrase: str) -> bool:
    """Whether `phrase` occurs in `text` as whole words, plurals included ('deployer' in 'deployers');
    case, spacing and dashes are ignored."""
    needle = normalise(phrase)
    if not needle:
        return False
    pattern = r"(?<![a-z0-9])" + re.escape(needle) + r"(?:s|es)?(?![a-z0-9])"
    return re.search(pattern, normalise(text)) is not None


def number_words(value: int) -> list[str]:
    """The ways a small whole number is written in prose: '72', 'seventy-two', 'seventy two'."""
    forms = [str(value)]
    if value >= 1000:
        forms.append(f"{value:,}")
    if 0 <= value < 20:
        forms.append(_WORDS[value])
    elif 20 <= value < 100:
        tens, ones = divmod(value, 10)
        word = _TENS[tens * 10]
        forms.extend([f"{word}-{_WORDS[ones]}", f"{word} {_WORDS[ones]}"] if ones else [word])
    return forms


def date_forms(day: date) -> list[str]:
    """A date as texts write it: 2025-02-02, 2 February 2025, February 2, 2025."""
    month = _MONTHS[day.month - 1]
    return [day.isoformat(), f"{day.day} {month} {day.year}", f"{month} {day.day}, {day.year}"]


def format_date(day: date) -> str:
    """A date for people: '2 February 2025'."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _mentions_any(text: str, forms: list[str]) -> bool:
    flat = normalise(text)
    for form in forms:
        pattern = r"(?<![a-z0-9.,])" + re.escape(normalise(form)) + r"(?![a-z0-9]|[.,]\d)"
        if re.search(pattern, flat):
            return True
    return False


# --- claims ------------------------------------------------------------------------------------------


class _Claim(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def found_in(self, text: str) -> bool:
        """Whether `text` states this claim."""
        raise NotImplementedError

    def any_part_in(self, text: str) -> bool:
        """Whether `text` states any part of this claim (composite claims have several parts)."""
        return self.found_in(text)

    def closeness(self, other: Claim) -> float:
        """How close another claim of the same kind is (larger is closer); for harder distractors."""
        return 0.0


class DateClaim(_Claim):
    """A calendar date, e.g. the day a provision applies from."""

    kind: Literal["date"] = "date"
    day: date

    def found_in(self, text: str) -> bool:
        """The date in ISO or prose form."""
        return _mentions_any(text, date_forms(self.day))

    def closeness(self, other: Claim) -> float:
        """Dates a few months apart are closer than dates years apart."""
        if not isinstance(other, DateClaim):
            return 0.0
        return -abs((self.day - other.day).days)


UNIT_WORDS: dict[str, tuple[str, ...]] = {
    "hours": ("hour", "hours"),
    "days": ("day", "days", "calendar day", "calendar days"),
    "business_days": ("business day", "business days", "working day", "working days"),
    "weeks": ("week", "weeks"),
    "months": ("month", "months"),
    "years": ("year", "years"),
    "persons": ("person", "persons", "people", "natural persons"),
}


def quantity_text(value: float, unit: str) -> str:
    """A quantity for people: '72 hours', '1 month', '10^25 FLOP', '2 persons'."""
    if unit.upper() == "FLOP":
        return f"10^{round(math.log10(value))} FLOP"
    number = f"{value:g}"
    names = UNIT_WORDS.get(unit)
    if names is None:
        return f"{number} {unit}"
    return f"{number} {names[0] if value == 1 else names[1]}"


class QuantityClaim(_Claim):
    """A number with its unit: a deadline, a retention period, a compute threshold."""

    kind: Literal["quantity"] = "quantity"
    value: float
    unit: str

    def forms(self) -> list[str]:
        """Every way the quantity may be written."""
        if self.unit.upper() == "FLOP":
            exponent = round(math.log10(self.value))
            return [f"10^{exponent}", f"1e+{exponent}", f"1e{exponent}", f"10^{{{exponent}}}"]
        numbers = number_words(int(self.value)) if float(self.value).is_integer() else [f"{self.value:g}"]
        if self.value == 1:
            numbers += ["a", "an"]
        names = UNIT_WORDS.get(self.unit, (self.unit,))
        return [f"{n}{sep}{name}" for n in numbers for name in names for sep in (" ", "-")]

    def found_in(self, text: str) -> bool:
        """The number followed by its unit ('15 days', 'fifteen days', '72-hour', '10^25')."""
        return _mentions_any(text, self.forms())

    def closeness(self, other: Claim) -> float:
        """Ratio distance: 48 hours is close to 72 hours, 10 years is far from it."""
        if not isinstance(other, QuantityClaim) or other.unit != self.unit or other.value <= 0:
            return -1e9
        return -abs(math.log(other.value) - math.log(self.value))


def money_forms(amount: int) -> list[str]:
    """A euro amount as texts write it: 35,000,000, 35 000 000, 35 million, 7.5 million."""
    millions = amount / 1_000_000
    short = f"{millions:g}"
    return [f"{amount:,}", f"{amount:,}".replace(",", " "), str(amount), f"{short} million", f"{short}m"]


def percent_forms(percent: float) -> list[str]:
    """A percentage as texts write it: 7%, 7 %, 7 per cent, seven per cent."""
    number = f"{percent:g}"
    words = number_words(int(percent)) if float(percent).is_integer() else [number]
    return [f"{number}%", f"{number} %"] + [f"{w} {p}" for w in words for p in ("per cent", "percent")]


class FineClaim(_Claim):
    """A fine ceiling: a fixed amount in euros and/or a share of worldwide annual turnover."""

    kind: Literal["fine"] = "fine"
    amount_eur: int | None = None
    turnover_percent: float | None = None

    def _parts(self) -> list[list[str]]:
        parts = []
        if self.amount_eur is not None:
            parts.append(money_forms(self.amount_eur))
        if self.turnover_percent is not None:
            parts.append(percent_forms(self.turnover_percent))
        return parts

    def found_in(self, text: str) -> bool:
        """Both the amount and the percentage are stated."""
        parts = self._parts()
        return bool(parts) and all(_mentions_any(text, forms) for forms in parts)

    def any_part_in(self, text: str) -> bool:
        """The amount or the percentage is stated."""
        return any(_mentions_any(text, forms) for forms in self._parts())

    def closeness(self, other: Claim) -> float:
        """Fines of similar size are closer."""
        if not isinstance(other, FineClaim) or not self.amount_eur or not other.amount_eur:
            return -1e9
        return -abs(math.log(other.amount_eur) - math.log(self.amount_eur))


class PhraseClaim(_Claim):
    """A phrase the passage must contain: a defined term, a title, a list item, an approver."""

    kind: Literal["phrase"] = "phrase"
    phrase: str
    case_sensitive: bool = Field(default=False, description="For tokens like GOVERN versus 'govern'.")

    def found_in(self, text: str) -> bool:
        """The phrase as whole words."""
        if self.case_sensitive:
            pattern = r"(?<![A-Za-z0-9])" + re.escape(self.phrase) + r"(?:S|ES)?(?![A-Za-z0-9])"
            return re.search(pattern, text) is not None
        return contains_phrase(text, self.phrase)

    def closeness(self, other: Claim) -> float:
        """Phrases sharing words are closer."""
        if not isinstance(other, PhraseClaim):
            return 0.0
        mine, theirs = content_words(self.phrase), content_words(other.phrase)
        return len(mine & theirs) / max(1, len(mine | theirs))


class CellClaim(_Claim):
    """A table cell: in the row whose `where_column` is `where_value`, `column` holds `value`."""

    kind: Literal["cell"] = "cell"
    where_column: str
    where_value: str
    column: str
    value: str

    def found_in(self, text: str) -> bool:
        """A markdown table in `text` has that row with that cell."""
        for table in markdown_tables(text):
            try:
                key, wanted = table.column(self.where_column), table.column(self.column)
            except KeyError:
                continue
            for row in table.rows:
                if normalise(row[key]) == normalise(self.where_value) and normalise(row[wanted]) == normalise(
                    self.value
                ):
                    return True
        return False

    def closeness(self, other: Claim) -> float:
        """Numeric cells of similar size are closer; text cells sharing words are closer."""
        if not isinstance(other, CellClaim):
            return 0.0
        try:
            return -abs(float(other.value) - float(self.value))
        except ValueError:
            return PhraseClaim(phrase=self.value).closeness(PhraseClaim(phrase=other.value))


class ListItemClaim(_Claim):
    """A list item that contains `anchor` also contains `value` (a rule 'X is `T2`')."""

    kind: Literal["list_item"] = "list_item"
    anchor: str
    value: str

    def found_in(self, text: str) -> bool:
        """Some list item holds both the anchor and the value."""
        return any(
            contains_phrase(item, self.anchor) and contains_phrase(item, self.value)
            for item in list_items(text)
        )


class LocatorClaim(_Claim):
    """The cited record is a provision of a given part of the act (its first line starts with it):
    Article 5(1) points are prohibited practices, Annex III points high-risk, Article 50 transparency."""

    kind: Literal["locator"] = "locator"
    prefixes: tuple[str, ...]

    def found_in(self, text: str) -> bool:
        """The passage's heading line starts with one of the prefixes."""
        first = text.strip().splitlines()[0] if text.strip() else ""
        return any(re.match(re.escape(prefix) + r"(?![0-9])", first) for prefix in self.prefixes)


Claim = Annotated[
    DateClaim | QuantityClaim | FineClaim | PhraseClaim | CellClaim | ListItemClaim | LocatorClaim,
    Field(discriminator="kind"),
]


# --- text structure ----------------------------------------------------------------------------------


_STOPWORDS = frozenset(
    "a an and are as at be by for from has have in is it its of on or that the their this to was were "
    "with which who what when where how not no any all each other than into under within our your".split()
)


def content_words(text: str) -> set[str]:
    """The meaningful words of a text, cut to their first five letters (a crude stem)."""
    return {w[:5] for w in re.findall(r"[a-z0-9]+", normalise(text)) if w not in _STOPWORDS and len(w) > 2}


class Table(BaseModel):
    """A markdown table: its header and rows of cells."""

    header: list[str]
    rows: list[list[str]]

    def column(self, name: str) -> int:
        """Index of the column called `name`; KeyError if there is none."""
        for index, cell in enumerate(self.header):
            if normalise(cell) == normalise(name):
                return index
        raise KeyError(name)


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def markdown_tables(text: str) -> list[Table]:
    """The markdown tables in `text` (a header line, a |---| line, then rows); duplicate rows once."""
    tables: list[Table] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines) - 1:
        line, rule = lines[index].strip(), lines[index + 1].strip()
        if line.startswith("|") and re.fullmatch(r"\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?", rule):
            header = _cells(line)
            rows: list[list[str]] = []
            index += 2
            while index < len(lines) and lines[index].strip().startswith("|"):
                cells = _cells(lines[index])
                if len(cells) == len(header) and cells not in rows:
                    rows.append(cells)
                index += 1
            tables.append(Table(header=header, rows=rows))
        else:
            index += 1
    return tables


def list_items(text: str) -> list[str]:
    """Bullet and numbered list items with their continuation lines, whitespace collapsed."""
    items: list[str] = []
    current: list[str] | None = None
    for line in text.splitlines():
        if re.match(r"^\s*(?:[-*]|\d+[.)])\s+", line):
            if current is not None:
                items.append(" ".join(current))
            current = [re.sub(r"^\s*(?:[-*]|\d+[.)])\s+", "", line).strip()]
        elif current is not None and line.startswith((" ", "\t")) and line.strip():
            current.append(line.strip())
        else:
            if current is not None:
                items.append(" ".join(current))
            current = None
    if current is not None:
        items.append(" ".join(current))
    return items


def sentences(text: str) -> list[str]:
    """The prose sentences of a text (tables and list markers left out), whitespace collapsed."""
    prose = " ".join(
        line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("|")
    )
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", prose) if s.strip()]
