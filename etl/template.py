"""The canonical progress report a cell fills in: one .xlsx per cell and period.

Everything the sheet names (cells, tasks, roles, colors, the plan) comes from the
catalog, so editing data/catalog.toml changes the template with no code change.
The bytes are deterministic (fixed created date, fixed zip timestamps): the same
cell, period and date always give the same file.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from etl.catalog import Catalog, Cell, get_catalog
from etl.fields import BY_KEY, COUNT, FIELDS, INFO, KEY, PERCENT, STATUS, TEXT, TITLE
from etl.periods import deadline, from_key, period_label
from etl.vocab import Role, Status

REPORT_SHEET = "Báo cáo"
GUIDE_SHEET = "Hướng dẫn"
# Workbook metadata date: fixed so that two calls give identical bytes.
FIXED_CREATED = datetime(2026, 1, 1, 0, 0, 0)

LABEL_CELL = "Chi bộ:"
LABEL_PERIOD = "Kỳ báo cáo:"
LABEL_DATE = "Ngày báo cáo:"
LABEL_AUTHOR = "Người lập:"
HEADER_LABELS = (LABEL_CELL, LABEL_PERIOD, LABEL_DATE, LABEL_AUTHOR)

# The report's columns are the field table's, in its order (etl/fields.py).
KEYS = tuple(f.key for f in FIELDS)
LAST_COL = len(FIELDS) - 1

# Rows (0-based, xlsxwriter) of the fixed part of the sheet.
_TITLE_ROWS = 5          # organization, cell, blank, heading, period
_BLOCK_FIRST = 6         # first header-block label
_HEADER_ROW = _BLOCK_FIRST + len(HEADER_LABELS) + 1
_VALUE_LAST_COL = 4      # header-block values are merged B:E


@dataclass(frozen=True)
class Layout:
    """Where things are on the report sheet, as Excel shows them (1-based rows)."""
    label_rows: dict[str, int]
    header_row: int
    task_rows: dict[str, int]

    @staticmethod
    def column_letter(key: str) -> str:
        return xl_col_to_name(KEYS.index(key))

    def ref(self, task_code: str, key: str) -> str:
        """`F14`: the cell of one task row under one column (a field key, e.g. "status")."""
        return f"{self.column_letter(key)}{self.task_rows[task_code]}"

    def value_ref(self, label: str) -> str:
        """The header-block value cell for a label (column B)."""
        return f"B{self.label_rows[label]}"


def layout(cell_code: str, catalog: Catalog | None = None) -> Layout:
    catalog = catalog or get_catalog()
    tasks = _assigned_tasks(_cell(catalog, cell_code), catalog)
    return Layout(
        label_rows={label: _BLOCK_FIRST + i + 1 for i, label in enumerate(HEADER_LABELS)},
        header_row=_HEADER_ROW + 1,
        task_rows={code: _HEADER_ROW + 2 + i for i, code in enumerate(tasks)},
    )


def template_bytes(cell_code: str, period_key: str, catalog: Catalog | None = None,
                   report_date: date | None = None) -> bytes:
    """The progress report (.xlsx) for one cell and period, ready to fill in."""
    catalog = catalog or get_catalog()
    cell = _cell(catalog, cell_code)
    period = from_key(period_key)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.set_properties(_properties(catalog, cell, period.label))
    fmt = _Formats(wb, cell.color)
    ws = wb.add_worksheet(REPORT_SHEET)
    tasks = _assigned_tasks(cell, catalog)
    _write_titles(ws, fmt, catalog, cell, period.label)
    _write_header_block(ws, fmt, cell, period.label, report_date)
    _write_table(ws, fmt, catalog, cell, tasks)
    _write_validations(ws, first=_HEADER_ROW + 1, last=_HEADER_ROW + len(tasks))
    _write_signature(ws, fmt, _HEADER_ROW + len(tasks) + 2)
    _page_setup(ws, last_row=_HEADER_ROW + len(tasks) + 6)
    _write_guide(wb.add_worksheet(GUIDE_SHEET), fmt, catalog, cell, period.key)
    ws.activate()
    wb.close()
    return buf.getvalue()


# -- pieces ---------------------------------------------------------------------

def _cell(catalog: Catalog, cell_code: str) -> Cell:
    found = next((c for c in catalog.cells if c.code == cell_code), None)
    if found is None:
        codes = ", ".join(c.code for c in catalog.cells)
        raise ValueError(f"Không có chi bộ mã {cell_code!r} trong danh mục (các mã: {codes})")
    return found


def _assigned_tasks(cell: Cell, catalog: Catalog) -> list[str]:
    """The cell's tasks in catalog order (not lead-first)."""
    return [t.code for t in catalog.tasks if cell.role(t.code)]


