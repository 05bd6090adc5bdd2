"""The eval suite's settings: which suites exist, the fast subset, and the thresholds each run must meet
(`evals/thresholds.yaml`, validated here).

Two profiles: `full` (the packaged MiniLM embedder, every case; `govassist eval run`, `make eval`) and
`fast` (the hashing embedder and a subset of cases; `--fast`, run inside `make test`). A threshold is a
bound on one suite metric: `{min: 0.8}` or `{max: 0}`. A metric the run did not produce (a suite that
was skipped) is reported, not failed.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

SUITES = ("qa", "triage", "agent", "redteam")
Suite = Literal["qa", "triage", "agent", "redteam"]
Profile = Literal["full", "fast"]
THRESHOLDS_PATH = Path(__file__).resolve().with_name("thresholds.yaml")


class ConfigFileError(ValueError):
    """The thresholds file is missing or malformed; the message names the file and the field."""


class Bound(BaseModel):
    """A lower and/or upper bound on one metric."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _something(self) -> Bound:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        return self

    def holds(self, value: float) -> bool:
        """Whether `value` is within the bound."""
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    def describe(self) -> str:
        """'>= 0.8', '<= 0', '0.2..0.9'."""
        if self.min is not None and self.max is not None:
            return f"{self.min:g}..{self.max:g}"
        return f">= {self.min:g}" if self.min is not None else f"<= {self.max:g}"


class FastSubset(BaseModel):
    """How many cases of each group the fast subset takes (the first ones, in file order)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    qa_per_regime: int = Field(default=3, ge=1)
    qa_follow_ups: int = Field(default=4, ge=0)
    qa_declines: int = Field(default=6, ge=0)
    triage_text: int = Field(default=8, ge=0)
    agent_cases: int = Field(default=40, ge=0)
    redteam_cases: int = Field(default=100, ge=0)


class EvalConfig(BaseModel):
    """thresholds.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fast_subset: FastSubset = Field(default_factory=FastSubset)
    thresholds: dict[Profile, dict[Suite, dict[str, Bound]]]

    def bounds(self, profile: Profile, suite: str) -> dict[str, Bound]:
        """The thresholds of one suite in one profile (empty when none are set)."""
        return dict(self.thresholds.get(profile, {}).get(suite, {}))  # type: ignore[call-overload]


@cache
def load_config(path: Path = THRESHOLDS_PATH) -> EvalConfig:
    """The validated eval configuration; ConfigFileError naming the file and field."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigFileError(f"{path}: cannot read eval configuration: {exc}") from exc
    try:
        return EvalConfig.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigFileError(f"{path}: {where}: {first['msg']}") from None
