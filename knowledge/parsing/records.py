"""JSON/YAML record files (past reviews, system inventories...): one section per record."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

import yaml

from knowledge.parsing.metadata import to_date
from knowledge.parsing.slugs import slugify, unique_id
from knowledge.sections import ParseError, Section, SectionLevel

_ID_KEYS = ("id", "slug")
_TITLE_KEYS = ("title", "name", "system")
_ACRONYMS = frozenset(
    {
        "ai",
        "api",
        "dpia",
        "dpo",
        "eu",
        "gdpr",
        "id",
        "llm",
        "ml",
        "nist",
        "pii",
        "rmf",
        "uk",
        "url",
        "us",
    }
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


@dataclass(frozen=True)
class RecordSet:
    """The records of one file and the file-level fields that describe them."""

    records: list[dict[str, Any]]
    title: str | None = None
    doc_id: str | None = None
    as_of: date | None = None


def load_structured(text: str, *, syntax: Literal["json", "yaml"]) -> Any:
    """Parse JSON or YAML text; raise ParseError (without the file name) describing invalid syntax."""
    if syntax == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ParseError(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ParseError(f"not valid YAML ({where}{problem})") from None


def read_record_set(data: Any) -> RecordSet:
    """Recognise the record shapes: a list of objects, `{records: [...], title?, doc_id|id?, as_of?}`,
    or one object (a single record). Raise ParseError (without the file name) for anything else."""
    if isinstance(data, list):
        return RecordSet(records=_objects(data))
    if not isinstance(data, dict):
        raise ParseError(f"expected a list of records or an object, found {_kind_of(data)}")
    if "records" not in data:
        return RecordSet(
            records=[_string_keys(data)],
            title=_first_text(data, _TITLE_KEYS),
            as_of=to_date(data.get("as_of")),
        )
    if not isinstance(data["records"], list):
        raise ParseError(f"'records' should be a list, found {_kind_of(data['records'])}")
    raw_id = _first_text(data, ("doc_id", "id"))
    return RecordSet(
        records=_objects(data["records"]),
        title=_first_text(data, ("title",)),
        doc_id=slugify(raw_id or "") or None,
        as_of=to_date(data.get("as_of")),
    )


def build_record_sections(records: list[dict[str, Any]], *, doc_id: str) -> list[Section]:
    """One RECORD section per record with any content, id `<doc-id>:<slug of the record id>` kept unique."""
    taken: set[str] = set()
    sections: list[Section] = []
    for number, record in enumerate(records, start=1):
        text = record_text(record)
        if not text:
            continue
        title = _first_text(record, _TITLE_KEYS) or _first_text(record, _ID_KEYS) or f"Record {number}"
        slug = slugify(_first_text(record, _ID_KEYS) or _first_text(record, _TITLE_KEYS) or "")
        sections.append(
            Section(
                citation_id=unique_id(f"{doc_id}:{slug or f'record-{number}'}", taken),
                locator=title,
                title=title,
                level=SectionLevel.RECORD,
                text=text,
            )
        )
    return sections


def record_text(record: dict[str, Any]) -> str:
    """Readable `Field: value` lines; lists are joined, nested objects give `Parent field: value` lines."""
    lines: list[str] = []
    for key, value in record.items():
        if isinstance(value, dict):
            for sub_key, sub_value in value.items():
                rendered = _render(sub_value)
                if rendered:
                    lines.append(f"{humanise(key)} {_phrase(str(sub_key))}: {rendered}")
        elif rendered := _render(value):
            lines.append(f"{humanise(key)}: {rendered}")
    return "\n".join(lines)


def humanise(key: str) -> str:
    """A field name for people: `eu_tier` -> `EU tier`, `reviewDate` -> `Review date`."""
    phrase = _phrase(key)
    return phrase[:1].upper() + phrase[1:]


def _phrase(key: str) -> str:
    words = _CAMEL.sub(" ", key).replace("_", " ").replace("-", " ").split()
    return " ".join(word.upper() if word.lower() in _ACRONYMS else word.lower() for word in words) or key


def _render(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return "; ".join(rendered for item in value if (rendered := _render(item)))
    if isinstance(value, dict):
        return ", ".join(
            f"{_phrase(str(key))}: {rendered}" for key, item in value.items() if (rendered := _render(item))
        )
    return " ".join(str(value).split())


def _objects(items: list[Any]) -> list[dict[str, Any]]:
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ParseError(f"record {number} is not an object (found {_kind_of(item)})")
    return [_string_keys(item) for item in items]


def _string_keys(item: dict[Any, Any]) -> dict[str, Any]:
    return {str(key): value for key, value in item.items()}


def _first_text(mapping: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = mapping.get(key)
        if value is not None and not isinstance(value, dict | list) and str(value).strip():
            return " ".join(str(value).split())
    return None


def _kind_of(value: Any) -> str:
    names = {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        type(None): "nothing",
    }
    return names.get(type(value), f"a {type(value).__name__}")
