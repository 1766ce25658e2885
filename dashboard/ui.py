"""Streamlit helpers shared by the pages: the page start, cached queries, the sidebar
scope, the view in the address, the header, charts (with drill-down) and tables.

Query results are cached on the database's data version, so a load from the CLI shows
on the next interaction without restarting the app.

The view lives in the address (dashboard.links): on a run that follows a change of
address (a link opened, the browser's back button), the address sets the widgets; on
any other run the widgets set the address. It is written as soon as a part of the view
is known (the sidebar scope, then a page's own choice), before the rest of the page is
drawn: a click on what the page draws next then carries the new address back, instead
of the old one, which would look like a change of address and undo the choice.
"""
from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from dashboard import auth, charts, chrome, context, fmt, links, queries, tables, web
from dashboard.scope import Scope
from dashboard.textsafe import plain
from dashboard.ui_export import chart_config, chart_downloads, table_downloads
from etl.users import User
from etl.vocab import Grain, Permission

log = logging.getLogger(__name__)

__all__ = ["plain"]   # report text shown in Markdown goes through plain()


# -- the start of every page -----------------------------------------------------------------

def localize() -> None:
    """Once per run, from app.py, before anything else is drawn (the sign-in form too):
    the page's stylesheet and the script that puts Streamlit's own strings in Vietnamese
    (dashboard/chrome.py)."""
    st.html(f"<style>{chrome.stylesheet()}</style>")
    st.html(f"<script>{chrome.script()}</script>", unsafe_allow_javascript=True)


def page(permission: Permission = Permission.VIEW) -> User:
    """First line of every page: the signed-in user allowed `permission`, or a refusal."""
    return auth.guard(permission)


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


# -- the view in the address -------------------------------------------------------------

_RUN = "_address_run"        # this run: was the address changed from outside, what it wants
_SEEN = "_address_seen"      # the address as this session last read or wrote it
_VIEW = "_address_view"      # the scope last shown (drill-down targets keep it)
_DRILL = "_address_drill"    # where a click on a chart leads, for the next run
SCOPE_KEYS = {links.GRAIN: "f_grain", links.PERIOD: "f_period", links.FROM: "f_from",
              links.CELLS: "f_cells", links.AREAS: "f_areas"}


class _AddressRun:
    """One run's dealings with the address."""

    def __init__(self, params: dict[str, str], external: bool):
        self.params = params          # the address as this run found it
        self.external = external      # changed since this session last wrote it
        self.wanted: dict[str, str] = {}
        self.read: set[str] = set()   # page parameters used once and not kept
        self.written: dict[str, str] | None = None   # what this run put in the address

    @property
    def address(self) -> dict[str, str]:
        """The address as the browser has it now (as far as this run knows)."""
        return self.params if self.written is None else self.written


def begin_address() -> None:
    """app.py, first thing in a run: read the address and whether it changed since this
    session last wrote it (a link opened, a reload, the back button)."""
    params = st.query_params.to_dict()
    st.session_state[_RUN] = _AddressRun(params, params != st.session_state.get(_SEEN))


def _run() -> _AddressRun:
    if _RUN not in st.session_state:
        begin_address()
    return st.session_state[_RUN]


def from_address(param: str) -> str | None:
    """The address's value of a page's own parameter, when the address has just changed
    (it then wins over the widget); None otherwise."""
    run = _run()
    run.read.add(param)
    return run.params.get(param) if run.external else None


def keep_in_address(param: str, value: str | None, now: bool = False) -> None:
    """This run's view includes `param=value` (nothing when value is empty); `now`: a
    page's own choice, written into the address at once (with the rest as it is)."""
    if not value:
        return
    run = _run()
    run.wanted[param] = str(value)
    if now:
        _write_address(run, {**run.address, param: str(value)}, final=False)


def publish_scope() -> None:
    """app.py, after the sidebar: the scope into the address before the page is drawn
    (the page's own parameters stay as they are until the page decides them)."""
    run = _run()
    scope = {k: v for k, v in run.wanted.items() if k in SCOPE_KEYS}
    if scope:
        rest = {k: v for k, v in run.address.items() if k not in SCOPE_KEYS}
        _write_address(run, {**scope, **rest}, final=False)


