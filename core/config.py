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
from pydantic import AliasChoices, Field, SecretStr, field_validator
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

    # --- Language model (assistant/agent/llm.py) --------------------------------------------------------
    llm: str = Field(
        default="none",
        description="The chat model: 'none' (offline, the default), 'provider:model' for any LangChain "
        "provider (e.g. 'openai:gpt-4o-mini'), the model name served at llm_base_url, 'smollm2' (the "
        "packaged SmolLM2-135M-Instruct, local) or 'local-gguf:PATH' (a local GGUF file).",
    )
    llm_base_url: str | None = Field(
        default=None,
        description="An OpenAI-compatible endpoint (vLLM, llama.cpp server, Ollama, LM Studio), e.g. "
        "http://localhost:11434/v1; `llm` is then the model name the server knows.",
    )
    llm_api_key: SecretStr | None = Field(
        default=None,
        description="API key for the model; default: the provider's own variable (OPENAI_API_KEY, ...).",
    )
    llm_timeout: float = Field(default=60.0, gt=0, description="Seconds before a model request fails.")
    llm_max_retries: int = Field(default=1, ge=0, description="Retries of a failed model request.")
    llm_temperature: float = Field(default=0.0, ge=0.0, le=2.0, description="Sampling temperature.")
    llm_max_tokens: int = Field(default=512, ge=1, description="Longest reply the model may write (tokens).")

    # --- Slack app (integrations/slack) ---------------------------------------------------------------
    slack_bot_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("SLACK_BOT_TOKEN", "GOVASSIST_SLACK_BOT_TOKEN", "slack_bot_token"),
        description="The Slack app's bot token (xoxb-...).",
    )
    slack_app_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("SLACK_APP_TOKEN", "GOVASSIST_SLACK_APP_TOKEN", "slack_app_token"),
        description="App-level token (xapp-..., scope connections:write) for Socket Mode.",
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "SLACK_SIGNING_SECRET", "GOVASSIST_SLACK_SIGNING_SECRET", "slack_signing_secret"
        ),
        description="Verifies that HTTP-mode requests come from Slack.",
    )
    slack_api_url: str = Field(
        default="https://slack.com/api/", description="Slack Web API base URL (tests use a local server)."
    )
    slack_escalation_channel: str | None = Field(
        default=None, description="Channel id where 'Ask the RAI team' posts questions (e.g. C0123RAI)."
    )
    slack_groups: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Slack user id (U...), user group id (S...) or handle ('@legal') -> govassist groups.",
    )
    slack_rai_team: list[str] = Field(
        default_factory=list,
        description="Slack user ids, user group ids or '@handles' who may approve answers and decide reviews "
        "in Slack; empty: anyone in the escalation channel may approve, anyone may decide.",
    )
    slack_rate_limit: int = Field(default=10, ge=1, description="Requests a Slack user may make per window.")
    slack_rate_window: float = Field(default=60.0, gt=0, description="Rate-limit window in seconds.")
    slack_outbox_poll: float = Field(
        default=2.0, gt=0, description="Seconds between two looks at the notification outbox."
    )
    slack_outbox_retry: float = Field(
        default=5.0,
        gt=0,
        description="Seconds before the first retry of a notification Slack refused; each retry doubles it.",
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
    def offline(self) -> bool:
        """True when no language model is configured (`llm` empty or 'none', no `llm_base_url`): callers
        then skip importing the model machinery (langchain) at all."""
        return (not self.llm.strip() or self.llm.strip().lower() == "none") and not self.llm_base_url

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
