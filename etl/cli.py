"""`python -m etl ...`: a thin layer that parses arguments and prints the library's results.

Exit codes: 0 every file accepted, 1 any file rejected (or another run-time failure),
2 bad usage.
"""
from __future__ import annotations

import argparse
import logging
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from etl import history, usecases
from etl.catalog import CatalogError
from etl.load import FileReport, StoreOutcome, login_name
from etl.periods import from_key, period_label
from etl.settings import PROJECT_ROOT, Settings
from etl.store import DatabaseBusy, Store
from etl.users import AuthError, User
from etl.vocab import ACCOUNT_ROLES, LoadOutcome

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2
DB_HELP = "tệp DuckDB (mặc định: $PROGRESS_DB hoặc data/progress.duckdb)"
log = logging.getLogger(__name__)


class VietnameseArgumentParser(argparse.ArgumentParser):
    """argparse with its usage errors in Vietnamese; the exit code stays 2. Shared by
    every command line of the project."""

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"Lỗi cú pháp lệnh: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = VietnameseArgumentParser(prog="python -m etl",
                     description="Nạp và kiểm tra báo cáo tiến độ của các chi bộ.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=VietnameseArgumentParser)

    load = sub.add_parser("load", help="kiểm tra và nạp báo cáo vào cơ sở dữ liệu")
    load.add_argument("files", nargs="+", metavar="FILE", help=".xlsx, .xls, .ods hoặc .csv")
    load.add_argument("--db", help=DB_HELP)
    load.add_argument("--cell", help="mã chi bộ, khi tệp không ghi (ví dụ VPCN)")
    load.add_argument("--period", help="mã kỳ, khi tệp không ghi (ví dụ 2026-07, 2026-Q3)")
    load.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi gì")
    load.add_argument("--quiet", action="store_true",
                      help="chỉ in tệp bị từ chối và dòng tổng (không in tệp đã nạp, cảnh báo)")

    tpl = sub.add_parser("template", help="tạo mẫu báo cáo cho một chi bộ và một kỳ")
    tpl.add_argument("--cell", required=True)
    tpl.add_argument("--period", required=True)
    tpl.add_argument("-o", "--output", required=True, metavar="FILE.xlsx")

    _add_samples_parser(sub)
    _add_backup_parsers(sub)

    init = sub.add_parser("init", help="tạo hoặc nâng cấp cơ sở dữ liệu, cập nhật danh mục")
    init.add_argument("--db")

    arch = sub.add_parser("archive-check", help="đối chiếu kho tệp gốc với các báo cáo đã nạp "
                          "(chỉ xem, trừ khi có --fix)")
    arch.add_argument("--db", help=DB_HELP)
    arch.add_argument("--fix", action="store_true",
                      help="xóa tệp không thuộc báo cáo nào, hoàn tất tệp đang dở")

    users = sub.add_parser("users", help="quản lý tài khoản đăng nhập")
    users_sub = users.add_subparsers(dest="users_command", required=True, parser_class=VietnameseArgumentParser)
    add = users_sub.add_parser("add", help="thêm tài khoản")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="họ tên")
    add.add_argument("--role", required=True, choices=[r.value for r in ACCOUNT_ROLES],
                     help=", ".join(f"{r.value} = {r.label}" for r in ACCOUNT_ROLES))
    add.add_argument("--cell", help="mã chi bộ (vai trò chi_bo)")
    add.add_argument("--email", help="email, cho đăng nhập qua OpenID Connect")
    add.add_argument("--password-stdin", action="store_true",
                     help="đọc mật khẩu từ đầu vào chuẩn (mặc định: hỏi hai lần)")
    add.add_argument("--db")
    lst = users_sub.add_parser("list", help="liệt kê tài khoản")
    lst.add_argument("--db")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    store = Store(Settings.from_env(db_path=getattr(args, "db", None)))
    try:
        catalog = store.catalog
    except CatalogError as exc:
        print(f"LỖI: {exc}", file=sys.stderr)
        return EXIT_REJECTED
    if args.command == "load":
        return _load(parser, args, store)
    if args.command == "template":
        return _template(parser, args, catalog)
    if args.command == "samples":
        return _samples(args, store)
    if args.command in ("backup", "restore"):
        return _backup_or_restore(args, store)
    if args.command == "users":
        return _users(args, store)
    if args.command == "archive-check":
        return _archive_check(args, store)
    if args.command == "init":
        print(f"Cơ sở dữ liệu sẵn sàng: {store.ensure()}")
        return EXIT_OK
    return EXIT_USAGE