def publish_address() -> None:
    """app.py, last thing in a run: the whole view into the address. Parameters nobody
    used are dropped, with a notice."""
    run = _run()
    if not run.wanted:
        return
    unused = links.unknown_params(run.params, [*run.wanted, *run.read]) if run.external else []
    if unused:
        st.toast(links.unknown_notice(unused), icon=":material/link_off:")
    _write_address(run, run.wanted, final=True)


def _write_address(run: _AddressRun, params: dict[str, str], final: bool) -> None:
    """Write `params` into the address if they differ from it (each write is a step of
    the browser's history). A bare address (a menu click, the first page) is completed
    once, at the end of the run: an old bare address a click carries back names nothing
    that could undo a choice."""
    if params == run.address:
        st.session_state[_SEEN] = dict(params)
        return
    if run.external and not run.params and run.written is None:
        if not final:
            return
        _complete_address(params)
    else:
        st.query_params.from_dict(params)
    run.written = dict(params)
    st.session_state[_SEEN] = dict(params)


def _complete_address(params: dict[str, str]) -> None:
    """A bare page address (a menu click, the first page after sign-in) gets its view in
    place, not as a new step of history (through Streamlit, the back button would first
    return to the bare address, which shows the same view). Streamlit's next run reads
    the address from the browser, so both sides agree."""
    query = json.dumps("?" + urlencode(params))
    auth.run_js(f"history.replaceState(history.state,'',location.pathname+{query});")


# -- scope (sidebar filters) -------------------------------------------------------------

def sidebar_filters() -> Scope | None:
    """Render the filters (app.py calls it on every page); None when nothing is loaded."""
    keys_by_grain = {g.value: q(queries.period_keys, g) for g in Grain}
    if not any(keys_by_grain.values()):
        st.session_state["scope"] = None
        return None
    cell_df, area_df = q(queries.cells), q(queries.areas)
    available = links.Available(keys_by_grain, list(cell_df["cell_code"]), list(area_df["area_code"]))
    view = _view_to_show(available)
    for param, key in SCOPE_KEYS.items():   # before the widgets: they show these values
        st.session_state[key] = _widget_value(view, param)
    view = _scope_widgets(available, cell_df, area_df)
    for param, value in view.params().items():
        keep_in_address(param, value)
    st.session_state[_VIEW] = view
    scope = Scope(view.grain, view.period, view.history(available), view.cells or None,
                  view.areas or None)
    st.session_state["scope"] = scope
    return scope


def _view_to_show(available: links.Available) -> links.ScopeView:
    """The address's view after a change of address, else the widgets' (a value no longer
    available, like a period of another grain, falls back to its default)."""
    run = _run()
    if run.external and links.has_scope(run.params):
        reading = links.read_scope(run.params, available)
        for notice in reading.notices:
            st.info(notice, icon=":material/link:")
        return reading.view
    state = {param: st.session_state.get(key) for param, key in SCOPE_KEYS.items()}
    last = st.session_state.get(_VIEW)
    if last and state[links.PERIOD] != last.period:
        state[links.FROM] = None            # a new period: the trend ends there, default length
    for param in (links.CELLS, links.AREAS):
        state[param] = ",".join(state[param] or ())
    return links.read_scope({k: v for k, v in state.items() if v}, available).view


def _widget_value(view: links.ScopeView, param: str):
    return {links.GRAIN: view.grain, links.PERIOD: view.period, links.FROM: view.start,
            links.CELLS: list(view.cells), links.AREAS: list(view.areas)}[param]


def _scope_widgets(available: links.Available, cell_df: pd.DataFrame,
                   area_df: pd.DataFrame) -> links.ScopeView:
    sb = st.sidebar
    sb.markdown("### Phạm vi")
    grain = sb.segmented_control("Kỳ báo cáo theo", available.grains(), key="f_grain",
                                 format_func=lambda g: Grain(g).label, required=True)
    keys = available.keys(grain)[::-1]   # newest first
    period = sb.selectbox("Kỳ", keys, format_func=fmt.period, key="f_period")
    older = keys[keys.index(period):]
    start = sb.selectbox("Xu hướng từ kỳ", older, format_func=fmt.period, key="f_from")
    cell_names = dict(zip(cell_df["cell_code"], cell_df["short_name"]))
    area_names = dict(zip(area_df["area_code"], area_df["area_code"] + " " + area_df["short_name"]))
    cells = sb.multiselect("Chi bộ", list(cell_names), format_func=cell_names.get,
                           key="f_cells", placeholder="Tất cả chi bộ")
    areas = sb.multiselect("Nhiệm vụ trọng tâm", list(area_names), format_func=area_names.get,
                           key="f_areas", placeholder="Tất cả nhiệm vụ trọng tâm")
    copy_link_button(sb)
    return links.ScopeView(grain, period, start, tuple(cells), tuple(areas))


