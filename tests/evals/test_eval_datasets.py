"""The eval suite's datasets (`qa.jsonl`, `triage_cases.jsonl`, `agent_conversations.jsonl`,
`redteam.jsonl`): they validate against their pydantic models, are big and broad enough, and every
expected citation id, key fact and tool argument is checked against the knowledge packs, the sample
organisation, the eval fixtures and the agent's tool schemas (read directly, not through the system)."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from evals.datasets import (
    DATASETS_DIR,
    FIXTURE_ORGANISATIONS,
    DatasetError,
    agent_cases,
    load_jsonl,
    qa_cases,
    redteam_cases,
    retrieval_questions,
    scope_questions,
    triage_cases,
)
from evals.datasets.reference import reference_texts, restricted_prefixes
from evals.datasets.schema import (
    PACK_REGIMES,
    SAMPLE_ORGANISATION,
    TOOL_NAMES,
    ArgMatch,
    QACase,
)
from evals.scoring import date_spellings

FILES: dict[str, tuple[str, Callable[[], Sequence[Any]]]] = {
    "qa.jsonl": ("qa", qa_cases),
    "triage_cases.jsonl": ("tri", triage_cases),
    "agent_conversations.jsonl": ("agent", agent_cases),
    "redteam.jsonl": ("rt", redteam_cases),
}


def _normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


@pytest.mark.parametrize("name", sorted(FILES))
def test_ids_are_numbered_in_file_order(name: str) -> None:
    prefix, loader = FILES[name]
    ids = [case.id for case in loader()]
    assert ids == [f"{prefix}-{n:03d}" for n in range(1, len(ids) + 1)]


def test_a_bad_line_is_reported_with_its_file_and_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "broken.jsonl"
    good = (DATASETS_DIR / "qa.jsonl").read_text(encoding="utf-8").splitlines()[0]
    bad = json.loads(good) | {"kind": "rumour"}
    path.write_text(good + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"broken\.jsonl:2: kind"):
        load_jsonl(path, QACase)


# --- qa.jsonl --------------------------------------------------------------------------------------------


def test_the_datasets_cover_exactly_the_packs_that_ship() -> None:
    from knowledge.packs import load_packs

    assert set(PACK_REGIMES) == {pack.regime_id for pack in load_packs()}


def test_qa_size_and_coverage() -> None:
    cases = qa_cases()
    assert len(cases) >= 120
    kinds = Counter(c.kind for c in cases)
    assert kinds["follow_up"] >= 8 and kinds["decline"] >= 10
    answered = Counter(str(c.regime) for c in cases if c.kind == "answer")
    for regime in (*PACK_REGIMES, SAMPLE_ORGANISATION):
        assert answered[regime] >= 5, regime
    sample_ids = [cid for c in cases for cid in c.expected_citations if cid.split(":")[0] not in PACK_REGIMES]
    assert any(cid.startswith("past-reviews:") for cid in sample_ids)
    assert len({cid.split(":")[0] for cid in sample_ids}) >= 5  # policies and past reviews


def test_qa_expected_ids_exist_and_key_facts_are_in_their_text() -> None:
    texts = reference_texts()
    problems = []
    for case in qa_cases():
        missing = [cid for cid in case.expected_citations if cid not in texts]
        if missing:
            problems.append(f"{case.id}: unknown ids {missing}")
            continue
        # A key fact must be stated by one of the expected provisions: the facts come from the knowledge.
        source = " ".join(" ".join(texts[cid] for cid in case.expected_citations).split()).lower()
        for fact in case.key_facts:
            if not any(spelling.lower() in source for spelling in fact):
                problems.append(f"{case.id}: key fact {fact} not in {case.expected_citations}")
    assert problems == []


def test_lead_scored_cases_cover_the_packs_and_both_organisations() -> None:
    led = [c for c in qa_cases() if c.lead is not None]
    assert len(led) >= 150
    groups = Counter(c.lead_group for c in led)
    assert groups["halyard"] >= 60 and groups["northwind"] >= 15 and groups["packs"] >= 60
    assert groups["kestrel"] >= 50
    assert sum(1 for c in led if c.lead is not None and c.lead.verdict is not None) >= 40
    # Varied phrasings: polar questions, when / how long / how much / who / what / list / decisions.
    openers = Counter(c.question.split()[0].lower().strip(",?") for c in led)
    assert len(openers) >= 15, openers
    assert sum(1 for c in led if re.search(r"\b(we|our|us|i)\b", c.question.lower())) >= 30
    # Every case about a fixture organisation rests on its own documents only.
    for name, organisation in FIXTURE_ORGANISATIONS.items():
        sources = {p.stem for p in [*organisation.policies.iterdir(), *organisation.reviews.iterdir()]}
        cases = [c for c in qa_cases() if c.regime == name]
        assert cases, name
        for case in cases:
            assert {cid.split(":")[0] for cid in case.expected_citations} <= sources, case.id


def test_lead_facts_are_stated_by_the_expected_sources() -> None:
    texts = reference_texts()
    problems = []
    for case in qa_cases():
        if case.lead is None:
            continue
        for entry in case.lead.first_citation:
            if entry not in texts and not (entry.endswith(":") and any(t.startswith(entry) for t in texts)):
                problems.append(f"{case.id}: first_citation {entry} is not in the knowledge")
        source = " ".join(" ".join(texts.get(cid, "") for cid in case.expected_citations).split()).lower()
        for fact in case.lead.must_contain:
            if not any(form.lower() in source for spelling in fact for form in date_spellings(spelling)):
                problems.append(f"{case.id}: lead fact {fact} not in {case.expected_citations}")
    assert problems == []


def test_no_question_repeats_across_the_question_sets() -> None:
    questions = [q.question for q in retrieval_questions()] + [q.question for q in scope_questions()]
    questions += [c.question for c in qa_cases()] + [c.previous for c in qa_cases() if c.previous]
    repeated = [q for q, n in Counter(map(_normalise, questions)).items() if n > 1]
    assert repeated == []


# --- triage_cases.jsonl -------------------------------------------------------------------------------


def test_triage_size_and_spread() -> None:
    cases = triage_cases()
    assert len(cases) >= 60
    inputs = Counter(c.input for c in cases)
    assert inputs["profile"] >= 30 and inputs["text"] >= 15
    tiers = Counter(c.expected_tier.value for c in cases)
    assert set(tiers) == {"prohibited", "high", "limited", "minimal", "out_of_scope"}
    assert sum(1 for c in cases if c.expected_status == "needs_information") >= 5
    assert {r for c in cases for r in c.expected_regimes} >= {
        "gdpr",
        "nyc-ll144",
        "colorado-ai-act",
        "ecoa-reg-b",
        "eeoc-title-vii",
        "us-health-ai",
    }


def test_triage_grounds_and_obligations_exist_in_the_packs() -> None:
    texts = reference_texts()
    unknown = [
        (case.id, cid)
        for case in triage_cases()
        for cid in [*case.expected_grounds, *case.expected_obligations]
        if cid not in texts
    ]
    assert unknown == []


# --- agent_conversations.jsonl ----------------------------------------------------------------------


def test_agent_size_and_tools() -> None:
    cases = agent_cases()
    assert len(cases) >= 30
    used = {call.name for case in cases for turn in case.turns for call in turn.expected_tool_calls}
    assert used == set(TOOL_NAMES)
    assert sum(1 for case in cases if len(case.turns) > 1) >= 8


def test_agent_reference_arguments_match_the_tool_schemas() -> None:
    tools = pytest.importorskip("assistant.agent.toolkit", reason="the agent's tools are not in this build")
    problems = []
    for case in agent_cases():
        for turn in case.turns:
            for call in turn.expected_tool_calls:
                fields = tools.TOOLS[call.name].input_model.model_fields
                for arg, value in call.args.items():
                    if arg not in fields:
                        problems.append(f"{case.id}: {call.name} has no argument {arg!r}")
                    elif not isinstance(value, ArgMatch):
                        # A literal reference value must be a valid value of that argument.
                        tools.TOOLS[call.name].input_model.model_validate(
                            {**_required_defaults(call.name), arg: value}
                        )
    assert problems == []


def _required_defaults(tool: str) -> dict[str, object]:
    # The smallest valid arguments of tools whose input needs something.
    needs: dict[str, dict[str, object]] = {
        "triage_system": {"description": "x"},
        "find_past_reviews": {"query": "x"},
    }
    return needs.get(tool, {})


def test_agent_expected_citations_exist() -> None:
    texts = reference_texts()
    unknown = [
        (case.id, cid)
        for case in agent_cases()
        for turn in case.turns
        for cid in turn.expected_citations
        if cid not in texts
    ]
    assert unknown == []


# --- redteam.jsonl ------------------------------------------------------------------------------------


def test_redteam_size_and_attacks() -> None:
    cases = redteam_cases()
    assert len(cases) >= 30
    attacks = Counter(c.attack for c in cases)
    assert set(attacks) == {
        "injection_document",
        "injection_message",
        "tier_downgrade",
        "restricted_access",
        "invented_citation",
    }
    assert min(attacks.values()) >= 5
    assert {c.channel for c in cases} == {"ask", "triage", "agent"}


def test_injection_canaries_appear_in_no_document() -> None:
    # A canary that a planted instruction asks for must not be in any document, or quoting the document
    # would look like obeying it. Restricted content is the exception: it exists, and must not leak.
    texts = reference_texts()
    prefixes = tuple(restricted_prefixes())
    restricted = " ".join(t for cid, t in texts.items() if cid.startswith(prefixes)).lower()
    readable = " ".join(t for cid, t in texts.items() if not cid.startswith(prefixes)).lower()
    assert "lighthouse-7q" in restricted
    for case in redteam_cases():
        if not case.attack.startswith("injection"):
            continue
        for text in case.checks.forbidden_text:
            if text.lower() not in restricted:
                assert text.lower() not in readable, (case.id, text)


def test_readme_documents_every_file_and_field() -> None:
    from evals.datasets import schema

    readme = (DATASETS_DIR / "README.md").read_text(encoding="utf-8")
    for name in FILES:
        assert name in readme, name
    models = (schema.QACase, schema.LeadExpectation, schema.TriageCase, schema.AgentCase, schema.AgentTurn)
    for model in (*models, schema.RedTeamCase):
        for field in model.model_fields:
            assert f"`{field}`" in readme, (model.__name__, field)
    for field in schema.RedTeamChecks.model_fields:
        assert f"`{field}`" in readme, field
