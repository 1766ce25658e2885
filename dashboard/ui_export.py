"""Per-chart downloads (PNG/SVG/PDF rendered server-side), shown under every chart, and
a table's downloads (CSV/Excel), shown under the tables a meeting may need.

Images are made only when a button is clicked (a callable `data`): a page with ten
charts must not render thirty images on every rerun. These buttons are the only way a
chart image leaves the app (the chart toolbar has no camera: dashboard/chrome.py).
"""
from __future__ import annotations

import io
import logging
import re

import pandas as pd
import streamlit as st

from dashboard import context, queries, render
from dashboard.pack.workbook import escape_frame
from etl import usecases
from etl.store import DatabaseMissing
from etl.vocab import Permission

log = logging.getLogger(__name__)

LABELS = {"png": "PNG", "svg": "SVG", "pdf": "PDF"}
HELP = {"png": "Ảnh 16:9 (3200×1800), nét khi chiếu", "svg": "Ảnh vector cho tài liệu",
        "pdf": "Tệp PDF một trang"}


def safe_stem(filename: str) -> str:
    stem = re.sub(r"\.(png|svg|pdf)$", "", str(filename), flags=re.I)
    return re.sub(r"[^\w.-]+", "-", stem).strip("-") or "bieu-do"


def figure_title(fig) -> str:
    text = getattr(getattr(fig.layout, "title", None), "text", None) or ""
    one_line = re.sub(r"<br\s*/?>", " ", text, flags=re.I)   # a long title wraps on screen
    return re.sub(r"<[^>]+>", "", one_line).strip()


def chart_downloads(fig, filename: str, scope_text: str) -> None:
    """Three compact download buttons for users who may export; the no-browser message
    instead when no image can be made."""
    from dashboard.auth import current_user
    user = current_user()
    if user is None or not user.can(Permission.EXPORT):
        return
    if render.find_browser() is None:
        st.error(render.NO_BROWSER_MESSAGE, icon="🖼️")
        return
    stem, title = safe_stem(filename), figure_title(fig) or safe_stem(filename)
    row = st.container(horizontal=True, gap="small")
    for fmt in render.FORMATS:
        row.download_button(
            LABELS[fmt], data=_deferred(fig, fmt, title, scope_text, user),
            file_name=f"{stem}.{fmt}", mime=render.MIME_TYPES[fmt], help=HELP[fmt],
            icon=":material/download:", on_click="ignore", type="tertiary")


def _deferred(fig, fmt: str, title: str, scope_text: str, user):
    def make() -> bytes:
        store = context.store()
        data = render.snapshot(fig, fmt, title, scope_text, _data_date(store))
        usecases.record_export(store, user, f"{safe_stem(title)}.{fmt}", scope_text)
        return data
    return make


def _data_date(store):
    # Read at click time, so the footer states the data the image really shows.
    try:
        return queries.data_status(store)["data_date"]
    except DatabaseMissing:  # no database yet: the footer says so rather than failing
        return None


# A table's own toolbar offers no download (client.disableDataExport): it would leave no
# trace. These buttons record the export like every other, for roles that may export.
TABLE_LABELS = {"csv": "Tải bảng (CSV)", "xlsx": "Tải bảng (Excel)"}
TABLE_MIME = {"csv": "text/csv",
              "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def table_downloads(df: pd.DataFrame, filename: str, scope_text: str) -> None:
    """CSV and Excel buttons under a table, for users who may export; the file is made and
    the export recorded only when a button is clicked."""
    from dashboard.auth import current_user
    user = current_user()
    if user is None or not user.can(Permission.EXPORT):
        return
    stem = safe_stem(filename)
    row = st.container(horizontal=True, gap="small")
    for fmt in TABLE_LABELS:
        row.download_button(
            TABLE_LABELS[fmt], data=_deferred_table(df, fmt, stem, scope_text, user),
            file_name=f"{stem}.{fmt}", mime=TABLE_MIME[fmt], icon=":material/download:",
            on_click="ignore", type="tertiary", key=f"table_{stem}_{fmt}")


def _deferred_table(df: pd.DataFrame, fmt: str, stem: str, scope_text: str, user):
    def make() -> bytes:
        data = table_bytes(df, fmt)
        usecases.record_export(context.store(), user, f"{stem}.{fmt}", scope_text)
        return data
    return make


def table_bytes(df: pd.DataFrame, fmt: str) -> bytes:
    """The table as shown, in CSV (UTF-8 with a BOM: Excel reads the diacritics) or
    Excel; text a spreadsheet would run as a formula is escaped."""
    safe = escape_frame(df)
    if fmt == "csv":
        return safe.to_csv(index=False).encode("utf-8-sig")
    out = io.BytesIO()
    with pd.ExcelWriter(out, engine="xlsxwriter") as xl:
        safe.to_excel(xl, sheet_name="Bảng", index=False)
        sheet = xl.sheets["Bảng"]
        for i, column in enumerate(safe.columns):
            longest = max([len(str(column)), *safe[column].astype(str).str.len().tolist()])
            sheet.set_column(i, i, min(60, longest + 2))
    return out.getvalue()