def copy_link_button(where) -> None:
    """"Sao chép liên kết": the address, which always holds the view, to the clipboard
    (with a fallback where the browser allows no clipboard API: plain HTTP on a LAN)."""
    where.html(
        "<button type='button' class='copy-link'>Sao chép liên kết</button>"
        "<style>.copy-link{font:inherit;font-size:.875rem;padding:.25rem .75rem;"
        "border-radius:.5rem;border:1px solid rgba(49,51,63,.2);background:transparent;"
        "color:inherit;cursor:pointer}</style>"
        "<script>if(!window.__copyLink){window.__copyLink=true;"
        "document.addEventListener('click',async e=>{const b=e.target.closest('.copy-link');"
        "if(!b)return;const url=location.href;let ok=false;"
        "try{await navigator.clipboard.writeText(url);ok=true}catch(err){"
        "const t=document.createElement('textarea');t.value=url;document.body.appendChild(t);"
        "t.select();ok=document.execCommand('copy');t.remove()}"
        "b.textContent=ok?'Đã sao chép liên kết':'Không sao chép được: hãy chép địa chỉ trên thanh địa chỉ';"
        "setTimeout(()=>{b.textContent='Sao chép liên kết'},2500)})}</script>",
        unsafe_allow_javascript=True)


def current_scope() -> Scope:
    """The scope app.py put in the session; the empty state when nothing is loaded."""
    scope = st.session_state.get("scope")
    if scope is None:
        empty_state()
    return scope


def scope_text(scope: Scope) -> str:
    return scope.describe(store().catalog)


# -- a page's own choice, in the address ------------------------------------------------------

def linked_selectbox(label: str, options: list, param: str, what: str, default=None,
                     **kwargs):
    """A page's own choice (`param` in the address): the address sets it when it has
    just changed, the widget sets the address otherwise. A value not among `options`
    falls back to `default` (else the first) with a notice."""
    key = f"page_{param}"
    asked = from_address(param)
    value, notice = links.read_choice(asked, [str(o) for o in options], what)
    if notice:
        st.info(notice, icon=":material/link:")
    fallback = default if default in options else options[0]
    if value is not None:
        st.session_state[key] = options[[str(o) for o in options].index(value)]
    elif asked is not None or st.session_state.get(key) not in options:
        st.session_state[key] = fallback
    chosen = st.selectbox(label, options, key=key, persist_state="session", **kwargs)
    keep_in_address(param, chosen, now=True)
    return chosen


def linked_text_input(label: str, param: str, **kwargs) -> str:
    """Free text kept in the address (the search on Khó khăn, đề xuất)."""
    key = f"page_{param}"
    asked = from_address(param)
    if asked is not None:
        st.session_state[key] = links.read_search(asked)
    text = st.text_input(label, key=key, **kwargs)
    keep_in_address(param, links.read_search(text), now=True)
    return text


# -- drill-down --------------------------------------------------------------------------

def _on_chart_select(key: str) -> None:
    """A click on a chart's mark: remember where it leads; the next run goes there."""
    points = st.session_state[key].selection.points
    view = st.session_state.get(_VIEW)
    target = links.drill_target(links.clicked_key(points[0]), view) if points and view else None
    if target is not None:
        st.session_state[_DRILL] = target
        st.session_state["_drill_count"] = st.session_state.get("_drill_count", 0) + 1


def follow_drill() -> None:
    """app.py, before drawing: a click on a chart asked for another view. The browser is
    sent there as a step of its history, so its back button returns here."""
    target = st.session_state.pop(_DRILL, None)
    if target is None:
        return
    query = json.dumps("?" + urlencode(target.params))
    page = json.dumps(None if target.page is None else f"{web.base_path()}/{target.page}")
    # Streamlit follows the browser's own back/forward (popstate): the new address is a
    # step of history, shown without reloading the app.
    auth.run_js(f"const page={page};history.pushState({{}},'',(page??location.pathname)+{query});"
                "window.dispatchEvent(new PopStateEvent('popstate'));")
    st.stop()


