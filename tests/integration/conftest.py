"""The `make demo` knowledge for the integration tests: built once per worker (the packs and the sample
organisation embedded with the packaged MiniLM, about a minute and a half), then copied for each module,
so a module's questions never see another module's writes."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.service import Assistant
from core.config import Settings
from evals.abstention import demo_assistant


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """A home built like `make demo`, closed, and the number of vectors it holds."""
    home = tmp_path_factory.mktemp("demo-built")
    built = demo_assistant(home=home)
    assert isinstance(built, Assistant)
    vectors = built.index.vectors.count()
    built.close()
    return home, vectors


@pytest.fixture(scope="module")
def demo(demo_home: tuple[Path, int], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    """A module's own copy of the demo home, opened: the same knowledge, nothing re-embedded."""
    built, vectors = demo_home
    home = tmp_path_factory.mktemp("demo")
    shutil.copytree(built, home, dirs_exist_ok=True)
    assistant = Assistant.open(Settings(home=home))
    # The copy is the built index whole (the local Chroma's files and the database together).
    assert assistant.index.vectors.count() == vectors
    yield assistant
    assistant.close()
