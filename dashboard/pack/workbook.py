"""The workbook of the figures behind each chart, and formula-safe spreadsheet text.

Every sheet a secretary reads has Vietnamese headings, labels instead of codes and
number formats (85,5%; 1.234; 27/11/2026 in a Vietnamese Excel). The view v_progress is
kept as it is, codes and English names included, on one clearly named extra sheet for
analysts.
"""
from __future__ import annotations

import io
from datetime import date, datetime

import pandas as pd

from dashboard.pack.content import DAY, INTEGER, PERCENT, TEXT, PackContent, whole

FORMULA_PREFIXES = ("=", "+", "-", "@")
INFO_SHEET, ROWS_SHEET, RAW_SHEET = "Thông tin", "Các dòng báo cáo", "Dữ liệu gốc (v_progress)"
FORMATS = {PERCENT: "0.0%", INTEGER: "#,##0", DAY: "dd/mm/yyyy"}
WIDTHS = {PERCENT: 16, INTEGER: 14, DAY: 13}
TEXT_WIDTH, WIDE_TEXT_WIDTH = 24, 60


def escape_formula(value):
    """Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) gets a `'`
    in front; anything else, numbers included, is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell (and column name) passed through escape_formula."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(escape_formula)
    out.columns = [escape_formula(str(c)) for c in out.columns]
    return out


def build_xlsx(content: PackContent) -> bytes:
    """The information sheet (the sample mark first when a sample report is in scope),
    one sheet per chart, the report rows in Vietnamese, and the raw v_progress rows."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"strings_to_formulas": False, "strings_to_urls": False,
                                     "in_memory": True})
    styles = _styles(book)
    used = {INFO_SHEET, ROWS_SHEET, RAW_SHEET}
    names = [_sheet_name(chart.sheet, used) for chart in content.charts]
    _info_sheet(book, styles, content, names)
    for chart, name in zip(content.charts, names):
        _table_sheet(book, styles, name, chart.data, chart.kinds)
    rows, kinds = report_rows(content.progress)
    _table_sheet(book, styles, ROWS_SHEET, rows, kinds)
    raw = content.progress
    _table_sheet(book, styles, RAW_SHEET, raw, {c: _raw_kind(raw[c]) for c in raw.columns})
    book.close()
    return out.getvalue()


def _styles(book) -> dict:
    return {
        "header": book.add_format({"bold": True, "bg_color": "#DDE6F4", "border": 1,
                                   "text_wrap": True, "valign": "top"}),
        TEXT: book.add_format({"text_wrap": True, "valign": "top"}),
        **{kind: book.add_format({"num_format": f, "valign": "top"}) for kind, f in FORMATS.items()},
        "mark": book.add_format({"bold": True, "font_color": "#C00000", "font_size": 16}),
        "title": book.add_format({"bold": True, "font_size": 14}),
        "label": book.add_format({"bold": True, "valign": "top"}),
    }


def _info_sheet(book, styles, content: PackContent, sheet_names: list[str]) -> None:
    from dashboard.fmt import date_vn
    from dashboard.render import SAMPLE_MARK_TEXT, SOURCE_TEXT
    sheet = book.add_worksheet(INFO_SHEET)
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, 100, styles[TEXT])
    r = 0
    if content.is_sample:
        sheet.write(r, 0, f"{SAMPLE_MARK_TEXT}: bộ báo cáo được lập từ báo cáo mẫu, "
                          "không dùng để báo cáo.", styles["mark"])
        r += 2
    sheet.write(r, 0, f"Số liệu bộ báo cáo họp {content.period_label}", styles["title"])
    r += 2
    source = SOURCE_TEXT.split(":", 1)[-1].strip()
    rows = [("Kế hoạch", content.plan_title), ("Kỳ báo cáo", content.period_label),
            ("Phạm vi", content.scope_text), ("Ngày lập", date_vn(content.made_on)),
            ("Nguồn", source.capitalize()), ("Số liệu đến", str(content.data_date))]
    rows += [(tile.label, " · ".join(t for t in (tile.value, tile.note) if t))
             for tile in content.kpis]
    rows += [("Ghi chú", note) for note in content.kpi_notes]
    rows += [(f"Trang tính '{name}'", f"Số liệu của biểu đồ: {c.title}")
             for c, name in zip(content.charts, sheet_names)]
    rows += [(f"Trang tính '{ROWS_SHEET}'", "Các dòng báo cáo của các chi bộ trong kỳ."),
             (f"Trang tính '{RAW_SHEET}'", "Các dòng của khung nhìn v_progress, giữ nguyên "
              "mã và tên cột gốc, dành cho người phân tích số liệu.")]
    for label, text in rows:
        sheet.write_string(r, 0, escape_formula(label), styles["label"])
        sheet.write_string(r, 1, escape_formula(str(text)), styles[TEXT])
        r += 1


