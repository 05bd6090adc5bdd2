"""`knowledge fetch` against a local HTTP server that serves the official copies in ../shared/corpus."""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from integrations.cli import cli
from knowledge.factory import open_index
from knowledge.official import OFFICIAL_SOURCES, FetchError, fetch_and_ingest


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def publisher(corpus_dir: Path) -> Iterator[str]:
    """A local server standing in for the publishers, serving the corpus folder."""
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(corpus_dir))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def urls(base: str) -> dict[str, str]:
    return {
        "eu-ai-act": f"{base}/eu-ai-act/csa/eu-ai-act.html",
        "gdpr": f"{base}/gdpr/csa/eu-gdpr-act.html",
        "nist-ai-rmf": f"{base}/nist-ai-rmf/playbook/nist_ai_rmf_playbook.json",
    }


@pytest.mark.parametrize(
    ("source_id", "some_id", "count"),
    [
        ("eu-ai-act", "eu-ai-act:art-5-1-f", 1475),
        ("gdpr", "gdpr:art-22-1", 1029),
        ("nist-ai-rmf", "nist-ai-rmf:govern-1-1", None),
    ],
)
def test_fetch_downloads_and_ingests(
    make_settings, publisher: str, source_id: str, some_id: str, count: int | None
) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings()
    index = open_index(settings)
    path, report = fetch_and_ingest(
        index, source_id, target_dir=settings.official_dir, overrides=urls(publisher)
    )
    assert path.parent == settings.official_dir and path.name == OFFICIAL_SOURCES[source_id].filename
    assert not report.failures and report.count("added") == 1
    [row] = index.status()
    assert (row.source_id, row.kind, row.visibility) == (source_id, "regulation", "public")
    if count:
        assert row.sections == count
    with index.db.session() as session:
        from sqlalchemy import select

        from core.models import Chunk

        assert session.scalar(select(Chunk.citation_id).where(Chunk.citation_id == some_id))


def test_fetch_refuses_errors_and_look_alikes(make_settings, publisher: str) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings()
    index = open_index(settings)
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch_and_ingest(
            index, "gdpr", target_dir=settings.official_dir, overrides={"gdpr": f"{publisher}/missing.html"}
        )
    wrong = {"gdpr": f"{publisher}/eu-ai-act/csa/eu-ai-act.html"}  # a real act, but not the GDPR
    with pytest.raises(FetchError, match="did not return"):
        fetch_and_ingest(index, "gdpr", target_dir=settings.official_dir, overrides=wrong)
    with pytest.raises(FetchError, match="could not download"):
        fetch_and_ingest(
            index, "gdpr", target_dir=settings.official_dir, overrides={"gdpr": "http://127.0.0.1:9/x"}
        )
    with pytest.raises(FetchError, match="unknown official text"):
        fetch_and_ingest(index, "hipaa", target_dir=settings.official_dir, overrides={})
    assert index.status() == []
    assert not list(settings.official_dir.glob("*")) if settings.official_dir.exists() else True


def test_fetch_command(monkeypatch: pytest.MonkeyPatch, publisher: str, tmp_path: Path) -> None:
    monkeypatch.setenv("GOVASSIST_EMBEDDER", "hashing")
    monkeypatch.setenv("GOVASSIST_LOAD_BUILTIN_KNOWLEDGE", "false")
    monkeypatch.setenv("GOVASSIST_OFFICIAL_URLS", json.dumps(urls(publisher)))
    home = tmp_path / "home"
    result = CliRunner().invoke(cli, ["--home", str(home), "knowledge", "fetch", "eu-ai-act"])
    assert result.exit_code == 0, result.output
    assert "1 added" in result.stdout
    again = CliRunner().invoke(cli, ["--home", str(home), "knowledge", "fetch", "eu-ai-act"])
    assert "1 unchanged" in again.stdout
    bad = CliRunner().invoke(cli, ["--home", str(home), "knowledge", "fetch", "hipaa"])
    assert bad.exit_code == 2 and "unknown SOURCE hipaa" in bad.stderr
