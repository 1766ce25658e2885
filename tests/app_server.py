"""A real Streamlit server on a free port: browser tests and the browser benchmark share it.

    server = AppServer.start(db_path, log_path, PROGRESS_CATALOG=...)
    ... server.url ...
    server.stop()
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class AppServer:
    proc: subprocess.Popen
    url: str
    log: Path

    @classmethod
    def start(cls, db_path: Path | str, log: Path, port: int | None = None,
              **extra_env: str) -> "AppServer":
        """`streamlit run server.py` on `db_path` (as `make run` does), on `port` or a free
        one; returns once /_stcore/health answers ok."""
        port = port or free_port()
        env = {**os.environ, "PROGRESS_DB": str(db_path), **extra_env}
        cmd = [sys.executable, "-m", "streamlit", "run", "server.py",
               "--server.headless", "true", "--server.port", str(port),
               "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none"]
        with log.open("w") as out:
            proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, stdout=out,
                                    stderr=subprocess.STDOUT)
        server = cls(proc, f"http://127.0.0.1:{port}", log)
        try:
            server._wait_healthy()
        except BaseException:
            server.stop()
            raise
        return server

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited ({self.proc.returncode}):\n"
                                   f"{self.log.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"streamlit did not answer /_stcore/health in {STARTUP_TIMEOUT}s:\n"
                           f"{self.log.read_text()}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
