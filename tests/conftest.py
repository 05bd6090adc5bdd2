"""Shared fixtures: every test gets its own home directory; nothing touches the user's data."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.offline import quiet_libraries

# Before any test module imports a model library: offline, no telemetry, as every entry point runs.
quiet_libraries()

REPO_ROOT = Path(__file__).resolve().parents[1]
CORPUS_DIR = REPO_ROOT.parent / "shared" / "corpus"
POSTGRES_URL = os.environ.get("GOVASSIST_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Point all user state at tmp_path and drop settings that would leak in from the environment."""
    for name in ("DATABASE_URL", "CHROMA_HOST", "CHROMA_PORT"):
        monkeypatch.delenv(name, raising=False)
    for name in list(os.environ):
        if name.startswith("GOVASSIST_") and name != "GOVASSIST_TEST_POSTGRES":
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GOVASSIST_HOME", str(tmp_path / "home"))
    from core.config import get_settings

    get_settings.cache_clear()


@pytest.fixture
def corpus_dir() -> Path:
    """The official texts in ../shared/corpus, or a clean skip where they are absent."""
    if not CORPUS_DIR.is_dir():
        pytest.skip("../shared/corpus is not present")
    return CORPUS_DIR


def postgres_available() -> bool:
    """Whether PostgreSQL answers on 127.0.0.1:5432."""
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL to a fresh, private schema in the `test` database (dropped afterwards)."""
    if not postgres_available():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    from sqlalchemy import create_engine, text

    schema = f"gvtest_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each storage test runs on SQLite and on PostgreSQL (skipped where PostgreSQL is absent)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return str(request.getfixturevalue("postgres_url"))


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A real `chroma run` server on loopback for the session."""
    exe = REPO_ROOT / ".venv" / "bin" / "chroma"
    if not exe.exists():
        pytest.skip("the chroma CLI is not installed in .venv")
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen(
        [str(exe), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"chroma run exited with {proc.returncode}")
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("chroma run did not start within 30 s")
    try:
        yield "127.0.0.1", port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def make_settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Settings in tmp_path with the fast hashing embedder and no built-in packs, overridable."""
    from core.config import Settings

    def _make(**overrides: object) -> Settings:
        values: dict[str, object] = {
            "home": tmp_path / "home",
            "embedder": "hashing",
            "load_builtin_knowledge": False,
        }
        values.update(overrides)
        return Settings(**values)  # type: ignore[arg-type]

    return _make


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep `--dist loadgroup` groups together under pytest 9. pytest-xdist 3.8 marks a grouped test by
    rewriting `item._nodeid` to end in "@group", but pytest 9 keeps a node's id in `item._id`, so the mark
    is lost and a group's tests are spread over both workers, each building the group's costly fixture
    (the official corpus index, the MiniLM demo home) again. Runs on the workers, after xdist's hook."""
    if not getattr(config.option, "loadgroup", False) and getattr(config.option, "dist", "") != "loadgroup":
        return
    try:
        from _pytest.nodeid import NodeId
    except ImportError:  # pytest 8 and earlier read xdist's rewrite themselves
        return
    for item in items:
        groups = sorted(
            {
                str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                for m in item.iter_markers("xdist_group")
            }
        )
        if groups and "@" not in item.nodeid and hasattr(item, "_id"):
            item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(groups)}")
