"""Validate a report file and store it: the library the CLI and the upload page share.

`validate_bytes` reads and checks everything and writes nothing. `store` writes one
file's sheets in one transaction: the original is archived first (by sha256, so a
failed transaction leaves at most an unreferenced copy), the earlier submission of
the same cell and period is superseded, never deleted.
"""
from __future__ import annotations

import getpass
import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from etl import db as dbmod
from etl.catalog import Catalog, get_catalog
from etl.parse import SheetReport, TaskRow, parse_sheet
from etl.periods import from_key
from etl.problems import ERROR, SCHEMA, Problem
from etl.read import UnreadableFile, read_sheets

ROW_COLUMNS = list(TaskRow.__dataclass_fields__)


@dataclass
class FileReport:
    file_name: str
    sha256: str
    size: int
    sheets: list[SheetReport] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.sheets)

    def needs(self) -> set[str]:
        """What the user must pick because the file does not say it: {'cell', 'period'}."""
        return {p.code.removeprefix("missing_") for p in self.problems
                if p.code in ("missing_cell", "missing_period")}


@dataclass
class StoredSheet:
    sheet: str
    cell_code: str
    period: str
    submission_id: int
    action: str                 # added | superseded | unchanged
    replaced_id: int | None = None
    row_count: int = 0


@dataclass
class StoreOutcome:
    file_name: str
    items: list[StoredSheet] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(i.action != "unchanged" for i in self.items)


def validate_bytes(data: bytes, file_name: str, cell: str | None = None,
                   period: str | None = None, catalog: Catalog | None = None) -> FileReport:
    """Everything wrong with a report file, and what it holds. Writes nothing."""
    catalog = catalog or get_catalog()
    file_name = display_name(file_name)
    report = FileReport(file_name, hashlib.sha256(data).hexdigest(), len(data))
    try:
        sheets = read_sheets(data, file_name)
    except UnreadableFile as exc:
        report.problems.append(Problem(ERROR, SCHEMA, file_name, exc.message, exc.hint, code=exc.code))
        return report
    for sheet in sheets:
        parsed, problems = parse_sheet(sheet, file_name, catalog, cell, period)
        report.problems.extend(problems)
        if parsed is not None:
            report.sheets.append(parsed)
    if not report.sheets:
        names = ", ".join(f"'{s.name}'" for s in sheets) or "(không có)"
        report.problems.append(Problem(
            ERROR, SCHEMA, file_name,
            f"Không tìm thấy bảng tiến độ trong tệp (các trang tính: {names}).",
            "Bảng cần có dòng tiêu đề gồm cột 'Mã nhiệm vụ' (hoặc 'Nội dung nhiệm vụ') và "
            "'Trạng thái' (hoặc 'Tỷ lệ hoàn thành (%)'), trong 30 dòng đầu. Dùng mẫu báo cáo: "
            "python -m etl template.", code="no_table"))
    _check_sheets_distinct(report)
    return report


def validate_path(path: Path | str, cell: str | None = None, period: str | None = None,
                  catalog: Catalog | None = None) -> tuple[FileReport, bytes]:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        report = FileReport(path.name, "", 0)
        report.problems.append(Problem(ERROR, SCHEMA, path.name, f"Không mở được tệp: {exc.strerror}.",
                                       "Kiểm tra đường dẫn và quyền đọc tệp.", code="io"))
        return report, b""
    return validate_bytes(data, path.name, cell, period, catalog), data


def _check_sheets_distinct(report: FileReport) -> None:
    seen: dict[tuple, str] = {}
    for s in report.sheets:
        key = (s.cell_code, s.period)
        if None in key:
            continue
        if key in seen:
            report.problems.append(Problem(
                ERROR, SCHEMA, report.file_name,
                f"Hai trang tính '{seen[key]}' và '{s.sheet}' cùng báo cáo chi bộ {s.cell_code}, "
                f"kỳ {s.period_label}.", "Giữ một trang tính cho mỗi chi bộ và kỳ báo cáo.",
                sheet=s.sheet, code="duplicate_sheet"))
        seen[key] = s.sheet


def display_name(file_name: str) -> str:
    """The base name as the user sees it (NFC), whatever path or form it came with."""
    return unicodedata.normalize("NFC", re.split(r"[\\/]", str(file_name))[-1]) or "bao-cao"


def default_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return os.environ.get("USER", "he-thong")


# -- storing ---------------------------------------------------------------------------------

def archive_original(data: bytes, sha256: str, file_name: str, db_path: Path) -> str:
    """Keep the uploaded bytes as they came; returns the path relative to the archive."""
    relative = f"{sha256[:2]}/{sha256}/{_safe_file_name(file_name)}"
    target = dbmod.archive_dir(db_path) / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".part")
        tmp.write_bytes(data)
        os.replace(tmp, target)
    return relative


