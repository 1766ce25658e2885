"""Page rerun times: the sample database against a synthetic province-scale one.

Each scale runs in its own process (the catalog is chosen by PROGRESS_CATALOG at import):
  sample    data/samples/*.xlsx loaded with `python -m etl load` (4 cells)
  province  100 cells x 13 tasks x 60 months, inserted from DataFrames, its own catalog
For every page it times, with streamlit.testing.v1.AppTest, the first render (queries run)
and the median of later reruns (the same interaction again: cached queries), and prints
the province/sample ratio. Target: province within 1.5x of sample.

    .venv/bin/python bench/bench_pages.py [--reruns 5]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

PAGES = ["pages/overview.py", "pages/by_cell.py", "pages/by_area.py", "pages/by_period.py",
         "pages/obstacles.py"]
CELLS, MONTHS, FIRST_YEAR = 100, 60, 2022


# -- building the databases -------------------------------------------------------------

def build_sample(folder: Path) -> Path:
    db = folder / "sample.duckdb"
    files = sorted(str(p) for p in (ROOT / "data" / "samples").glob("*.xlsx"))
    subprocess.run([sys.executable, "-m", "etl", "load", "--db", str(db), *files], cwd=ROOT,
                   check=True, capture_output=True)
    return db


def province_catalog(folder: Path) -> Path:
    """The real plan's areas and tasks, with 100 cells: 2 lead and 6 participating tasks each."""
    import tomllib
    base = tomllib.loads((ROOT / "data" / "catalog.toml").read_text(encoding="utf-8"))
    codes = [t["code"] for t in base["tasks"]]
    lines = ['[plan]', 'code = "KH-PROVINCE"', 'title = "Kế hoạch quy mô tỉnh (đo hiệu năng)"',
             'report_deadline_day = 5', '']
    for i in range(CELLS):
        lead = [codes[i % 13], codes[(i + 5) % 13]]
        part = [c for c in (codes[(i + k) % 13] for k in (1, 2, 3, 7, 9, 11)) if c not in lead]
        lines += ['[[cells]]', f'code = "C{i + 1:03d}"', f'name = "Chi bộ số {i + 1}"',
                  f'short_name = "Chi bộ {i + 1}"', f'chu_tri = {json.dumps(lead)}',
                  f'thuc_hien = {json.dumps(part)}', '']
    for a in base["areas"]:
        lines += ['[[areas]]', f'code = "{a["code"]}"', f'name = "{a["name"]}"',
                  f'short_name = "{a["short_name"]}"', '']
    for t in base["tasks"]:
        lines += ['[[tasks]]', f'code = "{t["code"]}"', f'area = "{t["area"]}"',
                  f'title = "{t["title"]}"', '']
    path = folder / "province.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def build_province(folder: Path) -> Path:
    """One monthly report per cell and month, every assigned task, inserted as DataFrames."""
    import numpy as np
    import pandas as pd
    from etl import periods as P
    from etl.settings import Settings
    from etl.store import Store

    store = Store(Settings.from_env(db_path=folder / "province.duckdb"))
    catalog = store.catalog
    rng = np.random.default_rng(6)
    subs, rows = [], []
    sid = 0
    for m in range(MONTHS):
        key = f"{FIRST_YEAR + m // 12}-{m % 12 + 1:02d}"
        period = P.from_key(key)
        for cell in catalog.cells:
            sid += 1
            subs.append((sid, catalog.plan.code, cell.code, key, "month", period.start,
                         period.end, f"{cell.code}-{key}.xlsx", "Báo cáo", f"{sid:064x}",
                         f"{sid:064x}.xlsx", period.end + pd.Timedelta(days=int(rng.integers(1, 9))),
                         None, pd.Timestamp(period.end) + pd.Timedelta(days=3), "bench",
                         "current", None, len(cell.tasks), False))
            for task in cell.tasks:
                rows.append((sid, task, m))
    sub_df = pd.DataFrame(subs, columns=[
        "submission_id", "plan_code", "cell_code", "period", "period_grain", "period_start",
        "period_end", "file_name", "sheet", "sha256", "archive_path", "report_date",
        "prepared_by", "loaded_at", "loaded_by", "state", "replaces_id", "row_count", "is_sample"])
    row_df = pd.DataFrame(rows, columns=["submission_id", "task_code", "month"])
    n = len(row_df)
    pct = np.minimum(100.0, row_df["month"].to_numpy() * 1.8 + rng.uniform(0, 30, n)).round(1)
    delayed = rng.random(n) < 0.05
    row_df["status"] = np.where(delayed, "delayed", np.where(pct >= 100, "done", "in_progress"))
    row_df["completion_pct"] = pct
    row_df["activities"] = rng.integers(0, 6, n)
    row_df["participants"] = rng.integers(0, 200, n)
    row_df["posts"] = rng.integers(0, 5, n)
    row_df["obstacles"] = np.where(delayed, "Thiếu kinh phí, nhân lực", None)
    row_df["proposals"] = np.where(delayed, "Đề nghị bổ sung kinh phí", None)
    row_df = row_df.drop(columns="month")
    with store.write() as con:
        con.register("sub_df", sub_df)
        con.register("row_df", row_df)
        con.execute("INSERT INTO submissions BY NAME SELECT * FROM sub_df")
        con.execute("INSERT INTO progress_rows BY NAME SELECT * FROM row_df")
    return store.path


