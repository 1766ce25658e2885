"""Page rerun times: the sample database against a synthetic province-scale one.

Each scale runs in its own process (the catalog is chosen by PROGRESS_CATALOG at import):
  sample    data/samples/*.xlsx loaded with `python -m etl load` (4 cells)
  province  100 cells x 13 tasks x 60 months, its own catalog (tests/province_db.py)
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

import province_db  # noqa: E402  (tests/province_db.py: both databases)

PAGES = ["pages/overview.py", "pages/by_cell.py", "pages/by_area.py", "pages/by_period.py",
         "pages/obstacles.py"]


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
    if scale == "sample":
        db = province_db.sample(folder)
    else:
        db = province_db.build(folder / "province.duckdb", Path(os.environ["PROGRESS_CATALOG"]))
    print(json.dumps(time_pages(db, reruns)))


def child(scale: str, reruns: int) -> dict:
    env = dict(os.environ)
    env.pop("PROGRESS_CATALOG", None)
    if scale == "province":
        env["PROGRESS_CATALOG"] = str(province_db.write_catalog(
            Path(tempfile.mkdtemp(prefix="bench-cat-"))))
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
