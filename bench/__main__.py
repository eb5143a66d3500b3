"""Run every benchmark in turn (``make bench``); each prints its own numbers.

``python -m bench NAME…`` runs only the named ones. Each runs in its own process so that
memory and start-up numbers are not polluted by the previous one.
"""

from __future__ import annotations

import argparse
import ast
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
    "webchat",
    "nlu_rasa",
]


def available() -> dict[str, str]:
    """Every benchmark module and the first line of its docstring (read, not imported)."""
    found = {}
    for path in sorted(HERE.glob("[!_]*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        found[path.stem] = doc.split("\n")[0]
    return found


def parser() -> argparse.ArgumentParser:
    """``python -m bench [NAME…]``; ``--help`` lists the benchmarks."""
    lines = [f"  {name:<13} {summary}" for name, summary in available().items()]
    return argparse.ArgumentParser(
        prog="python -m bench",
        description="Run the benchmarks (all of them in this order without a name: "
        + ", ".join(ORDER)
        + "). Each runs in its own process.",
        epilog="benchmarks:\n" + "\n".join(lines),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def main(names: list[str]) -> int:
    """Run the chosen benchmarks; an unknown name is refused before anything runs."""
    cli = parser()
    cli.add_argument("names", nargs="*", metavar="NAME", help="benchmarks to run")
    names = cli.parse_args(names).names
    unknown = [name for name in names if name not in available()]
    if unknown:
        cli.error(f"unknown benchmark(s): {', '.join(unknown)} (see --help)")
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