# -- timing ------------------------------------------------------------------------------

def time_pages(db: Path, reruns: int) -> dict[str, dict[str, float]]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest
    from apptest_support import serve_like_a_running_app
    from etl.users import User
    from etl.vocab import UserRole
    serve_like_a_running_app(setattr)
    os.environ["PROGRESS_DB"] = str(db)
    results = {}
    for page in PAGES:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        at.session_state["auth_user"] = User("do-toc-do", "Đo tốc độ", UserRole.LEADERSHIP)
        at.run()
        st.cache_data.clear()       # the first render pays for its queries and figures
        st.cache_resource.clear()
        start = time.perf_counter()
        at.switch_page(page).run()
        first = time.perf_counter() - start
        if at.exception:
            raise RuntimeError(f"{page}: {at.exception[0].value}")
        if not (at.get("plotly_chart") or at.dataframe):  # timed the real page
            raise RuntimeError(f"{page}: no chart or table drawn: {[e.value for e in at.error]}")
        times = []
        for _ in range(reruns):
            start = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - start)
        results[page] = {"first": first, "rerun": statistics.median(times)}
    return results


def run_scale(scale: str, reruns: int) -> None:
    """Child process: build one database, time its pages, print JSON on the last line."""
    folder = Path(tempfile.mkdtemp(prefix=f"bench-{scale}-"))
    db = build_sample(folder) if scale == "sample" else build_province(folder)
    print(json.dumps(time_pages(db, reruns)))


def child(scale: str, reruns: int) -> dict:
    env = dict(os.environ)
    env.pop("PROGRESS_CATALOG", None)
    if scale == "province":
        env["PROGRESS_CATALOG"] = str(province_catalog(Path(tempfile.mkdtemp(prefix="bench-cat-"))))
    out = subprocess.run([sys.executable, __file__, "--scale", scale, "--reruns", str(reruns)],
                         cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reruns", type=int, default=5)
    parser.add_argument("--scale", choices=["sample", "province"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scale:
        return run_scale(args.scale, args.reruns)
    sample, province = child("sample", args.reruns), child("province", args.reruns)
    print(f"{'page':<22}{'sample first':>14}{'province first':>16}{'ratio':>7}"
          f"{'sample rerun':>14}{'province rerun':>16}{'ratio':>7}")
    for page in PAGES:
        s, p = sample[page], province[page]
        print(f"{page:<22}{s['first']:>13.3f}s{p['first']:>15.3f}s{p['first'] / s['first']:>6.2f}x"
              f"{s['rerun']:>13.3f}s{p['rerun']:>15.3f}s{p['rerun'] / s['rerun']:>6.2f}x")
    worst = max(province[p]["rerun"] / sample[p]["rerun"] for p in PAGES)
    print(f"worst rerun ratio {worst:.2f}x (target <= 1.5x): {'OK' if worst <= 1.5 else 'MISSED'}")


if __name__ == "__main__":
    main()