def _properties(catalog: Catalog, cell: Cell, label: str) -> dict:
    return {
        "title": f"Báo cáo tiến độ - {cell.name} - {label}",
        "subject": catalog.plan.short_title,
        "author": catalog.plan.organization,
        "company": catalog.plan.organization,
        "keywords": f"{catalog.plan.code}, {cell.code}",
        "created": FIXED_CREATED,
    }


def _tint(hex_color: str, keep: float = 0.18) -> str:
    """A light version of a catalog color (mixed with white) for row fills."""
    rgb = [int(hex_color.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)]
    mixed = [round(255 - (255 - v) * keep) for v in rgb]
    return "#" + "".join(f"{v:02X}" for v in mixed)


class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook, cell_color: str):
        base = {"font_name": "Times New Roman", "font_size": 12}
        cellb = {**base, "border": 1, "valign": "top", "text_wrap": True}
        lead = {"bold": True, "bg_color": _tint(cell_color)}
        add = wb.add_format
        self.org = add({**base, "bold": True, "align": "center"})
        self.cell_name = add({**base, "bold": True, "align": "center", "underline": 1})
        self.heading = add({**base, "bold": True, "font_size": 14, "align": "center"})
        self.period = add({**base, "italic": True, "bold": True, "align": "center"})
        self.label = add({**base, "bold": True})
        self.value = add({**base, "bottom": 4, "align": "left"})
        self.date = add({**base, "bottom": 4, "align": "left", "num_format": "dd/mm/yyyy"})
        self.header = add({**cellb, "bold": True, "align": "center", "valign": "vcenter",
                           "bg_color": "#E7E6E6"})
        self.text = add(cellb)
        self.center = add({**cellb, "align": "center"})
        self.number = add({**cellb, "align": "center", "num_format": "General"})
        self.count = add({**cellb, "align": "center", "num_format": "#,##0"})
        self.lead_text = add({**cellb, **lead})
        self.lead_center = add({**cellb, **lead, "align": "center"})
        self.sign_title = add({**base, "bold": True, "align": "center"})
        self.sign_note = add({**base, "italic": True, "align": "center"})
        self.guide_title = add({**base, "bold": True, "font_size": 14})
        self.guide_head = add({**cellb, "bold": True, "bg_color": "#E7E6E6"})
        self.guide_text = add(cellb)
        self.guide_line = add({**base, "text_wrap": True, "valign": "top"})


def _write_titles(ws, fmt: _Formats, catalog: Catalog, cell: Cell, label: str) -> None:
    subject = catalog.plan.short_title
    if subject.lower().startswith("thực hiện "):
        subject = subject[len("thực hiện "):]   # avoid "THỰC HIỆN THỰC HIỆN ..."
    rows = [
        (catalog.plan.organization.upper(), fmt.org),
        (cell.name.upper(), fmt.cell_name),
        None,
        (f"BÁO CÁO TIẾN ĐỘ THỰC HIỆN {subject.upper()}", fmt.heading),
        (label, fmt.period),
    ]
    for r, row in enumerate(rows):
        if row:
            ws.merge_range(r, 0, r, LAST_COL, row[0], row[1])
    ws.set_row(3, 22)


def _write_header_block(ws, fmt: _Formats, cell: Cell, label: str,
                        report_date: date | None) -> None:
    values = {LABEL_CELL: cell.name, LABEL_PERIOD: label, LABEL_AUTHOR: ""}
    for i, text in enumerate(HEADER_LABELS):
        r = _BLOCK_FIRST + i
        ws.write_string(r, 0, text, fmt.label)
        if text == LABEL_DATE:
            ws.merge_range(r, 1, r, _VALUE_LAST_COL, "", fmt.date)
            if report_date is not None:
                ws.write_datetime(r, 1, _as_datetime(report_date), fmt.date)
        else:
            ws.merge_range(r, 1, r, _VALUE_LAST_COL, values[text], fmt.value)


def _as_datetime(value: date) -> datetime:
    return value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)


def _write_table(ws, fmt: _Formats, catalog: Catalog, cell: Cell, tasks: list[str]) -> None:
    for c, f in enumerate(FIELDS):
        ws.set_column(c, c, f.width)
        ws.write_string(_HEADER_ROW, c, f.header, fmt.header)
    ws.set_row(_HEADER_ROW, 48)
    for i, code in enumerate(tasks):
        r = _HEADER_ROW + 1 + i
        role = cell.role(code)
        lead = role == Role.LEAD
        given = {"stt": i + 1, "task_code": code, "task_title": catalog.task(code).title,
                 "role": role.label}
        for c, f in enumerate(FIELDS):
            style = _cell_format(fmt, f.kind, lead and f.key != "stt")
            if f.key in given:
                ws.write(r, c, given[f.key], style)
            else:
                ws.write_blank(r, c, None, style)


