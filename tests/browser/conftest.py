"""Real-browser test infrastructure: Debian's Chromium and a Streamlit server per test.

Playwright cannot download its own browser here, so pytest-playwright's launch
arguments point at /usr/bin/chromium. A missing Chromium fails loudly: browser tests
never skip.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from signin import ensure_account

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
STARTUP_TIMEOUT = 60.0


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it with "
                    "`apt-get install -y --no-install-recommends chromium` "
                    "(or set CHROMIUM_PATH). Browser tests do not skip.")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM),
            "args": CHROMIUM_FLAGS}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(base_url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited ({proc.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as r:
                if r.read().decode().strip() == "ok":
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"streamlit did not answer /_stcore/health in {STARTUP_TIMEOUT}s:\n"
                       f"{log.read_text()}")


@pytest.fixture
def start_app(tmp_path):
    """Factory: start_app(db_path, port=None, **env) -> base_url; start_app.stop(base_url)
    stops that server (a lost connection; a restart: start_app again with the same port).
    Every server started is stopped at the end."""
    started: dict[str, subprocess.Popen] = {}

    def start(db_path: Path | str, port: int | None = None, **extra_env: str) -> str:
        """The app on `db_path` (served by server.py, as `make run` does), which gets the
        test account (tests/signin.py)."""
        ensure_account(db_path)
        port = port or _free_port()
        env = {**os.environ, "PROGRESS_DB": str(db_path), **extra_env}
        log = tmp_path / f"streamlit-{port}-{len(started)}.log"
        cmd = [sys.executable, "-m", "streamlit", "run", "server.py",
               "--server.headless", "true", "--server.port", str(port),
               "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none"]
        with log.open("w") as out:
            proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, stdout=out,
                                    stderr=subprocess.STDOUT)
        base_url = f"http://127.0.0.1:{port}"
        started[base_url] = proc
        _wait_healthy(base_url, proc, log)
        return base_url

    def stop(base_url: str) -> None:
        _stop(started.pop(base_url))

    start.stop = stop
    yield start
    for proc in started.values():
        _stop(proc)


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
