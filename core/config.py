"""One settings object for the whole application (pydantic-settings).

Precedence, highest first: explicit arguments (the CLI's `--home`), environment variables
(`GOVASSIST_*`, plus the conventional `DATABASE_URL`, `CHROMA_HOST`, `CHROMA_PORT`), the optional
`config.toml` in the home directory, then defaults.
"""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

CONFIG_FILE_NAME = "config.toml"


def default_home() -> Path:
    """The user's data directory for govassist (e.g. ~/.local/share/govassist)."""
    return Path(platformdirs.user_data_dir("govassist", appauthor=False))


class ConfigError(Exception):
    """The configuration is unusable; the message says which setting and why."""


class _HomeConfigFile(PydanticBaseSettingsSource):
    """Reads `<home>/config.toml`, where home is resolved from arguments or the environment first."""

    def __init__(self, settings_cls: type[BaseSettings], home: Path) -> None:
        super().__init__(settings_cls)
        self._data: dict[str, Any] = {}
        path = home / CONFIG_FILE_NAME
        if path.is_file():
            try:
                self._data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise ConfigError(f"{path}: cannot read configuration ({exc})") from exc

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return {k: v for k, v in self._data.items() if k in self.settings_cls.model_fields}


class Settings(BaseSettings):
    """Everything configurable about govassist. Build it with `get_settings()` or directly in tests."""

    model_config = SettingsConfigDict(env_prefix="GOVASSIST_", extra="ignore", validate_default=True)

    home: Path = Field(default_factory=default_home, description="Directory holding all state.")
    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("GOVASSIST_DATABASE_URL", "DATABASE_URL", "database_url"),
        description="SQLAlchemy URL; default: SQLite in the home directory.",
    )
    chroma_host: str | None = Field(
        default=None,
        validation_alias=AliasChoices("GOVASSIST_CHROMA_HOST", "CHROMA_HOST", "chroma_host"),
        description="Chroma server host; default: a persistent local Chroma in the home directory.",
    )
    chroma_port: int = Field(
        default=8000, validation_alias=AliasChoices("GOVASSIST_CHROMA_PORT", "CHROMA_PORT", "chroma_port")
    )
    collection: str = Field(default="govassist", description="Chroma collection name.")
    embedder: str = Field(
        default="minilm", description="'minilm' (the packaged all-MiniLM-L6-v2) or 'hashing' (tests only)."
    )
    abstain_below: float | None = Field(
        default=None, description="Override the calibrated abstention threshold (dense similarity)."
    )
    escalation_contact: str = Field(
        default="the Responsible AI team",
        description="Who the assistant tells people to ask when it abstains.",
    )
    official_urls: dict[str, str] = Field(
        default_factory=dict,
        description="Where `knowledge fetch` downloads official texts from (id -> URL), e.g. a mirror.",
    )
    tiering_standard: Path | None = Field(
        default=None, description="The organisation's tiering standard (YAML); default: a generic one."
    )
    load_builtin_knowledge: bool = Field(
        default=True, description="Index the shipped knowledge packs automatically on first use."
    )

    @field_validator("home", mode="before")
    @classmethod
    def _expand_home(cls, value: object) -> object:
        if isinstance(value, str | Path):
            return Path(value).expanduser()
        return value

    @field_validator("database_url")
    @classmethod
    def _normalise_postgres_url(cls, value: str | None) -> str | None:
        # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants an explicit driver.
        if value and value.startswith(("postgres://", "postgresql://")):
            rest = value.split("://", 1)[1]
            return f"postgresql+psycopg://{rest}"
        return value or None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        home = init_settings().get("home") or os.environ.get("GOVASSIST_HOME") or default_home()
        return (init_settings, env_settings, _HomeConfigFile(settings_cls, Path(home).expanduser()))

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL in use."""
        return self.database_url or f"sqlite:///{self.home / 'govassist.db'}"

    @property
    def chroma_dir(self) -> Path:
        """Where the local persistent Chroma keeps its files."""
        return self.home / "chroma"

    @property
    def official_dir(self) -> Path:
        """Where downloaded official texts are kept."""
        return self.home / "official"

    @property
    def cache_dir(self) -> Path:
        """Rebuildable caches (the lexical index)."""
        return self.home / "cache"

    def ensure_home(self) -> None:
        """Create the home directory, or fail with a one-line reason."""
        try:
            self.home.mkdir(parents=True, exist_ok=True)
            probe = self.home / ".write-test"
            probe.write_text("ok", encoding="utf-8")
            probe.unlink()
        except OSError as exc:
            raise ConfigError(f"home directory {self.home} is not usable: {exc.strerror or exc}") from exc


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, built on first use (never at import time)."""
    return Settings()
