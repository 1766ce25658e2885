"""Streamlit helpers shared by the pages: cached queries, sidebar scope, header, charts.

Query results are cached on the database's data version, so a load from the CLI shows
on the next interaction without restarting the app.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import charts, fmt, queries
from dashboard.ui_export import chart_downloads
from etl import periods as P
from etl.db import data_version, default_db_path, ensure_database

DEFINITIONS = {
    "completion": ("Tỷ lệ hoàn thành của một phạm vi (chi bộ, nhiệm vụ trọng tâm, toàn Đảng bộ) "
                   "trong một kỳ = trung bình tỷ lệ hoàn thành của các nhiệm vụ đã báo cáo "
                   "trong các báo cáo hiện hành của phạm vi đó. Chi bộ chưa gửi báo cáo "
                   "được ghi \"chưa báo cáo\", không tính là 0%."),
    "rollup": ("Gộp tháng thành quý, 6 tháng, năm: tỷ lệ hoàn thành và trạng thái lấy theo "
               "báo cáo mới nhất trong kỳ của từng chi bộ, nhiệm vụ; số hoạt động, lượt người "
               "tham gia, tin bài được cộng dồn các báo cáo trong kỳ (báo cáo tháng nằm trong "
               "một báo cáo quý của cùng chi bộ không bị cộng hai lần)."),
    "completeness": ("Mức đầy đủ báo cáo = số nhiệm vụ được giao đã báo cáo / số nhiệm vụ "
                     "được giao."),
    "open_obstacle": ("Khó khăn chưa giải quyết: nhiệm vụ có nêu khó khăn, vướng mắc và vẫn "
                      "\"Chậm tiến độ\" trong báo cáo mới nhất của chi bộ về nhiệm vụ đó."),
    "deadline": ("Đúng hạn / trễ hạn: ngày báo cáo (nếu không ghi thì ngày nạp) so với hạn "
                 "nộp, mặc định ngày 5 của tháng sau kỳ báo cáo."),
}
HELP_COMPLETION = DEFINITIONS["completion"] + "\n\n" + DEFINITIONS["rollup"]

GRAIN_OPTIONS = {P.MONTH: "Tháng", P.QUARTER: "Quý", P.HALF: "6 tháng", P.YEAR: "Năm"}
TREND_LENGTH = 12


_MD_INLINE = re.compile(r"([\\`*_\[\]<>$~|]|:(?=\w))")   # emphasis, links, LaTeX, :directives
_MD_LINE_START = re.compile(r"^(\s*)([#>+\-]|\d+\.)", re.MULTILINE)  # headings, quotes, lists


def plain(text: object) -> str:
    """Text from a report, escaped so Streamlit's Markdown shows it literally."""
    escaped = _MD_INLINE.sub(r"\\\1", "" if text is None else str(text))
    return _MD_LINE_START.sub(lambda m: m[1] + "\\" + m[2], escaped)


# -- database and cached queries ---------------------------------------------------------

def db_path() -> Path:
    return default_db_path()


@st.cache_resource(show_spinner=False)
def _ensure(path: str) -> str:
    ensure_database(path)
    return path


def ensure_db() -> Path:
    """Create or upgrade the schema and catalog once per process."""
    return Path(_ensure(str(db_path())))


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(fn_name: str, path: str, version, args: tuple, kwargs: tuple):
    return getattr(queries, fn_name)(path, *args, **dict(kwargs))


def _freeze(args: tuple, kwargs: dict) -> tuple[tuple, tuple]:
    frozen = tuple(tuple(a) if isinstance(a, list) else a for a in args)
    kw = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in kwargs.items()))
    return frozen, kw


def _thaw(args: tuple, kwargs: tuple) -> tuple[list, dict]:
    as_list = lambda v: list(v) if isinstance(v, tuple) else v  # noqa: E731
    return [as_list(a) for a in args], {k: as_list(v) for k, v in kwargs}


def q(fn, *args, **kwargs):
    """Run `queries.<fn>` on the app's database, cached until the data changes."""
    path = db_path()
    return _cached(fn.__name__, str(path), data_version(path), *_freeze(args, kwargs))


@st.cache_resource(show_spinner=False, max_entries=256)
def _figure(builder: str, fn_name: str, path: str, version, args: tuple, kwargs: tuple,
            chart_kwargs: tuple):
    # Shared, not copied: nothing mutates a figure after it is built (exports copy it).
    a, kw = _thaw(args, kwargs)
    df = getattr(queries, fn_name)(path, *a, **kw)
    return getattr(charts, builder)(df, **dict(chart_kwargs))


def figure(builder, query, *args, chart: dict, **kwargs):
    """`builder(query(db, *args, **kwargs), **chart)`, built once per data version: a
    rerun at province scale does not rebuild hundreds of traces."""
    path = db_path()
    frozen, kw = _freeze(args, kwargs)
    return _figure(builder.__name__, query.__name__, str(path), data_version(path), frozen, kw,
                   tuple(sorted(chart.items())))


# -- scope (sidebar filters) -------------------------------------------------------------

