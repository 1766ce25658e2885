"""Real-browser test infrastructure: Debian's Chromium and a Streamlit server per test.

Playwright cannot download its own browser here, so pytest-playwright's launch
arguments point at /usr/bin/chromium. A missing Chromium fails loudly: browser tests
never skip.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from app_server import AppServer
from signin import ensure_account

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it with "
                    "`apt-get install -y --no-install-recommends chromium` "
                    "(or set CHROMIUM_PATH). Browser tests do not skip.")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM),
            "args": CHROMIUM_FLAGS}


@pytest.fixture
def start_app(tmp_path):
    """Factory: start_app(db_path, port=None, **env) -> base_url; start_app.stop(base_url)
    stops that server (a lost connection; a restart: start_app again with the same port).
    Every server started is stopped at the end."""
    started: dict[str, AppServer] = {}

    def start(db_path: Path | str, port: int | None = None, **extra_env: str) -> str:
        """The app on `db_path`, which gets the test account (tests/signin.py)."""
        ensure_account(db_path, catalog_path=extra_env.get("PROGRESS_CATALOG"))
        log = tmp_path / f"streamlit-{len(started)}.log"
        server = AppServer.start(db_path, log, port, **extra_env)
        started[server.url] = server
        return server.url

    def stop(base_url: str) -> None:
        started.pop(base_url).stop()

    start.stop = stop
    yield start
    for server in started.values():
        server.stop()
