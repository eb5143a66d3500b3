"""Command line: ``python -m nlu parse|evaluate|cross-validate`` (prints JSON)."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

from nlu import evaluate
from nlu.engine import DATA_DIR
from nlu.trainingdata import load_directory


def _register_optional_engines() -> None:
    """Engines living in optional modules (e.g. Rasa) add themselves to the registries."""
    try:
        module = importlib.import_module("nlu.rasa_evaluate")
    except ImportError:
        return
    register = getattr(module, "register", None)
    if callable(register):
        register(evaluate.PREDICTORS, evaluate.TRAINERS)


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    _register_optional_engines()
    engines = sorted(evaluate.PREDICTORS)
    parser = argparse.ArgumentParser(prog="python -m nlu", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_parse = sub.add_parser("parse", help="parse one message")
    p_parse.add_argument("text")
    p_eval = sub.add_parser("evaluate", help="evaluate on a Rasa YAML test file")
    p_eval.add_argument("file", type=Path)
    p_eval.add_argument("--engine", choices=engines, default="embedded")
    p_eval.add_argument("--brief", action="store_true", help="omit per-intent details")
    p_cv = sub.add_parser("cross-validate", help="stratified k-fold on nlu/data")
    p_cv.add_argument("--folds", type=int, default=5)
    p_cv.add_argument("--seed", type=int, default=evaluate.DEFAULT_SEED)
    p_cv.add_argument("--engine", choices=sorted(evaluate.TRAINERS), default="embedded")
    p_cv.add_argument("--data", type=Path, default=DATA_DIR)
    p_cv.add_argument("--brief", action="store_true", help="omit per-intent details")
    args = parser.parse_args(argv)

    if args.command == "parse":
        from nlu import parse

        result: dict[str, object] = parse(args.text)
    elif args.command == "evaluate":
        result = evaluate.evaluate_file(args.file, args.engine)
    else:
        if args.folds < 2:
            parser.error("--folds must be at least 2")
        result = evaluate.cross_validate(
            load_directory(args.data), args.folds, args.seed, args.engine
        )
    if getattr(args, "brief", False):
        result.pop("per_intent", None)
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
