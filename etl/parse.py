"""One sheet of cell values -> one progress report, with every problem found.

Finds the header block and the task table wherever a person put them, reads each
task row into canonical values, and collects every problem before answering
(nothing stops at the first error). Knows nothing of files, databases or Streamlit.
"""
from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from etl.catalog import Catalog
from etl.fields import (BY_KEY, COUNT_KEYS, FIELDS, ROW_COLUMNS, TEXT_KEYS, VALUE_KEYS, TaskRow,
                        is_status_text, parse_percentage)
from etl.periods import from_key, parse_period_text, period_label, year_named
from etl.problems import DATA, ERROR, SCHEMA, WARNING, Problem
from etl.read import Sheet, excel_error
from etl.textnorm import fold, fold_loose, nfc
from etl.vocab import Status

HEADER_SEARCH_ROWS = 30


def _keys(*texts: str) -> frozenset[str]:
    return frozenset(fold_loose(t).replace("%", "").strip() for t in texts)


LABELS: dict[str, frozenset[str]] = {
    "cell": _keys("Chi bộ", "Tên chi bộ", "Đơn vị"),
    "period": _keys("Kỳ báo cáo", "Thời gian báo cáo", "Kỳ"),
    "report_date": _keys("Ngày báo cáo", "Ngày lập", "Ngày lập báo cáo"),
    "prepared_by": _keys("Người lập", "Người lập biểu", "Người báo cáo"),
}

TOTAL_ROW = re.compile(r"^(tong cong|tong so|tong|cong)\b")
TASK_CODE_IN_TEXT = re.compile(r"^\s*(nv\s*\d+(?:\s*\.\s*\d+)?)\s*[.:\-)]?\s*(.*)$", re.I)


@dataclass
class SheetReport:
    sheet: str
    cell_code: str | None
    period: str | None
    report_date: date | None
    prepared_by: str | None
    is_sample: bool
    rows: list[TaskRow] = field(default_factory=list)
    skipped_tasks: list[str] = field(default_factory=list)

    @property
    def period_label(self) -> str:
        return period_label(self.period) if self.period else ""

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame([asdict(r) for r in self.rows], columns=list(ROW_COLUMNS))


@dataclass
class _Ctx:
    """What every problem of one sheet shares, so each call names only what differs."""
    file: str
    sheet: str
    headers: dict[str, str]
    problems: list[Problem]

    def add(self, severity, kind, message, hint="", row=None, column_key="", value="", code=""):
        column = self.headers.get(column_key, column_key)
        self.problems.append(Problem(severity, kind, self.file, message, hint, self.sheet, row,
                                     column, _show(value), code))

    def error(self, *a, **k):
        self.add(ERROR, DATA, *a, **k)

    def warn(self, *a, **k):
        self.add(WARNING, DATA, *a, **k)


def _show(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (date, datetime)):
        return value.strftime("%d/%m/%Y")
    return nfc(value).replace("\n", " ")


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, float) and math.isnan(value))


def _header_key(text: object) -> str | None:
    if not isinstance(text, str) or not text.strip():
        return None
    key = fold_loose(text).replace("%", "").strip()
    return next((f.key for f in FIELDS if key in f.header_keys), None)


# -- finding the table ------------------------------------------------------------

def find_header(rows: list[list[object]]) -> tuple[int, dict[int, str], int] | None:
    """(header row index, {column index: column key}, first data row index), or None."""
    best = None
    for r in range(min(HEADER_SEARCH_ROWS, len(rows))):
        mapping = _map_row(rows[r])
        keys = set(mapping.values())
        if not ({"task_code", "task_title"} & keys and {"status", "completion_pct"} & keys):
            continue
        if best is None or len(keys) > len(set(best[1].values())):
            best = (r, mapping)
    if best is None:
        return None
    r, mapping = best
    data_start = r + 1
    # A header split over two rows (a merged group label above its sub-columns).
    if r + 1 < len(rows):
        below = _map_row(rows[r + 1])
        extra = {c: k for c, k in below.items() if c not in mapping and k not in mapping.values()}
        if extra and not any(_looks_like_task_code(v) for v in rows[r + 1]):
            mapping.update(extra)
            data_start = r + 2
    return r, mapping, data_start


