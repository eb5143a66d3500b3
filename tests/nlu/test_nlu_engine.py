"""Engine life cycle (cache by fingerprint), evaluation helpers, CLI and service."""

from __future__ import annotations

import json
import shutil
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from nlu import __main__ as cli
from nlu.engine import DATA_DIR, EmbeddedEngine, fingerprint
from nlu.evaluate import score, split_folds
from nlu.service import NluService
from nlu.trainingdata import Example

MONDAY = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))  # a Monday, month end


def test_second_start_loads_from_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = EmbeddedEngine.from_data_dir(DATA_DIR, tmp_path)
    assert not first.loaded_from_cache
    assert len(list(tmp_path.glob("*.npz"))) == 1

    def no_training(*_: object) -> EmbeddedEngine:
        raise AssertionError("retrained although the cache was valid")

    monkeypatch.setattr(EmbeddedEngine, "train", classmethod(no_training))
    started = time.perf_counter()
    second = EmbeddedEngine.from_data_dir(DATA_DIR, tmp_path)
    assert second.loaded_from_cache
    assert time.perf_counter() - started < 0.5
    text = "rdv demain 14h à la gare pour une formation cariste"
    assert second.parse(text, MONDAY) == first.parse(text, MONDAY)


def test_changed_data_retrains(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    before = fingerprint(data)
    with (data / "nlu.yml").open("a", encoding="utf-8") as handle:
        handle.write("    - encore un exemple de test\n")
    assert fingerprint(data) != before
    engine = EmbeddedEngine.from_data_dir(data, tmp_path / "cache")
    assert not engine.loaded_from_cache


def test_broken_cache_file_is_rebuilt(tmp_path: Path) -> None:
    (tmp_path / f"{fingerprint(DATA_DIR)}.npz").write_bytes(b"not a model")
    engine = EmbeddedEngine.from_data_dir(DATA_DIR, tmp_path)
    assert not engine.loaded_from_cache
    assert engine.parse("bonjour")["intent"]["name"] == "greet"


def test_folds_are_stratified_disjoint_and_fixed() -> None:
    examples = [Example(f"t{i}", "a" if i % 3 else "b") for i in range(30)]
    folds = split_folds(examples, 5, seed=1)
    assert folds == split_folds(examples, 5, seed=1)
    tested = sorted(i for _, test in folds for i in test)
    assert tested == list(range(30))
    for train, test in folds:
        assert not set(train) & set(test)
        assert sum(1 for i in test if examples[i].intent == "b") == 2


def test_score() -> None:
    report = score(["a", "a", "b", "b"], ["a", "b", "b", "b"])
    assert report["accuracy"] == 0.75
    assert report["per_intent"]["a"] == {
        "precision": 1.0,
        "recall": 0.5,
        "f1": 0.6667,
        "support": 2,
    }
    assert report["per_intent"]["b"]["precision"] == 0.6667
    assert report["confusions"] == [{"gold": "a", "predicted": "b", "count": 1}]


def test_cli_parse_and_evaluate(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["parse", "merci beaucoup"]) == 0
    assert json.loads(capsys.readouterr().out)["intent"]["name"] == "thanks"
    test_file = str(Path(__file__).parent / "test_data.yml")
    assert cli.main(["evaluate", test_file]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {"accuracy", "macro_f1", "per_intent", "confusions"} <= set(report)


async def test_service(engine: EmbeddedEngine) -> None:
    service = NluService(engine)
    await service.start()
    result = await service.parse("je cherche un logement à Gravelines", MONDAY)
    assert result["intent"]["name"] == "ask_housing"
    assert service.engine_name(result) == "embedded"
    await service.close()
