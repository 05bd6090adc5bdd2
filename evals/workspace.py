"""The eval workspace: a govassist home of its own, indexed like `make demo` plus the eval fixtures.

It holds the built-in packs, the fictional sample organisation (policies, past reviews, its tiering
standard), an internal page with a planted prompt injection, a restricted page for the `legal` and `board`
groups, and three systems recorded in its inventory (review tasks filed for one). It is never the user's
own knowledge: the workspace always uses its own SQLite database and local Chroma under its directory,
whatever DATABASE_URL or CHROMA_HOST say, so eval fixtures cannot leak into real data. Re-opening an
existing workspace only indexes what changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from assistant.service import Assistant
from core.config import Settings
from evals.datasets import (
    INTERNAL_FIXTURES,
    RESTRICTED_FIXTURES,
    RESTRICTED_GROUPS,
    FixtureOrganisation,
)
from knowledge.access import Visibility
from knowledge.builtin import SAMPLES_DIR, load_sample_organisation
from knowledge.ingest import IngestRequest, ingest_paths
from knowledge.samples import SAMPLE_TIERING_STANDARD
from knowledge.sections import DocumentKind
from tools.triage.schemas import SystemProfile

SEED_SYSTEMS = (
    SAMPLES_DIR / "systems" / "cv-screener.yaml",
    INTERNAL_FIXTURES.parent / "systems" / "nora-chatbot.yaml",
    INTERNAL_FIXTURES.parent / "systems" / "claimguard-fraud.yaml",
)
# Review tasks are filed for the first seed system, so task listings have something to show.
FILE_TASKS_FOR = 1
EVAL_ACTOR = "govassist-eval"


@dataclass
class EvalWorkspace:
    """The opened workspace: its settings and assistant."""

    settings: Settings
    assistant: Assistant

    def close(self) -> None:
        """Release the database connections."""
        self.assistant.close()


def workspace_settings(base: Settings, directory: Path, *, embedder: str) -> Settings:
    """Settings for a workspace in `directory`: its own storage, the sample tiering standard, and the
    language-model settings of `base` (so an eval run measures the configured model, if any)."""
    return Settings(
        home=directory,
        database_url=f"sqlite:///{directory / 'govassist.db'}",
        chroma_host=None,
        embedder=embedder,
        tiering_standard=SAMPLE_TIERING_STANDARD,
        load_builtin_knowledge=True,
        abstain_below=base.abstain_below,
        escalation_contact=base.escalation_contact,
        llm=base.llm,
        llm_base_url=base.llm_base_url,
        llm_api_key=base.llm_api_key,
        llm_timeout=base.llm_timeout,
        llm_max_retries=base.llm_max_retries,
    )


def open_organisation_workspace(settings: Settings, organisation: FixtureOrganisation) -> EvalWorkspace:
    """Open (building or updating) a fixture organisation's workspace: the built-in packs and its
    documents ingested as a user would (`--kind policy`, `--kind review`), without the sample
    organisation, so "our" questions can only be answered from its own documents."""
    settings.home.mkdir(parents=True, exist_ok=True)
    assistant = Assistant.open(settings)
    ingest_paths(assistant.index, IngestRequest(paths=[organisation.policies], kind=DocumentKind.POLICY))
    ingest_paths(assistant.index, IngestRequest(paths=[organisation.reviews], kind=DocumentKind.REVIEW))
    return EvalWorkspace(settings=settings, assistant=assistant)


def open_workspace(settings: Settings) -> EvalWorkspace:
    """Open (building or updating) the workspace that `settings` describe."""
    from assistant.triage import run_triage

    settings.home.mkdir(parents=True, exist_ok=True)
    assistant = Assistant.open(settings)
    index = assistant.index
    load_sample_organisation(index)
    ingest_paths(index, IngestRequest(paths=[INTERNAL_FIXTURES], kind=DocumentKind.POLICY))
    ingest_paths(
        index,
        IngestRequest(
            paths=[RESTRICTED_FIXTURES],
            kind=DocumentKind.POLICY,
            visibility=Visibility.RESTRICTED,
            groups=list(RESTRICTED_GROUPS),
        ),
    )
    from tools import inventory

    with index.db.session() as session:
        known = {s.name for s in inventory.list_systems(session=session)}
    for number, path in enumerate(SEED_SYSTEMS):
        profile = SystemProfile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        if profile.name in known:
            continue
        run_triage(
            index,
            settings,
            profile,
            actor=EVAL_ACTOR,
            record=True,
            file_tasks=number < FILE_TASKS_FOR,
        )
    return EvalWorkspace(settings=settings, assistant=assistant)
