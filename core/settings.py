"""Typed, env-first configuration, validated once at start-up.

Every variable of the contract in ``docs/architecture.md`` lives here. Secrets come from
the environment only; nothing secret is written in a file of the repository.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
SECRETS_DIR = "/run/secrets"
STAFF_LANGUAGES = ("fr", "en", "ar")  # complete catalogs (core.i18n.OFFERED)


class ConfigError(RuntimeError):
    """The configuration is invalid; the message names the variable to fix."""


class Settings(BaseSettings):
    """The assistant's configuration, read from the environment."""

    # Docker secrets: a file per secret under /run/secrets (``rasa_token``, ``database_password``…),
    # read when the variable itself is not set.
    model_config = SettingsConfigDict(
        env_prefix="",
        case_sensitive=False,
        extra="ignore",
        env_ignore_empty=True,  # ``TELEGRAM_STAFF_CHAT_ID=`` (compose's ``:-``) means unset
        secrets_dir=SECRETS_DIR if Path(SECRETS_DIR).is_dir() else None,
    )

    database_url: str = Field(default=f"sqlite:///{ROOT / 'var' / 'assistant.db'}")
    # The PostgreSQL password apart from DATABASE_URL: any character works (``@ / : #``…),
    # it is percent-encoded into the URL here.
    database_password: str | None = None
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
    default_locale: str = "fr"
    # The language of what staff read: the staff group's cards and notices, the console.
    staff_language: str = "fr"
    # Per-person flood guard: more than this many messages in the window get one polite notice.
    throttle_messages: int = 20
    throttle_window_s: float = 10.0
    # High load: the assistant's turns run in a child process (its own interpreter and core),
    # python-telegram-bot keeps the main one (``bot/assistant_process.py``).
    assistant_process: bool = False
    # Operations (docs/operations.md): logs, metrics, the proxy in front of the HTTP server.
    log_level: str = "INFO"
    log_format: str = "text"  # text | json (one JSON object per line)
    metrics_token: str | None = None  # /metrics needs "Authorization: Bearer <token>"
    # Proxies whose X-Forwarded-For/-Proto the HTTP server believes (addresses or networks,
    # comma separated; "*" = any; console/addresses.py). Empty: the connection's own address is
    # the client's (sign-in throttle, session list, Secure redirects).
    forwarded_allow_ips: str = "127.0.0.1,::1"
    # Serve Telegram although the agenda, the Espaces' details or the counsellors' hours are
    # still examples (``capabilities/example_data.py``); every booking then says so.
    allow_example_data: bool = False
    # Webhook mode (``docs/replicas.md``): Telegram POSTs updates to this public https URL,
    # served on the console's HTTP server at the URL's path; polling is then never started.
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = Field(default=None, validate_default=True)
    telegram_webhook_max_connections: int = Field(default=40, ge=1, le=100)
    # Several replicas share Telegram's bot-wide limit through Redis (``limits``); without
    # it, each process limits itself (one replica).
    redis_url: str | None = None
    telegram_limiter_prefix: str = "assistant:telegram"
    # The web chat (``webchat/``): pages of these origins may embed the widget (comma
    # separated, e.g. "https://20000emplois.fr,https://www.20000emplois.fr"); the chat's own
    # origin is always allowed. The secret signs visitor ids (defaults to the console's).
    webchat_allowed_origins: str = ""
    webchat_secret_key: str | None = None
    webchat_max_chars: int = 1000
    webchat_visitor_per_minute: int = 30
    webchat_address_per_minute: int = 120
    # SMS for participants without Telegram (docs/sms.md): ``brevo`` or empty (off). The API
    # key is a secret (also read from /run/secrets/brevo_api_key); the sender is what the
    # phone shows (Brevo: at most 11 letters or digits); inbound replies and delivery reports
    # come to /sms/brevo/<SMS_WEBHOOK_SECRET>.
    sms_provider: str = ""
    brevo_api_key: str | None = None
    sms_sender: str = "20000emploi"
    brevo_base_url: str = "https://api.brevo.com/v3"
    sms_webhook_secret: str | None = None

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:")):
            raise ValueError("DATABASE_URL must start with sqlite: or postgresql:")
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value

    @model_validator(mode="after")
    def _password_into_url(self) -> Settings:
        if not self.database_password:
            return self
        if not self.database_url.startswith("postgresql"):
            raise ValueError("DATABASE_PASSWORD is for a postgresql: DATABASE_URL")
        self.database_url = with_password(self.database_url, self.database_password)
        return self

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = value.strip().upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return value

    @field_validator("log_format")
    @classmethod
    def _format(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in {"text", "json"}:
            raise ValueError("LOG_FORMAT must be text or json")
        return value

    @field_validator("staff_language")
    @classmethod
    def _staff_language(cls, value: str) -> str:
        value = (value or "").strip().lower()
        if value not in STAFF_LANGUAGES:
            raise ValueError("STAFF_LANGUAGE must be fr, en or ar")
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("TELEGRAM_API_URL must be an http(s) URL")
        return value

    @field_validator("telegram_webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        return _WebhookChecks.url(value)

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _WebhookChecks.secret(value, info.data.get("telegram_webhook_url"))

    @field_validator("sms_provider")
    @classmethod
    def _sms_provider(cls, value: str) -> str:
        value = (value or "").strip().lower()
        if value not in {"", "brevo"}:
            raise ValueError("SMS_PROVIDER must be brevo or empty (no SMS)")
        return value

    @field_validator("sms_sender")
    @classmethod
    def _sms_sender(cls, value: str) -> str:
        if not _SENDER.fullmatch(value or ""):
            raise ValueError("SMS_SENDER must be 1-11 letters or digits (A-Z a-z 0-9)")
        return value

    @field_validator("brevo_base_url")
    @classmethod
    def _brevo_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("BREVO_BASE_URL must be an http(s) URL")
        return value.rstrip("/")

    @field_validator("sms_webhook_secret")
    @classmethod
    def _sms_secret(cls, value: str | None) -> str | None:
        if value and not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", value):
            raise ValueError("SMS_WEBHOOK_SECRET must be 16-256 characters among A-Z a-z 0-9 _ -")
        return value or None

    @model_validator(mode="after")
    def _sms_complete(self) -> Settings:
        if self.sms_provider == "brevo" and not self.brevo_api_key:
            raise ValueError("BREVO_API_KEY is required with SMS_PROVIDER=brevo")
        if self.sms_provider == "brevo" and not self.sms_webhook_secret:
            raise ValueError("SMS_WEBHOOK_SECRET is required with SMS_PROVIDER=brevo")
        return self

    @field_validator("redis_url")
    @classmethod
    def _redis(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        assert value is not None
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("REDIS_URL must start with redis://, rediss:// or unix://")
        return value


_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_SENDER = re.compile(r"[A-Za-z0-9]{1,11}")


class _WebhookChecks:
    """Validators of the webhook variables (kept apart from the model for reading)."""

    @staticmethod
    def url(value: str | None) -> str | None:
        if value in (None, ""):
            return None
        assert value is not None
        if not value.startswith("https://") or len(value) <= len("https://"):
            raise ValueError("TELEGRAM_WEBHOOK_URL must be a public https:// URL")
        return value

    @staticmethod
    def secret(value: str | None, url: str | None) -> str | None:
        if url and not value:
            raise ValueError(
                "TELEGRAM_WEBHOOK_SECRET is required with TELEGRAM_WEBHOOK_URL"
                " (1-256 characters among A-Z a-z 0-9 _ -)"
            )
        if value and not _SECRET.fullmatch(value):
            raise ValueError(
                "TELEGRAM_WEBHOOK_SECRET must be 1-256 characters among A-Z a-z 0-9 _ -"
            )
        return value or None


def with_password(url: str, password: str) -> str:
    """``url`` with its user's password set, percent-encoded (``p@ss/w:rd#`` is fine)."""
    parts = urlsplit(url)
    user = unquote(parts.username or "")
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{host}"
    return urlunsplit(parts._replace(netloc=netloc))


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
