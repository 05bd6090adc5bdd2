"""The evidence bundle for auditors: everything govassist holds about one system, in one zip, with a
manifest of SHA-256 digests that `verify_bundle` checks.

Contents: `system.json`, `assessments/v<N>.json` (every version), `diffs/v<A>-v<B>.json` (each version
against the one before), `tasks.json` (with decisions and conditions), `waivers.json`, `gate-runs.json`,
`audit.jsonl` (the audit events about the system, its tasks and its gate), `attachments/...` (drafted
documents, given by the caller), then `manifest.json` and `SHA256SUMS` (the same digests for
`sha256sum -c`).
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Sequence
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import utc_now
from core.models import Assessment
from tools.audit import list_events
from tools.docs.schemas import OutputFormat
from tools.docs.store import draft_content, list_drafts
from tools.gate import gate_runs, list_waivers
from tools.inventory import assessment_history, diff_assessments, get_system
from tools.tasks import TaskFilters, list_tasks

MANIFEST = "manifest.json"
# The same digests in the format of `sha256sum -c`, so an auditor can check an unpacked bundle without
# govassist.
SUMS = "SHA256SUMS"

# How each stored draft format is labelled in the manifest.
MEDIA_TYPES = {
    OutputFormat.MARKDOWN: "text/markdown",
    OutputFormat.HTML: "text/html",
    OutputFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class BundleAttachment(BaseModel):
    """A file to carry in the bundle under `attachments/`, e.g. a drafted system card."""

    name: str = Field(description="File name inside attachments/, e.g. 'v3/system-card.md'.")
    content: bytes
    assessment_version: int | None = None
    media_type: str = "application/octet-stream"


class ManifestEntry(BaseModel):
    """One file of the bundle and its digest."""

    path: str
    sha256: str
    bytes: int


class BundleManifest(BaseModel):
    """What the bundle holds."""

    system_id: str
    created_at: datetime
    created_by: str
    files: list[ManifestEntry]


class BundleError(ValueError):
    """A bundle that cannot be made (unknown system) or does not verify."""


def stored_attachments(session: Session, system_id: str) -> list[BundleAttachment]:
    """The review documents drafted for the system (`govassist docs ...`), as bundle attachments named
    `v<assessment version>/<file name>`, oldest first."""
    versions = dict(
        session.execute(select(Assessment.id, Assessment.version).where(Assessment.system_id == system_id))
        .tuples()
        .all()
    )
    attachments: list[BundleAttachment] = []
    for draft in list_drafts(session, system_id=system_id):
        content = draft_content(session, draft.id)
        if content is None:
            continue
        version = versions.get(draft.assessment_id)
        attachments.append(
            BundleAttachment(
                name=f"v{version}/{draft.id}-{draft.filename}",
                content=content,
                assessment_version=version,
                media_type=MEDIA_TYPES.get(draft.format, "application/octet-stream"),
            )
        )
    return attachments


def build_bundle(
    *,
    session: Session,
    system: str,
    out: Path,
    actor: str,
    attachments: Sequence[BundleAttachment] = (),
    now: datetime | None = None,
) -> BundleManifest:
    """Write the evidence bundle of `system` (id or name) to `out`; returns its manifest."""
    found = get_system(session=session, name_or_id=system)
    if found is None:
        raise BundleError(f"no system called {system!r} in the inventory (see 'govassist systems list')")
    history = assessment_history(session=session, system_id=found.id)
    tasks = list_tasks(session=session, filters=TaskFilters(system=found.id))
    files: dict[str, bytes] = {"system.json": _json(found.model_dump(mode="json"))}
    for assessment in history:
        files[f"assessments/v{assessment.version}.json"] = _json(assessment.model_dump(mode="json"))
    for old, new in pairwise(history):
        files[f"diffs/v{old.version}-v{new.version}.json"] = _json(
            diff_assessments(old, new).model_dump(mode="json")
        )
    files["tasks.json"] = _json([t.model_dump(mode="json") for t in tasks])
    files["waivers.json"] = _json(
        [w.model_dump(mode="json") for w in list_waivers(session=session, system_id=found.id)]
    )
    files["gate-runs.json"] = _json(gate_runs(session=session, system_id=found.id))
    subjects = {f"system:{found.id}", *(f"task:{t.id}" for t in tasks)}
    events = [e for e in list_events(session=session) if e.subject in subjects]
    files["audit.jsonl"] = "".join(
        json.dumps(e.model_dump(mode="json"), ensure_ascii=False) + "\n" for e in events
    ).encode("utf-8")
    for attachment in attachments:
        name = attachment.name.lstrip("/").replace("..", "_")
        files[f"attachments/{name}"] = attachment.content
    manifest = BundleManifest(
        system_id=found.id,
        created_at=now or utc_now(),
        created_by=actor,
        files=[
            ManifestEntry(path=path, sha256=hashlib.sha256(data).hexdigest(), bytes=len(data))
            for path, data in files.items()
        ],
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, data in files.items():
            archive.writestr(path, data)
        archive.writestr(MANIFEST, _json(manifest.model_dump(mode="json")))
        archive.writestr(SUMS, _sums(manifest))
    return manifest


def verify_bundle(path: Path) -> BundleManifest:
    """The manifest of a bundle whose every file matches its digest; BundleError naming the first that
    does not, or a file the manifest does not list."""
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = BundleManifest.model_validate_json(archive.read(MANIFEST))
            listed = {entry.path for entry in manifest.files}
            extra = sorted(set(archive.namelist()) - listed - {MANIFEST, SUMS})
            if extra:
                raise BundleError(f"{path}: {extra[0]} is not in the manifest")
            if SUMS in archive.namelist() and archive.read(SUMS) != _sums(manifest):
                raise BundleError(f"{path}: {SUMS} does not agree with {MANIFEST}")
            for entry in manifest.files:
                digest = hashlib.sha256(archive.read(entry.path)).hexdigest()
                if digest != entry.sha256:
                    raise BundleError(f"{path}: {entry.path} does not match its SHA-256 digest")
    except (KeyError, zipfile.BadZipFile, ValueError) as exc:
        if isinstance(exc, BundleError):
            raise
        raise BundleError(f"{path}: not a readable evidence bundle ({exc})") from exc
    return manifest


def _sums(manifest: BundleManifest) -> bytes:
    return "".join(f"{entry.sha256}  {entry.path}\n" for entry in manifest.files).encode("utf-8")


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


__all__ = [
    "BundleAttachment",
    "BundleError",
    "BundleManifest",
    "ManifestEntry",
    "build_bundle",
    "stored_attachments",
    "verify_bundle",
]