# -- page furniture ----------------------------------------------------------------------

PAGE_TITLE = "page_title"   # app.py: the title of the page being run


def empty_state(message: str | None = None, titled: bool = False) -> None:
    """Nothing loaded yet: the page's title and what this user can do about it."""
    if not titled and st.session_state.get(PAGE_TITLE):
        st.subheader(st.session_state[PAGE_TITLE])
    st.info(message or empty_text(auth.current_user()), icon=":material/info:")
    st.stop()


def empty_text(user: User | None) -> str:
    """What to do about an empty database, by what the user may do."""
    none_yet = "Chưa có báo cáo nào. "
    samples = " Muốn xem thử trước: nạp dữ liệu mẫu ở trang **Dữ liệu mẫu**."
    if user is None:
        return none_yet
    if user.can(Permission.UPLOAD_ANY_CELL):
        return (none_yet + "Nạp báo cáo đầu tiên của các chi bộ ở trang **Nạp báo cáo**, hoặc "
                "trên máy chủ: `python -m etl load <tệp báo cáo>`." + samples)
    if user.can(Permission.UPLOAD_OWN_CELL):
        return (none_yet + f"Nạp báo cáo của chi bộ {user.cell_code} ở trang **Nạp báo cáo**; "
                "mẫu báo cáo trống ở trang **Mẫu báo cáo, nhắc nộp**.")
    if user.can(Permission.MANAGE_USERS):
        return (none_yet + "Tạo tài khoản cho Văn phòng và bí thư các chi bộ ở trang "
                "**Tài khoản** để họ nạp báo cáo." + samples)
    return (none_yet + "Số liệu sẽ hiện khi Văn phòng nạp báo cáo của các chi bộ; nếu đã "
            "quá hạn nộp mà chưa có, xin liên hệ Văn phòng Đảng ủy.")


def page_header(question: str, scope: Scope | None = None, stop_when_empty: bool = True) -> dict:
    """The page's question, the scope, the data date and the sample-data flag. Pages that
    also serve an empty database (upload, history, templates) pass stop_when_empty=False."""
    status = q(queries.data_status)
    st.subheader(question)
    if status["submissions"] == 0:
        if stop_when_empty:
            empty_state(titled=True)
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
    """Every chart goes through here: the chart, how it is computed, its downloads. A
    chart whose marks carry drill keys (dashboard.links) opens what a click names."""
    config = chart_config(charts.plotly_config(filename))
    if charts.drillable(fig):
        # A new key after each drill: the last click's selection does not stay drawn.
        key = f"chart_{filename}_{st.session_state.get('_drill_count', 0)}"
        st.plotly_chart(fig, config=config, width="stretch", key=key, selection_mode="points",
                        on_select=lambda: _on_chart_select(key))
        if _DRILL in st.session_state:
            # Clicked inside an st.fragment, which reran alone: the whole app must run
            # for app.py to follow the click (a full run has followed it before this).
            st.rerun(scope="app")
    else:
        st.plotly_chart(fig, config=config, width="stretch")
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


def text_table(df: pd.DataFrame, download: str | None = None, scope: Scope | None = None,
               **kwargs) -> None:
    """Report text as plain cells (st.dataframe never renders HTML or markdown); a field
    the report left empty shows empty, not "None". With `download` (a file name), CSV and
    Excel buttons under it for roles that may export, recorded in the audit trail."""
    st.dataframe(df, hide_index=True, width="stretch", **{"placeholder": "", **kwargs})
    if download:
        table_downloads(df, download, scope_text(scope) if scope else "")


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
        # the hint wraps on a phone instead of ending in "…"
        "[data-testid='stFileUploaderDropzoneInstructions'] span{font-size:0;"
        "white-space:normal;overflow:visible;text-overflow:clip}"
        f"[data-testid='stFileUploaderDropzoneInstructions'] span::after{{content:'{hint}';"
        "font-size:.875rem}"
        "</style>")
