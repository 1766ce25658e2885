"""Per-chart downloads (PNG/SVG/PDF rendered server-side), shown under every chart.

Images are made only when a button is clicked (a callable `data`): a page with ten
charts must not render thirty images on every rerun. Each download is recorded in the
audit trail when it is made. The in-chart camera button (dashboard.charts.plotly_config,
same 1600x900 at scale 2, same file name) makes its PNG in the browser, out of the audit
trail's sight: it is offered only where the server cannot render (`chart_config`).
"""
from __future__ import annotations

import logging
import re

import streamlit as st

from dashboard import context, fmt, queries, render
from dashboard.scope import Scope
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
    return re.sub(r"<[^>]+>", "", text).strip()


def chart_config(config: dict) -> dict:
    """The chart's Plotly config without the camera button (a PNG made in the browser,
    which the audit trail cannot see) unless the user may export and the server cannot
    render images: then the camera is the only way to an image."""
    from dashboard.auth import current_user
    user = current_user()
    if user is not None and user.can(Permission.EXPORT) and render.find_browser() is None:
        return config
    removed = [*config.get("modeBarButtonsToRemove", []), "toImage"]
    return {**config, "modeBarButtonsToRemove": removed}


def chart_downloads(fig, filename: str, scope_text: str, scope: Scope | None = None) -> None:
    """Three compact download buttons for users who may export; the no-browser message
    instead when no image can be made (the chart's own camera button still works).
    An image of a scope holding sample reports is marked as sample data."""
    from dashboard.auth import current_user
    user = current_user()
    if user is None or not user.can(Permission.EXPORT):
        return
    if render.find_browser() is None:
        st.error(render.NO_BROWSER_MESSAGE, icon="🖼️")
        return
    stem, title = safe_stem(filename), figure_title(fig) or safe_stem(filename)
    row = st.container(horizontal=True, gap="small")
    for kind in render.FORMATS:
        row.download_button(
            LABELS[kind], data=_deferred(fig, kind, title, scope_text, scope, user),
            file_name=f"{stem}.{kind}", mime=render.MIME_TYPES[kind], help=HELP[kind],
            icon=":material/download:", on_click="ignore", type="tertiary")


def _deferred(fig, kind: str, title: str, scope_text: str, scope: Scope | None, user):
    def make() -> bytes:
        store = context.store()
        data = render.snapshot(fig, kind, title, scope_text, _data_date(store),
                               sample=_sample_in(store, scope))
        usecases.record_export(store, user, f"{safe_stem(title)}.{kind}", scope_text)
        return data
    return make


def _sample_in(store, scope: Scope | None) -> bool:
    # Read at click time, like the data date: a sample loaded or removed since the page
    # was drawn is what the image must say. No scope known: any sample loaded counts.
    try:
        if scope is None:
            return queries.data_status(store)["is_sample"]
        return queries.sample_within(store, *scope.span(), scope.cell_list)
    except DatabaseMissing:
        return False


def _data_date(store):
    # Read at click time, so the footer states the data the image really shows.
    try:
        return fmt.data_date(queries.data_status(store))
    except DatabaseMissing:  # no database yet: the footer says so rather than failing
        return None