def _safe_file_name(name: str) -> str:
    name = re.sub(r'[\x00-\x1f<>:"/\\|?*]', "_", name).strip(" .")
    return name[:150] or "bao-cao"


def store(report: FileReport, data: bytes, db_path: Path | str | None = None,
          loaded_by: str | None = None, catalog: Catalog | None = None) -> StoreOutcome:
    """Write an accepted file's sheets in one transaction. Refuses a file with errors."""
    if not report.ok:
        raise ValueError(f"{report.file_name}: tệp có lỗi, không thể nạp.")
    if hashlib.sha256(data).hexdigest() != report.sha256:
        raise ValueError(f"{report.file_name}: nội dung tệp đã thay đổi sau khi kiểm tra.")
    catalog = catalog or get_catalog()
    db_path = dbmod.resolve_db_path(db_path)
    loaded_by = loaded_by or default_user()
    archived = archive_original(data, report.sha256, report.file_name, db_path)
    outcome = StoreOutcome(report.file_name)
    with dbmod.write_connection(db_path, catalog) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            now = datetime.now()
            for sheet in report.sheets:
                outcome.items.append(_store_sheet(con, catalog, report, sheet, archived, loaded_by, now))
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    return outcome


def _store_sheet(con, catalog, report, sheet, archived, loaded_by, now) -> StoredSheet:
    plan = catalog.plan.code
    current = con.execute(
        "SELECT submission_id, sha256 FROM submissions WHERE plan_code = ? AND cell_code = ? "
        "AND period = ? AND sheet = ? AND state = 'current'",
        [plan, sheet.cell_code, sheet.period, sheet.sheet]).fetchone()
    if current and current[1] == report.sha256:
        return StoredSheet(sheet.sheet, sheet.cell_code, sheet.period, current[0], "unchanged",
                           row_count=len(sheet.rows))
    replaced = con.execute(
        "SELECT submission_id FROM submissions WHERE plan_code = ? AND cell_code = ? "
        "AND period = ? AND state = 'current'", [plan, sheet.cell_code, sheet.period]).fetchone()
    replaced_id = replaced[0] if replaced else None
    if replaced_id is not None:
        con.execute("UPDATE submissions SET state = 'superseded' WHERE submission_id = ?", [replaced_id])
        con.execute("INSERT INTO submission_events (submission_id, action, acted_at, acted_by, note) "
                    "VALUES (?, 'superseded', ?, ?, ?)",
                    [replaced_id, now, loaded_by, f"thay bằng báo cáo {report.file_name}"])
    p = from_key(sheet.period)
    new_id = con.execute(
        "INSERT INTO submissions (plan_code, cell_code, period, period_grain, period_start, "
        "period_end, file_name, sheet, sha256, archive_path, report_date, prepared_by, loaded_at, "
        "loaded_by, state, replaces_id, row_count, is_sample) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'current', ?, ?, ?) RETURNING submission_id",
        [plan, sheet.cell_code, p.key, p.grain, p.start, p.end, report.file_name, sheet.sheet,
         report.sha256, archived, sheet.report_date, sheet.prepared_by, now, loaded_by,
         replaced_id, len(sheet.rows), sheet.is_sample]).fetchone()[0]
    rows = sheet.to_frame()
    rows.insert(0, "submission_id", new_id)
    rows = rows.astype({c: "Int64" for c in ("activities", "participants", "posts", "excel_row")})
    rows["completion_pct"] = rows["completion_pct"].astype("Float64")
    con.register("incoming_rows", rows)
    try:
        con.execute(f"INSERT INTO progress_rows (submission_id, {', '.join(ROW_COLUMNS)}) "
                    f"SELECT submission_id, {', '.join(ROW_COLUMNS)} FROM incoming_rows")
    finally:
        con.unregister("incoming_rows")
    con.execute("INSERT INTO submission_events (submission_id, action, acted_at, acted_by, note) "
                "VALUES (?, 'loaded', ?, ?, ?)", [new_id, now, loaded_by, report.file_name])
    return StoredSheet(sheet.sheet, sheet.cell_code, p.key, new_id,
                       "superseded" if replaced_id else "added", replaced_id, len(sheet.rows))


def load_path(path: Path | str, db_path: Path | str | None = None, cell: str | None = None,
              period: str | None = None, dry_run: bool = False, loaded_by: str | None = None,
              catalog: Catalog | None = None) -> tuple[FileReport, StoreOutcome | None]:
    report, data = validate_path(path, cell, period, catalog)
    if not report.ok or dry_run:
        return report, None
    return report, store(report, data, db_path, loaded_by, catalog)


def rows_frame(report: FileReport) -> pd.DataFrame:
    """All parsed rows of a file, with their sheet, cell and period: for previews."""
    frames = []
    for s in report.sheets:
        f = s.to_frame()
        f.insert(0, "period", s.period)
        f.insert(0, "cell_code", s.cell_code)
        f.insert(0, "sheet", s.sheet)
        frames.append(f)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
