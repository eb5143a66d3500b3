"""The production compose file, checked as text (no Docker engine on the test machines).

First against the Compose Specification's JSON schema (``tests/docker/schema/``, a copy of
``../shared/schemas/compose-spec.json``), then what an operator would notice: a service
missing, a setting the bot needs that is not passed, a secret written in the file or visible
in a container's variables or command line, a bot that waits for Rasa, or health checks that
do not say whether it works.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
SCHEMA = Path(__file__).parent / "schema" / "compose-spec.json"
SHARED_SCHEMA = ROOT.parent / "shared" / "schemas" / "compose-spec.json"
SECRET_WORDS = ("PASSWORD", "TOKEN", "SECRET")
# Settings whose default is what production wants, with the reason.
DEFAULT_IN_PRODUCTION = {
    "telegram_api_url": "Telegram's own API",
    "nlu_threshold": "tuned on nlu/data (docs/nlu.md)",
    "default_locale": "French",
    "throttle_messages": "the flood guard's tested values",
    "throttle_window_s": "the flood guard's tested values",
    # One replica with long polling is the compose file's shape; webhook mode and Redis are
    # for replicas (docs/replicas.md).
    "telegram_webhook_url": "polling",
    "telegram_webhook_secret": "polling",
    "telegram_webhook_max_connections": "polling",
    "redis_url": "one replica limits itself",
    "telegram_limiter_prefix": "one replica limits itself",
    # The web chat: visitor ids signed with CONSOLE_SECRET_KEY unless a key of its own is set;
    # the message and rate limits are the tested ones (docs/webchat.md).
    "webchat_secret_key": "signed with the console's secret",
    "webchat_max_chars": "the tested limits",
    "webchat_visitor_per_minute": "the tested limits",
    "webchat_address_per_minute": "the tested limits",
    # SMS is off in the shipped file (SMS_PROVIDER empty); turning it on adds these two as
    # Docker secrets (docs/sms.md).
    "brevo_api_key": "SMS off by default",
    "sms_webhook_secret": "SMS off by default",
}
# Settings given as Docker secrets (a file named after the setting under /run/secrets).
SECRET_SETTINGS = {
    "database_password",
    "rasa_token",
    "telegram_bot_token",
    "console_secret_key",
    "metrics_token",
}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load((DOCKER / "compose.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def services(compose: dict[str, Any]) -> dict[str, Any]:
    result = compose["services"]
    assert isinstance(result, dict)
    return result


def validator() -> jsonschema.Draft7Validator:
    """The specification's schema is draft 7 (its ``$schema`` spells the URL without ``#``)."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def test_the_file_follows_the_compose_specification(compose: dict[str, Any]) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator().iter_errors(compose)]
    assert not errors


def test_the_schema_is_the_teams_copy() -> None:
    if not SHARED_SCHEMA.exists():
        pytest.skip("../shared/schemas is not beside the project here")
    assert SCHEMA.read_bytes() == SHARED_SCHEMA.read_bytes()


def test_the_schema_check_catches_a_mistake(compose: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(compose))
    broken["services"]["bot"]["depends_on"] = {"postgres": {"condition": "when_ready"}}
    broken["secrets"]["rasa_token"] = {"environment": "RASA_TOKEN", "from": "env"}
    errors = list(validator().iter_errors(broken))
    assert len(errors) == 2


def test_the_three_parts_run_from_the_expected_images(compose: dict[str, Any]) -> None:
    svc = services(compose)
    assert {"bot", "rasa", "postgres"} <= set(svc)
    assert svc["rasa"]["image"] == "rasa/rasa:3.6.21-full"
    assert svc["rasa-train"]["image"] == "rasa/rasa:3.6.21-full"
    assert svc["postgres"]["image"].startswith("postgres:")
    assert svc["bot"]["build"] == {"context": "..", "dockerfile": "docker/Dockerfile"}


