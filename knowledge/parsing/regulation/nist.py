"""NIST AI RMF 1.0 records (CSA's subcategories, the Playbook) and NIST AI 600-1 suggested actions.

Ids follow the framework's own numbering: `nist-ai-rmf:govern`, `nist-ai-rmf:govern-1`,
`nist-ai-rmf:govern-1-1` (function, category, subcategory); the Playbook's guidance uses the subcategory
ids; AI 600-1 actions are `nist-ai-600-1:gv-1-1-001` under their subcategory `nist-ai-600-1:gv-1-1`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from knowledge.parsing.regulation.text import normalise_space, strip_emphasis
from knowledge.sections import Section, SectionLevel

RMF_SOURCE_ID = "nist-ai-rmf"
GAI_PROFILE_SOURCE_ID = "nist-ai-600-1"

_SUBCATEGORY = re.compile(r"^([A-Z]+)\s+(\d+)\.(\d+)$")  # "GOVERN 1.1"
# "GV-1.1-001"; one record of AI 600-1 reads "GV4.3--001", hence the optional and repeated hyphens.
_ACTION = re.compile(r"^([A-Z]{2})-?(\d+)\.(\d+)-+(\d+)$")
_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MARKDOWN_MARKUP = re.compile(r"^\s*(?:#{1,6}|[*-])\s+", re.M)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _records(data: object, *required: str) -> list[dict[str, Any]] | None:
    if not isinstance(data, list) or not data or not all(isinstance(item, dict) for item in data):
        return None
    return data if all(set(required) <= set(item) for item in data) else None


def _plain(markdown: str) -> str:
    """Markdown guidance as plain text: links keep their label, headings and bullets lose their markup."""
    # The Playbook's references end with a bare "[URL](...)" link: such a label says nothing.
    text = _MARKDOWN_LINK.sub(lambda m: "" if m.group(1).strip().upper() == "URL" else m.group(1), markdown)
    return normalise_space(strip_emphasis(_MARKDOWN_MARKUP.sub("", text)))


def _grouped(records: list[dict[str, Any]], key: str) -> list[tuple[str, list[dict[str, Any]]]]:
    """Records grouped by a field, groups and members in first-seen order."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        groups.setdefault(normalise_space(str(record[key])), []).append(record)
    return list(groups.items())


def _subcategory_text(record: dict[str, Any], category_id: str, category_text: str) -> str:
    # Five of CSA's records (GOVERN 6.2, MAP 4.2, ...) have an empty description: their category stands in.
    description = normalise_space(str(record["description"]))
    return description or f"{category_id}: {category_text}"


def parse_rmf_subcategories(data: object, source_id: str | None) -> list[Section] | None:
    """CSA's `{subcategory_id, function, category_id, category_text, description}` records."""
    records = _records(data, "subcategory_id", "function", "category_id", "description")
    if records is None:
        return None
    source = source_id or RMF_SOURCE_ID
    sections: list[Section] = []
    for function, function_records in _grouped(records, "function"):
        function_id = f"{source}:{_slug(function)}"
        parts: list[Section] = []
        for category_id, category_records in _grouped(function_records, "category_id"):
            category_key = f"{source}:{_slug(category_id)}"
            category_text = normalise_space(str(category_records[0].get("category_text") or ""))
            subcategories = [
                Section(
                    citation_id=f"{source}:{_slug(str(record['subcategory_id']))}",
                    locator=normalise_space(str(record["subcategory_id"])),
                    title=normalise_space(str(record["subcategory_id"])),
                    parents=[function, f"{category_id} {category_text}".strip()],
                    parent_id=category_key,
                    level=SectionLevel.RECORD,
                    text=_subcategory_text(record, category_id, category_text),
                )
                for record in category_records
            ]
            text = " ".join([category_text, *(f"{s.locator}: {s.text}" for s in subcategories)])
            category = Section(
                citation_id=category_key,
                locator=category_id,
                title=category_text or category_id,
                parents=[function],
                parent_id=function_id,
                level=SectionLevel.HEADING,
                text=normalise_space(text),
            )
            parts += [category, *subcategories]
        text = " ".join(f"{s.locator}: {s.text}" for s in parts if s.level is SectionLevel.HEADING)
        sections.append(
            Section(
                citation_id=function_id,
                locator=function.upper(),
                title=function,
                level=SectionLevel.CHAPTER,
                text=text,
            )
        )
        sections += parts
    return sections


