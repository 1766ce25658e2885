"""Loader throughput: 500 generated reports loaded in one CLI call, against a bare parse.

Prints files per second for `python -m etl load` (one process, a fresh database) and for
reading the same files with python-calamine alone, and their ratio (target: <= 3x).

    .venv/bin/python bench/bench_load.py [--files 500]
"""
from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openpyxl
import python_calamine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from etl.catalog import get_catalog  # noqa: E402
from etl.periods import period_label  # noqa: E402

HEADER = ["STT", "Mã nhiệm vụ", "Nội dung nhiệm vụ", "Trạng thái", "Tỷ lệ hoàn thành (%)",
          "Số hoạt động", "Số lượt người tham gia", "Số tin, bài", "Kết quả đạt được",
          "Khó khăn, vướng mắc", "Đề xuất, kiến nghị", "Minh chứng"]


def write_reports(out: Path, count: int) -> list[Path]:
    """`count` reports, each a distinct cell x month so every file adds a submission."""
    catalog = get_catalog()
    files = []
    for i in range(count):
        cell = catalog.cells[i % len(catalog.cells)]
        month = i // len(catalog.cells)
        year, mo = 2016 + month // 12, month % 12 + 1
        key = f"{year}-{mo:02d}"
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Báo cáo"
        ws.append(["ĐẢNG ỦY SỞ KHOA HỌC VÀ CÔNG NGHỆ"])
        ws.append(["BÁO CÁO TIẾN ĐỘ"])
        ws.append(["Chi bộ:", cell.name])
        ws.append(["Kỳ báo cáo:", period_label(key)])
        ws.append(["Ngày báo cáo:", f"05/{mo:02d}/{year}"])
        ws.append([])
        ws.append(HEADER)
        for n, task in enumerate(cell.tasks, 1):
            pct = (i * 7 + n * 13) % 101
            ws.append([n, task, catalog.task(task).title, "Đang thực hiện" if pct < 100 else "Hoàn thành",
                       pct, n % 4, 10 * n, n % 3, "Đã triển khai theo kế hoạch", None, None, f"CV {i}-{n}"])
        path = out / f"{key}_{cell.code}.xlsx"
        wb.save(path)
        files.append(path)
    return files


def bare_parse(files: list[Path]) -> float:
    start = time.perf_counter()
    for f in files:
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(f.read_bytes()))
        for name in wb.sheet_names:
            wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
    return time.perf_counter() - start


def cli_load(files: list[Path], db: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "etl", "load", "--quiet", "--db", str(db),
                           *map(str, files)], cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"load failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        files = write_reports(tmp, args.files)
        bare = min(bare_parse(files) for _ in range(3))
        load = cli_load(files, tmp / "bench.duckdb")
    n = len(files)
    print(f"{n} tệp báo cáo")
    print(f"  python -m etl load (1 lệnh, CSDL mới): {load:7.2f} s  {n / load:8.1f} tệp/s")
    print(f"  chỉ đọc bằng python-calamine:          {bare:7.2f} s  {n / bare:8.1f} tệp/s")
    print(f"  tỷ lệ nạp / đọc: {load / bare:.1f}x (mục tiêu <= 3x)")


if __name__ == "__main__":
    main()
