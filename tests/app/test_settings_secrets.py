"""Settings as compose gives them: secrets as files, a password with any character, empty
optional variables, and a log configuration that refuses nonsense."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from core.settings import ConfigError, Settings, load_settings, with_password

URL = "postgresql://assistant@postgres:5432/assistant"


@pytest.mark.parametrize("password", ["p@ss/w:rd#1", "100%secure?&", "é ü espace"])
def test_any_password_reaches_postgresql_intact(password: str) -> None:
    settings = load_settings(database_url=URL, database_password=password)
    url = make_url(settings.database_url)
    assert (url.username, url.password, url.host, url.port, url.database) == (
        "assistant",
        password,
        "postgres",
        5432,
        "assistant",
    )
    # the child process gets the settings as JSON: the same URL again, not encoded twice
    again = Settings.model_validate_json(settings.model_dump_json())
    assert again.database_url == settings.database_url


def test_a_password_without_postgresql_is_refused() -> None:
    with pytest.raises(ConfigError, match="DATABASE_PASSWORD"):
        load_settings(database_url="sqlite:///x.db", database_password="secret")


def test_ipv6_hosts_keep_their_brackets() -> None:
    assert (
        with_password("postgresql://u@[::1]:5433/db", "a:b") == "postgresql://u:a%3Ab@[::1]:5433/db"
    )


def test_docker_secrets_are_read_from_their_files(tmp_path: Path) -> None:
    (tmp_path / "telegram_bot_token").write_text("123:abc\n")
    (tmp_path / "database_password").write_text("p@ss")
    settings = Settings(_secrets_dir=tmp_path, database_url=URL)  # type: ignore[call-arg]
    assert settings.telegram_bot_token == "123:abc"
    assert make_url(settings.database_url).password == "p@ss"


def test_empty_optional_variables_mean_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_STAFF_CHAT_ID", "")  # what compose's ${VAR:-} passes
    monkeypatch.setenv("ASSISTANT_PROCESS", "0")
    settings = load_settings()
    assert settings.telegram_staff_chat_id is None
    assert settings.assistant_process is False


@pytest.mark.parametrize(("name", "value"), [("log_level", "LOUD"), ("log_format", "xml")])
def test_log_settings_name_the_variable_to_fix(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name.upper()):
        load_settings(**{name: value})


def test_log_settings_accept_any_case() -> None:
    settings = load_settings(log_level="debug", log_format="JSON")
    assert (settings.log_level, settings.log_format) == ("DEBUG", "json")


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"sms_provider": "twilio"}, "SMS_PROVIDER"),
        ({"sms_sender": "Assistant 20000"}, "SMS_SENDER"),  # a space, 15 characters
        ({"sms_sender": "Emplois20000"}, "SMS_SENDER"),  # 12 characters
        ({"brevo_base_url": "api.brevo.com"}, "BREVO_BASE_URL"),
        ({"sms_webhook_secret": "short"}, "SMS_WEBHOOK_SECRET"),
        ({"sms_provider": "brevo", "sms_webhook_secret": "s" * 20}, "BREVO_API_KEY"),
        ({"sms_provider": "brevo", "brevo_api_key": "xkeysib-1"}, "SMS_WEBHOOK_SECRET"),
    ],
)
def test_sms_settings_refuse_bad_values_naming_the_variable(
    overrides: dict[str, str], named: str
) -> None:
    with pytest.raises(ConfigError, match=named):
        load_settings(**overrides)


def test_sms_is_off_by_default_and_the_key_can_be_a_docker_secret(tmp_path: Path) -> None:
    assert load_settings().sms_provider == ""
    (tmp_path / "brevo_api_key").write_text("xkeysib-secret\n")
    settings = Settings(  # type: ignore[call-arg]
        _secrets_dir=tmp_path, sms_provider="BREVO", sms_webhook_secret="s" * 20
    )
    assert (settings.sms_provider, settings.brevo_api_key) == ("brevo", "xkeysib-secret")
    assert settings.sms_sender == "20000emploi" and len(settings.sms_sender) <= 11
