"""`python -m dashboard pack --period 2026-Q3 --out DIR`: the meeting pack for a scheduled job.

Exit codes: 0 pack written, 1 run-time failure (no database, no browser, database
busy), 2 bad usage (unknown period, cell or task area).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from etl.cli import VietnameseArgumentParser

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = VietnameseArgumentParser(prog="python -m dashboard",
                     description="Bảng điều khiển tiến độ: xuất bộ báo cáo họp.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=VietnameseArgumentParser)
    pack = sub.add_parser("pack", help="tạo bộ báo cáo họp (PPTX, PDF, XLSX) cho một kỳ")
    pack.add_argument("--period", required=True, help="mã kỳ, ví dụ 2026-Q3, 2026-07, 2026-H1")
    pack.add_argument("--out", required=True, metavar="DIR", help="thư mục ghi các tệp")
    pack.add_argument("--db", help="tệp DuckDB (mặc định: $PROGRESS_DB hoặc data/progress.duckdb)")
    pack.add_argument("--cells", nargs="+", metavar="MÃ", help="chỉ các chi bộ này (mặc định: tất cả)")
    pack.add_argument("--areas", nargs="+", metavar="MÃ",
                      help="chỉ các nhiệm vụ trọng tâm này, ví dụ NV1 NV3 (mặc định: tất cả)")
    _add_report_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    import logging

    from etl.settings import Settings
    from etl.store import Store

    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    store = Store(Settings.from_env(db_path=args.db))
    _check_usage(parser, args, store.catalog)
    return _report(args, store) if args.command == "report" else _pack(args, store)


def _check_usage(parser: argparse.ArgumentParser, args, catalog) -> None:
    from etl.periods import from_key
    try:
        args.period = from_key(args.period).key
    except ValueError as exc:
        parser.error(str(exc))
    for option, given, known in (("--cells", args.cells, [c.code for c in catalog.cells]),
                                 ("--areas", args.areas, [a.code for a in catalog.areas])):
        unknown = [code for code in given or () if code not in known]
        if unknown:
            parser.error(f"{option}: không có mã {', '.join(unknown)} "
                         f"(các mã: {', '.join(known)})")


def _pack(args, store) -> int:
    from dashboard import pack, render
    from dashboard.scope import Scope
    from etl.load import login_name
    from etl.store import DatabaseBusy, DatabaseMissing
    from etl.users import User

    out = Path(args.out)
    try:
        render.require_browser()  # before any work: never hang without a browser
        content, result = pack.export_pack(store, User.system(login_name()),
                                           Scope.of(args.period, args.cells, args.areas))
        out.mkdir(parents=True, exist_ok=True)
        for name, data in result.files.items():
            (out / name).write_bytes(data)
    except (render.RenderUnavailable, DatabaseMissing, DatabaseBusy, OSError) as exc:
        print(f"LỖI: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"Đã tạo bộ báo cáo họp {content.period_label} ({content.scope_text}):")
    for name, data in result.files.items():
        print(f"  {out / name}  ({len(data) // 1024:,} KB)".replace(",", "."))
    return EXIT_OK


# -- report: the committee's written report (.docx) ------------------------------------------

def _add_report_parser(sub) -> None:
    report = sub.add_parser("report", help="soạn báo cáo kết quả của Đảng ủy (DOCX) cho một kỳ")
    report.add_argument("--period", required=True, help="mã kỳ, ví dụ 2026-Q3, 2026-07, 2026")
    report.add_argument("--out", required=True, metavar="DIR", help="thư mục ghi tệp")
    report.add_argument("--db", help="tệp DuckDB (mặc định: $PROGRESS_DB hoặc data/progress.duckdb)")
    report.add_argument("--cells", nargs="+", metavar="MÃ", help="chỉ các chi bộ này (mặc định: tất cả)")
    report.add_argument("--areas", nargs="+", metavar="MÃ",
                        help="chỉ các nhiệm vụ trọng tâm này, ví dụ NV1 NV3 (mặc định: tất cả)")
    report.add_argument("--number", default="", help="số văn bản, ví dụ 15 (in: Số 15-BC/ĐU); "
                        "bỏ trống để điền tay")
    report.add_argument("--date", type=_date_vn, metavar="dd/mm/yyyy",
                        help="ngày ban hành; bỏ trống để điền tay")
    report.add_argument("--signer", help="họ tên người ký (mặc định: theo danh mục)")
    report.add_argument("--charts", action="store_true",
                        help="thêm các biểu đồ tổng quan vào phụ lục (cần Chromium)")


def _date_vn(text: str):
    from datetime import datetime
    try:
        return datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"ngày không hợp lệ: {text!r} (dạng dd/mm/yyyy, "
                                         "ví dụ 30/11/2026)") from None


def _report(args, store) -> int:
    from dashboard import render, report
    from etl.load import login_name
    from etl.store import DatabaseBusy, DatabaseMissing
    from etl.users import User

    heading = report.Heading(number=args.number, issued_on=args.date, signer=args.signer)
    path = None
    try:
        if args.charts:
            render.require_browser()  # before any work: never hang without a browser
        made = report.export_report(store, User.system(login_name()), args.period, args.cells,
                                    args.areas, heading, charts=args.charts)
        Path(args.out).mkdir(parents=True, exist_ok=True)
        path = Path(args.out) / made.file_name
        path.write_bytes(made.data)
    except (render.RenderUnavailable, report.TemplateError, DatabaseMissing, DatabaseBusy,
            OSError) as exc:
        if path is not None:
            path.unlink(missing_ok=True)
        print(f"LỖI: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"Đã tạo báo cáo kết quả {made.scope_text}:")
    print(f"  {path}  ({max(1, len(made.data) // 1024):,} KB)".replace(",", "."))
    if made.content.is_sample:
        print("  Lưu ý: văn bản lập từ DỮ LIỆU MẪU.")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
