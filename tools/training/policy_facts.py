"""Facts from the organisation's documents as indexed: table cells, ordered rules ('... is `T2`'), who
approves, periods in sentences ('within 5 days'), and the items of 'Prohibited ...' / 'Never ...' lists.
Only sections without subsections are read (a parent section repeats its children's text).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from tools.training.evidence import (
    CellClaim,
    ListItemClaim,
    PhraseClaim,
    QuantityClaim,
    list_items,
    markdown_tables,
    normalise,
    quantity_text,
    sentences,
)
from tools.training.facts import VALUE, Choice, Fact, nearby
from tools.training.schemas import SourcePassage
from tools.training.topics import Family


def leaves(passages: Sequence[SourcePassage]) -> list[SourcePassage]:
    """Sections without subsections (a parent's text repeats its children's)."""
    ids = [p.citation_id for p in passages]
    return [p for p in passages if not any(other.startswith(p.citation_id + "-") for other in ids)]


def _plain(text: str) -> str:
    return " ".join(text.replace("`", "").split()).rstrip(";.")


def _doc(passage: SourcePassage) -> str:
    return f"the {passage.document_title}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def table_facts(leaves: Sequence[SourcePassage]) -> Iterator[Fact]:
    """Cells of the policies' tables: the value in a column for a row, and the row with a value."""
    for passage in leaves:
        for table in markdown_tables(passage.text):
            if len(table.rows) < 3 or len(table.header) < 2:
                continue
            key_column = table.header[0]
            numbers = sorted({c for row in table.rows for c in row[1:] if re.fullmatch(r"\d+", c)}, key=int)
            where = f"In {_doc(passage)}, table in '{passage.title}'"
            for col, column in enumerate(table.header[1:], start=1):
                values = [row[col] for row in table.rows]
                numeric = all(re.fullmatch(r"\d+|-", v) for v in values)
                for row in table.rows:
                    key, value = row[0], row[col]
                    if value in {"-", ""}:
                        continue
                    pool_values = numbers if numeric else list(dict.fromkeys(values))
                    yield Fact(
                        key=f"cell:{passage.citation_id}:{normalise(key)}:{normalise(column)}",
                        family=Family.TABLE,
                        citation_id=passage.citation_id,
                        passage=passage.text,
                        stem=f"{where}: what does it give for '{_plain(key)}' under '{_plain(column)}'?",
                        statement=f"{where}: for '{_plain(key)}', the value under '{_plain(column)}' "
                        f"is {VALUE}.",
                        answer=Choice(
                            text=_plain(value),
                            claim=CellClaim(
                                where_column=key_column, where_value=key, column=column, value=value
                            ),
                        ),
                        pool=[
                            Choice(
                                text=_plain(v),
                                claim=CellClaim(
                                    where_column=key_column, where_value=key, column=column, value=v
                                ),
                            )
                            for v in pool_values
                            if v not in {"-", ""}
                        ],
                        explanation=f"The table in '{passage.title}' of {_doc(passage)} gives "
                        f"'{_plain(value)}' under '{_plain(column)}' for '{_plain(key)}'.",
                    )
                    # The reverse question needs a text column whose values name one row each.
                    if numeric or len(set(values)) != len(values):
                        continue
                    keys = [r[0] for r in table.rows]
                    yield Fact(
                        key=f"row:{passage.citation_id}:{normalise(column)}:{normalise(value)}",
                        family=Family.TABLE,
                        citation_id=passage.citation_id,
                        passage=passage.text,
                        stem=f"{where}: which {_plain(key_column).lower()} has '{_plain(value)}' under "
                        f"'{_plain(column)}'?",
                        statement=f"{where}: {VALUE} is the {_plain(key_column).lower()} with "
                        f"'{_plain(value)}' under '{_plain(column)}'.",
                        answer=Choice(
                            text=_plain(key),
                            claim=CellClaim(
                                where_column=column, where_value=value, column=key_column, value=key
                            ),
                        ),
                        pool=[
                            Choice(
                                text=_plain(k),
                                claim=CellClaim(
                                    where_column=column, where_value=value, column=key_column, value=k
                                ),
                            )
                            for k in keys
                        ],
                        explanation=f"The table in '{passage.title}' of {_doc(passage)} lists "
                        f"'{_plain(key)}' with '{_plain(value)}' under '{_plain(column)}'.",
                    )


_RULE = re.compile(r"^(?P<condition>.+?),?\s+(?:is|are|makes? the system|becomes?)\s+`(?P<value>[^`]+)`\.?$")


def rule_facts(leaves: Sequence[SourcePassage]) -> Iterator[Fact]:
    """Ordered rules written as list items ending in a backticked value ('... is `T2`.')."""
    for passage in leaves:
        rules = [m for item in list_items(passage.text) if (m := _RULE.match(item))]
        values = list(dict.fromkeys(m.group("value") for m in rules))
        if len(rules) < 3 or len(values) < 3:
            continue
        for match in rules:
            condition, value = match.group("condition").strip(), match.group("value")
            yield Fact(
                key=f"rule:{passage.citation_id}:{normalise(condition)}",
                family=Family.RULE,
                citation_id=passage.citation_id,
                passage=passage.text,
                stem=f"Under {_doc(passage)} ('{passage.title}'), what does this rule give: \"{condition}\"?",
                statement=f"Under {_doc(passage)} ('{passage.title}'), the rule \"{condition}\" "
                f"gives {VALUE}.",
                answer=Choice(text=value, claim=ListItemClaim(anchor=condition, value=value)),
                pool=[Choice(text=v, claim=ListItemClaim(anchor=condition, value=v)) for v in values],
                explanation=f"'{passage.title}' in {_doc(passage)}: \"{condition}\" gives {value}.",
            )