def _add_samples_parser(sub) -> None:
    samples = sub.add_parser("samples", help="dữ liệu mẫu: nạp để xem thử, gỡ khi dùng thật, tạo lại tệp mẫu")
    action = samples.add_subparsers(dest="samples_command", required=True,
                                    parser_class=VietnameseArgumentParser)
    load = action.add_parser("load", help="nạp các báo cáo mẫu (data/samples/*.xlsx); không "
                                          "nạp vào chi bộ và kỳ đã có báo cáo thật")
    load.add_argument("--db", help=DB_HELP)
    remove = action.add_parser("remove", help="gỡ mọi báo cáo mẫu; giữ nguyên báo cáo thật, "
                                              "tài khoản và nhật ký thao tác")
    remove.add_argument("--db", help=DB_HELP)
    build = action.add_parser("build", help="tạo lại các tệp báo cáo mẫu (giống hệt từng byte)")
    build.add_argument("--out", default=str(PROJECT_ROOT / "data" / "samples"))


def _add_backup_parsers(sub) -> None:
    backup = sub.add_parser("backup", help="sao lưu cơ sở dữ liệu và các tệp gốc vào một tệp "
                                           ".tar.gz (được, khi ứng dụng đang chạy)")
    backup.add_argument("out", metavar="OUT",
                        help="tệp .tar.gz cần tạo, hoặc thư mục (tên tự đặt theo ngày giờ)")
    backup.add_argument("--db", help=DB_HELP)
    restore = sub.add_parser("restore", help="khôi phục một bản sao lưu vào chỗ trống "
                                             "(không đè lên dữ liệu đang có)")
    restore.add_argument("archive", metavar="ARCHIVE", help="tệp .tar.gz do lệnh backup tạo")
    restore.add_argument("--db", help=DB_HELP)


def _samples(args, store: Store) -> int:
    if args.samples_command == "build":
        from etl.samples import write_samples
        paths = write_samples(Path(args.out), store.catalog)
        print(f"Đã tạo {len(paths)} báo cáo mẫu trong {args.out}")
        return EXIT_OK
    try:
        if args.samples_command == "load":
            loaded = usecases.load_samples(store, _actor())
        else:
            removed = usecases.remove_samples(store, _actor())
    except (DatabaseBusy, AuthError) as exc:
        print(f"LỖI: {exc}", file=sys.stderr)
        return EXIT_REJECTED
    if args.samples_command == "remove":
        print(f"Đã gỡ {len(removed.submission_ids)} báo cáo mẫu ({removed.rows} dòng nhiệm vụ, "
              f"{len(removed.unused_files)} tệp gốc) khỏi {store.path}. Báo cáo thật, tài khoản "
              "và nhật ký thao tác giữ nguyên.")
        if removed.reinstated:
            print("Báo cáo thật hiện hành trở lại: #" + ", #".join(map(str, removed.reinstated)))
        return EXIT_OK
    failed = [o for o in loaded.outcomes if o.error]
    for o in failed:
        print(f"✗ {o.file_name}: {o.error}")
    for name, reason in loaded.skipped:
        print(f"- {name}: bỏ qua, {reason}.")
    print(f"Đã nạp {sum(o.changed for o in loaded.outcomes)} tệp mẫu vào {store.path} "
          f"({loaded.already_loaded} tệp đã có, {len(loaded.skipped)} tệp bỏ qua). "
          "Khi bắt đầu dùng thật, gỡ dữ liệu mẫu: python -m etl samples remove")
    return EXIT_REJECTED if failed else EXIT_OK


