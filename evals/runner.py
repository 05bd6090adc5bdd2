"""One eval run: open the workspace, run the chosen suites with a progress bar, add the judge metrics when a
judge is configured, check the thresholds, and store the run (`govassist eval run`)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import BaseModel, Field
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from core.clock import utc_now
from core.config import Settings
from core.db import Database
from evals import judge
from evals.config import EvalConfig, Profile, Suite, load_config
from evals.datasets import FIXTURE_ORGANISATIONS
from evals.results import RunSummary, SuiteResult, ThresholdCheck
from evals.store import save_run
from evals.suites import SuiteContext
from evals.workspace import EvalWorkspace, open_organisation_workspace, open_workspace, workspace_settings

REPO_ROOT = Path(__file__).resolve().parents[1]
ALL_SUITES: tuple[Suite, ...] = ("qa", "triage", "agent", "redteam")
FAST_EMBEDDER = "hashing"


class RunRequest(BaseModel):
    """What `govassist eval run` was asked to do."""

    suites: list[Suite] = Field(default_factory=lambda: list(ALL_SUITES))
    fast: bool = False
    workspace: Path | None = None
    fresh: bool = False
    judge: str | None = None
    store: bool = True

    @property
    def profile(self) -> Profile:
        """'fast' or 'full': which thresholds apply."""
        return "fast" if self.fast else "full"


def git_commit(root: Path = REPO_ROOT) -> str | None:
    """The checked-out commit ('+dirty' when the tree has changes), or None outside a git checkout."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head}+dirty" if dirty else head


def workspace_knowledge(ws: EvalWorkspace) -> str:
    """The packs' fingerprint and the knowledge as-of date of the workspace."""
    from knowledge.packs import packs_fingerprint

    as_of = ws.assistant.index.knowledge_as_of()
    return f"packs {packs_fingerprint()[:12]}; as of {as_of.isoformat() if as_of else 'unknown'}"


def check_thresholds(
    config: EvalConfig, profile: Profile, results: list[SuiteResult]
) -> list[ThresholdCheck]:
    """Every threshold of the suites that ran, against the run's metrics."""
    checks = []
    for suite in results:
        for metric, bound in config.bounds(profile, suite.suite).items():
            value = suite.metrics.get(metric)
            checks.append(
                ThresholdCheck(
                    suite=suite.suite,
                    metric=metric,
                    bound=bound.describe(),
                    value=value,
                    passed=None if value is None else bound.holds(value),
                )
            )
    return checks


def workspace_directory(settings: Settings, request: RunRequest, embedder: str) -> Path:
    """Where the workspace lives: the request's, else `<home>/eval-workspace/<profile>-<embedder>`."""
    return request.workspace or settings.home / "eval-workspace" / f"{request.profile}-{embedder}"


@contextmanager
def _progress(console: Console | None, total: int) -> Iterator[Callable[[str], Callable[[], None]]]:
    """A rich progress bar over all cases; yields `start(suite) -> advance()`."""
    if console is None:
        yield lambda suite: lambda: None
        return
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("eval", total=total)

        def start(suite: str) -> Callable[[], None]:
            progress.update(task, description=f"eval {suite}")
            return lambda: progress.advance(task)

        yield start


def run_eval(
    settings: Settings,
    request: RunRequest,
    *,
    console: Console | None = None,
    config: EvalConfig | None = None,
    announce: Callable[[str], None] = lambda _: None,
) -> RunSummary:
    """Run the suites of `request` against a workspace beside `settings.home`; store the run in the
    database of `settings` (unless `request.store` is false) and return it."""
    from evals.suites import agent, qa, redteam, triage

    modules = {"qa": qa, "triage": triage, "agent": agent, "redteam": redteam}
    config = config or load_config()
    embedder = FAST_EMBEDDER if request.fast else settings.embedder
    directory = workspace_directory(settings, request, embedder)
    if request.fresh and directory.exists():
        shutil.rmtree(directory)
    started = utc_now()
    announce(f"Opening the eval workspace in {directory} ({embedder} embedder)...")
    ws = open_workspace(workspace_settings(settings, directory, embedder=embedder))

    def open_organisation(name: str) -> EvalWorkspace:
        organisation = FIXTURE_ORGANISATIONS[name]
        beside = directory.with_name(f"{directory.name}-{name}")
        if request.fresh and beside.exists():
            shutil.rmtree(beside)
        announce(f"Opening {organisation.title}'s workspace in {beside}...")
        return open_organisation_workspace(
            workspace_settings(settings, beside, embedder=embedder), organisation
        )

    ctx = SuiteContext(workspace=ws, config=config, fast=request.fast, open_organisation=open_organisation)
    try:
        total = sum(modules[s].count(ctx) for s in request.suites)
        results: list[SuiteResult] = []
        with _progress(console, total) as start:
            for suite in request.suites:
                ctx.advance = start(suite)
                results.append(modules[suite].run(ctx))
        for result in results:
            if result.suite != "qa":
                continue
            spec = judge.judge_spec(request.judge)
            if spec is None:
                result.notes.append(judge.NOT_CONFIGURED)
                continue
            announce(f"Judging answers with {spec}...")
            metrics, notes = judge.judge_qa(ws.settings, spec, result.cases, ws.assistant.index.embedder)
            result.metrics |= metrics
            result.notes += notes
        version = workspace_knowledge(ws)
    finally:
        ctx.close()
        ws.close()
    checks = check_thresholds(config, request.profile, results)
    summary = RunSummary(
        suites=list(request.suites),
        started_at=started.isoformat(),
        finished_at=utc_now().isoformat(),
        git_commit=git_commit(),
        knowledge_version=version,
        config={
            "profile": request.profile,
            "fast": request.fast,
            "embedder": embedder,
            "workspace": str(directory),
            "llm": settings.llm,
            "judge": judge.judge_spec(request.judge),
            "thresholds": {
                suite: {
                    name: bound.describe() for name, bound in config.bounds(request.profile, suite).items()
                }
                for suite in request.suites
            },
        },
        metrics={r.suite: r.metrics for r in results},
        checks=checks,
        notes={r.suite: r.notes for r in results if r.notes},
        categories={r.suite: r.categories for r in results},
        results=[case for r in results for case in r.cases],
    )
    if request.store:
        db = Database.open(settings)
        try:
            summary.id = save_run(db, summary)
        finally:
            db.close()
    return summary
