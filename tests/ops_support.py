"""Helpers for the operations tests (backup, restore, sample data): real report files
built by code, the CLI in a subprocess, whole tables read back."""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from etl.store import Store

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def fixture_builder():
    """tests/fixtures/build_fixtures.py, the one module that writes report files."""
    if "build_fixtures" not in sys.modules:
        path = PROJECT_ROOT / "tests" / "fixtures" / "build_fixtures.py"
        spec = importlib.util.spec_from_file_location("build_fixtures", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules["build_fixtures"] = module
        spec.loader.exec_module(module)
    return sys.modules["build_fixtures"]


def real_report_csv(cell: str, month: int, year: int) -> bytes:
    """A real (not sample) monthly report for `cell`, as Excel's CSV export writes it."""
    bf = fixture_builder()
    report = bf.report(rows=bf.filled_rows(cell), cell=cell, period=f"Tháng {month}/{year}",
                       report_date=f"05/{month % 12 + 1:02d}/{year + (month == 12)}")
    return bf.write_csv(bf.layout(report))


def cli(*args, timeout: float = 300, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", *map(str, args)], **_cli_options(env),
                          capture_output=True, text=True, encoding="utf-8", timeout=timeout)


def cli_background(*args, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "etl", *map(str, args)], **_cli_options(env),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            encoding="utf-8")


def _cli_options(extra: dict | None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROGRESS_")}
    env.update({"PYTHONIOENCODING": "utf-8", "PYTHONUTF8": "1", **(extra or {})})
    return {"cwd": PROJECT_ROOT, "env": env}


def catalog_from(first_year: int, folder: Path) -> dict:
    """The project's catalog with the plan starting in `first_year` (a long history of
    reports), as the environment the CLI reads it from."""
    text = (PROJECT_ROOT / "data" / "catalog.toml").read_text(encoding="utf-8")
    path = folder / "catalog.toml"
    path.write_text(text.replace("first_year = 2026", f"first_year = {first_year}\nlast_year = 2036"),
                    encoding="utf-8")
    return {"PROGRESS_CATALOG": str(path)}


def rows(store: Store, sql: str, params: list | None = None) -> list[tuple]:
    with store.read() as con:
        return con.execute(sql, params or []).fetchall()


def table(store: Store, name: str, order_by: str) -> list[tuple]:
    """Every row of a table or view, every column, in a stable order."""
    return rows(store, f"SELECT * FROM {name} ORDER BY {order_by}")


V_PROGRESS_ORDER = "cell_code, period, task_code"
