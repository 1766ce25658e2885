"""Validate report files and store them: the ingest layer under etl.usecases.load_reports.

`validate_bytes` reads and checks everything (in a parse worker, etl.sandbox) and writes
nothing. `Storer` writes a batch of accepted files in one transaction: each original is
written to the archive under a pending name first and takes its real name once the
transaction has committed (etl.archive), the earlier submission of the same cell and
period is superseded, never deleted, and the audit rows are written in the same
transaction.
"""
from __future__ import annotations

import getpass
import hashlib
import logging
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa

from etl import archive, audit, sandbox
from etl.catalog import Catalog, get_catalog
from etl.fields import COUNT, PERCENT, ROW_COLUMNS, VALUE_FIELDS
from etl.periods import from_key
from etl.problems import DATA, ERROR, SCHEMA, WARNING, Problem
from etl.read import Limits, too_large_file
from etl.sandbox import WorkerLimit
from etl.store import DatabaseBusy, Store, insert_rows, transaction
from etl.validate import FileReport, check_bytes, display_name
from etl.vocab import AuditAction, LoadOutcome, SubmissionEvent, SubmissionState

log = logging.getLogger(__name__)


@dataclass
class StoredSheet:
    sheet: str
    cell_code: str
    period: str
    submission_id: int
    action: LoadOutcome
    replaced_id: int | None = None
    row_count: int = 0


@dataclass
class StoreOutcome:
    file_name: str
    items: list[StoredSheet] = field(default_factory=list)
    error: str | None = None    # the database refused the file: nothing of it was written

    @property
    def changed(self) -> bool:
        return any(i.action != LoadOutcome.UNCHANGED for i in self.items)


def validate_bytes(data: bytes, file_name: str, cell: str | None = None,
                   period: str | None = None, catalog: Catalog | None = None,
                   allowed_cells: Collection[str] | None = None,
                   limits: Limits | None = None, today: date | None = None) -> FileReport:
    """Everything wrong with a report file, and what it holds. Writes nothing.

    The file is read in a parse worker under `limits` (etl.sandbox): whatever it does,
    this process only ever sees a verdict, and a file that hits a limit is rejected
    with a message saying which. `allowed_cells`: the cells the person loading may
    report for (a cell's secretary: their own); None means any cell. `today`: for
    "this period has not started yet" (None: the real today)."""
    catalog = catalog or get_catalog()
    limits = limits or Limits()
    if len(data) > limits.max_upload_bytes:   # not worth shipping to a worker
        error = too_large_file(len(data), limits)
        return FileReport.refused(data, file_name, error.message, error.hint, error.code)
    try:
        report = sandbox.shared(limits).run(check_bytes, data, file_name, catalog, cell, period,
                                            allowed_cells, limits, limits=limits)
    except WorkerLimit as exc:
        return FileReport.refused(data, file_name, *_stopped(exc, limits))
    except Exception:  # no worker could be started, or a bug here: this file only
        log.exception("checking %s failed outside the parse worker", file_name)
        return FileReport.refused(data, file_name, _PROGRAM_ERROR, _PROGRAM_ERROR_HINT, "internal")
    _check_period_started(report, today or date.today())
    return report


def _check_period_started(report: FileReport, today: date) -> None:
    """A report for a period that has not begun is most likely a typo (Tháng 12 for
    Tháng 11): accepted, with a warning that says what to check."""
    for sheet in report.sheets:
        if sheet.period and from_key(sheet.period).start > today:
            report.problems.append(Problem(
                WARNING, DATA, report.file_name,
                f"Kỳ báo cáo {sheet.period_label} chưa bắt đầu (hôm nay là "
                f"{today:%d/%m/%Y}); báo cáo vẫn được nhận.",
                "Nếu ghi nhầm kỳ, sửa ô 'Kỳ báo cáo' trong tệp (hoặc chọn lại kỳ) rồi nạp lại.",
                sheet.sheet, code="period_not_started"))