def _cell_format(fmt: "_Formats", kind: str, lead: bool):
    """Pre-filled columns are bold and tinted on the cell's lead tasks; the columns the
    cell fills are formatted by what they hold."""
    if kind in (KEY, INFO):
        return fmt.lead_center if lead else fmt.center
    return {TITLE: fmt.lead_text if lead else fmt.text, STATUS: fmt.center,
            PERCENT: fmt.number, COUNT: fmt.count, TEXT: fmt.text}[kind]


def _write_validations(ws, first: int, last: int) -> None:
    col = KEYS.index
    statuses = list(Status.labels().values())
    ws.data_validation(first, col("status"), last, col("status"), {
        "validate": "list", "source": statuses,
        "input_title": "Trạng thái",
        "input_message": "Chọn một trong: " + ", ".join(statuses) + ".",
        "error_title": "Trạng thái không hợp lệ",
        "error_message": "Chỉ chọn một trong bốn trạng thái: " + ", ".join(statuses) + ".",
    })
    ws.data_validation(first, col("completion_pct"), last, col("completion_pct"), {
        "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 100,
        "input_title": BY_KEY["completion_pct"].header,
        "input_message": "Ghi số từ 0 đến 100: mức hoàn thành tính đến hết kỳ báo cáo.",
        "error_title": "Tỷ lệ không hợp lệ",
        "error_message": "Tỷ lệ hoàn thành phải là số từ 0 đến 100, ví dụ 80 hoặc 85,5.",
    })
    for f in FIELDS:
        if f.kind != COUNT:
            continue
        ws.data_validation(first, col(f.key), last, col(f.key), {
            "validate": "integer", "criteria": ">=", "value": 0,
            "input_title": f.header,
            "input_message": "Số nguyên không âm, chỉ tính trong kỳ báo cáo (không cộng dồn).",
            "error_title": "Số liệu không hợp lệ",
            "error_message": f"{f.header} phải là số nguyên từ 0 trở lên.",
        })


def _write_signature(ws, fmt: _Formats, row: int) -> None:
    # Left block merged A:C so nothing lands in the task-code column by itself.
    ws.merge_range(row, 0, row, 2, "NGƯỜI LẬP", fmt.sign_title)
    ws.merge_range(row + 1, 0, row + 1, 2, "(Ký, ghi rõ họ tên)", fmt.sign_note)
    ws.merge_range(row, 9, row, 11, "T/M CHI BỘ", fmt.sign_title)
    ws.merge_range(row + 1, 9, row + 1, 11, "BÍ THƯ", fmt.sign_title)
    ws.merge_range(row + 2, 9, row + 2, 11, "(Ký, ghi rõ họ tên)", fmt.sign_note)


def _page_setup(ws, last_row: int) -> None:
    ws.freeze_panes(_HEADER_ROW + 1, 0)
    ws.set_landscape()
    ws.set_paper(9)                 # A4
    ws.fit_to_pages(1, 0)           # one page wide, as many tall as needed
    ws.repeat_rows(_HEADER_ROW)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.center_horizontally()
    ws.print_area(0, 0, last_row, LAST_COL)
    ws.set_footer("&CTrang &P/&N")


def _write_guide(ws, fmt: _Formats, catalog: Catalog, cell: Cell, period_key: str) -> None:
    label = period_label(period_key)
    due = deadline(period_key, catalog.plan.report_deadline_day).strftime("%d/%m/%Y")
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, 90)
    ws.merge_range(0, 0, 0, 1, "HƯỚNG DẪN GHI BÁO CÁO TIẾN ĐỘ", fmt.guide_title)
    intro = [
        f"Mẫu báo cáo của {cell.name}, kỳ báo cáo {label}, "
        f"{catalog.plan.short_title}.",
        f"Ghi vào trang tính \"{REPORT_SHEET}\". Giữ nguyên tên các cột, mã nhiệm vụ và các "
        "dòng nhiệm vụ; không thêm, không xóa dòng.",
    ]
    r = 2
    for line in intro:
        ws.merge_range(r, 0, r, 1, line, fmt.guide_line)
        ws.set_row(r, 32)
        r += 1
    r += 1
    ws.write_string(r, 0, "Cột", fmt.guide_head)
    ws.write_string(r, 1, "Cách ghi", fmt.guide_head)
    for f in FIELDS:
        r += 1
        ws.write_string(r, 0, f.header, fmt.guide_text)
        ws.write_string(r, 1, f.guide, fmt.guide_text)
    outro = [
        f"Gửi báo cáo: lưu tệp định dạng .xlsx, gửi về Đảng ủy Sở (đầu mối tổng hợp) hoặc tải "
        f"lên trang nạp báo cáo của hệ thống chậm nhất ngày {due}.",
        "Nếu cần sửa số liệu đã gửi: sửa trên tệp và gửi lại; bản gửi sau thay thế bản trước.",
    ]
    r += 1
    for line in outro:
        r += 1
        ws.merge_range(r, 0, r, 1, line, fmt.guide_line)
        ws.set_row(r, 32)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
