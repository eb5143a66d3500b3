"""Rasa's own Python 3.10 environment: install once, train when the data changed, serve.

Rasa 3.6.21 does not run on the bot's Python 3.11, so it lives in a separate virtualenv under
the ignored ``.cache/`` folder, built from the Python 3.10 that pyenv provides (found, never
hard-coded). Used by ``make rasa`` / ``make rasa-serve``, the Rasa integration test and the
benchmarks: ``python -m nlu.rasa_env setup|train|validate|serve``.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
NLU_DIR = ROOT / "nlu"
CONFIG = NLU_DIR / "config.yml"
DOMAIN = NLU_DIR / "domain.yml"
DATA = NLU_DIR / "data"
CONSTRAINTS = NLU_DIR / "rasa-constraints.txt"
PREDICT_SCRIPT = ROOT / "scripts" / "rasa_predict.py"
RASA_VERSION = "3.6.21"
PYTHON_SERIES = "3.10"
MODEL_NAME = "nlu"


def cache_dir() -> Path:
    """Where the venv and the models live (``RASA_CACHE_DIR`` or ``.cache/``, git-ignored)."""
    return Path(os.environ.get("RASA_CACHE_DIR", str(ROOT / ".cache")))


def venv_dir() -> Path:
    """The Rasa virtualenv."""
    return cache_dir() / "rasa-venv"


def models_dir() -> Path:
    """Where trained models (and their data fingerprints) are kept."""
    return cache_dir() / "rasa-models"


class RasaUnavailable(RuntimeError):
    """This machine has no Python 3.10: Rasa cannot run here (tests skip, they do not fail)."""


class RasaSetupError(RuntimeError):
    """Installing, training or starting Rasa failed; the message says where to look."""


def _pyenv_prefix(version: str) -> Path | None:
    pyenv = shutil.which("pyenv")
    if pyenv is None:
        return None
    done = subprocess.run(
        [pyenv, "prefix", version], capture_output=True, text=True, check=False, timeout=30
    )
    if done.returncode != 0:
        return None
    python = Path(done.stdout.strip().splitlines()[0]) / "bin" / "python"
    return python if python.exists() else None


def find_python310() -> Path | None:
    """Find a Python 3.10 interpreter: ``RASA_PYTHON``, pyenv 3.10.13, any pyenv 3.10, PATH."""
    override = os.environ.get("RASA_PYTHON")
    if override:
        return Path(override) if Path(override).exists() else None
    preferred = _pyenv_prefix("3.10.13")
    if preferred is not None:
        return preferred
    pyenv = shutil.which("pyenv")
    if pyenv is not None:
        listed = subprocess.run(
            [pyenv, "versions", "--bare"], capture_output=True, text=True, check=False, timeout=30
        )
        series = [v.strip() for v in listed.stdout.splitlines()]
        for version in sorted((v for v in series if v.startswith("3.10.")), reverse=True):
            found = _pyenv_prefix(version)
            if found is not None:
                return found
    on_path = shutil.which("python3.10")
    return Path(on_path) if on_path else None


def rasa_environ() -> dict[str, str]:
    """The environment every Rasa process runs with: no telemetry, quiet TensorFlow."""
    env = dict(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        PYTHONWARNINGS="ignore",
        PYTHONUNBUFFERED="1",
    )
    for name in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"):
        env.pop(name, None)
    return env


def rasa_bin() -> Path:
    """The ``rasa`` command inside the venv."""
    return venv_dir() / "bin" / "rasa"


@contextlib.contextmanager
def _locked(name: str) -> Iterator[None]:
    """Serialise installs/trainings across processes (two test runs, make + pytest)."""
    cache_dir().mkdir(parents=True, exist_ok=True)
    with (cache_dir() / f"{name}.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run(cmd: Sequence[str | Path], log: IO[str], cwd: Path | None = None) -> None:
    log.write(f"$ {' '.join(str(c) for c in cmd)}\n")
    log.flush()
    done = subprocess.run(
        [str(c) for c in cmd],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=rasa_environ(),
        cwd=cwd,
        check=False,
    )
    if done.returncode != 0:
        raise RasaSetupError(f"{cmd[0]} {cmd[1]} failed (exit {done.returncode}); see {log.name}")


def ensure_venv(quiet: bool = False) -> Path:
    """Create the Rasa venv once (about 3 minutes, 2.7 GB); idempotent; returns ``rasa``."""
    stamp = venv_dir() / ".installed"
    if stamp.exists() and stamp.read_text().strip() == RASA_VERSION and rasa_bin().exists():
        return rasa_bin()
    python = find_python310()
    if python is None:
        raise RasaUnavailable(
            "Rasa 3.6 needs Python 3.10 and none was found (tried RASA_PYTHON, "
            "`pyenv prefix 3.10.13`, pyenv 3.10.x, python3.10 on PATH)"
        )
    with _locked("rasa-venv"):
        if stamp.exists() and stamp.read_text().strip() == RASA_VERSION and rasa_bin().exists():
            return rasa_bin()
        log_path = cache_dir() / "rasa-install.log"
        if not quiet:
            print(f"Installing rasa=={RASA_VERSION} with {python} (log: {log_path})", flush=True)
        with log_path.open("w") as log:
            if venv_dir().exists():
                shutil.rmtree(venv_dir())
            _run([python, "-m", "venv", venv_dir()], log)
            pip = venv_dir() / "bin" / "pip"
            _run([pip, "install", "--quiet", "--upgrade", "pip"], log)
            constraints: list[str | Path] = ["-c", CONSTRAINTS] if CONSTRAINTS.exists() else []
            _run([pip, "install", f"rasa=={RASA_VERSION}", *constraints], log)
            _run([rasa_bin(), "telemetry", "disable"], log)
        stamp.write_text(RASA_VERSION + "\n")
    return rasa_bin()


def data_files(data: Path) -> list[Path]:
    """The training files under ``data`` (a file or a folder of ``*.yml``)."""
    return [data] if data.is_file() else sorted(data.rglob("*.yml"))


def fingerprint(data: Path, config: Path = CONFIG, domain: Path = DOMAIN) -> str:
    """A hash of everything that changes the model: config, domain, data, Rasa version."""
    digest = hashlib.sha256(RASA_VERSION.encode())
    for path in [config, domain, *data_files(data)]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def train(
    data: Path = DATA,
    out: Path | None = None,
    name: str = MODEL_NAME,
    force: bool = False,
    quiet: bool = False,
) -> Path:
    """Train ``name.tar.gz`` unless a model with the same data fingerprint already exists."""
    rasa = ensure_venv(quiet=quiet)
    out = out or models_dir()
    out.mkdir(parents=True, exist_ok=True)
    model, mark = out / f"{name}.tar.gz", out / f"{name}.fingerprint"
    wanted = fingerprint(data)
    if not force and model.exists() and mark.exists() and mark.read_text().strip() == wanted:
        if not quiet:
            print(f"Rasa model up to date: {model}", flush=True)
        return model
    with _locked(f"train-{name}"):
        work = cache_dir() / "rasa-work"  # Rasa writes its .rasa/ training cache in the cwd
        work.mkdir(parents=True, exist_ok=True)
        log_path = out / f"{name}.train.log"
        if not quiet:
            print(f"Training Rasa NLU model {model} (log: {log_path})", flush=True)
        with log_path.open("w") as log:
            _run(
                [
                    rasa,
                    "train",
                    "nlu",
                    "--config",
                    CONFIG,
                    "--domain",
                    DOMAIN,
                    "--nlu",
                    data,
                    "--fixed-model-name",
                    name,
                    "--out",
                    out,
                ],
                log,
                cwd=work,
            )
        mark.write_text(wanted + "\n")
    return model


def validate() -> list[str]:
    """``rasa data validate``: the domain and the training data agree; returns the warnings."""
    rasa = ensure_venv()
    log_path = cache_dir() / "rasa-validate.log"
    with log_path.open("w") as log:
        _run(
            [rasa, "data", "validate", "--config", CONFIG, "--domain", DOMAIN, "--data", DATA],
            log,
            cwd=cache_dir(),
        )
    found = re.findall(r"UserWarning: (.*)", log_path.read_text(encoding="utf-8"))
    return [line.strip() for line in found]


def unexpected_warnings(warnings: list[str]) -> list[str]:
    """Validation warnings other than "intent not used in any story" (NLU-only project)."""
    return [w for w in warnings if "is not used in any story or rule" not in w]


def serve_command(model: Path, port: int, token: str, host: str = "127.0.0.1") -> list[str]:
    """The ``rasa run`` command line: HTTP API only, token-protected, on loopback.

    The token goes as ``--auth-token=…`` in one argument: a random token may begin with
    ``-``, and argparse would read ``--auth-token -x…`` as a missing value (exit 2).
    """
    return [
        str(rasa_bin()),
        "run",
        "--enable-api",
        f"--auth-token={token}",
        "-i",
        host,
        "-p",
        str(port),
        "--model",
        str(model),
    ]


def predict(model: Path, texts: Sequence[str]) -> list[dict[str, Any]]:
    """Parse many texts with a model in one Rasa process (no HTTP server; for evaluation)."""
    python = venv_dir() / "bin" / "python"
    done = subprocess.run(
        [str(python), str(PREDICT_SCRIPT), str(model)],
        input="".join(json.dumps(t) + "\n" for t in texts),
        capture_output=True,
        text=True,
        env=rasa_environ(),
        cwd=cache_dir(),
        check=False,
    )
    if done.returncode != 0:
        raise RasaSetupError(f"rasa_predict failed: {done.stderr[-2000:]}")
    results = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    if len(results) != len(texts):
        raise RasaSetupError(f"rasa_predict answered {len(results)} of {len(texts)} texts")
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m nlu.rasa_env setup|train|validate|serve`` (what the Makefile calls)."""
    parser = argparse.ArgumentParser(prog="python -m nlu.rasa_env", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("setup", help="create the Rasa 3.10 venv (once)")
    train_cmd = sub.add_parser("train", help="train nlu.tar.gz unless the data is unchanged")
    train_cmd.add_argument("--force", action="store_true")
    sub.add_parser("validate", help="rasa data validate")
    serve = sub.add_parser("serve", help="rasa run --enable-api on loopback")
    serve.add_argument("--port", type=int, default=5005)
    args = parser.parse_args(argv)
    try:
        if args.command == "setup":
            print(ensure_venv())
        elif args.command == "train":
            print(train(force=args.force))
        elif args.command == "validate":
            other = unexpected_warnings(validate())
            print("rasa data validate: OK", *other, sep="\n")
        else:
            token = os.environ.get("RASA_TOKEN")
            if not token:
                print("RASA_TOKEN is not set: choose a secret token for the Rasa API.")
                return 2
            model = train(quiet=True)
            os.execve(rasa_bin(), serve_command(model, args.port, token), rasa_environ())
    except (RasaUnavailable, RasaSetupError) as exc:
        print(f"Rasa: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
