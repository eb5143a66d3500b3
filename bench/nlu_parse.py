"""Benchmark of the embedded NLU: training time, cache load, parse latency, memory.

Run: ``.venv/bin/python bench/nlu_parse.py`` (prints JSON). Short on purpose: the machine
is shared. ``--load-only`` is the child process that measures a cached start alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlu.engine import DATA_DIR, EmbeddedEngine  # noqa: E402
from nlu.trainingdata import load_directory, load_file  # noqa: E402

TEST_FILE = ROOT / "tests" / "nlu" / "test_data.yml"


def _rss_mb() -> tuple[float, float]:
    """(current RSS, peak RSS) of this process in MB, from /proc (VmRSS, VmHWM).

    VmHWM rather than getrusage's ru_maxrss, which Linux carries over a fork+exec and
    would report the parent's peak for the --load-only child.
    """
    status = {}
    with open("/proc/self/status") as handle:
        for line in handle:
            key, _, rest = line.partition(":")
            status[key] = rest.strip()
    current = int(status["VmRSS"].split()[0]) / 1024
    peak = int(status["VmHWM"].split()[0]) / 1024
    return round(current, 1), round(peak, 1)


def load_only(cache_dir: Path) -> dict[str, float]:
    """A fresh process: import, load the cached model, parse once; time and memory."""
    started = time.perf_counter()
    engine = EmbeddedEngine.from_data_dir(DATA_DIR, cache_dir)
    engine.parse("bonjour")
    elapsed = time.perf_counter() - started
    current, peak = _rss_mb()
    return {
        "cached_start_s": round(elapsed, 4),
        "from_cache": engine.loaded_from_cache,
        "rss_mb": current,
        "peak_rss_mb": peak,
    }


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def main() -> None:
    """Measure and print JSON."""
    if len(sys.argv) > 2 and sys.argv[1] == "--load-only":
        print(json.dumps(load_only(Path(sys.argv[2]))))
        return
    data = load_directory(DATA_DIR)
    started = time.perf_counter()
    engine = EmbeddedEngine.train(data)
    train_s = time.perf_counter() - started
    _, peak_after_training = _rss_mb()

    texts = [e.text for e in load_file(TEST_FILE).examples] + [e.text for e in data.examples]
    for text in texts[:200]:  # warm-up (typo memo, allocator)
        engine.parse(text)
    timings: list[float] = []
    cpu: list[float] = []
    for _ in range(2):
        for text in texts:
            t0, c0 = time.perf_counter(), time.thread_time()
            engine.parse(text)
            cpu.append((time.thread_time() - c0) * 1000)
            timings.append((time.perf_counter() - t0) * 1000)
    with tempfile.TemporaryDirectory() as tmp:
        EmbeddedEngine.from_data_dir(DATA_DIR, Path(tmp))  # write the cache
        child = subprocess.run(
            [sys.executable, __file__, "--load-only", tmp],
            capture_output=True,
            text=True,
            check=True,
        )
    result = {
        "examples": len(data.examples),
        "features": len(engine.vectorizer.vocab),
        "train_s": round(train_s, 3),
        "peak_rss_training_mb": peak_after_training,
        "parses": len(timings),
        "parse_ms_p50": round(percentile(timings, 50), 3),
        "parse_ms_p95": round(percentile(timings, 95), 3),
        "parse_ms_p99": round(percentile(timings, 99), 3),
        "parse_ms_max": round(max(timings), 3),
        "parse_cpu_ms_p50": round(percentile(cpu, 50), 3),
        "parse_cpu_ms_p95": round(percentile(cpu, 95), 3),
        "load_average_1min": round(os.getloadavg()[0], 2),
        **json.loads(child.stdout),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
