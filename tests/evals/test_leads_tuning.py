"""The lead tuning set's check: what counts as giving a verdict, a figure or a decision."""

from __future__ import annotations

from evals.leads_tuning import lead_of, load_cases, says


def test_a_verdict_is_the_first_word_and_a_sentence_of_its_own() -> None:
    assert says("No. The period is 2 working days. [1]", "No")
    assert says("Yes. Re-reviewed every 12 months. [1]", "Yes")
    # "No rule may ..." and "Nothing ..." open with the letters of a verdict, not with one.
    assert not says("No rule may place a system below the floor its EU tier sets. [1]", "No")
    assert not says("It says no. [1]", "No")
    assert says("SEV3: policy breach. [1]", "sev3")


def test_the_lead_is_the_text_before_the_first_blank_line() -> None:
    assert lead_of("No. Never. [1]\n\n- More. [2]") == "No. Never. [1]"


def test_every_case_names_what_its_lead_gives_and_where_it_comes_from() -> None:
    cases = load_cases()
    assert len({c.id for c in cases}) == len(cases)
    assert all(c.lead_any and c.sources for c in cases)
