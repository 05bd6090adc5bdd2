"""Follow-up questions for free-text extraction: the wording of the question about an unsettled deciding
field or a suspected Article 5 / Annex III use case (`use_cases:<code>`)."""

from __future__ import annotations

from tools.triage.catalogue import UseCaseCategory, use_case

UNCERTAIN_USE_CASE = "use_cases:"


def uncertain_use_case(code: str) -> str:
    """The `uncertain` entry (and question field) for a suspected use case."""
    return f"{UNCERTAIN_USE_CASE}{code}"


_FIELD_QUESTIONS: dict[str, str] = {
    "in_eu_scope": "Is the system placed on the EU market or put into service in the EU, or is its output "
    "used in the EU?",
    "excluded_purpose": "Is the system used only for scientific research, only for military or defence "
    "purposes, only for testing before it is placed on the market, or only for personal use?",
    "annex_i_product": "Is the system a product, or a safety component of a product, under EU product "
    "legislation (Annex I): a medical device, in vitro diagnostic, machinery, toy, lift, radio equipment, "
    "vehicle or aircraft?",
    "third_party_conformity_assessment": "Does the product need a conformity assessment by a notified body?",
    "derogation": "Does the system only perform a narrow procedural task, improve a completed human "
    "activity, detect patterns in past decisions, or do a preparatory task, without replacing the human "
    "assessment?",
    "profiling": "Does the system profile people, i.e. evaluate personal aspects such as work performance, "
    "economic situation, health, preferences, behaviour, location or movements?",
    "interacts_with_people": "Does the system interact directly with people (chat, voice, messages)?",
    "generates_synthetic_content": "Does the system generate or manipulate text, images, audio or video?",
    "deep_fake": "Can its generated images, audio or video resemble real people, places or events?",
    "public_interest_text": "Is generated text published to inform the public on matters of public interest?",
    "gpai_model": "Is the system, or does it provide, a general-purpose AI model?",
    "training_compute_flops": "How much compute (in FLOP) was used in total to train the model?",
    "annual_revenue_usd": "What was the developer's annual gross revenue, with its affiliates, in the last "
    "calendar year (in USD)?",
    "monthly_users": "How many monthly visitors or users does the generative AI system have?",
}
_TIER_WORDS = {UseCaseCategory.ART5: "prohibited", UseCaseCategory.ANNEX_III: "high-risk"}
# Verbs that appear later in a catalogue description, after "or", "and" or a comma ("... or sets ...").
_LATER_VERBS = frozenset(
    {"sets", "allocates", "monitors", "evaluates", "grants", "reduces", "revokes", "dispatches",
     "prioritises", "triages", "assesses", "manipulates", "expands", "ranks", "selects", "supports",
     "recognises", "identifies", "chats", "interprets", "applies", "researches"}
)  # fmt: skip


def _base_form(verb: str) -> str:
    """'recruits' -> 'recruit', 'identifies' -> 'identify', 'watches' -> 'watch', 'assesses' -> 'assess'."""
    if verb.endswith("ies"):
        return verb[:-3] + "y"
    if verb.endswith(("sses", "ches", "shes", "xes", "zes")):
        return verb[:-2]
    return verb[:-1] if verb.endswith("s") and not verb.endswith("ss") else verb


def use_case_question(code: str) -> str:
    """'Does the system ...?' from the catalogue description, saying which tier a yes leads to."""
    entry = use_case(code)
    words = entry.description.rstrip(".").split(" ")
    # The description opens with verbs in the third person ("Detects, recognises or identifies people").
    leading = True
    for index, word in enumerate(words):
        bare = word.rstrip(",").lower()
        joint = index > 0 and (words[index - 1] in {"or", "and"} or words[index - 1].endswith(","))
        if leading or (joint and bare in _LATER_VERBS):
            words[index] = _base_form(bare) + ("," if word.endswith(",") else "")
        if leading and bare not in {"or", "and"}:
            leading = word.endswith(",") or words[index + 1 : index + 2] in (["or"], ["and"])
    tier = _TIER_WORDS.get(entry.category)
    consequence = f" If it does, it is {tier} ({entry.citation})." if tier else ""
    return f"Does the system {' '.join(words)}?{consequence}"


def question_for(field: str) -> str:
    """The question asking about `field`: a deciding profile field or `use_cases:<code>`."""
    if field.startswith(UNCERTAIN_USE_CASE):
        return use_case_question(field.removeprefix(UNCERTAIN_USE_CASE))
    return _FIELD_QUESTIONS.get(field, f"Please confirm '{field}' for this system.")
