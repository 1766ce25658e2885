"""Loader throughput: 500 generated reports loaded in one CLI call, against a bare parse.

Prints files per second for `python -m etl load` (one process, a fresh database) and for
reading the same files with python-calamine alone, and their ratio (target: <= 3x).
Then the cost of checking files in the parse worker (etl.sandbox, issue 10) against the
same check in this process, in the same run: the worker's start-up once, and its round
trip per file.

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
        month = i // len(catalog.cells)   # from the plan's first year on
        year, mo = catalog.plan.years[0] + month // 12, month % 12 + 1
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


def check_here(contents: list[tuple[str, bytes]]) -> float:
    """The whole check of every file in this process (no worker, no limits)."""
    from etl.validate import check_bytes

    catalog = get_catalog()
    start = time.perf_counter()
    for name, data in contents:
        assert check_bytes(data, name, catalog).ok, name
    return time.perf_counter() - start


def check_in_worker(contents: list[tuple[str, bytes]]) -> float:
    """The same check through etl.load.validate_bytes: a round trip to the parse worker."""
    from etl.load import validate_bytes

    catalog = get_catalog()
    start = time.perf_counter()
    for name, data in contents:
        assert validate_bytes(data, name, catalog=catalog).ok, name
    return time.perf_counter() - start


def worker_start() -> float:
    """Starting one parse worker (an interpreter importing the parsers), ready to serve."""
    from etl.read import Limits
    from etl.sandbox import Sandbox

    box = Sandbox(1)
    start = time.perf_counter()
    box.run(len, b"", limits=Limits())
    elapsed = time.perf_counter() - start
    box.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        files = write_reports(tmp, args.files)
        contents = [(f.name, f.read_bytes()) for f in files]
        bare = min(bare_parse(files) for _ in range(3))
        load = cli_load(files, tmp / "bench.duckdb")
        started = min(worker_start() for _ in range(3))
        check_in_worker(contents[:5])                  # the shared worker is running
        here = min(check_here(contents) for _ in range(3))
        worker = min(check_in_worker(contents) for _ in range(3))
    n = len(files)
    print(f"{n} tệp báo cáo")
    print(f"  python -m etl load (1 lệnh, CSDL mới): {load:7.2f} s  {n / load:8.1f} tệp/s")
    print(f"  chỉ đọc bằng python-calamine:          {bare:7.2f} s  {n / bare:8.1f} tệp/s")
    print(f"  tỷ lệ nạp / đọc: {load / bare:.1f}x (mục tiêu <= 3x)")
    print("Kiểm tra tệp (cùng lần chạy):")
    print(f"  trong tiến trình này (không giới hạn): {here:7.2f} s  {1000 * here / n:6.2f} ms/tệp")
    print(f"  qua tiến trình đọc có giới hạn:        {worker:7.2f} s  {1000 * worker / n:6.2f} ms/tệp"
          f"  (thêm {1000 * (worker - here) / n:.2f} ms/tệp)")
    print(f"  khởi động một tiến trình đọc: {1000 * started:.0f} ms (một lần, hoặc sau khi một tệp "
          "làm nó dừng)")


if __name__ == "__main__":
    main()
