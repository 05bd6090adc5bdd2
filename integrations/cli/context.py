"""What every command shares: settings from `--home` and the environment, and one opened Assistant."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import click

from core.offline import quiet_libraries

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from assistant.service import Assistant
    from core.config import Settings


@dataclass
class AppContext:
    """Lazily built shared state of one CLI invocation."""

    home: Path | None = None
    _settings: Settings | None = None
    _assistant: Assistant | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        """Settings, with `--home` taking precedence over GOVASSIST_HOME."""
        if self._settings is None:
            from core.config import ConfigError, Settings

            try:
                self._settings = Settings(home=self.home) if self.home else Settings()
            except ConfigError as exc:
                raise click.ClickException(str(exc)) from exc
            except ValueError as exc:
                raise click.ClickException(f"invalid configuration: {exc}") from exc
        return self._settings

    def assistant(self) -> Assistant:
        """The opened assistant (storage connected, built-in knowledge current)."""
        if self._assistant is None:
            from assistant.service import Assistant
            from core.config import ConfigError

            quiet_libraries()
            try:
                self._assistant = Assistant.open(self.settings, on_progress=_announce_pack)
            except ConfigError as exc:
                raise click.ClickException(str(exc)) from exc
        return self._assistant

    def chat_model(self) -> BaseChatModel | None:
        """The configured chat model (`llm`; None in offline mode), or a one-line error for a bad setting."""
        if self.settings.offline:
            return None  # without importing langchain, which costs a cold command most of a second
        from assistant.agent.llm import make_chat_model
        from core.config import ConfigError

        try:
            return make_chat_model(self.settings)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from exc


def _announce_pack(regime_id: str, chunks: int) -> None:
    click.echo(f"Indexing built-in knowledge pack {regime_id} ({chunks} chunks)...", err=True)


pass_app = click.make_pass_decorator(AppContext)