_PROGRAM_ERROR = "Không kiểm tra được tệp do lỗi chương trình."
_PROGRAM_ERROR_HINT = "Gửi tệp này cho người quản trị hệ thống; các tệp khác vẫn nạp được."


def _stopped(exc: WorkerLimit, limits: Limits) -> tuple[str, str, str]:
    """(message, hint, code) for a file whose reading hit a hard limit."""
    hint = ("Mở tệp trong Excel, chép bảng báo cáo sang một tệp mới tạo từ mẫu báo cáo "
            "(python -m etl template), lưu .xlsx rồi gửi lại. Các tệp khác không bị ảnh hưởng.")
    if exc.kind == "memory":
        return (f"Đọc tệp cần quá nhiều bộ nhớ (quá {limits.parse_memory_mb} MB) nên đã dừng: "
                "tệp không giống một báo cáo tiến độ.", hint, "too_large")
    if exc.kind in ("cpu", "wall"):
        seconds = limits.parse_cpu_seconds if exc.kind == "cpu" else limits.parse_wall_seconds
        return (f"Đọc tệp quá lâu (quá {seconds:g} giây) nên đã dừng: tệp không giống "
                "một báo cáo tiến độ.", hint, "too_slow")
    if exc.kind == "error":
        log.error("checking a file failed inside the parse worker:\n%s", exc.detail)
        return (_PROGRAM_ERROR, _PROGRAM_ERROR_HINT, "internal")
    return ("Tệp bị hỏng: trình đọc bảng tính dừng bất thường khi mở tệp.", hint, "corrupt")


def validate_path(path: Path | str, cell: str | None = None, period: str | None = None,
                  catalog: Catalog | None = None, allowed_cells: Collection[str] | None = None,
                  limits: Limits | None = None) -> tuple[FileReport, bytes]:
    """`validate_bytes` for a file on disk; its size is checked before it is read."""
    path, limits = Path(path), limits or Limits()
    try:
        size = path.stat().st_size
        if size > limits.max_upload_bytes:   # a 2 GB file is never read into memory
            error = too_large_file(size, limits)
            report = FileReport(display_name(path.name), "", size)
            report.problems.append(Problem(ERROR, SCHEMA, report.file_name, error.message,
                                           error.hint, code=error.code))
            return report, b""
        data = path.read_bytes()
    except OSError as exc:
        reason = {FileNotFoundError: "Không tìm thấy tệp", IsADirectoryError: "Đây là thư mục, không phải tệp",
                  PermissionError: "Không có quyền đọc tệp"}.get(type(exc), "Không mở được tệp")
        report = FileReport(display_name(str(path)), "", 0)
        report.problems.append(Problem(ERROR, SCHEMA, report.file_name, f"{reason}: {path}.",
                                       "Kiểm tra lại đường dẫn và quyền đọc tệp.", code="io"))
        return report, b""
    return validate_bytes(data, path.name, cell, period, catalog, allowed_cells, limits), data


def same_report_twice(reports: list[FileReport]) -> list[tuple[str, str, str, str]]:
    """(cell, period, earlier file, later file) for each cell and period two files of one
    batch both report: the later one will supersede the earlier."""
    seen: dict[tuple, str] = {}
    found = []
    for report in reports:
        for sheet in report.sheets:
            key = (sheet.cell_code, sheet.period)
            if key in seen and seen[key] != report.file_name:
                found.append((*key, seen[key], report.file_name))
            seen[key] = report.file_name
    return found


