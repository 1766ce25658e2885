"""Per-chart downloads (PNG/SVG/PDF rendered server-side), shown under every chart.

Images are made only when a button is clicked (a callable `data`): a page with ten
charts must not render thirty images on every rerun. The in-chart camera button is
set up by dashboard.charts.plotly_config (same 1600x900 at scale 2, same file name).
"""
from __future__ import annotations

import re

import streamlit as st

from dashboard import render

LABELS = {"png": "PNG", "svg": "SVG", "pdf": "PDF"}
HELP = {"png": "Ảnh 16:9 (3200×1800), nét khi chiếu", "svg": "Ảnh vector cho tài liệu",
        "pdf": "Tệp PDF một trang"}


def safe_stem(filename: str) -> str:
    stem = re.sub(r"\.(png|svg|pdf)$", "", str(filename), flags=re.I)
    return re.sub(r"[^\w.-]+", "-", stem).strip("-") or "bieu-do"


def figure_title(fig) -> str:
    text = getattr(getattr(fig.layout, "title", None), "text", None) or ""
    return re.sub(r"<[^>]+>", "", text).strip()


def chart_downloads(fig, filename: str, scope_text: str) -> None:
    """Three compact download buttons; the no-browser message instead when no image
    can be made (the chart's own camera button still works)."""
    if render.find_browser() is None:
        st.error(render.NO_BROWSER_MESSAGE, icon="🖼️")
        return
    stem, title = safe_stem(filename), figure_title(fig) or safe_stem(filename)
    row = st.container(horizontal=True, gap="small")
    for fmt in render.FORMATS:
        row.download_button(
            LABELS[fmt], data=_deferred(fig, fmt, title, scope_text),
            file_name=f"{stem}.{fmt}", mime=render.MIME_TYPES[fmt], help=HELP[fmt],
            icon=":material/download:", on_click="ignore", type="tertiary")


def _deferred(fig, fmt: str, title: str, scope_text: str):
    def make() -> bytes:
        data = render.snapshot(fig, fmt, title, scope_text, _data_date())
        _audit_export(f"{safe_stem(title)}.{fmt}", scope_text)
        return data
    return make


def _audit_export(what: str, scope_text: str) -> None:
    from dashboard.auth import SESSION_KEY
    from etl import users
    from etl.db import default_db_path
    try:
        user = st.session_state.get(SESSION_KEY)
    except Exception:  # called outside a script run: nobody to name
        user = None
    users.audit(default_db_path(), user.username if user else "?", "export", what, scope_text)


def _data_date():
    # Read at click time, so the footer states the data the image really shows.
    from dashboard import queries
    from etl.db import default_db_path
    try:
        return queries.data_status(default_db_path())["data_date"]
    except Exception:  # no database yet: the footer says so rather than failing
        return None