def _map_row(row: list[object]) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for c, value in enumerate(row):
        key = _header_key(value)
        if key and key not in mapping.values():
            mapping[c] = key
    return mapping


def _looks_like_task_code(value: object) -> bool:
    return isinstance(value, str) and bool(re.fullmatch(r"\s*nv\s*\d+(\s*\.\s*\d+)?\s*", value, re.I))


# -- the header block ----------------------------------------------------------------

def read_header_block(rows: list[list[object]], header_row: int) -> dict[str, tuple[object, int, int]]:
    """{label key: (value, row index, column index)} from the rows above the table."""
    found: dict[str, tuple[object, int, int]] = {}
    for key, value, r, c in _header_labels(rows, header_row):
        found.setdefault(key, (value, r, c))
    return found


def _header_labels(rows: list[list[object]], header_row: int):
    """(label key, value, row index, column index) of every label above the table."""
    for r in range(header_row):
        row = rows[r]
        for c, cell in enumerate(row):
            if not isinstance(cell, str) or not cell.strip():
                continue
            label, value = _split_label(cell)
            key = _label_key(label)
            if key is None:
                continue
            at = c
            if _blank(value):
                value, at = _value_right_of(row, c)
            yield key, value, r, at


def _split_label(text: str) -> tuple[str, object]:
    if ":" in text:
        label, value = text.split(":", 1)
        return label, value.strip()
    return text, None


def _label_key(label: str) -> str | None:
    key = fold_loose(label)
    for name, variants in LABELS.items():
        if key in variants:
            return name
    return None


def _value_right_of(row: list[object], c: int) -> tuple[object, int]:
    for j in range(c + 1, len(row)):
        if not _blank(row[j]):
            return row[j], j
    return None, c


# -- values ------------------------------------------------------------------------------

def parse_report_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and 20000 < value < 80000:  # an Excel serial date
        from datetime import timedelta
        return date(1899, 12, 30) + timedelta(days=int(value))
    text = fold(value)
    m = re.search(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})", text) or \
        re.search(r"ngay (\d{1,2}) thang (\d{1,2}) nam (\d{4})", text)
    if not m:
        raise ValueError("không phải ngày")
    return date(int(m[3]), int(m[2]), int(m[1]))


# -- the sheet -------------------------------------------------------------------------------

def parse_sheet(sheet: Sheet, file_name: str, catalog: Catalog,
                given_cell: str | None = None, given_period: str | None = None
                ) -> tuple[SheetReport | None, list[Problem]]:
    """The report a sheet holds, or None when it holds no task table."""
    found = find_header(sheet.rows)
    if found is None:
        return None, []
    header_row, mapping, data_start = found
    headers = {k: _show(sheet.rows[header_row][c]) or _show(sheet.rows[data_start - 1][c])
               for c, k in mapping.items()}
    ctx = _Ctx(file_name, sheet.name, headers, [])

    extra = [_show(v) for c, v in enumerate(sheet.rows[header_row])
             if c not in mapping and not _blank(v)]
    columns = {k: c for c, k in mapping.items()}
    if extra:
        ctx.add(WARNING, SCHEMA, "Các cột không thuộc mẫu báo cáo được bỏ qua: "
                + ", ".join(f"'{e}'" for e in extra), row=header_row + 1)

    block = read_header_block(sheet.rows, header_row)
    is_sample = _is_sample(sheet, header_row)
    _check_repeated_labels(sheet.rows, header_row, catalog, ctx)
    cell_code = _resolve_cell(block, given_cell, catalog, ctx)
    period = _resolve_period(block, given_period, catalog, ctx)
    report_date = _resolve_report_date(block, ctx)
    prepared_by = nfc(block["prepared_by"][0]) if "prepared_by" in block and not _blank(
        block["prepared_by"][0]) else None

    report = SheetReport(sheet.name, cell_code, period, report_date, prepared_by, is_sample)
    for r in range(data_start, len(sheet.rows)):
        row = _parse_task_row(sheet, r, columns, catalog, ctx, report)
        if row is not None:
            report.rows.append(row)
    _check_duplicates(report, ctx)
    _check_assignments(report, catalog, ctx)
    if not report.rows and not any(p.is_error for p in ctx.problems):
        ctx.error("Báo cáo chưa có nhiệm vụ nào được điền trạng thái hoặc tỷ lệ hoàn thành.",
                  "Điền cột Trạng thái hoặc Tỷ lệ hoàn thành (%) cho các nhiệm vụ rồi gửi lại.",
                  row=header_row + 1, code="no_rows")
    return report, ctx.problems