def _backup_or_restore(args, store: Store) -> int:
    from etl.backup import BackupError
    try:
        if args.command == "backup":
            result = usecases.backup(store, _actor(), args.out)
        else:
            restored = usecases.restore_backup(store, _actor(), args.archive)
    except (BackupError, DatabaseBusy, AuthError) as exc:
        print(f"LỖI: {exc}", file=sys.stderr)
        return EXIT_REJECTED
    if args.command == "backup":
        print(f"Đã sao lưu vào {result.path}: {result.counts['submissions']} báo cáo, "
              f"{result.counts['users']} tài khoản, {result.originals} tệp gốc.\n"
              f"sha256 {result.sha256}")
        if result.missing_originals:
            print(f"CẢNH BÁO: thiếu {len(result.missing_originals)} tệp gốc trong kho lưu trữ "
                  f"(ví dụ {result.missing_originals[0]}); bản sao lưu ghi lại danh sách này.",
                  file=sys.stderr)
        return EXIT_OK
    print(f"Đã khôi phục bản sao lưu lúc {restored.created_at} vào {restored.db_path}: "
          f"{restored.counts['submissions']} báo cáo, {restored.originals} tệp gốc; "
          "mọi mã kiểm tra sha256 đều khớp.")
    if restored.catalog_copy:
        print(f"CẢNH BÁO: danh mục (catalog.toml) trong bản sao lưu khác danh mục đang dùng; "
              f"bản trong sao lưu được để tại {restored.catalog_copy} để đối chiếu.",
              file=sys.stderr)
    return EXIT_OK


def _actor() -> User:
    """The command line acts for whoever is logged in to the server's shell."""
    return User.system(login_name())


def _check_usage(parser, args, catalog) -> None:
    if args.cell and args.cell not in {c.code for c in catalog.cells}:
        known = ", ".join(c.code for c in catalog.cells)
        parser.error(f"--cell {args.cell}: không có chi bộ này (các mã: {known})")
    if args.period:
        try:
            period = from_key(args.period)
            catalog.plan.check_year(period.start.year)
        except ValueError as exc:
            parser.error(f"--period {args.period}: {exc}")
        args.period = period.key


def _load(parser, args, store: Store) -> int:
    _check_usage(parser, args, store.catalog)
    actor, rejected = _actor(), 0

    def check(path: str) -> tuple[FileReport, bytes]:
        return usecases.check_path(store, actor, path, args.cell, args.period)

    # One thread per parse worker: the files of a chunk are read side by side.
    with ThreadPoolExecutor(max(1, store.settings.parse_workers)) as pool:
        for chunk in _chunks(args.files):
            checked = list(pool.map(check, chunk))
            accepted = [(r, d) for r, d in checked if r.ok]
            stored = {}
            try:
                dropped = dict(zip(map(id, (r for r, _ in accepted)),
                                   history.dropped_tasks(store, [r for r, _ in accepted])))
                if accepted and not args.dry_run:
                    outcomes = usecases.load_reports(store, actor, accepted)
                    stored = {id(r): o for (r, _), o in zip(accepted, outcomes)}
            except DatabaseBusy as exc:
                print(f"✗ {exc}")
                return EXIT_REJECTED
            for report, _ in checked:
                outcome = stored.get(id(report))
                failed = not report.ok or (outcome is not None and outcome.error)
                rejected += bool(failed)
                _print_result(report, outcome, args, [] if failed else dropped.get(id(report), []))
    accepted = len(args.files) - rejected
    verb = "hợp lệ" if args.dry_run else "đã nạp"
    print(f"Tổng: {accepted}/{len(args.files)} tệp {verb}, {rejected} tệp bị từ chối."
          + (" (chạy thử: không ghi gì)" if args.dry_run else ""))
    return EXIT_REJECTED if rejected else EXIT_OK


def _chunks(files: list[str], max_files: int = 200, max_bytes: int = 64 * 1024 * 1024):
    """Files in groups small enough to hold in memory and store in one transaction."""
    chunk, size = [], 0
    for f in files:
        try:
            n = Path(f).stat().st_size
        except OSError:
            n = 0
        if chunk and (len(chunk) >= max_files or size + n > max_bytes):
            yield chunk
            chunk, size = [], 0
        chunk.append(f)
        size += n
    if chunk:
        yield chunk


