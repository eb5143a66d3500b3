"""``python -m bot chat --jsonl`` run as a person's script would: a fresh SQLite file, no token."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_jsonl_chat(tmp_path: Path, stdin: str) -> subprocess.CompletedProcess[str]:
    """Feed ``stdin`` to the scripted chat and return the finished process."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'chat.db'}"}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    env.pop("RASA_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--jsonl"],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
