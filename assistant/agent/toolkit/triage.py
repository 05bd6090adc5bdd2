"""The triage tool: build or refine a system profile, then classify it with the deterministic rules
(which alone decide the tier), recording the assessment when asked."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_serializer, model_validator

from assistant.agent.toolkit.context import ToolContext, ToolError
from assistant.triage import TriageOutcome, describe, run_triage, tiering_standard
from tools.triage.answers import apply_answer
from tools.triage.engine import triage
from tools.triage.extract import ExtractedProfile, triage_extracted
from tools.triage.schemas import EuTier, MissingInformation, SystemProfile, TriageResult, TriageStatus


class FieldAnswer(BaseModel):
    """A plain-word answer to the follow-up question about one profile field."""

    model_config = ConfigDict(extra="forbid")

    field: str = Field(
        min_length=1, max_length=100, description="The question's field, e.g. 'profiling' or 'use_cases:x'."
    )
    answer: str = Field(min_length=1, max_length=1000, description="e.g. 'yes', 'no', 'only in the US'.")


class TriageSystemInput(BaseModel):
    """Build a system profile from a description and/or refine one with answers, then classify it with
    the deterministic rules (which alone decide the tier)."""

    model_config = ConfigDict(extra="forbid")

    description: str | None = Field(
        default=None, max_length=20_000, description="What the system does, in plain words."
    )
    name: str | None = Field(default=None, max_length=200, description="The system's name.")
    profile: SystemProfile | None = Field(
        default=None, description="A profile to refine (from an earlier triage_system result)."
    )
    uncertain: list[str] = Field(
        default_factory=list,
        description="The earlier result's `uncertain` fields still to settle (pass them back unchanged).",
    )
    answers: list[FieldAnswer] = Field(default_factory=list, description="Answers to follow-up questions.")
    record: Literal["complete", "always", "never"] = Field(
        default="complete",
        description="Record the assessment in the inventory when complete (default), always, or never.",
    )

    @model_validator(mode="after")
    def _something_to_triage(self) -> TriageSystemInput:
        if self.profile is None and not (self.description and self.description.strip()):
            raise ValueError("give a description of the system, or a profile to refine")
        return self


class TriageSystemOutput(BaseModel):
    """The profile as it now stands, and its classification."""

    profile: SystemProfile
    uncertain: list[str] = Field(description="Fields the description left unsettled (still to ask).")
    tier: EuTier
    internal_tier: str
    status: TriageStatus
    missing: list[MissingInformation] = Field(description="The questions still open, first to ask first.")
    recorded: bool
    system_id: str | None
    outcome: TriageOutcome

    @field_serializer("profile")
    def _declared_only(self, profile: SystemProfile) -> dict[str, Any]:
        # Only the declared fields: triage tells a declared value from an unknown one by the fields set,
        # so a profile passed back must not turn defaults into declarations.
        return profile.model_dump(mode="json", exclude_unset=True)


def _merged(base: SystemProfile, top: SystemProfile) -> SystemProfile:
    """`base` with every field `top` declares."""
    return SystemProfile.model_validate(
        {**base.model_dump(exclude_unset=True), **top.model_dump(exclude_unset=True)}
    )


def triage_system(ctx: ToolContext, args: TriageSystemInput) -> TriageSystemOutput:
    """Extract or refine the profile, apply the answers, classify with the rules, record if asked."""
    uncertain = list(args.uncertain)
    evidence = []
    if args.description and args.description.strip():
        extracted = describe(args.description, name=args.name, index=ctx.index, model=ctx.model)
        profile = extracted.profile if args.profile is None else _merged(extracted.profile, args.profile)
        uncertain = list(dict.fromkeys([*uncertain, *extracted.uncertain]))
        evidence = extracted.evidence
    else:
        assert args.profile is not None  # the input validator guarantees one of them
        profile = args.profile
    if args.name and args.name.strip():
        profile = _merged(profile, SystemProfile(name=args.name.strip(), description=profile.description))
    for given in args.answers:
        try:
            profile = apply_answer(profile, given.field, given.answer)
        except ValidationError as exc:
            raise ToolError(f"{given.field}: {exc.errors()[0]['msg']}") from None
        uncertain = [f for f in uncertain if f != given.field.strip()]

    extracted_now = ExtractedProfile(profile=profile, evidence=evidence, uncertain=uncertain)
    standard = tiering_standard(ctx.settings)
    # The rules first, to know whether the triage is complete; then the recorded run (pure and quick).
    preview: TriageResult = (
        triage_extracted(extracted_now, standard=standard)
        if uncertain
        else triage(profile, standard=standard)
    )
    complete = preview.status is TriageStatus.COMPLETE
    record = args.record == "always" or (args.record == "complete" and complete)
    outcome = run_triage(
        ctx.index,
        ctx.settings,
        profile,
        actor=ctx.actor,
        record=record,
        audience=ctx.user.audience,
        today=ctx.today,
        extracted=extracted_now if (uncertain or evidence) else None,
    )
    result = outcome.result
    return TriageSystemOutput(
        profile=profile,
        uncertain=uncertain,
        tier=result.eu_ai_act.tier,
        internal_tier=result.internal_tier,
        status=result.status,
        missing=result.missing_information,
        recorded=record,
        system_id=result.system.id,
        outcome=outcome,
    )
