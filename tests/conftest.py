"""Shared fixtures: the fixture workbooks, a temporary database, the CLI, a read-only query.

Kept generic on purpose: subfolders (tests/browser/...) add their own conftest files
and may use these.
"""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:   # `pytest` (not `python -m pytest`) must find etl/
    sys.path.insert(0, str(PROJECT_ROOT))

from apptest_support import serve_like_a_running_app  # noqa: E402
from etl.store import Store  # noqa: E402

CLI_TIMEOUT_SECONDS = 120


def _load_fixture_builder():
    path = PROJECT_ROOT / "tests" / "fixtures" / "build_fixtures.py"
    spec = importlib.util.spec_from_file_location("build_fixtures", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_fixtures", module)
    spec.loader.exec_module(module)
    return module


build_fixtures = _load_fixture_builder()


@pytest.fixture(scope="session")
def fixtures_dir(tmp_path_factory) -> Path:
    """Every fixture workbook, built once per session into a temporary folder."""
    out = tmp_path_factory.mktemp("fixtures")
    build_fixtures.build_all(out)
    return out


@pytest.fixture
def db_path(tmp_path) -> Path:
    """A database path that does not exist yet; its archive goes beside it."""
    return tmp_path / "progress.duckdb"


@pytest.fixture
def store(db_path) -> Store:
    """The store on `db_path` (not created until something writes)."""
    return Store.at(db_path)


def _cli_env(extra: dict[str, str] | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PROGRESS_DB"}
    env.update({"PYTHONIOENCODING": "utf-8", "PYTHONUTF8": "1"})
    env.update(extra or {})
    return env


def _run_cli(*args, env: dict[str, str] | None = None,
             timeout: float = CLI_TIMEOUT_SECONDS) -> subprocess.CompletedProcess:
    """`python -m etl ARGS` from the project root; PROGRESS_DB only when `env` sets it."""
    return subprocess.run([sys.executable, "-m", "etl", *map(str, args)], cwd=PROJECT_ROOT,
                          env=_cli_env(env), capture_output=True, text=True, encoding="utf-8",
                          timeout=timeout)


@pytest.fixture(scope="session")
def run_cli():
    return _run_cli


def _query(db_path: Path | str, sql: str, params: list | tuple | None = None) -> list[tuple]:
    """Rows of `sql` on the database, opened read-only and closed again."""
    with Store.at(db_path).read() as con:
        return con.execute(sql, list(params or [])).fetchall()


@pytest.fixture(scope="session")
def query():
    return _query


@pytest.fixture(autouse=True)
def apptest_runs_like_a_served_app(monkeypatch):
    """Every AppTest run goes through app.py: sign-in, navigation, sidebar scope."""
    serve_like_a_running_app(monkeypatch.setattr)