def test_the_image_installs_the_runtime_lock_only_and_fails_on_a_broken_catalogue() -> None:
    dockerfile = (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11", dockerfile, re.MULTILINE)
    assert "--require-hashes" in dockerfile
    assert "requirements.lock" in dockerfile
    assert "requirements-dev" not in dockerfile  # no pytest, ruff, mypy, playwright…
    assert "pybabel compile" in dockerfile
    assert "|| true" not in dockerfile
    assert re.search(r"^USER (?!root)", dockerfile, re.MULTILINE)


def test_rasa_serves_the_trained_model_with_its_token_out_of_sight(
    compose: dict[str, Any],
) -> None:
    rasa = services(compose)["rasa"]
    command = rasa["command"]
    assert command[0] == "run"
    assert "--enable-api" in command
    assert command[command.index("--model") + 1] == "models/nlu.tar.gz"
    # not on the command line (ps, docker inspect), not in its variables: a secret file
    assert "--auth-token" not in command
    assert not any("RASA_TOKEN" in str(value) for value in rasa.get("environment", {}).values())
    assert "rasa_token" in rasa["secrets"]
    launcher = "\n".join(rasa["entrypoint"])
    assert "/run/secrets/rasa_token" in launcher
    assert "ports" not in rasa, "only the bot talks to Rasa"
    assert rasa["depends_on"]["rasa-train"]["condition"] == "service_completed_successfully"
    train = services(compose)["rasa-train"]["command"]
    assert train[:2] == ["train", "nlu"]
    assert train[train.index("--fixed-model-name") + 1] == "nlu"
    for option, path in [("--config", "config.yml"), ("--domain", "domain.yml")]:
        assert train[train.index(option) + 1] == f"nlu/{path}"
        assert (ROOT / "nlu" / path).is_file()
    for service in ("rasa", "rasa-train"):
        assert services(compose)[service]["environment"]["RASA_TELEMETRY_ENABLED"] == "false"


def test_the_bot_starts_without_waiting_for_rasa(compose: dict[str, Any]) -> None:
    bot = services(compose)["bot"]
    assert set(bot["depends_on"]) == {"postgres"}, "the embedded engine answers until Rasa is up"
    assert bot["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_the_bot_is_wired_to_rasa_postgres_and_its_proxy(compose: dict[str, Any]) -> None:
    bot = services(compose)["bot"]
    env = bot["environment"]
    assert env["RASA_URL"] == "http://rasa:5005"
    # no password in the URL: it comes apart, as a secret, and is percent-encoded by the bot
    assert env["DATABASE_URL"] == "postgresql://assistant@postgres:5432/assistant"
    assert {"source": "postgres_password", "target": "database_password"} in bot["secrets"]
    assert services(compose)["postgres"]["environment"]["POSTGRES_PASSWORD_FILE"] == (
        "/run/secrets/postgres_password"
    )
    assert env["TELEGRAM_BOT_USERNAME"].startswith("${TELEGRAM_BOT_USERNAME:?")
    assert env["CONSOLE_HTTPS_ONLY"] == "true", "HTTPS is terminated by the proxy"
    gateway = compose["networks"]["default"]["ipam"]["config"][0]["gateway"]
    assert env["FORWARDED_ALLOW_IPS"] == f"${{FORWARDED_ALLOW_IPS:-{gateway}}}"
    assert env["TZ"] == "Europe/Paris"
    assert bot["ports"] == ["127.0.0.1:8080:8080"], "console only behind a local proxy"


def test_every_setting_the_bot_needs_is_passed(compose: dict[str, Any]) -> None:
    bot = services(compose)["bot"]
    passed = {name.lower() for name in bot["environment"]}
    secrets = {
        item if isinstance(item, str) else item.get("target", item["source"])
        for item in bot["secrets"]
    }
    fields = set(Settings.model_fields)
    missing = fields - passed - secrets - set(DEFAULT_IN_PRODUCTION)
    assert not missing, f"pass these to the bot (or say why the default is right): {missing}"
    assert secrets == SECRET_SETTINGS
    assert secrets <= fields, "a secret's file must be named after the setting it fills"
    assert passed - {"tz"} <= fields, "a variable no setting reads"


def test_secrets_come_only_from_the_environment_as_docker_secrets(
    compose: dict[str, Any],
) -> None:
    for name, service in services(compose).items():
        for key, value in (service.get("environment") or {}).items():
            if any(word in key for word in SECRET_WORDS) and not key.endswith("_FILE"):
                raise AssertionError(f"{name}.{key}: a secret in a container's variables")
            assert not re.search(r"PASSWORD|TOKEN|SECRET", str(value)), f"{name}.{key}"
        for argument in [*service.get("command", []), *service.get("entrypoint", [])]:
            assert "${" not in str(argument), f"{name}: a variable on the command line"
    declared = compose["secrets"]
    for name, secret in declared.items():
        assert set(secret) == {"environment"}, f"secret {name} must come from the env"
    required = " ".join(compose["x-required"])
    for secret in declared.values():
        assert f"${{{secret['environment']}:?" in required, "a missing secret stops `up`"


def test_the_example_env_file_names_every_variable_and_stays_out_of_git() -> None:
    text = (DOCKER / "compose.yml").read_text(encoding="utf-8")
    used = set(re.findall(r"\$\{([A-Z_]+)", text))
    used |= set(re.findall(r"environment: ([A-Z_]+)", text))
    example = (DOCKER / ".env.example").read_text(encoding="utf-8")
    named = set(re.findall(r"^([A-Z_]+)=", example, re.MULTILINE))
    assert used <= named, f"missing from docker/.env.example: {used - named}"
    assert "POSTGRES_PASSWORD=change-me" in example
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert "docker/.env" in ignored
    assert "docker/.env" in (DOCKER / "Dockerfile.dockerignore").read_text().split()


def test_health_checks_ask_the_readiness_endpoint(compose: dict[str, Any]) -> None:
    for name in ("bot", "rasa", "postgres"):
        check = services(compose)[name]["healthcheck"]
        assert check["test"][0] in {"CMD", "CMD-SHELL"}, name
        assert check["retries"] >= 3, name
    bot_check = " ".join(services(compose)["bot"]["healthcheck"]["test"])
    assert "/readyz" in bot_check
    assert "socket" not in bot_check, "an open port is not a working bot"
    rasa_check = " ".join(services(compose)["rasa"]["healthcheck"]["test"])
    assert "/status" in rasa_check
    assert "model_file" in rasa_check


def test_data_lives_in_declared_volumes(compose: dict[str, Any]) -> None:
    declared = set(compose["volumes"])
    used = {
        volume.split(":")[0]
        for service in services(compose).values()
        for volume in service.get("volumes", [])
        if not volume.startswith(("../", "./", "/"))
    }
    assert used == declared == {"pgdata", "rasa-models", "botvar"}
    assert "pgdata:/var/lib/postgresql/data" in services(compose)["postgres"]["volumes"]
    assert "rasa-models:/app/models:ro" in services(compose)["rasa"]["volumes"]


def test_the_build_context_leaves_out_caches_and_secrets() -> None:
    ignored = (DOCKER / "Dockerfile.dockerignore").read_text().split()
    assert {".git", ".venv", ".cache", "var", "tests"} <= set(ignored)


def test_the_rasa_launcher_hands_over_a_token_that_begins_with_a_dash(
    compose: dict[str, Any], tmp_path: Path
) -> None:
    """The launcher runs for real, with a stand-in ``rasa`` that parses like Rasa (argparse)."""
    rasa = services(compose)["rasa"]
    entry = rasa["entrypoint"]
    assert entry[:2] == ["python", "-c"]
    secret = tmp_path / "rasa_token"
    secret.write_text("-Ab_3x9\n", encoding="utf-8")  # token_urlsafe can start with "-"
    stand_in = tmp_path / "rasa"
    stand_in.mkdir()
    (stand_in / "__init__.py").write_text("")
    (stand_in / "__main__.py").write_text(
        "import argparse, sys\n"
        "def main():\n"
        "    parser = argparse.ArgumentParser(prog='rasa')\n"
        "    parser.add_argument('command')\n"
        "    parser.add_argument('--enable-api', action='store_true')\n"
        "    parser.add_argument('-i')\n"
        "    parser.add_argument('-p')\n"
        "    parser.add_argument('--model')\n"
        "    parser.add_argument('--auth-token')\n"
        "    print(repr(parser.parse_args(sys.argv[1:]).auth_token))\n"
    )
    script = entry[2].replace("/run/secrets/rasa_token", str(secret))
    done = subprocess.run(
        [sys.executable, "-c", script, *rasa["command"]],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path)},
        check=False,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == repr("-Ab_3x9")
