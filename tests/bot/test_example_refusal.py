"""``python -m bot`` never serves example data to real people unless told to."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

import app.serve
from bot.__main__ import main
from capabilities.example_data import example_files
from core.settings import get_settings


@pytest.fixture(autouse=True)
def fresh_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:ABC")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'a.db'}")
    monkeypatch.delenv("ALLOW_EXAMPLE_DATA", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    calls: list[object] = []

    def fake_serve(settings: object) -> int:
        calls.append(settings)
        return 0

    monkeypatch.setattr(app.serve, "serve", fake_serve)
    return calls


def test_the_shipped_config_is_marked_as_examples() -> None:
    names = [name for name, _what in example_files()]
    assert names == ["appointments.yaml", "counsellor_hours.yaml"]


def test_a_telegram_token_with_example_data_refuses_to_start(
    served: list[object], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([]) == 3
    err = capsys.readouterr().err
    assert "Refus de démarrer" in err
    assert "config/appointments.yaml" in err and "créneaux de rendez-vous" in err
    assert "config/counsellor_hours.yaml" in err and "horaires des conseillers" in err
    assert "espaces.yaml" not in err  # unknown details are null, not examples
    assert "ALLOW_EXAMPLE_DATA=1" in err
    assert served == []


def test_allow_example_data_starts_and_warns(
    served: list[object], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("ALLOW_EXAMPLE_DATA", "1")
    with caplog.at_level(logging.WARNING):
        assert main([]) == 0
    assert len(served) == 1
    assert "démonstration" in caplog.text and "config/appointments.yaml" in caplog.text


def test_real_data_starts_without_the_flag(
    served: list[object], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("appointments.yaml", "espaces.yaml", "counsellor_hours.yaml"):
        (tmp_path / name).write_text("example: false\nplaceholder: false\n", encoding="utf-8")
    monkeypatch.setattr("capabilities.example_data.CONFIG", tmp_path)
    assert example_files(tmp_path) == []
    assert main([]) == 0 and len(served) == 1
