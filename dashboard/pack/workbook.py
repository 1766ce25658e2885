"""The workbook of the figures behind each chart, and formula-safe spreadsheet text."""
from __future__ import annotations

import io

import pandas as pd

from dashboard.pack.content import PackContent
from dashboard.pack.layout import footer

FORMULA_PREFIXES = ("=", "+", "-", "@")


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
    """One sheet per chart (the figures behind it) and the v_progress rows in scope."""
    out = io.BytesIO()
    options = {"strings_to_formulas": False, "strings_to_urls": False}
    with pd.ExcelWriter(out, engine="xlsxwriter", engine_kwargs={"options": options}) as xl:
        used = {INFO_SHEET, PROGRESS_SHEET}
        names = [_sheet_name(chart.sheet, used) for chart in content.charts]
        _info_sheet(content, names).to_excel(xl, sheet_name=INFO_SHEET, index=False)
        for chart, name in zip(content.charts, names):
            escape_frame(chart.data).to_excel(xl, sheet_name=name, index=False)
            _autofit(xl.sheets[name])
        escape_frame(content.progress).to_excel(xl, sheet_name=PROGRESS_SHEET, index=False)
        _autofit(xl.sheets[PROGRESS_SHEET])
        _autofit(xl.sheets[INFO_SHEET])
    return out.getvalue()


INFO_SHEET, PROGRESS_SHEET = "Thông tin", "v_progress"


def _info_sheet(content: PackContent, sheet_names: list[str]) -> pd.DataFrame:
    from dashboard.fmt import date_vn
    rows = [("Kế hoạch", content.plan_title), ("Kỳ báo cáo", content.period_label),
            ("Phạm vi", content.scope_text), ("Ngày lập", date_vn(content.made_on)),
            ("Nguồn", footer(content))]
    rows += [(f"Biểu đồ: {c.title}", f"trang tính '{name}'")
             for c, name in zip(content.charts, sheet_names)]
    return escape_frame(pd.DataFrame(rows, columns=["Mục", "Nội dung"]))


def _sheet_name(wanted: str, used: set[str]) -> str:
    """Excel allows 31 characters and no []:*?/\\ in a sheet name; names are unique."""
    clean = "".join("-" if ch in "[]:*?/\\" else ch for ch in wanted)[:31] or "Biểu đồ"
    name, n = clean, 2
    while name in used:
        name = f"{clean[:28]}-{n}"
        n += 1
    used.add(name)
    return name


def _autofit(sheet) -> None:
    if hasattr(sheet, "autofit"):
        sheet.autofit()
