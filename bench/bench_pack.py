"""How long a quarter's meeting pack takes, cold and warm, against its single renders.

    python bench/bench_pack.py [--db PATH] [--period 2026-Q3] [--repeat 3]

Without --db it generates the sample reports and loads them into a temporary
database with the real loader. Target: a warm pack within 1.5x the sum of its
single warm renders (no browser start per image).
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboard import pack, render  # noqa: E402
from dashboard.pack.content import Source, content_for, header_of, iter_chart_parts  # noqa: E402
from dashboard.scope import Scope  # noqa: E402
from etl.store import Store  # noqa: E402

TARGET_RATIO = 1.5


def sample_database(folder: Path) -> Path:
    db = folder / "progress.duckdb"
    files = folder / "files"
    for args in (["samples", "build", "--out", str(files)], None):
        if args is None:
            args = ["load", "--quiet", "--db", str(db), *sorted(map(str, files.glob("*.xlsx")))]
        subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, check=True,
                       capture_output=True)
    return db


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def whole_pack(db: Path, period: str) -> pack.Pack:
    """What the page and the CLI run: queries, renders, PPTX, PDF, XLSX."""
    return pack.make_pack(Store.at(db), Scope.of(period))[1]


def pack_content(db: Path, period: str) -> pack.PackContent:
    """Only the queries and chart figures of a pack: no image, no file."""
    source = Source(Store.at(db), Scope.of(period))
    return content_for(source, header_of(source), list(iter_chart_parts(source)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--period", default="2026-Q3")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or sample_database(Path(tmp))
        cold, _ = timed(lambda: whole_pack(db, args.period))   # starts the browser
        warm_runs = [timed(lambda: whole_pack(db, args.period))[0] for _ in range(args.repeat)]
        content = pack_content(db, args.period)
        collect_s = statistics.median(timed(lambda: pack_content(db, args.period))[0]
                                      for _ in range(args.repeat))
        singles = [statistics.median(
            timed(lambda c=chart: render.snapshot(c.figure, "png", c.title, content.scope_text,
                                                  content.data_date))[0]
            for _ in range(args.repeat)) for chart in content.charts]
    warm = statistics.median(warm_runs)
    total_single = sum(singles)
    ratio = warm / total_single
    print(f"Bộ báo cáo họp {args.period}: {len(content.charts)} biểu đồ, "
          f"{len(pack.text_sections(content)) + 2 + len(content.charts)} trang chiếu")
    print(f"  lần đầu (khởi động trình duyệt): {cold:6.2f} s")
    print(f"  các lần sau (trung vị {args.repeat}):   {warm:6.2f} s "
          f"(trong đó truy vấn số liệu {collect_s:.2f} s)")
    print(f"  tổng các lần tạo ảnh riêng lẻ:   {total_single:6.2f} s "
          f"({', '.join(f'{s:.2f}' for s in singles)})")
    verdict = "đạt" if ratio <= TARGET_RATIO else "CHƯA ĐẠT"
    print(f"  tỷ lệ lần sau / tổng ảnh: {ratio:.2f} (mục tiêu <= {TARGET_RATIO}: {verdict})")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
