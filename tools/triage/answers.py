"""Answers to follow-up questions: `apply_answer` folds a plain-word answer ("yes", "only in the US",
"about 3e24 FLOP", "it is a medical device") back into a `SystemProfile`."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tools.triage.catalogue import use_case, use_case_codes
from tools.triage.extract import RAISING
from tools.triage.figures import parse_amount, parse_flops
from tools.triage.phrases import JURISDICTIONS, USE_CASES, phrase_hits
from tools.triage.questions import UNCERTAIN_USE_CASE
from tools.triage.schemas import AnnexIProduct, Derogation, ExcludedPurpose, Role, SystemProfile

_UNSURE = re.compile(
    r"\b(not sure|unsure|don'?t know|do not know|dunno|no idea|unknown|maybe|perhaps|possibly|"
    r"can'?t say|cannot say|not certain|uncertain|tbd|idk|unclear)\b"
)
_YES = re.compile(
    r"^(yes|y|yeah|yep|yup|true|correct|right|sure|absolutely|definitely|indeed|affirmative|"
    r"it (does|is|will)|we (do|are|will)|they (do|are))\b"
)
_NO = re.compile(
    r"^(no|n|nope|nah|false|incorrect|never|none|not at all|"
    r"it (does not|doesn'?t|is not|isn'?t|won'?t)|we (do not|don'?t|are not|aren'?t)|they (don'?t|aren'?t))\b"
)
_ONLY = re.compile(r"\b(only|exclusively|solely|just)\b")
_BOUND = re.compile(r"\b(less than|below|under|at most|up to)\b")

_ROLE_WORDS: list[tuple[str, Role]] = [
    (r"\bboth\b|provider and (the )?deployer|deployer and (the )?provider", Role.PROVIDER_AND_DEPLOYER),
    (r"\bimport", Role.IMPORTER),
    (r"\bdistribut|\bresell", Role.DISTRIBUTOR),
    (
        r"\bdeployer\b|\bwe (only )?(use|bought|buy|license|licence|procure|subscribe)\b|\bvendor",
        Role.DEPLOYER,
    ),
    (r"\bprovider\b|\bwe (built|build|develop\w*|made|make|sell|offer|trained|train)\b", Role.PROVIDER),
]
_ANNEX_I_WORDS: list[tuple[str, AnnexIProduct]] = [
    (r"in[- ]vitro|\bivd\b", AnnexIProduct.IN_VITRO_DIAGNOSTIC),
    (r"medical device|\bmdr\b|\bsamd\b", AnnexIProduct.MEDICAL_DEVICE),
    (r"\bmachine(ry|s)?\b|\brobots?\b", AnnexIProduct.MACHINERY),
    (r"\btoys?\b", AnnexIProduct.TOY),
    (r"\blifts?\b|\belevators?\b", AnnexIProduct.LIFT),
    (r"\bradio\b|\bwireless\b", AnnexIProduct.RADIO_EQUIPMENT),
    (r"\bcars?\b|\bvehicles?\b|\bautomotive\b|\btrucks?\b", AnnexIProduct.MOTOR_VEHICLE),
    (r"\baircraft\b|\baviation\b|\bdrones?\b|\bavionics\b", AnnexIProduct.CIVIL_AVIATION),
    (r"\bother\b|\bannex i\b", AnnexIProduct.OTHER_ANNEX_I),
]
_PURPOSE_WORDS: list[tuple[str, ExcludedPurpose]] = [
    (r"\bmilitary\b|\bdefen[cs]e\b|\bnational security\b|\barmed forces\b", ExcludedPurpose.MILITARY_DEFENCE),
    (r"\bresearch\b", ExcludedPurpose.SCIENTIFIC_RESEARCH),
    (r"\btesting\b|\bpre-?market\b|\bnot yet (released|on the market)\b", ExcludedPurpose.PRE_MARKET_TESTING),
    (r"\bpersonal\b|\bhobby\b|\bprivate use\b", ExcludedPurpose.PERSONAL_USE),
]
_DEROGATION_WORDS: list[tuple[str, Derogation]] = [
    (r"procedural", Derogation.NARROW_PROCEDURAL_TASK),
    (
        r"completed human|improves? (the result|a result|work already)",
        Derogation.IMPROVES_COMPLETED_HUMAN_ACTIVITY,
    ),
    (r"decision[- ]making patterns|deviations?|patterns", Derogation.DETECTS_DECISION_PATTERNS),
    (r"preparatory|prepares?", Derogation.PREPARATORY_TASK),
]


def _normalise(answer: str) -> str:
    return re.sub(r"\s+", " ", answer.strip().lower()).strip(" .!")


def _yes_no(field: str, answer: str) -> bool | None:
    """True, False or None (not sure); ValueError naming `field` if the answer is none of them."""
    text = _normalise(answer)
    if _UNSURE.search(text):
        return None
    if _YES.search(text):
        return True
    if _NO.search(text):
        return False
    raise ValueError(f"{field}: could not understand {answer!r}; answer yes, no or not sure")


def _choose(field: str, answer: str, table: list[tuple[str, Any]], *, no: Any | None) -> Any:
    """`no` for a plain no, else the first table entry whose pattern the answer matches."""
    text = _normalise(answer)
    if no is not None and _NO.search(text):
        return no
    for pattern, value in table:
        if re.search(pattern, text):
            return value
    raise ValueError(f"{field}: could not understand {answer!r}")


def _updated(profile: SystemProfile, changes: dict[str, Any]) -> SystemProfile:
    """A validated copy of `profile` with `changes`."""
    # Only the fields set so far: triage tells a declared value from an unknown one by `model_fields_set`.
    return SystemProfile.model_validate({**profile.model_dump(exclude_unset=True), **changes})


def _merge(old: list[str], new: list[str]) -> list[str]:
    return [*old, *(item for item in new if item not in old)]


def _answer_scope(profile: SystemProfile, field: str, answer: str) -> SystemProfile:
    """in_eu_scope / jurisdictions: yes, no, not sure, or places ('only in the US', 'in the EU and NYC')."""
    places = list(dict.fromkeys(hit.value for hit in phrase_hits(answer) if hit.field == JURISDICTIONS))
    only = bool(_ONLY.search(_normalise(answer)))
    if places:
        in_eu = "EU" in places
        jurisdictions = places if only else _merge(profile.jurisdictions, places)
        if field == JURISDICTIONS and not in_eu and not only:
            return _updated(profile, {JURISDICTIONS: jurisdictions})
        return _updated(profile, {"in_eu_scope": in_eu, JURISDICTIONS: jurisdictions})
    if field == JURISDICTIONS:
        raise ValueError(f"{field}: could not find a place in {answer!r}; name them, e.g. 'the EU and NYC'")
    # "Not sure" keeps the protective value: in scope.
    return _updated(profile, {"in_eu_scope": _yes_no(field, answer) is not False})


# Figures a follow-up question may ask for: training compute, and plain amounts (revenue for frontier-model
# laws, users for SB 942), each with how to read it and an example answer for the error message.
_FIGURES: dict[str, tuple[Callable[[str], float | None], str]] = {
    "training_compute_flops": (parse_flops, "about 3e24 FLOP"),
    "annual_revenue_usd": (parse_amount, "about 600 million"),
    "monthly_users": (parse_amount, "about 600 million"),
}


def _answer_figure(profile: SystemProfile, field: str, answer: str) -> SystemProfile:
    """An estimate ('about 3e24 FLOP', '600 million'); 'not sure' leaves the figure unknown."""
    parse, example = _FIGURES[field]
    text = _normalise(answer)
    if _UNSURE.search(text):
        return _updated(profile, {field: None})
    if _BOUND.search(text):
        raise ValueError(f"{field}: {answer!r} is a bound; give an estimate such as '{example}'")
    value = parse(answer)
    if value is None:
        raise ValueError(f"{field}: could not read a number in {answer!r}; e.g. '{example}'")
    return _updated(profile, {field: int(value) if field == "monthly_users" else value})


def _answer_annex_i(profile: SystemProfile, field: str, answer: str) -> SystemProfile:
    text = _normalise(answer)
    if _UNSURE.search(text):
        return profile  # still unknown: triage keeps asking
    if _YES.search(text) and not any(re.search(pattern, text) for pattern, _ in _ANNEX_I_WORDS):
        # A bare yes: triage asks about Annex I for diagnosis software, which is a medical device.
        product = AnnexIProduct.MEDICAL_DEVICE if "medical_diagnosis" in profile.use_cases else None
        return _updated(profile, {field: product or AnnexIProduct.OTHER_ANNEX_I})
    return _updated(profile, {field: _choose(field, answer, _ANNEX_I_WORDS, no=AnnexIProduct.NONE)})


def _answer_use_case(profile: SystemProfile, field: str, answer: str) -> SystemProfile:
    """`use_cases:<code>` takes yes / no / not sure; `use_cases` takes catalogue codes."""
    if field == USE_CASES:
        codes = [code for code in re.split(r"[\s,;]+", _normalise(answer)) if code and code != "and"]
        unknown = [code for code in codes if code not in use_case_codes()]
        if not codes or unknown:
            raise ValueError(f"{field}: unknown use-case codes {unknown or [answer]}; see --list-use-cases")
        return _updated(profile, {USE_CASES: _merge(profile.use_cases, codes)})
    code = field.removeprefix(UNCERTAIN_USE_CASE)
    try:
        use_case(code)
    except KeyError as exc:
        raise ValueError(f"{field}: {exc.args[0]}") from None
    if _yes_no(field, answer) is False:
        return _updated(profile, {USE_CASES: [c for c in profile.use_cases if c != code]})
    # Yes adds it, and so does "not sure": a use case that may be prohibited or high-risk counts as applying
    # until someone says it does not (never downgrade).
    return _updated(profile, {USE_CASES: _merge(profile.use_cases, [code])})


def apply_answer(profile: SystemProfile, field: str, answer: str) -> SystemProfile:
    """Fold a plain-word answer to the follow-up question about `field` into a new profile.

    Understands yes / no / not sure for yes-no fields ("not sure" leaves them unknown, so triage asks
    again), places for the scope ("only in the US", "in the EU and NYC"), compute ("about 3e24 FLOP"),
    roles ("we are the deployer"), Annex I products ("it is a medical device"), excluded purposes and
    derogations ("not sure" keeps the protective none), and `use_cases:<code>` questions ("not sure" adds
    the use case). Raises ValueError naming the field if the answer cannot be understood. For example
    `apply_answer(profile, "in_eu_scope", "only in the US")` sets in_eu_scope False and jurisdictions [US].
    """
    field = field.strip()
    if not answer or not answer.strip():
        raise ValueError(f"{field}: the answer is empty")
    unsure = bool(_UNSURE.search(_normalise(answer)))
    if field == USE_CASES or field.startswith(UNCERTAIN_USE_CASE):
        return _answer_use_case(profile, field, answer)
    if field in {"in_eu_scope", JURISDICTIONS}:
        return _answer_scope(profile, field, answer)
    if field in _FIGURES:
        return _answer_figure(profile, field, answer)
    if field == "annex_i_product":
        return _answer_annex_i(profile, field, answer)
    if field == "role":
        role = Role.PROVIDER_AND_DEPLOYER if unsure else _choose(field, answer, _ROLE_WORDS, no=None)
        return _updated(profile, {field: role})
    if field == "excluded_purpose":
        purpose = (
            ExcludedPurpose.NONE
            if unsure
            else _choose(field, answer, _PURPOSE_WORDS, no=ExcludedPurpose.NONE)
        )
        return _updated(profile, {field: purpose})
    if field == "derogation":
        derogation = (
            Derogation.NONE if unsure else _choose(field, answer, _DEROGATION_WORDS, no=Derogation.NONE)
        )
        return _updated(profile, {field: derogation})
    if field in RAISING:
        return _updated(profile, {field: _yes_no(field, answer)})
    raise ValueError(f"{field}: not a field a follow-up question can set")
