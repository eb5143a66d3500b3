"""A throw-away ``rasa run`` server on loopback, for the integration test and the benchmarks.

It runs the model that :mod:`nlu.rasa_env` trained, with the command line of
:func:`nlu.rasa_env.serve_command`, and is always stopped by :meth:`RasaServer.stop`.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
from pathlib import Path

import httpx

from nlu.rasa_env import RasaSetupError, cache_dir, models_dir, rasa_environ, serve_command


def free_port() -> int:
    """A free TCP port on loopback for a throw-away server."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RasaServer:
    """A ``rasa run`` child process; always stopped by :meth:`stop` (use it in ``finally``)."""

    def __init__(self, model: Path, port: int, token: str) -> None:
        self.model, self.port, self.token = model, port, token
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = models_dir() / f"server-{port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Launch the server (the model loads in the background: call :meth:`wait_ready`)."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                serve_command(self.model, self.port, self.token),
                stdout=log,
                stderr=subprocess.STDOUT,
                env=rasa_environ(),
                cwd=cache_dir(),
            )

    def wait_ready(self, timeout_s: float = 180.0) -> float:
        """Poll ``GET /status`` until a model is loaded; returns the seconds it took."""
        assert self.process is not None, "start() first"
        started = time.monotonic()
        with httpx.Client(timeout=2.0) as http:
            while time.monotonic() - started < timeout_s:
                if self.process.poll() is not None:
                    raise RasaSetupError(
                        f"rasa run exited with {self.process.returncode}; see {self.log_path}:\n"
                        + self.log_tail()
                    )
                with contextlib.suppress(httpx.HTTPError, ValueError):
                    status = http.get(f"{self.url}/status", params={"token": self.token})
                    if status.status_code == 200 and status.json().get("model_file"):
                        return time.monotonic() - started
                time.sleep(0.5)  # polling a child process, not a test sleep
        raise RasaSetupError(
            f"Rasa not ready after {timeout_s:.0f} s; see {self.log_path}:\n" + self.log_tail()
        )

    def log_tail(self, lines: int = 20) -> str:
        """The end of the server's log, so a failure says why where it is reported (CI)."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def rss_mb(self) -> float:
        """Resident memory of the server process (``VmRSS`` in ``/proc/<pid>/status``)."""
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RasaSetupError("no VmRSS for the Rasa process")

    def stop(self) -> None:
        """Terminate the server (kill it if it does not stop within 20 s)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
