"""Streamlit helpers shared by the pages: the page start, cached queries, the sidebar
scope, the header, charts and tables.

Query results are cached on the database's data version, so a load from the CLI shows
on the next interaction without restarting the app.
"""
from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from dashboard import auth, charts, context, fmt, queries, tables
from dashboard.scope import Scope
from dashboard.textsafe import plain
from dashboard.ui_export import chart_config, chart_downloads
from etl import periods as P
from etl.users import User
from etl.vocab import Grain, Permission

log = logging.getLogger(__name__)

__all__ = ["plain"]   # report text shown in Markdown goes through plain()

TREND_LENGTH = 12


# -- the start of every page -----------------------------------------------------------------

def page(permission: Permission = Permission.VIEW) -> User:
    """First line of every page: the signed-in user allowed `permission`, or a refusal."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        _through_app()
    return auth.guard(permission)


def _through_app() -> None:
    # The one place that handles this Streamlit quirk: with a pages/ folder beside app.py,
    # a fresh server answers its first request for a page URL by running that page file
    # alone (the mode from before st.navigation), until some request has run app.py.
    # Such a run has no sign-in, navigation or sidebar scope: send it through app.py.
    # (tests/test_pages_apptest.py::test_a_page_run_alone_goes_through_app_py)
    st.switch_page("app.py")


# -- cached queries ------------------------------------------------------------------------

def store():
    return context.store()


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(fn_name: str, path: str, version, args: tuple, kwargs: tuple):
    return getattr(queries, fn_name)(store(), *args, **dict(kwargs))


def _freeze(args: tuple, kwargs: dict) -> tuple[tuple, tuple]:
    frozen = tuple(tuple(a) if isinstance(a, list) else a for a in args)
    kw = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in kwargs.items()))
    return frozen, kw


def _thaw(args: tuple, kwargs: tuple) -> tuple[list, dict]:
    as_list = lambda v: list(v) if isinstance(v, tuple) else v  # noqa: E731
    return [as_list(a) for a in args], {k: as_list(v) for k, v in kwargs}


def q(fn, *args, **kwargs):
    """Run `queries.<fn>` on the app's database, cached until the data changes."""
    s = store()
    return _cached(fn.__name__, str(s.path), s.data_version(), *_freeze(args, kwargs))


@st.cache_resource(show_spinner=False, max_entries=256)
def _figure(builder: str, fn_name: str, path: str, version, args: tuple, kwargs: tuple,
            chart_kwargs: tuple):
    # Shared, not copied: nothing mutates a figure after it is built (exports copy it).
    a, kw = _thaw(args, kwargs)
    df = getattr(queries, fn_name)(store(), *a, **kw)
    return getattr(charts, builder)(df, **dict(chart_kwargs))


def figure(builder, query, *args, chart: dict, **kwargs):
    """`builder(query(store, *args, **kwargs), **chart)`, built once per data version: a
    rerun at province scale does not rebuild hundreds of traces."""
    s = store()
    frozen, kw = _freeze(args, kwargs)
    return _figure(builder.__name__, query.__name__, str(s.path), s.data_version(), frozen, kw,
                   tuple(sorted(chart.items())))


def data_changed() -> None:
    """After a write: every cached figure is read again."""
    st.cache_data.clear()


# -- scope (sidebar filters) -------------------------------------------------------------

def sidebar_filters() -> Scope | None:
    """Render the filters (app.py calls it on every page); None when nothing is loaded."""
    keys_by_grain = {g: q(queries.period_keys, g) for g in Grain}
    if not any(keys_by_grain.values()):
        st.session_state["scope"] = None
        return None
    sb = st.sidebar
    sb.markdown("### Phạm vi")
    grains = [g for g in Grain if keys_by_grain[g]]
    grain = sb.segmented_control("Kỳ báo cáo theo", grains, default=grains[0],
                                 format_func=lambda g: Grain(g).label, key="f_grain",
                                 required=True, persist_state="session") or grains[0]
    keys = keys_by_grain[grain][::-1]  # newest first: the default is the latest
    period = sb.selectbox("Kỳ", keys, format_func=fmt.period, key=f"f_period_{grain}",
                          persist_state="session")
    older = [k for k in keys if P.from_key(k).start <= P.from_key(period).start]
    start_default = older[min(len(older), TREND_LENGTH) - 1]
    start = sb.selectbox("Xu hướng từ kỳ", older, index=older.index(start_default),
                         format_func=fmt.period, key=f"f_from_{grain}_{period}")
    history = tuple(k for k in keys[::-1]
                    if P.from_key(start).start <= P.from_key(k).start <= P.from_key(period).start)
    cell_df, area_df = q(queries.cells), q(queries.areas)
    cell_names = dict(zip(cell_df["cell_code"], cell_df["short_name"]))
    area_names = dict(zip(area_df["area_code"], area_df["area_code"] + " " + area_df["short_name"]))
    chosen_cells = sb.multiselect("Chi bộ", list(cell_names), format_func=cell_names.get,
                                  key="f_cells", placeholder="Tất cả chi bộ",
                                  persist_state="session")
    chosen_areas = sb.multiselect("Nhiệm vụ trọng tâm", list(area_names),
                                  format_func=area_names.get, key="f_areas",
                                  placeholder="Tất cả nhiệm vụ trọng tâm",
                                  persist_state="session")
    scope = Scope(Grain(grain), period, history, tuple(chosen_cells) or None,
                  tuple(chosen_areas) or None)
    st.session_state["scope"] = scope
    return scope


def current_scope() -> Scope:
    """The scope app.py put in the session; the empty state when nothing is loaded."""
    if "scope" not in st.session_state:   # app.py has not run in this session yet
        _through_app()
    scope = st.session_state["scope"]
    if scope is None:
        empty_state()
    return scope