def _is_sample(sheet: Sheet, header_row: int) -> bool:
    if "du lieu mau" in fold(sheet.name):
        return True
    return any(isinstance(v, str) and "du lieu mau" in fold(v)
               for row in sheet.rows[:header_row] for v in row)


def _resolve_cell(block, given_cell, catalog, ctx) -> str | None:
    in_file = block.get("cell")
    file_cell = None
    if in_file and not _blank(in_file[0]):
        value, r, _ = in_file
        found = catalog.find_cell(value)
        if found is None:
            known = ", ".join(f"{c.code} ({c.name})" for c in catalog.cells)
            ctx.error("Chi bộ không có trong danh mục.", f"Ghi mã hoặc tên chi bộ, một trong: {known}.",
                      row=r + 1, column_key="Chi bộ", value=value, code="unknown_cell")
            return None
        file_cell = found.code
    if given_cell and file_cell and given_cell != file_cell:
        ctx.error(f"Tệp ghi chi bộ {file_cell}, nhưng đã chọn chi bộ {given_cell}.",
                  "Chọn đúng chi bộ, hoặc sửa ô 'Chi bộ' trong tệp.",
                  row=in_file[1] + 1, column_key="Chi bộ", value=in_file[0], code="cell_conflict")
        return None
    if not (given_cell or file_cell):
        ctx.error("Không xác định được chi bộ báo cáo.",
                  "Ghi 'Chi bộ:' và tên chi bộ ở phần đầu báo cáo, hoặc chọn chi bộ khi nạp "
                  "(dòng lệnh: --cell).", code="missing_cell")
        return None
    return given_cell or file_cell


def _resolve_period(block, given_period, catalog, ctx) -> str | None:
    in_file = block.get("period")
    file_period = None
    if in_file and not _blank(in_file[0]):
        value, r, _ = in_file
        file_period = parse_period_text(value)
        year = from_key(file_period).start.year if file_period else year_named(value)
        if not _in_plan(year, catalog, ctx, row=r + 1, column_key="Kỳ báo cáo", value=value):
            return None
        if file_period is None:
            ctx.error("Không hiểu kỳ báo cáo.",
                      "Ghi kỳ báo cáo theo mẫu: 'Tháng 7/2026', 'Quý III/2026', "
                      "'6 tháng đầu năm 2026' hoặc 'Năm 2026'.",
                      row=r + 1, column_key="Kỳ báo cáo", value=value, code="bad_period")
            return None
    given = None
    if given_period:
        given = parse_period_text(given_period)
        if not _in_plan(from_key(given).start.year if given else year_named(given_period),
                        catalog, ctx, value=given_period):
            return None
        if given is None:
            ctx.error("Mã kỳ báo cáo không hợp lệ.", "Chọn kỳ báo cáo, ví dụ 2026-07 hoặc 2026-Q3.",
                      value=given_period, code="bad_period")
            return None
    if given and file_period and given != file_period:
        ctx.error(f"Tệp ghi kỳ {period_label(file_period)}, nhưng đã chọn kỳ {period_label(given)}.",
                  "Chọn đúng kỳ báo cáo, hoặc sửa ô 'Kỳ báo cáo' trong tệp.",
                  row=in_file[1] + 1, column_key="Kỳ báo cáo", value=in_file[0],
                  code="period_conflict")
        return None
    if not (given or file_period):
        ctx.error("Không xác định được kỳ báo cáo.",
                  "Ghi 'Kỳ báo cáo:' (ví dụ 'Tháng 7/2026') ở phần đầu báo cáo, hoặc chọn kỳ khi nạp "
                  "(dòng lệnh: --period).", code="missing_period")
        return None
    return given or file_period


