"""The production compose file, checked as text (no Docker engine on the test machines).

What an operator would notice: a service missing, a wrong image, a secret written in the file,
a bot that cannot reach Rasa or PostgreSQL, or no health checks to tell them what is wrong.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load((DOCKER / "compose.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def services(compose: dict[str, Any]) -> dict[str, Any]:
    result = compose["services"]
    assert isinstance(result, dict)
    return result


def test_the_three_parts_run_from_the_expected_images(compose: dict[str, Any]) -> None:
    svc = services(compose)
    assert {"bot", "rasa", "postgres"} <= set(svc)
    assert svc["rasa"]["image"] == "rasa/rasa:3.6.21-full"
    assert svc["rasa-train"]["image"] == "rasa/rasa:3.6.21-full"
    assert svc["postgres"]["image"].startswith("postgres:")
    assert svc["bot"]["build"] == {"context": "..", "dockerfile": "docker/Dockerfile"}
    dockerfile = (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11", dockerfile, re.MULTILINE)
    assert "requirements.txt" in dockerfile


def test_rasa_serves_the_trained_model_with_a_token(compose: dict[str, Any]) -> None:
    svc = services(compose)
    command = svc["rasa"]["command"]
    assert command[0] == "run"
    assert "--enable-api" in command
    assert command[command.index("--auth-token") + 1] == "${RASA_TOKEN:?set RASA_TOKEN}"
    assert command[command.index("--model") + 1] == "models/nlu.tar.gz"
    assert "ports" not in svc["rasa"], "only the bot talks to Rasa"
    assert svc["rasa"]["depends_on"]["rasa-train"]["condition"] == (
        "service_completed_successfully"
    )
    train = svc["rasa-train"]["command"]
    assert train[:2] == ["train", "nlu"]
    assert train[train.index("--fixed-model-name") + 1] == "nlu"
    for option, path in [("--config", "config.yml"), ("--domain", "domain.yml")]:
        assert train[train.index(option) + 1] == f"nlu/{path}"
        assert (ROOT / "nlu" / path).is_file()
    for service in ("rasa", "rasa-train"):
        assert svc[service]["environment"]["RASA_TELEMETRY_ENABLED"] == "false"


def test_the_bot_is_wired_to_rasa_and_postgres(compose: dict[str, Any]) -> None:
    svc = services(compose)
    env = svc["bot"]["environment"]
    assert env["RASA_URL"] == "http://rasa:5005"
    assert env["RASA_TOKEN"].startswith("${RASA_TOKEN")
    assert env["DATABASE_URL"].startswith("postgresql://assistant:${POSTGRES_PASSWORD")
    assert env["DATABASE_URL"].endswith("@postgres:5432/assistant")
    assert env["TZ"] == "Europe/Paris"
    assert svc["bot"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert svc["bot"]["ports"] == ["127.0.0.1:8080:8080"], "console only behind a local proxy"


def test_every_long_running_service_has_a_healthcheck(compose: dict[str, Any]) -> None:
    for name in ("bot", "rasa", "postgres"):
        check = services(compose)[name]["healthcheck"]
        assert check["test"][0] in {"CMD", "CMD-SHELL"}, name
        assert check["retries"] >= 3, name
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


def test_no_secret_is_written_in_the_files(compose: dict[str, Any]) -> None:
    secrets = ("PASSWORD", "TOKEN", "SECRET")
    for name, service in services(compose).items():
        for key, value in (service.get("environment") or {}).items():
            if any(word in key for word in secrets):
                assert str(value).startswith("${"), f"{name}.{key} must come from the env"
    assert "POSTGRES_PASSWORD=change-me" in (DOCKER / ".env.example").read_text()
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert "docker/.env" in ignored


def test_the_build_context_leaves_out_caches_and_secrets() -> None:
    ignored = (DOCKER / "Dockerfile.dockerignore").read_text().split()
    assert {".git", ".venv", ".cache", "var"} <= set(ignored)