def _print_result(report: FileReport, outcome: StoreOutcome | None, args,
                  dropped: list[history.DroppedTasks]) -> None:
    if outcome is not None and outcome.error:
        print(f"✗ {report.file_name}: {outcome.error}")
    elif not report.ok:
        print(f"✗ {report.file_name}: bị từ chối, không nạp gì ({len(report.errors)} lỗi).")
        for p in report.errors:
            print(f"  {p.as_text()}")
    elif args.quiet:
        return
    elif outcome is None:
        print(f"✓ {report.file_name}: hợp lệ ({_describe_sheets(report)}).")
    else:
        for item in outcome.items:
            what = f"{item.cell_code}, {period_label(item.period)}, trang tính '{item.sheet}'"
            if item.action == LoadOutcome.UNCHANGED:
                print(f"= {report.file_name}: {what}: không thay đổi (tệp giống hệt đã nạp, "
                      f"báo cáo #{item.submission_id}).")
            elif item.action == LoadOutcome.SUPERSEDED:
                print(f"✓ {report.file_name}: {what}: đã nạp {item.row_count} nhiệm vụ "
                      f"(báo cáo #{item.submission_id}, thay thế báo cáo #{item.replaced_id}).")
            else:
                print(f"✓ {report.file_name}: {what}: đã nạp {item.row_count} nhiệm vụ "
                      f"(báo cáo #{item.submission_id}).")
    if not args.quiet:
        for p in report.warnings:
            print(f"  {p.as_text()}")
        for d in dropped:
            undo = (f" Nếu tệp bị thiếu dòng, khôi phục báo cáo #{d.current_id} ở trang Lịch sử "
                    "báo cáo." if outcome is not None else "")
            print(f"  Cảnh báo: {d.file_name}, trang tính '{d.sheet}': {d.message}{undo}")


def _describe_sheets(report: FileReport) -> str:
    return "; ".join(f"{s.cell_code}, {period_label(s.period)}, {len(s.rows)} nhiệm vụ"
                     for s in report.sheets)


def _archive_check(args, store: Store) -> int:
    from etl import archive

    found = archive.check(store, fix=args.fix)
    print(f"Kho tệp gốc {store.archive_dir}: {found.referenced} tệp thuộc các báo cáo đã nạp.")
    groups = [("Tệp không thuộc báo cáo nào", found.orphans, "đã xóa" if args.fix else "sẽ xóa"),
              ("Tệp đã nạp nhưng chưa đổi tên xong", [p for p, _ in found.unfinished],
               "đã hoàn tất" if args.fix else "sẽ hoàn tất"),
              ("Tệp tạm bị bỏ lại", found.stale, "đã xóa" if args.fix else "sẽ xóa")]
    for title, paths, verb in groups:
        if paths:
            print(f"{title}: {len(paths)} ({verb})")
            for path in paths:
                print(f"  {path}")
    if found.missing:
        print(f"LỖI: thiếu tệp gốc của {len(found.missing)} báo cáo (không tự sửa được; "
              "lấy lại từ bản sao lưu):")
        for relative in found.missing:
            print(f"  {store.archive_dir / relative}")
    if found.clean:
        print("Không có gì cần sửa.")
    elif not args.fix and (found.orphans or found.unfinished or found.stale):
        print("Chạy thử: chưa thay đổi gì. Thêm --fix để sửa.")
    return EXIT_REJECTED if found.missing or (not args.fix and not found.clean) else EXIT_OK


def _template(parser, args, catalog) -> int:
    _check_usage(parser, args, catalog)
    from etl.template import template_bytes
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(template_bytes(args.cell, args.period, catalog))
    print(f"Đã tạo mẫu báo cáo {args.cell}, {period_label(args.period)}: {out}")
    return EXIT_OK


def _users(args, store: Store) -> int:
    from etl import users

    if args.users_command == "list":
        table = users.list_users(store)
        print(table.to_string(index=False) if len(table) else "Chưa có tài khoản nào.")
        return EXIT_OK
    password = _read_password(args.password_stdin)
    if password is None:
        return EXIT_REJECTED
    first = users.count_users(store) == 0
    try:
        user = usecases.add_user(store, _actor(), args.username, args.name, args.role, password,
                                 cell_code=args.cell, email=args.email)
    except AuthError as exc:
        print(f"LỖI: {exc}", file=sys.stderr)
        return EXIT_REJECTED
    print(f"Đã thêm tài khoản {user.username} ({user.role_label})"
          + (" — tài khoản đầu tiên." if first else "."))
    return EXIT_OK


def _read_password(from_stdin: bool) -> str | None:
    import getpass

    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Mật khẩu: ")
    if getpass.getpass("Nhập lại mật khẩu: ") != first:
        print("LỖI: hai lần nhập mật khẩu không khớp.", file=sys.stderr)
        return None
    return first