# "Approval by the AI Review Board ..." or "The system owner approves ..." (a short subject, no clause).
_APPROVER = re.compile(r"^(?:Approval by (?P<by>[^.;]+)|The (?P<who>(?:[\w']+ ){0,3}[\w']+) approves\b)")


def approval_facts(leaves: Sequence[SourcePassage]) -> Iterator[Fact]:
    """Who approves, one fact per section that says 'Approval by ...' or '... approves'."""
    found: list[tuple[SourcePassage, str]] = []
    for passage in leaves:
        for sentence in sentences(passage.text):
            match = _APPROVER.match(sentence)
            if match:
                who = (match.group("by") or f"the {match.group('who')}").strip()
                found.append((passage, who))
                break
    for passage, who in found:
        others = [w for p, w in found if p.document_title == passage.document_title and w != who]
        yield Fact(
            key=f"approval:{passage.citation_id}",
            family=Family.APPROVAL,
            citation_id=passage.citation_id,
            passage=passage.text,
            stem=f"Under {_doc(passage)}, who approves in '{passage.title}'?",
            statement=f"Under {_doc(passage)}, approval in '{passage.title}' is by {VALUE}.",
            answer=Choice(text=who, claim=PhraseClaim(phrase=who)),
            pool=[Choice(text=o, claim=PhraseClaim(phrase=o)) for o in others],
            explanation=f"{_cap(_doc(passage))} ('{passage.title}'): approval by {who}.",
        )


_QUANTITY = re.compile(r"\b(?P<value>\d+)\s+(?P<unit>hours?|days?|weeks?|months?|years?)\b")


def cloze_facts(leaves: Sequence[SourcePassage]) -> Iterator[Fact]:
    """Sentences with a period in them ('within 5 days', 'every 24 months'), the period blanked."""
    for passage in leaves:
        for sentence in sentences(passage.text):
            for match in _QUANTITY.finditer(sentence):
                value = float(match.group("value"))
                unit = match.group("unit") if match.group("unit").endswith("s") else match.group("unit") + "s"
                gap = sentence[: match.start()] + "___" + sentence[match.end() :]
                answer = QuantityClaim(value=value, unit=unit)
                yield Fact(
                    key=f"cloze:{passage.citation_id}:{normalise(gap)}",
                    family=Family.CLOZE,
                    citation_id=passage.citation_id,
                    passage=passage.text,
                    stem=f"Fill the gap ({_doc(passage)}, '{passage.title}'): \"{gap}\"",
                    statement=f"{_cap(_doc(passage))} ('{passage.title}') says: "
                    f'"{gap.replace("___", VALUE)}"',
                    answer=Choice(text=quantity_text(value, unit), claim=answer),
                    pool=[
                        Choice(text=quantity_text(v, unit), claim=QuantityClaim(value=v, unit=unit))
                        for v in nearby(value, unit)
                    ],
                    explanation=f"{_cap(_doc(passage))} ('{passage.title}'): \"{sentence}\"",
                )


_RESTRICTIVE = re.compile(r"prohibit|never|must not|not allowed|banned|forbidden", re.IGNORECASE)
_PERMISSIVE = re.compile(r"allowed|approved|permitted", re.IGNORECASE)


def policy_list_facts(leaves: Sequence[SourcePassage]) -> Iterator[Fact]:
    """Items of 'Prohibited uses' / 'Never ...' lists; wrong options are the uses the same document
    approves (a table column named Use, or lists under 'allowed'/'approved' headings)."""
    approved: dict[str, list[str]] = {}
    for passage in leaves:
        uses = approved.setdefault(passage.document_title, [])
        for table in markdown_tables(passage.text):
            if normalise(table.header[0]) != "use" and any(normalise(h) == "use" for h in table.header):
                column = table.column("Use")
                uses.extend(row[column] for row in table.rows)
        if _PERMISSIVE.search(passage.title) and not _RESTRICTIVE.search(passage.title):
            uses.extend(list_items(passage.text))
    for passage in leaves:
        if not _RESTRICTIVE.search(passage.title):
            continue
        items = [_plain(item) for item in list_items(passage.text)]
        foils = [_plain(use) for use in approved.get(passage.document_title, [])]
        if len(items) < 3:
            continue
        for item in items:
            yield Fact(
                key=f"list:{passage.citation_id}:{normalise(item)[:80]}",
                family=Family.POLICY_LIST,
                citation_id=passage.citation_id,
                passage=passage.text,
                stem=f"Which of these does {_doc(passage)} list under '{passage.title}'?",
                statement=f"{_cap(_doc(passage))} lists this under '{passage.title}': {VALUE}",
                answer=Choice(text=item, claim=PhraseClaim(phrase=item)),
                pool=[Choice(text=f, claim=PhraseClaim(phrase=f)) for f in foils],
                explanation=f"{_cap(_doc(passage))} lists '{item}' under '{passage.title}'; the other "
                "options are uses it approves.",
            )