def _in_plan(year: int | None, catalog: Catalog, ctx, **where) -> bool:
    """A period of a year the plan does not cover is refused (a report for `Năm 0001`
    or `Năm 9999` would break every page that lists periods)."""
    if year is None:
        return True
    try:
        catalog.plan.check_year(year)
    except ValueError as exc:
        ctx.error(f"Kỳ báo cáo không hợp lệ: {exc}.",
                  f"Ghi đúng năm của kỳ báo cáo, ví dụ 'Tháng 7/{catalog.plan.years[0]}'.",
                  code="period_out_of_plan", **where)
        return False
    return True


def _check_repeated_labels(rows, header_row, catalog, ctx) -> None:
    """A header block naming two different cells (or periods) is refused: which one the
    figures belong to is a guess."""
    def cell_code(value) -> str | None:
        cell = catalog.find_cell(value)
        return cell.code if cell else None

    resolve = {"cell": cell_code, "period": parse_period_text}
    seen: dict[str, tuple[str, object, int]] = {}
    for key, value, r, _ in _header_labels(rows, header_row):
        if key not in resolve or _blank(value):
            continue
        meaning = resolve[key](value)
        if not meaning:
            continue
        if key in seen and seen[key][0] != meaning:
            first_value, first_row = seen[key][1], seen[key][2]
            what = "chi bộ" if key == "cell" else "kỳ báo cáo"
            ctx.error(f"Phần đầu báo cáo ghi hai {what} khác nhau: '{_show(first_value)}' "
                      f"(dòng {first_row + 1}) và '{_show(value)}' (dòng {r + 1}).",
                      f"Giữ một dòng {what} đúng rồi gửi lại.", row=r + 1,
                      column_key="Chi bộ" if key == "cell" else "Kỳ báo cáo", value=value,
                      code=f"{key}_conflict")
        seen.setdefault(key, (meaning, value, r))


def _resolve_report_date(block, ctx) -> date | None:
    entry = block.get("report_date")
    if not entry or _blank(entry[0]):
        return None
    value, r, _ = entry
    try:
        return parse_report_date(value)
    except ValueError:
        ctx.warn("Không đọc được ngày báo cáo; sẽ dùng ngày nạp để xét đúng hạn.",
                 "Ghi ngày theo dạng dd/mm/yyyy, ví dụ 05/08/2026.",
                 row=r + 1, column_key="Ngày báo cáo", value=value)
        return None


def _cell(sheet: Sheet, r: int, columns: dict[str, int], key: str) -> object:
    c = columns.get(key)
    if c is None or c >= len(sheet.rows[r]):
        return None
    return sheet.rows[r][c]