_PLAYBOOK_PARTS = (
    ("description", ""),
    ("section_about", "About"),
    ("section_actions", "Suggested actions"),
    ("section_doc", "Documentation"),
)


def parse_rmf_playbook(data: object, source_id: str | None) -> list[Section] | None:
    """The AI RMF Playbook export: one entry per subcategory with its guidance (`section_*` fields)."""
    records = _records(data, "type", "title", "description", "section_about", "section_actions")
    if records is None or not all(_SUBCATEGORY.match(normalise_space(str(r["title"]))) for r in records):
        return None
    source = source_id or RMF_SOURCE_ID
    sections = []
    for record in records:
        locator = normalise_space(str(record["title"]))
        match = _SUBCATEGORY.match(locator)
        assert match is not None
        function, category = match.group(1), f"{match.group(1)} {match.group(2)}"
        parts = []
        for key, heading in _PLAYBOOK_PARTS:
            body = _plain(str(record.get(key) or ""))
            if body:
                parts.append(f"{heading}: {body}" if heading else body)
        sections.append(
            Section(
                citation_id=f"{source}:{_slug(locator)}",
                locator=locator,
                title=f"{locator} (Playbook)",
                parents=[function.capitalize(), category],
                parent_id=f"{source}:{_slug(category)}",
                level=SectionLevel.RECORD,
                text=" ".join(parts),
            )
        )
    return sections


def parse_gai_profile_actions(data: object, source_id: str | None) -> list[Section] | None:
    """NIST AI 600-1 `{action_id, function, subcategory_id, subcategory_text, suggested_action, ...}`."""
    records = _records(data, "action_id", "subcategory_id", "suggested_action")
    if records is None or not all(_ACTION.match(str(r["action_id"]).strip()) for r in records):
        return None
    source = source_id or GAI_PROFILE_SOURCE_ID
    by_subcategory: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_subcategory.setdefault(_action_id(record).rsplit("-", 1)[0], []).append(record)  # "GV-1.1"
    sections: list[Section] = []
    for prefix, actions in by_subcategory.items():
        first = actions[0]
        function = str(first.get("function") or "").strip()
        subcategory = normalise_space(str(first["subcategory_id"]))
        subcategory_text = normalise_space(str(first.get("subcategory_text") or ""))
        group_id = f"{source}:{_slug(prefix)}"
        action_sections = [_action_section(source, r, group_id, function, subcategory) for r in actions]
        sections.append(
            Section(
                citation_id=group_id,
                locator=prefix,
                title=f"{subcategory} {subcategory_text}".strip(),
                parents=[function] if function else [],
                level=SectionLevel.HEADING,
                text=normalise_space(" ".join([subcategory_text, *(s.text for s in action_sections)])),
            )
        )
        sections.extend(action_sections)
    return sections


def _action_id(record: dict[str, Any]) -> str:
    match = _ACTION.match(str(record["action_id"]).strip())
    assert match is not None
    letters, category, number, serial = match.groups()
    return f"{letters}-{category}.{number}-{serial}"


def _action_section(
    source: str, record: dict[str, Any], group_id: str, function: str, subcategory: str
) -> Section:
    action_id = _action_id(record)
    details = [normalise_space(str(record["suggested_action"]))]
    for key, label in (("gai_risks", "GAI risks"), ("ai_actor_tasks", "AI actor tasks")):
        values = [normalise_space(str(value)) for value in record.get(key) or []]
        if values:
            details.append(f"{label}: {', '.join(values)}.")
    return Section(
        citation_id=f"{source}:{_slug(action_id)}",
        locator=action_id,
        title=f"{subcategory} suggested action",
        parents=[p for p in (function, subcategory) if p],
        parent_id=group_id,
        level=SectionLevel.RECORD,
        text=" ".join(details),
    )


NIST_PARSERS: tuple[Callable[[object, str | None], list[Section] | None], ...] = (
    parse_rmf_subcategories,
    parse_rmf_playbook,
    parse_gai_profile_actions,
)
