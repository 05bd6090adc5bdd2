"""Ingesting files and folders: discovery, change detection, parsing, and a report of what failed."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from pydantic import BaseModel, Field

from knowledge.access import Visibility
from knowledge.index import IngestOutcome, KnowledgeIndex, ProgressCallback, content_hash
from knowledge.parsing import SUPPORTED_SUFFIXES, parse_file
from knowledge.screening import SCREENING_VERSION
from knowledge.sections import DocumentKind, ParseError

# Bump when parsing or chunking changes what a file yields, so unchanged files are re-indexed once.
PIPELINE_VERSION = "2"


class FileFailure(BaseModel):
    """A file that was skipped, and why (one line)."""

    path: str
    error: str


class IngestRequest(BaseModel):
    """What `govassist ingest` was asked to do."""

    paths: list[Path]
    kind: DocumentKind | None = None
    source_id: str | None = None
    visibility: Visibility = Visibility.INTERNAL
    groups: list[str] = Field(default_factory=list)


class IngestReport(BaseModel):
    """What an ingest did, per file."""

    outcomes: list[IngestOutcome] = Field(default_factory=list)
    failures: list[FileFailure] = Field(default_factory=list)

    def count(self, status: str) -> int:
        """How many documents ended with `status` ('added', 'updated', 'unchanged')."""
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def flagged(self) -> int:
        """Sections held back by this ingest as possible prompt injection."""
        return sum(o.flagged for o in self.outcomes)


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[FileFailure]]:
    """Files to ingest: named files as given, folders recursively (supported suffixes, no hidden files)."""
    found: list[Path] = []
    missing: list[FileFailure] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and p.suffix.lower() in SUPPORTED_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            found.append(path)
        else:
            missing.append(FileFailure(path=str(path), error="no such file or directory"))
    return found, missing


def validate_request(request: IngestRequest) -> None:
    """Reject option combinations that would store something unreadable or unsafe."""
    if request.visibility == Visibility.RESTRICTED and not request.groups:
        raise ValueError("--visibility restricted needs --groups: nobody could read the documents otherwise")


def ingest_paths(
    index: KnowledgeIndex,
    request: IngestRequest,
    *,
    on_file: Callable[[Path], None] | None = None,
    on_planned: ProgressCallback | None = None,
    on_chunks: ProgressCallback | None = None,
) -> IngestReport:
    """Ingest every file the request names; bad files are reported and skipped, the rest go in. Progress:
    `on_planned` gets each document's sections to embed, then its sentences not stored yet; `on_chunks`
    each batch of either as it is embedded, so the two add up to the same total."""
    validate_request(request)
    files, failures = discover(request.paths)
    report = IngestReport(failures=failures)
    for path in files:
        if on_file:
            on_file(path)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            report.failures.append(FileFailure(path=str(path), error=f"cannot read: {exc.strerror or exc}"))
            continue
        digest = content_hash(
            raw,
            PIPELINE_VERSION,
            SCREENING_VERSION,
            request.kind or "",
            request.source_id or "",
            request.visibility.value,
            ",".join(sorted(request.groups)),
        )
        resolved = str(path.resolve())
        unchanged = index.unchanged(path=resolved, digest=digest)
        if unchanged is not None:  # skip parsing too: re-running an ingest should cost next to nothing
            report.outcomes.append(unchanged)
            continue
        try:
            document = parse_file(path, kind=request.kind, source_id=request.source_id)
        except ParseError as exc:
            report.failures.append(FileFailure(path=str(path), error=str(exc)))
            continue
        outcome = index.ingest(
            document,
            key=f"{document.source_id}/{path.name}",
            digest=digest,
            origin="file",
            path=resolved,
            visibility=request.visibility,
            groups=request.groups,
            on_planned=on_planned,
            on_chunks=on_chunks,
            on_sentences_planned=on_planned,
        )
        report.outcomes.append(outcome)
    return report