def _parse_task_row(sheet, r, columns, catalog, ctx, report) -> TaskRow | None:
    get = lambda key: _cell(sheet, r, columns, key)  # noqa: E731
    excel_row = r + 1
    code_value, title_value = get("task_code"), get("task_title")
    status_value, pct_value = get("status"), get("completion_pct")
    if all(_blank(get(k)) for k in columns):
        return None
    first_texts = [fold(v) for v in (get("stt"), code_value, title_value) if isinstance(v, str)]
    if any(TOTAL_ROW.match(t) for t in first_texts):
        return None

    task_code = _identify_task(code_value, title_value, status_value, pct_value, catalog, ctx, excel_row)
    if task_code is None:
        return None
    if task_code == "":
        return None  # a note or signature line under the table
    if _blank(status_value) and _blank(pct_value):
        report.skipped_tasks.append(task_code)
        ctx.warn(f"Nhiệm vụ {task_code} chưa điền trạng thái và tỷ lệ hoàn thành: coi như chưa báo cáo.",
                 "Điền Trạng thái hoặc Tỷ lệ hoàn thành (%) nếu chi bộ có thực hiện nhiệm vụ này.",
                 row=excel_row, column_key="status")
        return None

    errors_before = sum(p.is_error for p in ctx.problems)
    for key in VALUE_KEYS:
        error = excel_error(get(key))
        if error:
            ctx.error(f"Ô chứa giá trị lỗi của Excel ({error}): công thức không tính được.",
                      "Sửa công thức trong Excel (hoặc ghi thẳng giá trị) rồi gửi lại.",
                      row=excel_row, column_key=key, value=error, code="excel_error")
    if sum(p.is_error for p in ctx.problems) > errors_before:
        return None
    status = pct = None
    if not _blank(status_value):
        try:
            status = BY_KEY["status"].parser(status_value)
        except ValueError:
            ctx.error("Trạng thái không hợp lệ.",
                      "Chọn một trong: " + ", ".join(Status.labels().values()) + ".",
                      row=excel_row, column_key="status", value=status_value, code="bad_status")
    if not _blank(pct_value):
        try:
            pct = parse_percentage(pct_value, _is_fraction(pct_value)
                                   and sheet.is_percent(r, columns["completion_pct"]))
        except ValueError as exc:
            ctx.error(f"Tỷ lệ hoàn thành {exc}.", "Ghi một số từ 0 đến 100, ví dụ 80 hoặc 80,5.",
                      row=excel_row, column_key="completion_pct", value=pct_value, code="bad_percent")
    counts = {}
    for key in COUNT_KEYS:
        value = get(key)
        if _blank(value):
            counts[key] = None
            continue
        try:
            counts[key] = BY_KEY[key].parser(value)
        except ValueError as exc:
            ctx.error(f"Số liệu {exc}.", "Ghi một số nguyên không âm, ví dụ 3 hoặc 1.234.",
                      row=excel_row, column_key=key, value=value, code="bad_count")
    if sum(p.is_error for p in ctx.problems) > errors_before:
        return None
    status, pct = _complete_status(status, pct, task_code, ctx, excel_row)
    texts = {k: None if _blank(get(k)) else BY_KEY[k].parser(get(k)) for k in TEXT_KEYS}
    return TaskRow(task_code, excel_row, status=status, completion_pct=pct, **counts, **texts)


def _identify_task(code_value, title_value, status_value, pct_value, catalog, ctx, excel_row):
    """The task code of a row; "" for a line that is not a task row; None after an error."""
    has_values = _looks_like_status(status_value) or _looks_like_number(pct_value)
    if not _blank(code_value) and (_is_code_like(code_value) or has_values):
        code = catalog.find_task_code(code_value)
        if code is None:
            ctx.error("Mã nhiệm vụ không có trong kế hoạch.",
                      "Dùng mã trong mẫu báo cáo (NV1.1 ... NV5.2); tải lại mẫu nếu cần.",
                      row=excel_row, column_key="task_code", value=code_value, code="unknown_task")
            return None
        return code
    if not _blank(title_value):
        code = catalog.find_task_by_title(title_value)
        if code is None and isinstance(title_value, str):
            m = TASK_CODE_IN_TEXT.match(title_value)
            if m:
                code = catalog.find_task_code(m[1])
        if code is not None:
            return code
        if has_values:
            ctx.error("Nội dung nhiệm vụ không khớp với nhiệm vụ nào trong kế hoạch.",
                      "Ghi Mã nhiệm vụ (ví dụ NV3.2), hoặc chép đúng nội dung nhiệm vụ từ mẫu báo cáo.",
                      row=excel_row, column_key="task_title", value=title_value, code="unknown_task")
            return None
        return ""
    if has_values:
        ctx.error("Dòng có số liệu nhưng thiếu mã và nội dung nhiệm vụ.",
                  "Ghi Mã nhiệm vụ (ví dụ NV3.2) cho dòng này.",
                  row=excel_row, column_key="task_code", value="", code="unknown_task")
        return None
    return ""