def login_name() -> str:
    """Who runs the command line, for the audit trail."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry for the uid in some containers
        return "he-thong"


# -- storing ---------------------------------------------------------------------------------

class Storer:
    """Stores many files over one connection at a time, a batch per transaction.

    Opening and closing a DuckDB file costs ~35 ms (the close checkpoints), far more
    than storing a report; a batch reuses the connection, but never holds it longer
    than `hold_seconds`, so the dashboard's readers (which retry) get their turn.
    Who may load what is the use case's question (etl.usecases.load_reports).
    """

    def __init__(self, store: Store, loaded_by: str, hold_seconds: float = 1.0):
        self.store = store
        self.loaded_by = loaded_by
        self.catalog = store.catalog
        self.hold_seconds = hold_seconds
        self._cm = self._con = None
        self._opened_at = 0.0

    def __enter__(self) -> "Storer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._cm is not None:
            cm, self._cm, self._con = self._cm, None, None
            cm.__exit__(None, None, None)

    def _connection(self):
        if self._con is not None and time.monotonic() - self._opened_at > self.hold_seconds:
            self.close()
        if self._con is None:
            self._cm = self.store.write()
            self._con = self._cm.__enter__()
            self._opened_at = time.monotonic()
        return self._con

    def store_many(self, files: list[tuple[FileReport, bytes]]) -> list[StoreOutcome]:
        """Store accepted files in order; a later file for the same cell and period
        supersedes an earlier one. The batch is one transaction; should it fail, each
        file is retried alone so that one file's failure touches no other. A file's
        original takes its archive name only once its transaction has committed."""
        for report, data in files:
            if not report.ok:
                raise ValueError(f"{report.file_name}: tệp có lỗi, không thể nạp.")
            if hashlib.sha256(data).hexdigest() != report.sha256:
                raise ValueError(f"{report.file_name}: nội dung tệp đã thay đổi sau khi kiểm tra.")
        batch = [(report, archive.stage(self.store.archive_dir, data, report.sha256, report.file_name))
                 for report, data in files]
        try:
            return self._store(batch)
        finally:
            for _, staged in batch:
                staged.discard()   # what did not commit (no-op for what did)

    def _store(self, batch: list[tuple[FileReport, archive.Staged]]) -> list[StoreOutcome]:
        try:
            return self._transaction(batch)
        except DatabaseBusy:
            raise
        except Exception as exc:
            log.exception("storing a batch of %d file(s) failed", len(batch))
            if len(batch) == 1:
                return [StoreOutcome(batch[0][0].file_name, error=_db_error(exc))]
        outcomes = []
        for item in batch:
            try:
                outcomes += self._transaction([item])
            except DatabaseBusy:
                raise
            except Exception as exc:
                log.exception("storing %s failed", item[0].file_name)
                outcomes.append(StoreOutcome(item[0].file_name, error=_db_error(exc)))
        return outcomes

    def _transaction(self, batch: list[tuple[FileReport, archive.Staged]]) -> list[StoreOutcome]:
        con = self._connection()
        with transaction(con):
            outcomes = _write_batch(con, self.catalog, [(r, s.relative) for r, s in batch],
                                    self.loaded_by)
        # Committed, and the write lock still held (etl.archive.check relies on it).
        for (_, staged), outcome in zip(batch, outcomes):
            if outcome.changed:
                staged.commit()
        return outcomes


def _db_error(exc: Exception) -> str:
    return f"Không ghi được vào cơ sở dữ liệu, không có gì thay đổi ({type(exc).__name__}: {exc})."


_ARROW_TYPES = {PERCENT: pa.float64(), COUNT: pa.int32()}
_SUBMISSION_SCHEMA = pa.schema([
    ("submission_id", pa.int32()), ("plan_code", pa.string()), ("cell_code", pa.string()),
    ("period", pa.string()), ("period_grain", pa.string()), ("period_start", pa.date32()),
    ("period_end", pa.date32()), ("file_name", pa.string()), ("sheet", pa.string()),
    ("sha256", pa.string()), ("archive_path", pa.string()), ("report_date", pa.date32()),
    ("prepared_by", pa.string()), ("loaded_at", pa.timestamp("us")), ("loaded_by", pa.string()),
    ("state", pa.string()), ("replaces_id", pa.int32()), ("row_count", pa.int32()),
    ("is_sample", pa.bool_())])
# progress_rows: the submission, then the task row's columns, typed from the field table.
_ROW_SCHEMA = pa.schema(
    [("submission_id", pa.int32()), ("task_code", pa.string()), ("excel_row", pa.int32())]
    + [(f.key, _ARROW_TYPES.get(f.kind, pa.string())) for f in VALUE_FIELDS])
_EVENT_SCHEMA = pa.schema([
    ("submission_id", pa.int32()), ("action", pa.string()), ("acted_at", pa.timestamp("us")),
    ("acted_by", pa.string()), ("note", pa.string())])


def _write_batch(con, catalog: Catalog, files: list[tuple[FileReport, str]],
                 loaded_by: str) -> list[StoreOutcome]:
    """A few set-based statements for the whole batch: a DuckDB statement costs ~1 ms,
    far more than the few rows of a report."""
    plan = catalog.plan.code
    current = {(c, p): (sid, sha, sheet) for c, p, sid, sha, sheet in con.execute(
        "SELECT cell_code, period, submission_id, sha256, sheet FROM submissions "
        "WHERE plan_code = ? AND state = 'current'", [plan]).fetchall()}
    n_sheets = sum(len(r.sheets) for r, _ in files)
    new_ids = iter([i for (i,) in con.execute(
        "SELECT nextval('submission_ids') FROM range(?)", [n_sheets]).fetchall()])
    now = datetime.now()
    subs: dict[int, dict] = {}       # new submission id -> its row, in load order
    rows, events, superseded, outcomes, audit_rows = [], [], [], [], []
    for report, archived in files:
        outcome = StoreOutcome(report.file_name)
        for sheet in report.sheets:
            key = (sheet.cell_code, sheet.period)
            cur = current.get(key)
            if cur and cur[1] == report.sha256 and cur[2] == sheet.sheet:
                outcome.items.append(StoredSheet(sheet.sheet, *key, cur[0], LoadOutcome.UNCHANGED,
                                                 row_count=len(sheet.rows)))
                continue
            sid, replaced_id = next(new_ids), cur[0] if cur else None
            if replaced_id in subs:  # an earlier file of this same batch
                subs[replaced_id]["state"] = SubmissionState.SUPERSEDED
            elif replaced_id is not None:
                superseded.append(replaced_id)
            if replaced_id is not None:
                events.append((replaced_id, SubmissionEvent.SUPERSEDED, now, loaded_by,
                               f"thay bằng báo cáo {report.file_name}"))
            p = from_key(sheet.period)
            subs[sid] = dict(
                submission_id=sid, plan_code=plan, cell_code=sheet.cell_code, period=p.key,
                period_grain=p.grain, period_start=p.start, period_end=p.end,
                file_name=report.file_name, sheet=sheet.sheet, sha256=report.sha256,
                archive_path=archived, report_date=sheet.report_date,
                prepared_by=sheet.prepared_by, loaded_at=now, loaded_by=loaded_by,
                state=SubmissionState.CURRENT, replaces_id=replaced_id,
                row_count=len(sheet.rows), is_sample=sheet.is_sample)
            rows += [{"submission_id": sid, **{c: getattr(r, c) for c in ROW_COLUMNS}}
                     for r in sheet.rows]
            events.append((sid, SubmissionEvent.LOADED, now, loaded_by, report.file_name))
            current[key] = (sid, report.sha256, sheet.sheet)
            outcome.items.append(StoredSheet(
                sheet.sheet, *key, sid,
                LoadOutcome.SUPERSEDED if replaced_id else LoadOutcome.ADDED,
                replaced_id, len(sheet.rows)))
        outcomes.append(outcome)
        audit_rows.append((report.file_name, "; ".join(
            f"#{i.submission_id} {i.cell_code} {i.period}: {i.action.label}" for i in outcome.items)))
    if superseded:
        con.execute("UPDATE submissions SET state = 'superseded' "
                    "WHERE list_contains(?, submission_id)", [superseded])
    insert_rows(con, "submissions", _SUBMISSION_SCHEMA, list(subs.values()))
    insert_rows(con, "progress_rows", _ROW_SCHEMA, rows)
    insert_rows(con, "submission_events", _EVENT_SCHEMA,
                [dict(zip(_EVENT_SCHEMA.names, e)) for e in events])
    audit.append_many(con, loaded_by, AuditAction.LOAD, audit_rows, at=now)
    return outcomes
