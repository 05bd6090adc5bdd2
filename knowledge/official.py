"""Official texts govassist can download from their publishers and ingest (`govassist knowledge fetch`).

Nothing is downloaded unless a user asks; the addresses can be overridden (a mirror, or a local
server in tests) with the `official_urls` setting.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import httpx
from pydantic import BaseModel

from knowledge.access import Visibility
from knowledge.index import KnowledgeIndex
from knowledge.ingest import IngestReport, IngestRequest, ingest_paths
from knowledge.parsing.regulation import detect_regime
from knowledge.sections import DocumentKind

MAX_BYTES = 50 * 1024 * 1024
TIMEOUT_SECONDS = 60.0


class OfficialSource(BaseModel):
    """Where a publisher publishes a text, and what the download must look like."""

    id: str
    title: str
    publisher: str
    url: str
    filename: str
    # How to recognise the genuine publication (and refuse error pages and other acts): the act's own
    # title as the regulation parser reads it, or, for a data export, a string it must contain.
    marker: str | None = None


OFFICIAL_SOURCES: dict[str, OfficialSource] = {
    "eu-ai-act": OfficialSource(
        id="eu-ai-act",
        title="Regulation (EU) 2024/1689 (Artificial Intelligence Act), EUR-Lex HTML",
        publisher="Publications Office of the European Union (EUR-Lex)",
        url="https://eur-lex.europa.eu/legal-content/EN/TXT/HTML/?uri=CELEX:32024R1689",
        filename="eu-ai-act.html",
    ),
    "gdpr": OfficialSource(
        id="gdpr",
        title="Regulation (EU) 2016/679 (General Data Protection Regulation), EUR-Lex HTML",
        publisher="Publications Office of the European Union (EUR-Lex)",
        url="https://eur-lex.europa.eu/legal-content/EN/TXT/HTML/?uri=CELEX:32016R0679",
        filename="gdpr.html",
    ),
    "nist-ai-rmf": OfficialSource(
        id="nist-ai-rmf",
        title="NIST AI RMF 1.0 Playbook, structured export (72 subcategories with guidance)",
        publisher="National Institute of Standards and Technology (AI Resource Center)",
        url="https://airc.nist.gov/docs/playbook.json",
        filename="nist-ai-rmf-playbook.json",
        marker="GOVERN 1.1",
    ),
}


class FetchError(Exception):
    """A download failed or did not return the expected publication; the message says which and why."""


def source_url(source: OfficialSource, overrides: Mapping[str, str]) -> str:
    """The address to download `source` from: an override, or the publisher's."""
    return overrides.get(source.id, source.url)


def _is_genuine(source: OfficialSource, body: bytes) -> bool:
    text = body.decode("utf-8", errors="replace")
    if source.marker is not None:
        return source.marker in text
    return detect_regime(text) == source.id


def download(source: OfficialSource, *, url: str, target_dir: Path) -> Path:
    """Download `source` to `target_dir` (atomically), checking it is the publication we expect."""
    try:
        with httpx.stream("GET", url, follow_redirects=True, timeout=TIMEOUT_SECONDS) as response:
            if response.status_code != 200:
                raise FetchError(f"{source.id}: {url} answered HTTP {response.status_code}")
            body = bytearray()
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if len(body) > MAX_BYTES:
                    raise FetchError(f"{source.id}: {url} sent more than {MAX_BYTES // 2**20} MiB; refused")
    except httpx.HTTPError as exc:
        raise FetchError(f"{source.id}: could not download {url}: {exc}") from exc
    if not _is_genuine(source, bytes(body)):
        raise FetchError(f"{source.id}: {url} did not return {source.title}")
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / source.filename
    partial = target.with_suffix(target.suffix + ".part")
    partial.write_bytes(bytes(body))
    partial.replace(target)
    return target


def fetch_and_ingest(
    index: KnowledgeIndex, source_id: str, *, target_dir: Path, overrides: Mapping[str, str]
) -> tuple[Path, IngestReport]:
    """Download one official text and ingest it as public regulation text under its regime id."""
    if source_id not in OFFICIAL_SOURCES:
        known = ", ".join(sorted(OFFICIAL_SOURCES))
        raise FetchError(f"unknown official text {source_id!r}: choose one of {known}")
    source = OFFICIAL_SOURCES[source_id]
    path = download(source, url=source_url(source, overrides), target_dir=target_dir)
    request = IngestRequest(
        paths=[path], kind=DocumentKind.REGULATION, source_id=source.id, visibility=Visibility.PUBLIC
    )
    return path, ingest_paths(index, request)
