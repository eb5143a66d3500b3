"""Run every benchmark in turn (``make bench``); each prints its own numbers.

``python -m bench NAME…`` runs only the named ones. Each runs in its own process so that
memory and start-up numbers are not polluted by the previous one.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = [
    "cold_start",
    "nlu_parse",
    "telegram_e2e",
    "booking",
    "planning",
    "dispatch",
    "crash",
    "replicas",
    "console",
    "nlu_rasa",
]


def main(names: list[str]) -> int:
    """Run the chosen benchmarks; a missing one is reported, not fatal."""
    chosen = names or [name for name in ORDER if (HERE / f"{name}.py").exists()]
    failures = 0
    for name in chosen:
        path = HERE / f"{name}.py"
        if not path.exists():
            print(f"== {name}: absent")
            continue
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", f"bench.{name}"], check=False)
        print(f"   ({time.perf_counter() - started:.1f} s, exit {result.returncode})", flush=True)
        failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
