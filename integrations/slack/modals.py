"""Modals: the triage form (the profile questions, prefilled from a description), the "not helpful"
reason, a review decision, and saving an approved answer. Each builder has its parser beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from core.text import clip
from integrations.slack import ids
from integrations.slack.blocks import Block, context, escape, section
from integrations.slack.payloads import ActionPayload
from knowledge.access import Visibility
from tools.triage.catalogue import CATALOGUE, Jurisdiction, UseCaseCategory
from tools.triage.extract import ExtractedProfile
from tools.triage.schemas import AnnexIProduct, Derogation, ExcludedPurpose, Role, SystemProfile

VALUE = "value"  # the action id of every input element: the block id names the field
METADATA_CHARS = 3000
UNKNOWN = "unknown"
# Slack's plain_text_input holds at most 3,000 characters.
DESCRIPTION_CHARS = 3000

TRI_STATE_FIELDS: dict[str, str] = {
    "profiling": "Does it profile people (evaluate work performance, finances, health, behaviour...)?",
    "interacts_with_people": "Does it interact directly with people (chat, voice, messages)?",
    "generates_synthetic_content": "Does it generate or manipulate text, images, audio or video?",
    "deep_fake": "Can its images, audio or video resemble real people, places or events (deep fakes)?",
    "public_interest_text": "Does it publish generated text to inform the public on public-interest matters?",
    "automated_decisions": "Do its outputs decide about people without a meaningful human review?",
    "personal_data": "Does it process personal data?",
    "gpai_model": "Is it, or does it provide, a general-purpose AI model?",
    "open_source": "Is the model released under a free and open-source licence?",
    "public_body_or_public_service": "Is it deployed by a public body, or by a provider of public services?",
    "rebrands_or_modifies": "As deployer/importer/distributor: do we rebrand it, modify it substantially, "
    "or change its purpose?",
    "third_party_conformity_assessment": "Does the product need a notified-body conformity assessment?",
}
_SUSPECTED = "use_cases:"


def _text(value: str, *, emoji: bool = False) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text", "text": clip(value, 75) or " "}
    if emoji:
        element["emoji"] = True
    return element


def _option(label: str, value: str) -> dict[str, Any]:
    return {"text": _text(label), "value": value}


def _label(value: str) -> str:
    return value.replace("_", " ").capitalize()


def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = True, hint: str = ""
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": clip(label, 2000)},
        "element": {**element, "action_id": VALUE},
        "optional": optional,
    }
    if hint:
        block["hint"] = {"type": "plain_text", "text": clip(hint, 2000)}
    return block


def _select(options: list[dict[str, Any]], initial: str | None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "static_select", "options": options}
    chosen = next((o for o in options if o["value"] == initial), None)
    if chosen is not None:
        element["initial_option"] = chosen
    return element


def metadata(payload: ActionPayload) -> str:
    """A modal's private_metadata (at most 3,000 characters)."""
    raw = payload.encode()
    if len(raw) > METADATA_CHARS:
        raise ValueError("modal metadata too long")
    return raw


def read_metadata(view: dict[str, Any]) -> ActionPayload:
    """The payload a modal was opened with."""
    return ActionPayload.parse(view.get("private_metadata"))


