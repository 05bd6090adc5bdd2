"""What can be checked of the image and the packaging without a Docker engine."""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_every_file_the_dockerfile_copies_exists() -> None:
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    copies = [line.split()[1:-1] for line in lines if line.startswith("COPY ")]
    assert copies
    for sources in copies:
        for source in sources:
            assert (ROOT / source).exists(), f"Dockerfile copies {source}, which does not exist"


def test_dockerfile_passes_hadolint() -> None:
    exe = shutil.which("hadolint") or str(ROOT / ".venv" / "bin" / "hadolint")
    if not Path(exe).exists():
        pytest.skip("hadolint is not installed")
    result = subprocess.run([exe, str(ROOT / "Dockerfile")], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dependencies_are_pinned_and_constrained() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = project["dependencies"] + project["optional-dependencies"]["dev"]
    assert all("==" in dep for dep in pins), [d for d in pins if "==" not in d]
    assert "torch==2.13.0" in pins
    constraints = {
        line.split("==")[0].lower().replace("_", "-"): line.split("==")[1]
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    }
    for dep in pins:
        name, version = dep.split("==")
        name = name.split("[")[0].lower().replace("_", "-")
        assert constraints.get(name) == version, (
            f"{name}: pyproject {version}, constraints {constraints.get(name)}"
        )


def test_console_script_is_declared() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"govassist": "integrations.cli:main"}
