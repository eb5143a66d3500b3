"""Benchmark of Rasa 3.6.21 as the NLU engine, next to the embedded one (same run, same texts).

Measures: Rasa parse latency over HTTP on loopback through the bot's client (p50/p95), the
Rasa server's resident memory (VmRSS), its start-up time, held-out accuracy/macro-F1 of both
engines on tests/nlu/test_data.yml, and with ``--cv`` the 5-fold cross-validation of both
(slow: Rasa trains five models, about 2 minutes each on this shared 2-core machine).

Run: ``.venv/bin/python -m bench.nlu_rasa [--cv] [--retrain]`` (prints JSON, then a summary).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlu import evaluate, rasa_env, rasa_server  # noqa: E402
from nlu.rasa_client import CircuitBreaker, RasaClient, RasaNluService  # noqa: E402
from nlu.rasa_evaluate import register  # noqa: E402
from nlu.service import NluService  # noqa: E402
from nlu.trainingdata import load_directory, load_file  # noqa: E402

TEST_FILE = ROOT / "tests" / "nlu" / "test_data.yml"
ROUNDS = 3  # passes over the held-out texts for latency (about 850 requests)


def _percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
        "mean_ms": round(statistics.fmean(ordered), 2),
        "n": len(ordered),
    }


async def _rasa_over_http(server: rasa_server.RasaServer, texts: list[str]) -> dict[str, Any]:
    service = RasaNluService(
        RasaClient(server.url, token=server.token, timeout_s=10.0),
        breaker=CircuitBreaker(failure_threshold=10_000),
    )
    await service.start()
    try:
        for text in texts[:20]:  # warm-up
            await service.parse(text)
        samples: list[float] = []
        client_only: list[float] = []
        for _ in range(ROUNDS):
            for text in texts:
                started = time.perf_counter()
                await service.client.parse(text)
                client_only.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                await service.parse(text)
                samples.append((time.perf_counter() - started) * 1000)
        predicted = [(await service.parse(t))["intent"]["name"] for t in texts]
        assert service.answered["embedded"] == 0, "Rasa must answer every benchmark message"
        return {
            "http_client": _percentiles(client_only),
            "service": _percentiles(samples),
            "predicted": predicted,
        }
    finally:
        await service.close()


def _embedded_latency(texts: list[str]) -> dict[str, float]:
    service = NluService()
    engine = service.embedded
    for text in texts[:20]:
        engine.parse(text)
    samples = []
    for _ in range(ROUNDS):
        for text in texts:
            started = time.perf_counter()
            engine.parse(text)
            samples.append((time.perf_counter() - started) * 1000)
    return _percentiles(samples)


def _brief(report: dict[str, Any]) -> dict[str, Any]:
    keep = ("accuracy", "macro_f1", "n", "fold_accuracy")
    return {k: report[k] for k in keep if k in report}


def main(argv: list[str] | None = None) -> int:
    """Measure and print; returns 0, or 1 when Rasa cannot run on this machine."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cv", action="store_true", help="also 5-fold CV (slow)")
    parser.add_argument("--retrain", action="store_true", help="retrain to time training")
    args = parser.parse_args(argv)
    try:
        rasa_env.ensure_venv(quiet=True)
    except rasa_env.RasaUnavailable as exc:
        print(json.dumps({"skipped": str(exc)}))
        return 1
    result: dict[str, Any] = {"rasa_version": rasa_env.RASA_VERSION}
    started = time.perf_counter()
    model = rasa_env.train(force=args.retrain, quiet=True)
    result["train_s" if args.retrain else "train_or_cache_s"] = round(
        time.perf_counter() - started, 1
    )

    examples = load_file(TEST_FILE).examples
    texts = [e.text for e in examples]
    gold = [e.intent for e in examples]
    server = rasa_server.RasaServer(model, rasa_server.free_port(), secrets.token_urlsafe(16))
    try:
        server.start()
        result["server_ready_s"] = round(server.wait_ready(), 1)
        result["server_rss_mb_loaded"] = round(server.rss_mb(), 1)
        http = asyncio.run(_rasa_over_http(server, texts))
        result["server_rss_mb_after_parses"] = round(server.rss_mb(), 1)
    finally:
        server.stop()
    result["rasa_parse_http"] = http["http_client"]
    result["rasa_parse_service"] = http["service"]
    result["rasa_held_out"] = _brief(evaluate.score(gold, http["predicted"]))

    embedded_latency = _embedded_latency(texts)
    result["embedded_parse_inprocess"] = embedded_latency
    result["embedded_held_out"] = _brief(evaluate.evaluate_file(TEST_FILE, "embedded"))
    result["ratio_rasa_http_p50_over_embedded_p50"] = round(
        http["http_client"]["p50_ms"] / embedded_latency["p50_ms"], 1
    )
    result["ratio_rasa_http_p95_over_embedded_p95"] = round(
        http["http_client"]["p95_ms"] / embedded_latency["p95_ms"], 1
    )

    if args.cv:
        register(evaluate.PREDICTORS, evaluate.TRAINERS)
        data = load_directory(rasa_env.DATA)
        for engine in ("embedded", "rasa"):
            started = time.perf_counter()
            report = evaluate.cross_validate(data, 5, engine=engine)
            result[f"{engine}_cv5"] = {
                **_brief(report),
                "seconds": round(time.perf_counter() - started, 1),
            }
    else:
        result["cv"] = "not run (add --cv: Rasa trains five models)"

    print(json.dumps(result, indent=2, ensure_ascii=False))
    rasa, emb = result["rasa_held_out"], result["embedded_held_out"]
    print(
        f"Rasa over HTTP p50 {http['http_client']['p50_ms']} ms, "
        f"p95 {http['http_client']['p95_ms']} ms; embedded in-process p50 "
        f"{embedded_latency['p50_ms']} ms, p95 {embedded_latency['p95_ms']} ms. "
        f"Rasa server RSS {result['server_rss_mb_after_parses']} MB. Held-out accuracy / "
        f"macro-F1: Rasa {rasa['accuracy']} / {rasa['macro_f1']}, "
        f"embedded {emb['accuracy']} / {emb['macro_f1']}."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
