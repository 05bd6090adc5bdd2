"""`triage --describe` through a model's structured output: validated, merged with the offline extractor
(the model may add risk, never remove it), the tier still decided by the rules, and the offline fallback.

The model is LangChain's fake chat model returning the structured output as a tool call (what
`with_structured_output` parses), or a real ChatOpenAI talking to a local server in the OpenAI wire format.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from assistant.agent.llm import make_chat_model
from assistant.describe_llm import DescribedProfile, ProfileFacts, describe_with_model
from assistant.service import Assistant
from assistant.triage import describe, run_triage
from integrations.cli import cli
from knowledge.index import KnowledgeIndex
from tests.agent.llm_fakes import ScriptedToolModel, scripted
from tests.agent.openai_wire import MODEL, completion, wire_server
from tests.conftest import free_port
from tools.triage.extract import ExtractedProfile, extract_profile
from tools.triage.schemas import EuTier

HR_RATINGS = "The tool gives staff performance ratings from their peer feedback and appraisals for HR."
CV_SCREENER = "We screen CVs of job applicants for our Berlin office and rank them for recruiters."
CLAIMS_BOT = "A chatbot on our website answers customers' questions about their insurance claims."
NOTES = "An internal tool that summarises meeting notes for our engineers."
TIER_RANK = {
    EuTier.OUT_OF_SCOPE: 0,
    EuTier.MINIMAL: 1,
    EuTier.LIMITED: 2,
    EuTier.HIGH: 3,
    EuTier.PROHIBITED: 4,
}


@pytest.fixture
def index(make_settings) -> Iterator[KnowledgeIndex]:  # type: ignore[no-untyped-def]
    assistant = Assistant.open(make_settings())
    yield assistant.index
    assistant.close()


def facts_model(facts: dict[str, Any]) -> ScriptedToolModel:
    """A fake model whose structured output is `facts` (a ProfileFacts tool call)."""
    return scripted(AIMessage(content="", tool_calls=[{"name": "ProfileFacts", "args": facts, "id": "f1"}]))


def offline(text: str, index: KnowledgeIndex) -> ExtractedProfile:
    return extract_profile(text, name="Test", embedder=index.embedder)


def test_the_model_adds_a_use_case_with_evidence_and_the_rules_decide_the_tier(index, make_settings) -> None:  # type: ignore[no-untyped-def]
    model = facts_model(
        {
            "use_cases": [
                {"code": "recruitment", "evidence": "screen CVs of job applicants", "certain": True},
            ],
            "facts": [
                {
                    "field": "profiling",
                    "value": True,
                    "evidence": "rank them for recruiters",
                    "certain": True,
                },
                {"field": "jurisdictions", "value": "EU", "evidence": "our Berlin office", "certain": True},
                {"field": "role", "value": "Deployer", "evidence": "We screen CVs", "certain": True},
            ],
        }
    )
    described = describe_with_model(CV_SCREENER, "Test", model, index)

    assert isinstance(described, DescribedProfile)
    assert (described.mode, described.model) == ("llm", "ScriptedToolModel")
    baseline = offline(CV_SCREENER, index)
    assert set(baseline.profile.use_cases) <= set(described.profile.use_cases)
    assert "recruitment" in described.profile.use_cases
    assert described.profile.profiling is True
    assert described.profile.role.value == "deployer"
    llm_evidence = {e.field: e for e in described.evidence if e.method == "llm"}
    assert llm_evidence["profiling"].evidence == "rank them for recruiters"
    assert llm_evidence["profiling"].confidence == pytest.approx(0.8)
    # The extraction prompt went to the model with the catalogue and the description as data.
    prompt = model.seen[0]
    assert "recruitment:" in prompt[0].text and "evidence" in prompt[0].text
    assert CV_SCREENER in prompt[1].text

    outcome = run_triage(
        index, make_settings(), described.profile, actor="t", record=False, extracted=described
    )
    assert outcome.result.eu_ai_act.tier is EuTier.HIGH
    assert any(g.citation.startswith("eu-ai-act:annex-iii-4") for g in outcome.result.eu_ai_act.grounds)


def test_the_model_cannot_remove_what_the_rules_found(index, make_settings) -> None:  # type: ignore[no-untyped-def]
    # The model sees nothing risky, denies profiling and claims the system is not used in the EU.
    model = facts_model(
        {
            "use_cases": [
                {"code": "internal_productivity", "evidence": "performance ratings", "certain": True}
            ],
            "facts": [
                {"field": "profiling", "value": False, "evidence": "The tool gives staff", "certain": True},
                {"field": "in_eu_scope", "value": False, "evidence": "for HR", "certain": True},
                {"field": "excluded_purpose", "value": "scientific_research", "evidence": "for HR"},
            ],
        }
    )
    described = describe_with_model(HR_RATINGS, "Test", model, index)
    baseline = offline(HR_RATINGS, index)

    assert set(baseline.profile.use_cases) <= set(described.profile.use_cases)
    assert "employment_decisions" in described.profile.use_cases
    assert described.profile.profiling is True  # found by the rules, kept
    assert described.profile.in_eu_scope is True
    assert described.profile.excluded_purpose.value == "none"
    # Every lowering claim became a question instead.
    assert {"profiling", "in_eu_scope", "excluded_purpose"} <= set(described.uncertain)
    assert any("disagree on profiling" in n for n in described.notices)

    settings = make_settings()
    without = run_triage(index, settings, baseline.profile, actor="t", record=False, extracted=baseline)
    with_model = run_triage(index, settings, described.profile, actor="t", record=False, extracted=described)
    assert TIER_RANK[with_model.result.eu_ai_act.tier] >= TIER_RANK[without.result.eu_ai_act.tier]
    asked = {m.field for m in with_model.result.missing_information}
    assert {"in_eu_scope", "excluded_purpose"} <= asked
    assert with_model.result.status == "needs_information"


def test_uncertain_or_unquoted_risky_use_cases_become_questions(index, make_settings) -> None:  # type: ignore[no-untyped-def]
    model = facts_model(
        {
            "use_cases": [
                # Hinted only:
                {"code": "emotion_recognition", "evidence": "answers customers' questions", "certain": False},
                # Certain, but the quote is not in the description:
                {
                    "code": "creditworthiness",
                    "evidence": "scores the credit of each customer",
                    "certain": True,
                },
                # Not risky and unsure: nothing to ask.
                {"code": "recommender", "evidence": "insurance claims", "certain": False},
                {"code": "mind_reading", "evidence": "chatbot", "certain": True},
            ],
            "facts": [{"field": "profiling", "value": "sometimes", "evidence": "chatbot", "certain": True}],
        }
    )
    described = describe_with_model(CLAIMS_BOT, "Test", model, index)

    assert "use_cases:emotion_recognition" in described.uncertain
    assert "use_cases:creditworthiness" in described.uncertain
    assert "emotion_recognition" not in described.profile.use_cases
    assert "creditworthiness" not in described.profile.use_cases
    assert "recommender" not in described.profile.use_cases
    assert "use_cases:recommender" not in described.uncertain
    assert any("unknown use case 'mind_reading'" in n for n in described.notices)
    assert any("invalid fact (profiling" in n for n in described.notices)

    outcome = run_triage(
        index, make_settings(), described.profile, actor="t", record=False, extracted=described
    )
    asked = {m.field: m.question for m in outcome.result.missing_information}
    assert "use_cases:emotion_recognition" in asked and "use_cases:creditworthiness" in asked
    assert "high-risk" in asked["use_cases:creditworthiness"]
    assert outcome.result.status == "needs_information"


def test_unknown_facts_are_taken_only_when_certain_quoted_and_not_lowering(index) -> None:  # type: ignore[no-untyped-def]
    model = facts_model(
        {
            "facts": [
                {
                    "field": "interacts_with_people",
                    "value": True,
                    "evidence": "for our engineers",
                    "certain": True,
                },
                {
                    "field": "deep_fake",
                    "value": False,
                    "evidence": "summarises meeting notes",
                    "certain": True,
                },
                {"field": "personal_data", "value": False, "evidence": "An internal tool", "certain": True},
                {
                    "field": "public_body_or_public_service",
                    "value": True,
                    "evidence": "internal",
                    "certain": False,
                },
                {"field": "name", "value": "Renamed", "evidence": "tool", "certain": True},
            ]
        }
    )
    described = describe_with_model(NOTES, "Notes", model, index)
    profile = described.profile
    assert profile.interacts_with_people is True  # raising, certain, quoted: taken
    assert profile.deep_fake is None and "deep_fake" in described.uncertain  # lowering a tier field: asked
    assert profile.personal_data is False  # lowering, but not a tier field: quoted and certain, taken
    assert profile.public_body_or_public_service is None  # unsure: not taken
    assert profile.name == "Notes"
    assert any("'name' is not a profile field" in n for n in described.notices)


def test_the_offline_extraction_is_returned_when_the_model_is_unreachable(index) -> None:  # type: ignore[no-untyped-def]
    class Refused(ScriptedToolModel):
        def _generate(self, *args: object, **kwargs: object):  # type: ignore[no-untyped-def,override]
            raise ConnectionRefusedError(111, "Connection refused")

    described = describe_with_model(CV_SCREENER, "Test", Refused(responses=[]), index)
    baseline = offline(CV_SCREENER, index)
    assert described.mode == "offline"
    assert described.notices and "cannot connect to the model" in described.notices[0]
    assert described.notices[0].endswith("offline extraction used")
    assert described.profile == baseline.profile
    assert described.profile.model_fields_set == baseline.profile.model_fields_set
    assert described.uncertain == baseline.uncertain


def test_a_model_without_structured_output_falls_back(index) -> None:  # type: ignore[no-untyped-def]
    plain = GenericFakeChatModel(messages=iter([AIMessage(content="not json")]))
    described = describe_with_model(NOTES, "Notes", plain, index)
    assert described.mode == "offline"
    assert "cannot give structured output" in described.notices[0]


def test_assistant_triage_describe_uses_the_model_when_given(index) -> None:  # type: ignore[no-untyped-def]
    without = describe(CLAIMS_BOT, name="Bot", index=index)
    assert not isinstance(without, DescribedProfile)
    model = facts_model(
        {"use_cases": [{"code": "emotion_recognition", "evidence": "chatbot", "certain": False}]}
    )
    with_model = describe(CLAIMS_BOT, name="Bot", index=index, model=model)
    assert isinstance(with_model, DescribedProfile) and with_model.mode == "llm"
    assert "use_cases:emotion_recognition" in with_model.uncertain


def test_structured_output_over_the_openai_wire_format(index, make_settings) -> None:  # type: ignore[no-untyped-def]
    facts = ProfileFacts.model_validate(
        {"use_cases": [{"code": "recruitment", "evidence": "rank them for recruiters", "certain": True}]}
    )
    with wire_server(completion(facts.model_dump_json())) as server:
        model = make_chat_model(make_settings(llm=MODEL, llm_base_url=server.url, llm_max_retries=0))
        assert model is not None
        described = describe_with_model(CV_SCREENER, "CVs", model, index)
    assert (described.mode, described.model) == ("llm", MODEL)
    assert "recruitment" in described.profile.use_cases
    request = server.requests[0].body
    # ChatOpenAI asks for the ProfileFacts JSON schema as the response format.
    assert request["response_format"]["type"] == "json_schema"
    assert "use_cases" in json.dumps(request["response_format"]["json_schema"])


def test_the_cli_falls_back_with_a_notice(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GOVASSIST_EMBEDDER", "hashing")
    monkeypatch.setenv("GOVASSIST_LOAD_BUILTIN_KNOWLEDGE", "false")
    monkeypatch.setenv("GOVASSIST_LLM", "llama3.1")
    monkeypatch.setenv("GOVASSIST_LLM_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")
    monkeypatch.setenv("GOVASSIST_LLM_MAX_RETRIES", "0")
    args = ["--home", str(tmp_path / "home"), "triage", "--describe", CV_SCREENER, "--no-record", "--json"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "note: cannot connect to the model" in result.stderr
    payload = json.loads(result.stdout)
    assert payload["eu_ai_act"]["tier"] == "high"

    monkeypatch.setenv("GOVASSIST_LLM", "nosuchprovider:x")
    monkeypatch.delenv("GOVASSIST_LLM_BASE_URL")
    bad = CliRunner().invoke(cli, args)
    assert bad.exit_code != 0
    assert "unknown provider 'nosuchprovider'" in bad.output
