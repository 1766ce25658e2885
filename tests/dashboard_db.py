"""Build a real DuckDB file from a compact Python description of submissions.

Tests state their figures by hand from this description, so the dashboard's
queries are checked against arithmetic a person can redo:

    build_db(tmp_path / "t.duckdb", [
        sub("VPCN", "2026-07", rows=[row("NV2.3", "in_progress", 40, activities=2)]),
    ])
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd

from etl import periods as P
from etl.catalog import Catalog, get_catalog
from etl.store import Store


@dataclass
class Row:
    task: str
    status: str
    pct: float | None = None
    activities: int | None = None
    participants: int | None = None
    posts: int | None = None
    result: str | None = None
    obstacles: str | None = None
    proposals: str | None = None


@dataclass
class Sub:
    cell: str
    period: str
    rows: list[Row]
    report_date: date | None = None
    loaded_at: datetime | None = None
    state: str = "current"
    is_sample: bool = False
    file_name: str = field(default="")


def row(task, status, pct=None, **kw) -> Row:
    return Row(task, status, pct, **kw)


def sub(cell, period, rows, **kw) -> Sub:
    return Sub(cell, period, list(rows), **kw)


def build_db(path: Path | str, subs: list[Sub], catalog: Catalog | None = None) -> Path:
    """Create the schema and catalog at `path`, then insert `subs` in order (ids 1, 2, ...)."""
    catalog = catalog or get_catalog()
    path = Path(path)
    sub_frame, row_frame = _frames(subs, catalog.plan.code)
    with Store.at(path, catalog).write() as con:
        if len(sub_frame):
            con.register("sub_frame", sub_frame)
            con.execute("INSERT INTO submissions BY NAME SELECT * FROM sub_frame")
        if len(row_frame):
            con.register("row_frame", row_frame)
            con.execute("INSERT INTO progress_rows BY NAME SELECT * FROM row_frame")
    return path


def _frames(subs: list[Sub], plan_code: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    sub_records, row_records = [], []
    base = datetime(2026, 1, 1, 8, 0)
    for sid, s in enumerate(subs, start=1):
        period = P.from_key(s.period)
        loaded_at = s.loaded_at or base + timedelta(hours=sid)
        sub_records.append({
            "submission_id": sid, "plan_code": plan_code, "cell_code": s.cell,
            "period": period.key, "period_grain": period.grain,
            "period_start": period.start, "period_end": period.end,
            "file_name": s.file_name or f"{s.cell}-{period.key}.xlsx", "sheet": "Sheet1",
            "sha256": f"{sid:064x}", "archive_path": f"{sid:064x}.xlsx",
            "report_date": s.report_date, "prepared_by": None, "loaded_at": loaded_at,
            "loaded_by": "test", "state": s.state, "replaces_id": None,
            "row_count": len(s.rows), "is_sample": s.is_sample})
        for i, r in enumerate(s.rows):
            row_records.append({
                "submission_id": sid, "task_code": r.task, "excel_row": 8 + i,
                "status": r.status, "completion_pct": r.pct, "activities": r.activities,
                "participants": r.participants, "posts": r.posts, "result": r.result,
                "obstacles": r.obstacles, "proposals": r.proposals, "evidence": None})
    sub_frame = pd.DataFrame.from_records(sub_records)
    row_frame = pd.DataFrame.from_records(row_records)
    for col in ("completion_pct",):
        if col in row_frame:
            row_frame[col] = row_frame[col].astype("float64")
    for col in ("activities", "participants", "posts"):
        if col in row_frame:
            row_frame[col] = row_frame[col].astype("Int64")
    if "report_date" in sub_frame:
        sub_frame["report_date"] = pd.to_datetime(sub_frame["report_date"]).dt.date
    return sub_frame, row_frame


def demo_subs(months=("2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09"),
              catalog: Catalog | None = None, is_sample: bool = True) -> list[Sub]:
    """A plausible half-year of monthly reports from every cell, deterministic: progress
    grows month by month, one task per cell lags with an obstacle, the last month's report
    of the last cell is missing. For pages and browser tests (no hand-computed figures)."""
    catalog = catalog or get_catalog()
    subs = []
    for ci, cell in enumerate(catalog.cells):
        for mi, month in enumerate(months):
            if ci == len(catalog.cells) - 1 and mi == len(months) - 1:
                continue
            rows = []
            for ti, task in enumerate(cell.tasks):
                pct = min(100.0, 15.0 * (mi + 1) + 7 * ((ci + ti) % 4))
                lagging = ti == ci % len(cell.tasks) and mi >= 2
                status = "delayed" if lagging else ("done" if pct >= 100 else "in_progress")
                pct = round(pct * 0.6, 1) if lagging else pct
                rows.append(Row(task, status, pct, activities=1 + (ti + mi) % 3,
                                participants=10 * (1 + (ci + ti + mi) % 5), posts=(ti + mi) % 4,
                                result=f"Đã triển khai {task} tháng {mi + 4}",
                                obstacles="Thiếu kinh phí tổ chức hoạt động" if lagging else None,
                                proposals="Đề nghị Đảng ủy bổ sung kinh phí" if lagging else None))
            end = P.from_key(month).end
            subs.append(Sub(cell.code, month, rows, is_sample=is_sample,
                            report_date=end + timedelta(days=3 + (ci + mi) % 5)))
    return subs


def load_sample_reports(folder: Path) -> Path:
    """The project's sample reports, regenerated into `folder` and loaded by the real
    CLI into `folder`/progress.duckdb (PROGRESS_DB ignored)."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    db = folder / "progress.duckdb"
    env = {k: v for k, v in os.environ.items() if k != "PROGRESS_DB"}

    def etl(*args: str) -> None:
        done = subprocess.run([sys.executable, "-m", "etl", *args], cwd=root, env=env,
                              capture_output=True, text=True, encoding="utf-8", timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr

    etl("samples", "build", "--out", str(folder / "files"))
    etl("load", "--db", str(db), *sorted(map(str, (folder / "files").glob("*.xlsx"))))
    return db



def load_file(db_path: Path | str, data: bytes, name: str, by: str = "kiem-thu"):
    """Check and load one report file through the use cases, as an operator named `by`
    would from the command line; the file's StoreOutcome."""
    from etl import usecases
    from etl.users import User

    store, actor = Store.at(db_path), User.system(by)
    report = usecases.check_report(store, actor, data, name)
    assert report.ok, [p.as_text() for p in report.problems]
    outcome, = usecases.load_reports(store, actor, [(report, data)])
    assert not outcome.error, outcome.error
    return outcome