def _is_fraction(value: object) -> bool:
    """0 < v <= 1: the only numbers whose meaning depends on a percentage format."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value <= 1


def _is_code_like(value: object) -> bool:
    """A code holds a digit in a short token (NV3.2, 3.2); `NGƯỜI LẬP` or a sentence
    in that column under the table is a signature or a note."""
    text = _show(value)
    return len(text) <= 12 and any(ch.isdigit() for ch in text)


def _looks_like_status(value: object) -> bool:
    return not _blank(value) and is_status_text(value)


def _looks_like_number(value: object) -> bool:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return True
    return isinstance(value, str) and bool(re.fullmatch(r"\s*-?\d+([.,]\d+)?\s*%?\s*", value))


def _complete_status(status, pct, task_code, ctx, excel_row):
    """DOMAIN.md's rules for a row with only one of status and percentage."""
    if pct is None:
        return status, {Status.DONE: 100.0, Status.NOT_STARTED: 0.0}.get(status)
    if status is None:
        return (Status.DONE if pct == 100 else Status.NOT_STARTED if pct == 0
                else Status.IN_PROGRESS), pct
    contradiction = ((status == Status.DONE and pct < 100)
                     or (status == Status.NOT_STARTED and pct > 0))
    if contradiction:
        ctx.warn(f"Nhiệm vụ {task_code}: trạng thái '{status.label}' không khớp với tỷ lệ "
                 f"{_show(pct)}%.", "Kiểm tra lại trạng thái hoặc tỷ lệ hoàn thành.",
                 row=excel_row, column_key="status", value=status.label)
    return status, pct


def _check_duplicates(report: SheetReport, ctx: _Ctx) -> None:
    kept: dict[str, TaskRow] = {}
    unique = []
    for row in report.rows:
        first = kept.get(row.task_code)
        if first is None:
            kept[row.task_code] = row
            unique.append(row)
        elif first.same_values(row):
            ctx.warn(f"Nhiệm vụ {row.task_code} ghi hai lần (dòng {first.excel_row} và {row.excel_row}) "
                     "với cùng số liệu: chỉ tính một lần.", "Xóa dòng lặp.",
                     row=row.excel_row, column_key="task_code", value=row.task_code)
        else:
            ctx.error(f"Nhiệm vụ {row.task_code} ghi hai lần với số liệu khác nhau "
                      f"(dòng {first.excel_row} và dòng {row.excel_row}).",
                      "Giữ lại một dòng đúng cho mỗi nhiệm vụ.",
                      row=row.excel_row, column_key="task_code", value=row.task_code,
                      code="duplicate_task")
    report.rows = unique


def _check_assignments(report: SheetReport, catalog: Catalog, ctx: _Ctx) -> None:
    if not report.cell_code:
        return
    cell = catalog.cell(report.cell_code)
    for row in report.rows:
        if cell.role(row.task_code) is None:
            ctx.warn(f"Nhiệm vụ {row.task_code} không được phân công cho {cell.name}; vẫn ghi nhận.",
                     "Kiểm tra lại mã nhiệm vụ nếu ghi nhầm.",
                     row=row.excel_row, column_key="task_code", value=row.task_code)