def _state(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    values = (view.get("state") or {}).get("values") or {}
    return {block_id: actions.get(VALUE) or {} for block_id, actions in values.items()}


# --- the triage form ----------------------------------------------------------------------------------------


def loading_view(title: str, text: str) -> dict[str, Any]:
    """A modal that says work is under way (opened at once, while the trigger id is still valid)."""
    return {
        "type": "modal",
        "title": _text(title),
        "close": _text("Close"),
        "blocks": [section(text)],
    }


def triage_view(
    extracted: ExtractedProfile | None,
    *,
    meta: ActionPayload,
    profile: SystemProfile | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """The triage form, prefilled from an extracted profile (or a stored one). Suspected prohibited or
    high-risk use cases are pre-selected and named: untick them if they do not apply (never downgrade
    silently)."""
    base = profile or (extracted.profile if extracted else None)
    declared = base.model_fields_set if base else set()
    suspected = [
        u.removeprefix(_SUSPECTED)
        for u in (extracted.uncertain if extracted else [])
        if u.startswith(_SUSPECTED)
    ]
    blocks: list[Block] = []
    if note:
        blocks.append(section(note))
    if suspected:
        blocks.append(
            context(
                ":warning: Suspected from your description, pre-selected below; untick any that does not "
                "apply: " + ", ".join(f"`{code}`" for code in suspected)
            )
        )
    blocks.append(
        _input(
            "name",
            "System name",
            {"type": "plain_text_input", "max_length": 200, **({"initial_value": base.name} if base else {})},
            optional=False,
        )
    )
    blocks.append(
        _input(
            "description",
            "What does it do?",
            {
                "type": "plain_text_input",
                "multiline": True,
                "max_length": DESCRIPTION_CHARS,
                **({"initial_value": base.description[:DESCRIPTION_CHARS]} if base else {}),
            },
            optional=False,
        )
    )
    role = base.role.value if base else Role.PROVIDER_AND_DEPLOYER.value
    blocks.append(
        _input("role", "Our role", _select([_option(_label(r.value), r.value) for r in Role], role))
    )
    in_eu = "yes" if (base.in_eu_scope if base else True) else "no"
    blocks.append(
        _input(
            "in_eu_scope",
            "Placed on the EU market, used in the EU, or its output used in the EU?",
            _select([_option("Yes", "yes"), _option("No", "no")], in_eu),
        )
    )
    jurisdictions = [_option(j.value, j.value) for j in Jurisdiction]
    chosen_j = [o for o in jurisdictions if base and o["value"] in base.jurisdictions]
    blocks.append(
        _input(
            "jurisdictions",
            "Jurisdictions",
            {
                "type": "multi_static_select",
                "options": jurisdictions,
                **({"initial_options": chosen_j} if chosen_j else {}),
            },
        )
    )
    groups: list[dict[str, Any]] = []
    chosen_u: list[dict[str, Any]] = []
    selected = set(base.use_cases if base else []) | set(suspected)
    titles = {
        UseCaseCategory.ART5: "Prohibited practices (Art. 5)",
        UseCaseCategory.ANNEX_III: "High-risk uses (Annex III)",
        UseCaseCategory.OTHER: "Other uses",
    }
    for category, title in titles.items():
        options = [_option(f"{u.code}: {u.description}", u.code) for u in CATALOGUE if u.category is category]
        chosen_u.extend(o for o in options if o["value"] in selected)
        groups.append({"label": _text(title), "options": options})
    blocks.append(
        _input(
            "use_cases",
            "Use cases",
            {
                "type": "multi_static_select",
                "option_groups": groups,
                **({"initial_options": chosen_u} if chosen_u else {}),
            },
            hint="Codes from the use-case catalogue (`govassist triage --list-use-cases`).",
        )
    )
    purpose = base.excluded_purpose.value if base else ExcludedPurpose.NONE.value
    blocks.append(
        _input(
            "excluded_purpose",
            "Used only for one of these purposes?",
            _select([_option(_label(p.value), p.value) for p in ExcludedPurpose], purpose),
        )
    )
    annex = base.annex_i_product.value if base and "annex_i_product" in declared else UNKNOWN
    blocks.append(
        _input(
            "annex_i_product",
            "A product (or safety component) under EU product legislation (Annex I)?",
            _select(
                [
                    _option("Not sure / not stated", UNKNOWN),
                    *(_option(_label(a.value), a.value) for a in AnnexIProduct),
                ],
                annex,
            ),
        )
    )
    derogation = base.derogation.value if base else Derogation.NONE.value
    blocks.append(
        _input(
            "derogation",
            "Only a narrow or preparatory task (Art. 6(3))?",
            _select([_option(_label(d.value), d.value) for d in Derogation], derogation),
        )
    )
    for field, question in TRI_STATE_FIELDS.items():
        value = getattr(base, field) if base else None
        initial = UNKNOWN if value is None else ("yes" if value else "no")
        options = [_option("Yes", "yes"), _option("No", "no"), _option("Not sure", UNKNOWN)]
        blocks.append(_input(field, question, _select(options, initial)))
    flops = base.training_compute_flops if base else None
    blocks.append(
        _input(
            "training_compute_flops",
            "Training compute (FLOP), for general-purpose models",
            {"type": "plain_text_input", **({"initial_value": f"{flops:g}"} if flops is not None else {})},
            hint="e.g. 3e24",
        )
    )
    return {
        "type": "modal",
        "callback_id": ids.VIEW_TRIAGE,
        "title": _text("Triage an AI system"),
        "submit": _text("Triage"),
        "close": _text("Cancel"),
        "private_metadata": metadata(meta),
        "blocks": blocks,
    }


class FormErrors(ValueError):
    """Submitted values that do not make a valid profile: block id -> message (shown in the modal)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def parse_triage(view: dict[str, Any]) -> SystemProfile:
    """The profile a submitted triage form describes; FormErrors naming the fields otherwise.

    "Not sure" leaves a field unset, so triage asks about it instead of assuming an answer.
    """
    state = _state(view)
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}

    def selected(field: str) -> str | None:
        option = state.get(field, {}).get("selected_option") or {}
        return option.get("value")

    for field in ("name", "description"):
        text = (state.get(field, {}).get("value") or "").strip()
        if text:
            values[field] = text
        else:
            errors[field] = "Please fill this in."
    for field in ("role", "excluded_purpose", "derogation"):
        if selected(field):
            values[field] = selected(field)
    if selected("in_eu_scope"):
        values["in_eu_scope"] = selected("in_eu_scope") == "yes"
    annex = selected("annex_i_product")
    if annex and annex != UNKNOWN:
        values["annex_i_product"] = annex
    for field in ("jurisdictions", "use_cases"):
        chosen = [o.get("value") for o in state.get(field, {}).get("selected_options") or []]
        values[field] = [c for c in chosen if c]
    for field in TRI_STATE_FIELDS:
        answer = selected(field)
        if answer in {"yes", "no"}:
            values[field] = answer == "yes"
    flops = (state.get("training_compute_flops", {}).get("value") or "").strip()
    if flops:
        try:
            values["training_compute_flops"] = float(flops.replace(",", "").replace("_", ""))
        except ValueError:
            errors["training_compute_flops"] = "A number, e.g. 3e24."
    if errors:
        raise FormErrors(errors)
    try:
        return SystemProfile.model_validate(values)
    except ValidationError as exc:
        found = {}
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "name"
            found[field if field in state else "name"] = clip(str(error["msg"]), 150)
        raise FormErrors(found) from None


# --- "not helpful": why -------------------------------------------------------------------------------------

REASONS = {
    "wrong": "It is wrong",
    "incomplete": "It is incomplete",
    "outdated": "It is out of date",
    "off_topic": "It does not answer my question",
    "unclear": "It is hard to understand",
    "other": "Something else",
}


def feedback_view(meta: ActionPayload) -> dict[str, Any]:
    """Why an answer was not helpful."""
    return {
        "type": "modal",
        "callback_id": ids.VIEW_FEEDBACK,
        "title": _text("Not helpful"),
        "submit": _text("Send"),
        "close": _text("Cancel"),
        "private_metadata": metadata(meta),
        "blocks": [
            _input(
                "reason",
                "What was wrong with the answer?",
                {"type": "radio_buttons", "options": [_option(label, key) for key, label in REASONS.items()]},
                optional=False,
            ),
            _input(
                "details",
                "Anything to add?",
                {"type": "plain_text_input", "multiline": True, "max_length": 2000},
            ),
        ],
    }


def parse_feedback(view: dict[str, Any]) -> str:
    """'It is wrong: the date is 2026' from the submitted form."""
    state = _state(view)
    key = (state.get("reason", {}).get("selected_option") or {}).get("value") or "other"
    details = (state.get("details", {}).get("value") or "").strip()
    label = REASONS.get(key, key)
    return f"{label}: {details}" if details else label


# --- a review decision --------------------------------------------------------------------------------------

DECISIONS = {
    "approved": "Approve",
    "changes_requested": "Request changes",
    "rejected": "Reject",
}


def decision_view(*, task_id: int, title: str, meta: ActionPayload) -> dict[str, Any]:
    """Decide a review: the outcome, why (needed to reject or request changes), and any conditions."""
    return {
        "type": "modal",
        "callback_id": ids.VIEW_DECIDE,
        "title": _text(f"Decide task #{task_id}"),
        "submit": _text("Record decision"),
        "close": _text("Cancel"),
        "private_metadata": metadata(meta.model_copy(update={"task": task_id})),
        "blocks": [
            section(f"*{escape(title)}*"),
            _input(
                "decision",
                "Decision",
                {"type": "radio_buttons", "options": [_option(v, k) for k, v in DECISIONS.items()]},
                optional=False,
            ),
            _input(
                "note",
                "Why",
                {"type": "plain_text_input", "multiline": True, "max_length": 3000},
                hint="Needed to reject or to request changes; kept as the rationale of the past review.",
            ),
            _input(
                "conditions",
                "Conditions (one per line)",
                {"type": "plain_text_input", "multiline": True, "max_length": 3000},
            ),
        ],
    }


def parse_decision(view: dict[str, Any]) -> tuple[str, str | None, list[str]]:
    """(status, note, conditions) from the decision form; FormErrors when a note is missing."""
    state = _state(view)
    status = (state.get("decision", {}).get("selected_option") or {}).get("value") or ""
    note = (state.get("note", {}).get("value") or "").strip() or None
    conditions = [
        c.strip() for c in (state.get("conditions", {}).get("value") or "").splitlines() if c.strip()
    ]
    if status not in DECISIONS:
        raise FormErrors({"decision": "Choose a decision."})
    if status != "approved" and not note:
        raise FormErrors({"note": "Say why: it becomes precedent for later reviews."})
    if conditions and status != "approved":
        raise FormErrors({"conditions": "Conditions go with an approval."})
    return status, note, conditions


# --- saving an approved answer ------------------------------------------------------------------------------


def approve_view(
    *, answer: str, question: str, visibility: Visibility, meta: ActionPayload
) -> dict[str, Any]:
    """Save a reply as an approved answer: the text (editable), and who may read it."""
    options = [
        _option("Public: anyone, also in public channels", Visibility.PUBLIC.value),
        _option("Internal: anyone in the company", Visibility.INTERNAL.value),
        _option("Restricted: only the groups below", Visibility.RESTRICTED.value),
    ]
    return {
        "type": "modal",
        "callback_id": ids.VIEW_APPROVE,
        "title": _text("Approved answer"),
        "submit": _text("Save"),
        "close": _text("Cancel"),
        "private_metadata": metadata(meta),
        "blocks": [
            section(f"*Question*\n{escape(clip(question, 2500))}"),
            _input(
                "answer",
                "Answer",
                {
                    "type": "plain_text_input",
                    "multiline": True,
                    "max_length": 3000,
                    "initial_value": answer[:3000],
                },
                optional=False,
            ),
            _input("visibility", "Who may see it", _select(options, visibility.value), optional=False),
            _input("groups", "Groups (restricted only), comma-separated", {"type": "plain_text_input"}),
        ],
    }


def parse_approve(view: dict[str, Any]) -> tuple[str, Visibility, list[str]]:
    """(answer, visibility, groups) from the approval form."""
    state = _state(view)
    answer = (state.get("answer", {}).get("value") or "").strip()
    raw = (state.get("visibility", {}).get("selected_option") or {}).get("value") or Visibility.INTERNAL.value
    groups = [g.strip() for g in (state.get("groups", {}).get("value") or "").split(",") if g.strip()]
    errors = {}
    if not answer:
        errors["answer"] = "The answer is empty."
    if raw == Visibility.RESTRICTED.value and not groups:
        errors["groups"] = "Name the groups that may read a restricted answer."
    if errors:
        raise FormErrors(errors)
    return answer, Visibility(raw), groups


def selected_values(view: dict[str, Any], block_id: str) -> Sequence[str]:
    """The values chosen in a multi-select or checkbox input."""
    return [o.get("value", "") for o in _state(view).get(block_id, {}).get("selected_options") or []]
