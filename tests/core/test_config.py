"""Settings: one object, GOVASSIST_* and conventional env vars, --home, config.toml, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import ConfigError, Settings, default_home


def test_defaults_keep_all_state_in_home(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    assert settings.sqlalchemy_url == f"sqlite:///{tmp_path / 'govassist.db'}"
    assert settings.chroma_dir == tmp_path / "chroma"
    assert settings.chroma_host is None


def test_home_defaults_to_user_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOVASSIST_HOME")
    assert Settings().home == default_home()
    assert default_home().name == "govassist"


def test_environment_switches_to_postgres_and_chroma_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db:5432/gov")
    monkeypatch.setenv("CHROMA_HOST", "chroma.internal")
    monkeypatch.setenv("CHROMA_PORT", "9000")
    settings = Settings()
    assert settings.sqlalchemy_url == "postgresql+psycopg://u@db:5432/gov"
    assert (settings.chroma_host, settings.chroma_port) == ("chroma.internal", 9000)


def test_config_file_in_home_and_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "config.toml").write_text('escalation_contact = "#rai-help"\ncollection = "from-file"\n')
    monkeypatch.setenv("GOVASSIST_COLLECTION", "from-env")
    settings = Settings(home=tmp_path)
    assert settings.escalation_contact == "#rai-help"
    assert settings.collection == "from-env"


def test_broken_config_file_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("this is = = not toml")
    with pytest.raises(ConfigError, match=r"config\.toml"):
        Settings(home=tmp_path)


def test_unusable_home_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ConfigError, match="not usable"):
        Settings(home=blocker / "home").ensure_home()
