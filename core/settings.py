"""Typed, env-first configuration, validated once at start-up.

Every variable of the contract in ``docs/architecture.md`` lives here. Secrets come from
the environment only; nothing secret is written in a file of the repository.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """The configuration is invalid; the message names the variable to fix."""


class Settings(BaseSettings):
    """The assistant's configuration, read from the environment."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    database_url: str = Field(default=f"sqlite:///{ROOT / 'var' / 'assistant.db'}")
    telegram_bot_token: str | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_staff_chat_id: int | None = None
    telegram_bot_username: str | None = None
    rasa_url: str | None = None
    rasa_token: str | None = None
    rasa_timeout_s: float = 2.0
    nlu_threshold: float = 0.45
    console_host: str = "127.0.0.1"
    console_port: int = 8080
    console_secret_key: str | None = None
    console_https_only: bool = False  # Secure session cookie (behind an HTTPS proxy)
    # Proxies whose X-Forwarded-For the console believes (addresses/networks, comma separated;
    # "*" = any). Empty: the connection's own address is the client's (sign-in throttle).
    forwarded_allow_ips: str = ""
    default_locale: str = "fr"
    # Per-person flood guard: more than this many messages in the window get one polite notice.
    throttle_messages: int = 20
    throttle_window_s: float = 10.0
    # High load: the assistant's turns run in a child process (its own interpreter and core),
    # python-telegram-bot keeps the main one (``bot/assistant_process.py``).
    assistant_process: bool = False

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:")):
            raise ValueError("DATABASE_URL must start with sqlite: or postgresql:")
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("TELEGRAM_API_URL must be an http(s) URL")
        return value


def load_settings(**overrides: object) -> Settings:
    """Read the environment once; fail fast with a message naming the bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        names = ", ".join(str(err["loc"][0]).upper() for err in exc.errors() if err["loc"])
        details = "; ".join(err["msg"] for err in exc.errors())
        raise ConfigError(f"Configuration invalide ({names}) : {details}") from exc


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, validated on first use."""
    return load_settings()
