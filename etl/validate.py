"""One report file's verdict: read it, parse each sheet, collect every problem.

Pure and light on purpose (no database, no pandas): this is the code the parse worker
runs (etl.sandbox) on files from strangers. Everything else reaches it through
`etl.load.validate_bytes`, which runs it in the worker under hard limits.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field

from etl.catalog import Catalog
from etl.parse import SheetReport, parse_sheet
from etl.problems import ERROR, SCHEMA, Problem
from etl.read import Limits, UnreadableFile, read_sheets


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

    @classmethod
    def refused(cls, data: bytes, file_name: str, message: str, hint: str, code: str) -> "FileReport":
        """A file rejected as a whole, before or instead of reading it."""
        report = cls(display_name(file_name), hashlib.sha256(data).hexdigest(), len(data))
        report.problems.append(Problem(ERROR, SCHEMA, report.file_name, message, hint, code=code))
        return report


def check_bytes(data: bytes, file_name: str, catalog: Catalog, cell: str | None = None,
                period: str | None = None, allowed_cells: Collection[str] | None = None,
                limits: Limits = Limits()) -> FileReport:
    """Everything wrong with a report file, and what it holds, in this process.

    `allowed_cells`: the cells the person loading may report for (a cell's secretary:
    their own); a sheet of another cell is an error. None means any cell."""
    file_name = display_name(file_name)
    try:
        sheets = read_sheets(data, file_name, limits)
    except UnreadableFile as exc:
        return FileReport.refused(data, file_name, exc.message, exc.hint, exc.code)
    report = FileReport(file_name, hashlib.sha256(data).hexdigest(), len(data))
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
    _check_allowed(report, allowed_cells)
    return report


def _check_allowed(report: FileReport, allowed_cells: Collection[str] | None) -> None:
    if allowed_cells is None:
        return
    for s in report.sheets:
        if s.cell_code and s.cell_code not in allowed_cells:
            report.problems.append(Problem(
                ERROR, SCHEMA, report.file_name,
                f"Tài khoản của bạn chỉ được nạp báo cáo của chi bộ {', '.join(sorted(allowed_cells))}, "
                f"không được nạp báo cáo của chi bộ {s.cell_code}.",
                "Gửi tệp cho Văn phòng để nạp, hoặc đăng nhập bằng tài khoản của chi bộ đó.",
                sheet=s.sheet, code="cell_not_allowed"))


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