def scope_text(scope: Scope) -> str:
    return scope.describe(store().catalog)


# -- page furniture ----------------------------------------------------------------------

def empty_state(message: str | None = None) -> None:
    st.info(message or "Chưa có báo cáo nào. Vào trang **Nạp báo cáo** để nạp báo cáo đầu "
                       "tiên của các chi bộ, hoặc chạy `python -m etl load <tệp báo cáo>`.",
            icon=":material/info:")
    st.stop()


def page_header(question: str, scope: Scope | None = None, stop_when_empty: bool = True) -> dict:
    """The page's question, the scope, the data date and the sample-data flag. Pages that
    also serve an empty database (upload, history, templates) pass stop_when_empty=False."""
    status = q(queries.data_status)
    st.subheader(question)
    if status["submissions"] == 0:
        if stop_when_empty:
            empty_state()
        return status
    parts = [scope_text(scope)] if scope else []
    parts.append(f"Số liệu đến {fmt.data_date(status)} theo báo cáo của các chi bộ")
    st.caption(" · ".join(parts))
    if status["is_sample"]:
        st.warning("Đang hiển thị **dữ liệu mẫu** (không phải báo cáo thật của các chi bộ). "
                   "Nạp báo cáo thật để thay thế.", icon=":material/warning:")
    return status


def metrics(tiles) -> None:
    """KPI tiles (dashboard.kpis.Tile) side by side."""
    for column, tile in zip(st.columns(len(tiles)), tiles):
        column.metric(tile.label, tile.value, tile.delta, help=tile.help or None, border=True,
                      delta_description=tile.note or None)


def chart(fig, filename: str, scope: Scope, help: str | None = None) -> None:
    """Every chart goes through here: the chart, how it is computed, its downloads."""
    st.plotly_chart(fig, config=chart_config(charts.plotly_config(filename)), width="stretch")
    if help:
        st.caption("Cách tính", help=help)
    chart_downloads(fig, filename, scope_text(scope), scope)


def rank_choice(key: str, cells: int) -> charts.Show:
    """Which cells the ranked charts show: with more than charts.ALL_UP_TO cells, the
    lowest (first look: who is behind), the highest or all of them; every one below."""
    if not charts.needs_choice(cells):
        return charts.Show.ALL
    return st.segmented_control(
        "Chi bộ hiển thị", list(charts.Show), default=charts.Show.LOWEST, required=True,
        format_func=lambda show: charts.show_label(show, cells), key=key,
        help="Xếp theo tỷ lệ hoàn thành; bảng cuối trang có đủ các chi bộ."
    ) or charts.Show.LOWEST


def trend_cells(key: str, summary: pd.DataFrame) -> list[str]:
    """The cells a trend draws a line for (`summary`: cell_summary rows of the scope's
    cells in the period): all of them up to charts.MAX_LINES; beyond, the user picks them
    from a searchable list, the lowest three at first."""
    if len(summary) <= charts.MAX_LINES:
        return list(summary["cell_code"])
    names = dict(zip(summary["cell_code"], summary["short_name"]))
    return st.multiselect(
        "Chi bộ trên biểu đồ xu hướng", list(names), format_func=names.get,
        default=charts.lowest_cells(summary, 3), max_selections=charts.MAX_LINES, key=key,
        placeholder="Gõ tên chi bộ để tìm", help=f"Tối đa {charts.MAX_LINES} chi bộ, cùng "
        "đường bình quân toàn Đảng bộ; lúc đầu là 3 chi bộ có tỷ lệ thấp nhất kỳ này.")


def average_line(scope: Scope, areas: list[str] | None) -> tuple:
    """(period, completion) of the whole committee over the trend window, in `areas`."""
    df = q(queries.overall, scope.grain, list(scope.history), areas=areas)
    return tuple((k, None if pd.isna(v) else float(v))
                 for k, v in zip(df["period"], df["completion"]))


def chart_name(subject: str, scope: Scope) -> str:
    """ASCII file name for a chart: `ty-le-hoan-thanh-theo-chi-bo-2026-Q3`."""
    return f"{charts.slug(subject)}-{scope.period}"


def text_table(df: pd.DataFrame, **kwargs) -> None:
    """Report text as plain cells (st.dataframe never renders HTML or markdown); a field
    the report left empty shows empty, not "None"."""
    st.dataframe(df, hide_index=True, width="stretch", **{"placeholder": "", **kwargs})


def task_table(rows: pd.DataFrame, columns: list[str]) -> None:
    """Task rows (assignment_facts) as the pages show them, in the given column order."""
    text_table(tables.task_table(rows, columns))


def localize_uploader(max_mb: int, types: list[str]) -> None:
    """Streamlit's file uploader has no text options: its button and instructions come in
    English. Replace them with Vietnamese through a fixed stylesheet (no report text in it)."""
    hint = f"Kéo thả tệp vào đây · tối đa {max_mb} MB mỗi tệp · {', '.join(t.upper() for t in types)}"
    st.html(
        "<style>"
        "[data-testid='stFileUploaderDropzone'] button [data-testid='stMarkdownContainer'] p"
        "{font-size:0}"
        "[data-testid='stFileUploaderDropzone'] button [data-testid='stMarkdownContainer'] p::after"
        "{content:'Chọn tệp';font-size:1rem}"
        "[data-testid='stFileUploaderDropzoneInstructions'] span{font-size:0}"
        f"[data-testid='stFileUploaderDropzoneInstructions'] span::after{{content:'{hint}';"
        "font-size:.875rem}"
        "</style>")
