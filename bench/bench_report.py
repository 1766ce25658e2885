"""How long a quarter's committee report takes, without and with its charts, against the
meeting pack for the same period in the same run.

    python bench/bench_report.py [--db PATH] [--period 2026-Q3] [--repeat 3]

Without --db it generates the sample reports and loads them into a temporary database
with the real loader. The chart renderer is warmed up first, so every figure is a warm
run (what the page sees after its first export); the first report of the process is
shown apart (imports, the default template built once).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_pack import sample_database, timed  # noqa: E402
from dashboard import pack, render, report  # noqa: E402
from dashboard.scope import Scope  # noqa: E402
from etl.store import Store  # noqa: E402


def median_of(repeat: int, fn) -> tuple[float, object]:
    runs = [timed(fn) for _ in range(repeat)]
    return statistics.median(t for t, _ in runs), runs[-1][1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--period", default="2026-Q3")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.at(args.db or sample_database(Path(tmp)))
        first, _ = timed(lambda: report.make_report(store, args.period))
        render.warm_up()
        plain, made = median_of(args.repeat, lambda: report.make_report(store, args.period))
        gather, _ = median_of(args.repeat, lambda: report.gather(store, args.period))
        charted, with_charts = median_of(
            args.repeat, lambda: report.make_report(store, args.period, charts=True))
        packed, _ = median_of(args.repeat, lambda: pack.make_pack(store, Scope.of(args.period)))
    print(f"Báo cáo kết quả {args.period} ({len(made.data) // 1024} KB; có biểu đồ: "
          f"{len(with_charts.data) // 1024} KB), trung vị {args.repeat} lần:")
    print(f"  lần đầu của tiến trình:          {first:6.2f} s")
    print(f"  không biểu đồ:                   {plain:6.2f} s (trong đó truy vấn số liệu {gather:.2f} s)")
    print(f"  có biểu đồ:                      {charted:6.2f} s")
    print(f"  bộ báo cáo họp (PPTX, PDF, XLSX): {packed:6.2f} s")
    print(f"  tỷ lệ báo cáo / bộ báo cáo họp: không biểu đồ {plain / packed:.2f}, "
          f"có biểu đồ {charted / packed:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
