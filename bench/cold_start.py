"""Cold start to ready: a new process migrates a fresh database and trains the embedded NLU.

Prints the wall time from interpreter start to "ready" and the resident memory (max RSS)
of that process, for a fresh SQLite file and for a second start (cached NLU model).
Targets (issue 2): cold start ≤ 3 s, RSS ≤ 200 MB.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import time, resource, json, asyncio
t0 = time.perf_counter()
from core.settings import load_settings
from app.build import build_context
from core.messages import Incoming, Kind
assistant = build_context(load_settings()).assistant
replies = asyncio.run(assistant.handle(Incoming("local", "bench", Kind.TEXT, text="bonjour")))
ready = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"ready_s": round(ready, 3), "rss_mb": round(rss, 1), "replies": len(replies)}))
"""


def run_once(env: dict[str, str]) -> dict[str, float]:
    """One child process from interpreter start; returns its numbers (plus process time)."""
    import time

    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    result["process_s"] = round(time.perf_counter() - started, 3)
    return result


def main() -> None:
    """Measure a cold start (empty DB, no NLU cache) and a warm one."""
    tmp = Path(tempfile.mkdtemp(prefix="cold-start-"))
    try:
        env = dict(os.environ)
        env["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.db'}"
        env["NLU_CACHE_DIR"] = str(tmp / "nlu-cache")
        env.pop("RASA_URL", None)
        cold = run_once(env)
        warm = run_once(env)
        print(
            f"cold start (fresh DB, no NLU cache): ready {cold['ready_s']} s, "
            f"process {cold['process_s']} s, max RSS {cold['rss_mb']} MB (targets ≤ 3 s, ≤ 200 MB)"
        )
        print(
            f"warm start (migrated DB, cached NLU): ready {warm['ready_s']} s, "
            f"process {warm['process_s']} s, max RSS {warm['rss_mb']} MB"
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
