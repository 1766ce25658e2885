"""A province-scale database for the benchmarks and the province browser test: 100 cells,
the real plan's 13 tasks, 60 monthly reports per cell, its own catalog file.

    catalog = write_catalog(folder)            # data/catalog.toml's areas and tasks, 100 cells
    db = build(folder / "province.duckdb", catalog)
    # the app on it: PROGRESS_DB=db PROGRESS_CATALOG=catalog

Deterministic: progress grows month by month, each cell at its own pace (the slowest
near half-way at the last month, the fastest done), with noise; 5% of rows delayed with an
obstacle, reports come 1-8 days after the month (the deadline is the 5th: some late), and
a few cells miss a month (the latest month more often), so the submission grid has late
and missing squares to put first.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd

from etl import periods as P
from etl.catalog import get_catalog
from etl.store import Store

ROOT = Path(__file__).resolve().parent.parent
CELLS = 100
MONTHS = 60
LAST_MONTH = "2026-11"     # fixed, so the figures do not move with the calendar
MISSING_SHARE, MISSING_LATEST_SHARE = 0.03, 0.12


def write_catalog(folder: Path, cells: int = CELLS) -> Path:
    """The real plan's areas and tasks with `cells` cells: 2 lead and up to 6 participating
    tasks each, no colors (the catalog's fallback palette)."""
    base = tomllib.loads((ROOT / "data" / "catalog.toml").read_text(encoding="utf-8"))
    codes = [t["code"] for t in base["tasks"]]
    n = len(codes)
    lines = ['[plan]', 'code = "KH-PROVINCE"', 'title = "Kế hoạch quy mô tỉnh (đo hiệu năng)"',
             'report_deadline_day = 5', '']
    for i in range(cells):
        lead = [codes[i % n], codes[(i + 5) % n]]
        part = [c for c in (codes[(i + k) % n] for k in (1, 2, 3, 7, 9, 11)) if c not in lead]
        lines += ['[[cells]]', f'code = "C{i + 1:03d}"', f'name = "Chi bộ số {i + 1}"',
                  f'short_name = "Chi bộ {i + 1}"', f'chu_tri = {json.dumps(lead)}',
                  f'thuc_hien = {json.dumps(part)}', '']
    for a in base["areas"]:
        lines += ['[[areas]]', f'code = "{a["code"]}"', f'name = "{a["name"]}"',
                  f'short_name = "{a["short_name"]}"', '']
    for t in base["tasks"]:
        lines += ['[[tasks]]', f'code = "{t["code"]}"', f'area = "{t["area"]}"',
                  f'title = "{t["title"]}"', '']
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "province.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def month_keys(months: int = MONTHS) -> list[str]:
    last = P.from_key(LAST_MONTH).start
    return [f"{d.year}-{d.month:02d}" for d in
            pd.date_range(end=last, periods=months, freq="MS")]


def build(db_path: Path, catalog_path: Path, months: int = MONTHS) -> Path:
    """One monthly report per cell and month (a few missing), every assigned task,
    inserted as DataFrames through the Store (schema and catalog as the app has them)."""
    catalog = get_catalog(catalog_path)
    rng = np.random.default_rng(6)
    keys = month_keys(months)
    pace = {cell.code: rng.uniform(0.55, 1.15) for cell in catalog.cells}
    subs, rows = [], []
    for m, key in enumerate(keys):
        period = P.from_key(key)
        missing = MISSING_LATEST_SHARE if key == keys[-1] else MISSING_SHARE
        for cell in catalog.cells:
            if rng.random() < missing:
                continue
            sid = len(subs) + 1
            report_date = period.end + pd.Timedelta(days=int(rng.integers(1, 9)))
            subs.append((sid, catalog.plan.code, cell.code, key, "month", period.start,
                         period.end, f"{cell.code}-{key}.xlsx", "Báo cáo", f"{sid:064x}",
                         f"{sid:064x}.xlsx", report_date, None,
                         pd.Timestamp(report_date) + pd.Timedelta(hours=9), "bench",
                         "current", None, len(cell.tasks), False))
            rows += [(sid, task, m, pace[cell.code]) for task in cell.tasks]
    sub_df = pd.DataFrame(subs, columns=[
        "submission_id", "plan_code", "cell_code", "period", "period_grain", "period_start",
        "period_end", "file_name", "sheet", "sha256", "archive_path", "report_date",
        "prepared_by", "loaded_at", "loaded_by", "state", "replaces_id", "row_count", "is_sample"])
    row_df = _task_rows(pd.DataFrame(rows, columns=["submission_id", "task_code", "month", "pace"]),
                        months, rng)
    with Store.at(db_path, catalog).write() as con:
        con.register("sub_df", sub_df)
        con.register("row_df", row_df)
        con.execute("INSERT INTO submissions BY NAME SELECT * FROM sub_df")
        con.execute("INSERT INTO progress_rows BY NAME SELECT * FROM row_df")
    return db_path


def _task_rows(df: pd.DataFrame, months: int, rng: np.random.Generator) -> pd.DataFrame:
    n = len(df)
    share = (df["month"].to_numpy() + 1) / months
    pct = np.clip(100 * share * df["pace"].to_numpy() + rng.uniform(-8, 8, n), 0, 100).round(1)
    delayed = rng.random(n) < 0.05
    return df.drop(columns=["month", "pace"]).assign(
        status=np.where(delayed, "delayed", np.where(pct >= 100, "done", "in_progress")),
        completion_pct=pct,
        activities=rng.integers(0, 6, n), participants=rng.integers(0, 200, n),
        posts=rng.integers(0, 5, n),
        obstacles=np.where(delayed, "Thiếu kinh phí, nhân lực", None),
        proposals=np.where(delayed, "Đề nghị bổ sung kinh phí", None))


def sample(folder: Path) -> Path:
    """The project's committed sample reports (data/samples, 4 cells) loaded by the real
    command line into `folder`/sample.duckdb."""
    db = folder / "sample.duckdb"
    files = sorted(str(p) for p in (ROOT / "data" / "samples").glob("*.xlsx"))
    subprocess.run([sys.executable, "-m", "etl", "load", "--db", str(db), *files], cwd=ROOT,
                   check=True, capture_output=True,
                   env={k: v for k, v in os.environ.items()
                        if k not in ("PROGRESS_DB", "PROGRESS_CATALOG")})
    return db