@dataclass(frozen=True)
class Scope:
    grain: str
    period: str
    history: tuple[str, ...]        # periods for trends, oldest first, ending at `period`
    cells: tuple[str, ...] | None   # None = every cell
    areas: tuple[str, ...] | None   # None = every task area
    cell_count: int
    area_count: int

    @property
    def label(self) -> str:
        return fmt.period(self.period)

    @property
    def text(self) -> str:
        """`Quý III/2026 · 4 chi bộ · 5 nhiệm vụ trọng tâm`."""
        return (f"{self.label} · {self.cell_count} chi bộ · "
                f"{self.area_count} nhiệm vụ trọng tâm")

    @property
    def cell_list(self):
        return list(self.cells) if self.cells else None

    @property
    def area_list(self):
        return list(self.areas) if self.areas else None

    def previous(self) -> str:
        return P.previous(self.period)


def sidebar_filters() -> Scope | None:
    """Render the filters (app.py calls it on every page); None when nothing is loaded."""
    keys_by_grain = {g: q(queries.period_keys, g) for g in GRAIN_OPTIONS}
    if not keys_by_grain[P.MONTH] and not any(keys_by_grain.values()):
        st.session_state["scope"] = None
        return None
    sb = st.sidebar
    sb.markdown("### Phạm vi")
    grains = [g for g in GRAIN_OPTIONS if keys_by_grain[g]]
    grain = sb.segmented_control("Kỳ báo cáo theo", grains, default=grains[0],
                                 format_func=GRAIN_OPTIONS.get, key="f_grain",
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
    scope = Scope(grain, period, history, tuple(chosen_cells) or None,
                  tuple(chosen_areas) or None,
                  len(chosen_cells) or len(cell_names), len(chosen_areas) or len(area_names))
    st.session_state["scope"] = scope
    return scope


def current_scope() -> Scope:
    """The scope app.py put in the session; empty state when nothing is loaded."""
    if "scope" not in st.session_state:
        # A fresh server's first request for a page URL runs the page alone (Streamlit's
        # legacy pages/ folder mode) until app.py has called st.navigation once.
        st.switch_page("app.py")
    scope = st.session_state["scope"]
    if scope is None:
        empty_state()
    return scope


# -- page furniture ----------------------------------------------------------------------

def empty_state(message: str | None = None) -> None:
    st.info(message or "Chưa có báo cáo nào. Vào trang **Nạp báo cáo** để nạp báo cáo đầu "
                       "tiên của các chi bộ, hoặc chạy `python -m etl load <tệp báo cáo>`.",
            icon=":material/info:")
    st.stop()


def page_header(question: str, scope: Scope | None = None, stop_when_empty: bool = True) -> dict:
    """The page's question, the scope, the data date and the sample-data flag. Pages that
    also serve an empty database (upload, history, templates) pass stop_when_empty=False."""
    ensure_db()  # a page may be the first thing a fresh install runs
    status = q(queries.data_status)
    st.subheader(question)
    if status["submissions"] == 0:
        if stop_when_empty:
            empty_state()
        return status
    parts = [scope.text] if scope else []
    parts.append(f"Số liệu đến {fmt.date_vn(status['data_date'])} theo báo cáo của các chi bộ")
    st.caption(" · ".join(parts))
    if status["is_sample"]:
        st.warning("Đang hiển thị **dữ liệu mẫu** (không phải báo cáo thật của các chi bộ). "
                   "Nạp báo cáo thật để thay thế.", icon=":material/warning:")
    return status


def chart(fig, filename: str, scope_text: str, help: str | None = None) -> None:
    """Every chart goes through here: the chart, how it is computed, its downloads."""
    st.plotly_chart(fig, config=charts.plotly_config(filename), width="stretch")
    if help:
        st.caption("Cách tính", help=help)
    chart_downloads(fig, filename, scope_text)


def chart_name(subject: str, scope: Scope) -> str:
    """ASCII file name for a chart: `ty-le-hoan-thanh-theo-chi-bo-2026-Q3`."""
    return f"{charts.slug(subject)}-{scope.period}"


def status_label(status) -> str:
    return charts.STATUS_LABELS.get(status, charts.NO_REPORT_LABEL) if isinstance(status, str) \
        else charts.NO_REPORT_LABEL


def role_label(role) -> str:
    return {"chu_tri": "★ Chủ trì", "thuc_hien": "Phối hợp thực hiện"}.get(role, "Ngoài phân công")


def text_table(df: pd.DataFrame, **kwargs) -> None:
    """Report text as plain cells (st.dataframe never renders HTML or markdown); a field
    the report left empty shows empty, not "None"."""
    st.dataframe(df, hide_index=True, width="stretch", **{"placeholder": "", **kwargs})


def task_table(rows: pd.DataFrame, columns: list[str]) -> None:
    """Task rows (assignment_facts) as the pages show them, in the given column order."""
    text_table(rows.assign(**{
        "Mã": rows["task_code"], "Nhiệm vụ": rows["task_title"], "Chi bộ": rows["cell_name"],
        "Vai trò": rows["role"].map(role_label),
        "Trạng thái": rows["status"].map(status_label),
        "Tỷ lệ hoàn thành": rows["completion_pct"].map(fmt.pct_or_no_report),
        "Số hoạt động": rows["activities"].map(fmt.number),
        "Lượt người tham gia": rows["participants"].map(fmt.number),
        "Tin, bài": rows["posts"].map(fmt.number),
        "Kết quả đạt được": rows["result"], "Khó khăn, vướng mắc": rows["obstacles"],
        "Đề xuất, kiến nghị": rows["proposals"]})[columns])


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