def _table_sheet(book, styles, name: str, frame: pd.DataFrame, kinds: dict) -> None:
    sheet = book.add_worksheet(name)
    for j, column in enumerate(frame.columns):
        kind = kinds.get(column, TEXT)
        sheet.write_string(0, j, escape_formula(str(column)), styles["header"])
        sheet.set_column(j, j, _width(frame[column], kind, str(column)), styles[kind])
        for i, value in enumerate(frame[column], start=1):
            _write(sheet, i, j, value, kind, styles[kind])
    sheet.freeze_panes(1, 0)
    if len(frame.columns):
        sheet.autofilter(0, 0, len(frame), len(frame.columns) - 1)


def _write(sheet, i: int, j: int, value, kind: str, style) -> None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        sheet.write_blank(i, j, None, style)
    elif kind == PERCENT:
        sheet.write_number(i, j, float(value) / 100, style)
    elif kind == INTEGER:
        sheet.write_number(i, j, int(value), style)
    elif kind == DAY:
        sheet.write_datetime(i, j, pd.Timestamp(value).to_pydatetime(), style)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        sheet.write_number(i, j, value, style)
    else:
        sheet.write_string(i, j, escape_formula(str(value)), style)


def _width(values: pd.Series, kind: str, header: str) -> float:
    if kind in WIDTHS:
        return max(WIDTHS[kind], min(len(header), 30))
    longest = max([len(header)] + [len(str(v)) for v in values if isinstance(v, str)])
    return WIDE_TEXT_WIDTH if longest > TEXT_WIDTH * 2 else max(10, min(longest + 2, TEXT_WIDTH))


def _raw_kind(values: pd.Series) -> str:
    """The raw sheet keeps v_progress's values; dates still print as dates."""
    if pd.api.types.is_datetime64_any_dtype(values) or any(
            isinstance(v, (date, datetime)) for v in values.head(5)):
        return DAY
    return TEXT


def report_rows(progress: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """The v_progress rows as a secretary reads them: labels, names, formats."""
    from dashboard import fmt
    from etl.fields import COUNT_KEYS, header
    from etl.periods import period_label
    frame = pd.DataFrame({
        "Kỳ": progress["period"].map(period_label),
        "Chi bộ": progress["cell_name"],
        header("task_code"): progress["task_code"],
        header("task_title"): progress["task_title"].map(whole),
        "Nhiệm vụ trọng tâm": progress["area_name"],
        header("role"): progress["role"].map(fmt.role),
        header("status"): progress["status"].map(fmt.status),
        "Tỷ lệ hoàn thành": progress["completion_pct"],
        **{header(k): progress[k] for k in COUNT_KEYS},
        **{header(k): progress[k].map(whole) for k in ("result", "obstacles", "proposals",
                                                       "evidence")},
        "Ngày báo cáo": progress["report_date"],
        "Ngày nạp": progress["loaded_at"],     # what deadlines count from when no date is given
        "Mã lần nộp": progress["submission_id"],
    })
    kinds = {"Tỷ lệ hoàn thành": PERCENT, "Ngày báo cáo": DAY, "Ngày nạp": DAY,
             "Mã lần nộp": INTEGER,
             **{header(k): INTEGER for k in COUNT_KEYS}}
    return frame, kinds


def _sheet_name(wanted: str, used: set[str]) -> str:
    """Excel allows 31 characters and no []:*?/\\ in a sheet name; names are unique."""
    clean = "".join("-" if ch in "[]:*?/\\" else ch for ch in wanted)[:31] or "Biểu đồ"
    name, n = clean, 2
    while name in used:
        name = f"{clean[:28]}-{n}"
        n += 1
    used.add(name)
    return name
