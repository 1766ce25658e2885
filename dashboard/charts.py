"""Chart builders: DataFrame in, plotly Figure out. No streamlit, no duckdb.

Every builder takes a `title` (exports reuse them), prints its values on the marks,
keeps percentages on a fixed 0-100 axis, and draws "chưa báo cáo" as grey, never as 0.
Cell colors come from the data (the catalog), so a cell has one color on every chart.
"""
from __future__ import annotations

import re
import textwrap

import pandas as pd
import plotly.graph_objects as go

from dashboard import chrome, fmt
from dashboard.links import AREA_BAR, CELL_AREA, CELL_BAR, PERIOD_POINT, REPORT_SQUARE, drill_key
from etl.fields import BY_KEY, COUNT_KEYS
from etl.textnorm import fold
from etl.vocab import (NO_REPORT, NOT_ASSIGNED, STATUS_DISPLAY_ORDER, ReportTimeliness, Role,
                       Status)

FONT_SIZE = 18
TITLE_SIZE = 24
TITLE_LINE, TITLE_LINE_PX = 36, 30   # characters on a title line (half a laptop screen), its height
TITLE_TOP_PX = 12                    # above the title, whatever the chart's height
# Room under the columns of a half-screen chart (px), and what one character takes there:
# a category name wraps to what its column holds, so it never turns sideways.
TICK_ROOM_PX, TICK_CHAR_PX, TICK_LINE_MIN, TICK_LINE_MAX = 400, 8, 6, 16
FONT_FAMILY = "DejaVu Sans, Arial, sans-serif"
NO_REPORT_COLOR = "#D9D9D9"
NOT_ASSIGNED_COLOR = "#F4F4F4"
AREA_COLOR = "#5B6770"
SEQUENTIAL = "Blues"
LEGEND_MARGIN = {"l": 20, "r": 90, "t": 160, "b": 40}  # two-line title, then the legend

STATUS_COLORS = {Status.DONE: "#2E7D32", Status.IN_PROGRESS: "#F9C74F",
                 Status.DELAYED: "#D62728", Status.NOT_STARTED: "#8D99AE"}
SUBMISSION_COLORS = {ReportTimeliness.ON_TIME: "#2E7D32", ReportTimeliness.LATE: "#F28E2B",
                     ReportTimeliness.MISSING: "#D62728", ReportTimeliness.NOT_DUE: "#E8E8E8"}
# Series that are not cells (tasks on one cell's page): a palette without the cell colors.
SERIES_COLORS = ["#332288", "#882255", "#44AA99", "#999933", "#AA4499", "#DDCC77",
                 "#117733", "#88CCEE", "#661100", "#6699CC", "#888888", "#E6AB02", "#A6761D"]


# -- shared -------------------------------------------------------------------------

def plotly_config(filename: str) -> dict:
    """Config for st.plotly_chart: a toolbar in Vietnamese with only what a meeting needs
    (dashboard/chrome.py); the camera, where ui_export.chart_config leaves it, saves a
    presentation-size PNG."""
    return {"toImageButtonOptions": {"format": "png", "width": 1600, "height": 900,
                                     "scale": 2, "filename": filename},
            "displaylogo": False,
            "locale": chrome.PLOTLY_LOCALE, "locales": {chrome.PLOTLY_LOCALE: chrome.PLOTLY_VI},
            "modeBarButtonsToRemove": list(chrome.PLOTLY_REMOVED_BUTTONS)}


def slug(*parts: str) -> str:
    """ASCII file name from Vietnamese words: ("Tỷ lệ hoàn thành", "2026-Q3") ->
    "ty-le-hoan-thanh-2026-q3"."""
    text = "-".join(fold(p) for p in parts if p)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "bieu-do"


def _layout(fig: go.Figure, title: str, height: int | None = None, **extra) -> go.Figure:
    """The house style. A long title wraps instead of running off a half-screen chart (the
    chart grows by the lines added), and long category names under columns wrap instead
    of turning sideways."""
    subject, scope = _split_title(title)
    lines = _wrap(subject, TITLE_LINE)
    added = (len(lines) - 1) * TITLE_LINE_PX
    settings = dict(
        # pad: a fixed gap above the title at any height, plus the lines a wrapped title
        # adds (plotly lays them upwards, off the chart, from a top-anchored title)
        title={"text": "<br>".join(lines), "font": {"size": TITLE_SIZE}, "x": 0,
               "xanchor": "left", "yref": "container", "y": 1, "yanchor": "top",
               "pad": {"t": TITLE_TOP_PX + added},
               "subtitle": {"text": scope, "font": {"size": FONT_SIZE, "color": "#555555"}}},
        font={"size": FONT_SIZE, "family": FONT_FAMILY},
        separators=",.", template="plotly_white",
        hoverlabel={"font_size": FONT_SIZE},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.01, "x": 0, "title": None,
                "traceorder": "normal"})
    margin = {"l": 20, "r": 90, "t": 110, "b": 40, **extra.pop("margin", {})}
    settings["margin"] = {**margin, "t": margin["t"] + added}
    if height:
        settings["height"] = height + added
    fig.update_layout(**{**settings, **extra})
    _wrap_category_ticks(fig)
    return fig


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` characters (a longer word stays whole), as even as the
    words allow: "Tỷ lệ hoàn thành theo / nhiệm vụ trọng tâm", not a last word alone."""
    lines = textwrap.wrap(text, width, break_long_words=False) or [text]
    for even in range(-(-len(text) // len(lines)), width):
        tried = textwrap.wrap(text, even, break_long_words=False)
        if len(tried) == len(lines):
            return tried
    return lines


def _wrap_category_ticks(fig: go.Figure) -> None:
    # Tick texts only: the categories themselves (what a click on the chart returns) stay.
    labels = list(dict.fromkeys(
        x for trace in fig.data if getattr(trace, "orientation", None) != "h"
        for x in (getattr(trace, "x", None) or ()) if isinstance(x, str)))
    width = max(TICK_LINE_MIN, min(TICK_LINE_MAX,
                                   TICK_ROOM_PX // (TICK_CHAR_PX * max(len(labels), 1))))
    if any(len(label) > width for label in labels):
        fig.update_xaxes(tickvals=labels, automargin=True,
                         ticktext=["<br>".join(_wrap(label, width)) for label in labels])


def _split_title(title: str) -> tuple[str, str]:
    """`Tỷ lệ hoàn thành theo chi bộ - Quý III/2026` -> title and subtitle, so it fits half
    a screen and an export can put its own scope line under the subject."""
    if " - " not in title:
        return title, ""
    subject, scope = title.rsplit(" - ", 1)
    return subject, scope


def _pct_axis(title: str | None = None) -> dict:
    return {"range": [0, 100], "ticksuffix": "%", "title": title, "fixedrange": True,
            "dtick": 20}


def _bar_height(n: int) -> int:
    return max(320, 130 + 56 * n)


def _values(values) -> list:
    """Plain floats with None for a missing value: nothing drawn, never a 0."""
    return [None if pd.isna(v) else float(v) for v in values]


def _pct_labels(values) -> list[str]:
    return [fmt.pct_or_no_report(v) for v in values]


def _no_report_notes(fig, labels, axis: str = "y", text: str = NO_REPORT) -> None:
    """Write "Chưa báo cáo" where a bar is absent, so a missing report never reads as 0
    (or "Không được giao" where there was nothing to report)."""
    for label in labels:
        fig.add_annotation(**{axis: label}, **{"x" if axis == "y" else "y": 1},
                           text=text, showarrow=False,
                           xanchor="left" if axis == "y" else "center",
                           font={"size": FONT_SIZE - 2, "color": "#6B6B6B"})


# -- completion -------------------------------------------------------------------------

def completion_by_cell(df: pd.DataFrame, title: str, period_label: str = "") -> go.Figure:
    """Horizontal bars, one per cell (cell_summary rows of one period), in the cell's color."""
    df = df.sort_values("sort_order")
    fig = go.Figure(go.Bar(
        y=list(df["short_name"]), x=_values(df["completion"]), orientation="h",
        marker={"color": list(df["color"])}, text=_pct_labels(df["completion"]),
        textposition="outside", cliponaxis=False,
        customdata=list(zip(df["cell_name"], df["tasks_reported"], df["tasks_assigned"],
                            _pct_labels(df["completion"]),
                            [drill_key(CELL_BAR, c) for c in df["cell_code"]])),
        hovertemplate=("<b>%{customdata[0]}</b><br>" + period_label +
                       "<br>Tỷ lệ hoàn thành: %{customdata[3]}"
                       "<br>Nhiệm vụ đã báo cáo: %{customdata[1]}/%{customdata[2]}<extra></extra>")))
    _drillable(fig)
    idle = _not_assigned(df)
    _no_report_notes(fig, df.loc[df["completion"].isna() & ~idle, "short_name"])
    _no_report_notes(fig, df.loc[idle, "short_name"], text=NOT_ASSIGNED)
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(**_pct_axis())
    return _layout(fig, title, _bar_height(len(df)), showlegend=False)


def completion_by_area(df: pd.DataFrame, title: str, period_label: str = "") -> go.Figure:
    """Horizontal bars, one per task area (area_summary rows of one period)."""
    df = df.sort_values("sort_order")
    labels = [f"{c} · {s}" for c, s in zip(df["area_code"], df["short_name"])]
    fig = go.Figure(go.Bar(
        y=labels, x=_values(df["completion"]), orientation="h", marker={"color": AREA_COLOR},
        text=_pct_labels(df["completion"]), textposition="outside", cliponaxis=False,
        customdata=list(zip(df["area_name"], df["tasks_reported"], df["tasks_assigned"],
                            _pct_labels(df["completion"]),
                            [drill_key(AREA_BAR, a) for a in df["area_code"]])),
        hovertemplate=("<b>%{customdata[0]}</b><br>" + period_label +
                       "<br>Tỷ lệ hoàn thành: %{customdata[3]}"
                       "<br>Nhiệm vụ đã báo cáo: %{customdata[1]}/%{customdata[2]}<extra></extra>")))
    _drillable(fig)
    idle = list(_not_assigned(df))
    _no_report_notes(fig, [lab for lab, v, i in zip(labels, df["completion"], idle)
                           if pd.isna(v) and not i])
    _no_report_notes(fig, [lab for lab, i in zip(labels, idle) if i], text=NOT_ASSIGNED)
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(**_pct_axis())
    return _layout(fig, title, _bar_height(len(df)), showlegend=False)


def completion_heatmap(df: pd.DataFrame, title: str, row_label: str, col_label: str,
                       row_hover: str, col_hover: str, period_label: str = "",
                       drill_col: str | None = None) -> go.Figure:
    """Rows x columns of completion, value in each square. A square whose cell sent no
    report is grey with "chưa báo cáo"; a pair with nothing assigned is pale with "–".
    Expects columns: completion, has_report, tasks_assigned and the named ones; a click
    on a square opens what its `drill_col` names (dashboard.links)."""
    rows = list(dict.fromkeys(df[row_label]))
    cols = list(dict.fromkeys(df[col_label]))
    notes = [_square_note(h, a, v) for h, a, v in
             zip(df["has_report"], df["tasks_assigned"], df["completion"])]
    df = df.assign(
        note=[n or "" for n in notes],
        shown=[None if n else float(v) for n, v in zip(notes, df["completion"])],
        label=[n or fmt.pct(v) for n, v in zip(notes, df["completion"])])
    df = df.assign(hover=[f"<b>{r}</b><br>{c}<br>{period_label}<br>Tỷ lệ hoàn thành: {lab}"
                          for r, c, lab in zip(df[row_hover], df[col_hover], df["label"])])

    def grid(col, missing=None):
        table = df.pivot_table(index=row_label, columns=col_label, values=col,
                               aggfunc="first", dropna=False, sort=False)
        table = table.reindex(index=rows, columns=cols).astype(object)
        return table.where(table.notna(), missing).values.tolist()

    notes_grid = grid("note", "–")  # a pair absent from df: neither assigned nor reported
    back = [[None if not n else (0 if n == NO_REPORT else 1) for n in r]
            for r in notes_grid]
    hover = grid("hover", "")
    fig = go.Figure([
        go.Heatmap(z=back, x=cols, y=rows, text=[[n or "" for n in r] for r in notes_grid],
                   texttemplate="%{text}", colorscale=[[0, NO_REPORT_COLOR], [1, NOT_ASSIGNED_COLOR]],
                   zmin=0, zmax=1, showscale=False, hoverinfo="text", hovertext=hover,
                   xgap=3, ygap=3, textfont={"size": FONT_SIZE - 2, "color": "#555555"},
                   name=NO_REPORT),
        go.Heatmap(z=grid("shown"), x=cols, y=rows,
                   text=[[("" if n else t) for n, t in zip(nr, tr)]
                         for nr, tr in zip(notes_grid, grid("label", ""))],
                   texttemplate="%{text}", colorscale=SEQUENTIAL, zmin=0, zmax=100,
                   hoverinfo="text", hovertext=hover, xgap=3, ygap=3,
                   textfont={"size": FONT_SIZE}, colorbar={"title": "%", "ticksuffix": "%"},
                   name="Tỷ lệ hoàn thành")])
    if drill_col:
        _clickable_squares(fig, rows, cols, grid(drill_col, ""), hover)
    fig.update_yaxes(autorange="reversed", title=None, fixedrange=True)
    fig.update_xaxes(title=None, fixedrange=True, automargin=True)
    return _layout(fig, title, max(380, 200 + 70 * len(rows)))


def _square_note(has_report, tasks_assigned, value) -> str | None:
    if pd.isna(value) and int(tasks_assigned or 0) == 0:
        return "–"
    if not bool(has_report):
        return NO_REPORT
    if pd.isna(value):
        return "chưa có số liệu"
    return None


def cell_area_heatmap(df: pd.DataFrame, title: str, period_label: str = "") -> go.Figure:
    """Cells x task areas (cell_area_summary rows of one period)."""
    df = df.assign(area_axis=df["area_code"] + " " + df["area_short"],
                   drill=[drill_key(CELL_AREA, c, a) for c, a in zip(df["cell_code"], df["area_code"])])
    return completion_heatmap(df, title, "cell_short", "area_axis",
                              "cell_name", "area_name", period_label, drill_col="drill")


def task_cell_heatmap(df: pd.DataFrame, title: str, period_label: str = "") -> go.Figure:
    """Tasks x cells (assignment_facts rows of one period): completion of each pair."""
    df = df.assign(completion=df["completion_pct"],
                   tasks_assigned=df["role"].notna().astype(int),
                   cell_axis=df["cell_short"],
                   task_hover=df["task_code"] + " " + df["task_title"].str.slice(0, 80),
                   cell_hover=df["cell_name"] + df["role"].map(
                       {r.value: f" ({r.label.lower()})" for r in Role}).fillna(""),
                   drill=[drill_key(CELL_AREA, c, a) for c, a in zip(df["cell_code"], df["area_code"])])
    return completion_heatmap(df, title, "task_code", "cell_axis",
                              "task_hover", "cell_hover", period_label, drill_col="drill")


# -- over time -----------------------------------------------------------------------------

def trend_by_cell(df: pd.DataFrame, title: str) -> go.Figure:
    """One line per cell over periods (cell_summary rows of several periods). A period
    with no report is a gap in the line, not a 0."""
    df = _without_idle_cells(df)
    order = sorted(df["period"].unique(), key=_period_sort)
    labels = [fmt.period(k) for k in order]
    cells = df.drop_duplicates("cell_code").sort_values("sort_order")
    values = df.pivot(index="cell_code", columns="period", values="completion").reindex(
        index=cells["cell_code"], columns=order)
    traces, ends = [], []
    for (code, name, full, color), row in zip(
            cells[["cell_code", "short_name", "cell_name", "color"]].itertuples(index=False),
            values.itertuples(index=False)):
        y = _values(row)
        known = [i for i, v in enumerate(y) if v is not None]
        if known:
            ends.append((labels[known[-1]], y[known[-1]], color))
        traces.append(go.Scatter(
            x=labels, y=y, name=name, mode="lines+markers",
            line={"color": color, "width": 3}, marker={"color": color, "size": 10},
            cliponaxis=False,
            connectgaps=False,
            customdata=[[full, lab, fmt.pct_or_no_report(v), drill_key(PERIOD_POINT, k)]
                        for lab, v, k in zip(labels, y, order)],
            hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}"
                          "<br>Tỷ lệ hoàn thành: %{customdata[2]}<extra></extra>"))
    fig = go.Figure(traces)
    _drillable(fig)
    _end_labels(fig, ends)
    fig.update_yaxes(**_pct_axis())
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=labels, title=None)
    # The legend wraps to one cell a line on half a laptop screen: room for it under the title.
    rows = min(len(cells), 6)
    return _layout(fig, title, 420 + 22 * rows,
                   margin={**LEGEND_MARGIN, "t": max(LEGEND_MARGIN["t"], 120 + 22 * rows)})


def trend_by_series(df: pd.DataFrame, title: str, series_col: str, name_col: str,
                    hover_col: str) -> go.Figure:
    """One line per series (a task on a cell's page) over periods; `completion_pct` values."""
    order = sorted(df["period"].unique(), key=_period_sort)
    labels = {k: fmt.period(k) for k in order}
    fig = go.Figure()
    for i, (key, g) in enumerate(df.groupby(series_col, sort=False)):
        g = g.set_index("period").reindex(order)
        color = SERIES_COLORS[i % len(SERIES_COLORS)]
        fig.add_trace(go.Scatter(
            x=[labels[k] for k in order], y=_values(g["completion_pct"]), name=_first(g, name_col),
            mode="lines+markers", line={"color": color, "width": 3}, connectgaps=False,
            customdata=[[_first(g, hover_col), labels[k], fmt.pct_or_no_report(v),
                         drill_key(PERIOD_POINT, k)]
                        for k, v in zip(order, g["completion_pct"])],
            hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}"
                          "<br>Tỷ lệ hoàn thành: %{customdata[2]}<extra></extra>"))
    _drillable(fig)
    fig.update_yaxes(**_pct_axis())
    fig.update_xaxes(type="category", categoryorder="array",
                     categoryarray=[labels[k] for k in order], title=None)
    return _layout(fig, title, 520, margin=LEGEND_MARGIN)


def compare_periods(df: pd.DataFrame, title: str, first: str, second: str) -> go.Figure:
    """Completion by cell in two periods (cell_summary rows of both): grouped bars in the
    cell's color, the earlier period hatched and lighter."""
    df = _without_idle_cells(df)
    fig = go.Figure()
    for key, opacity, pattern in ((first, 0.55, "/"), (second, 1.0, "")):
        g = df[df["period"] == key].sort_values("sort_order")
        label = fmt.period(key)
        fig.add_trace(go.Bar(
            x=list(g["short_name"]), y=_values(g["completion"]), name=label, opacity=opacity,
            marker={"color": list(g["color"]), "pattern": {"shape": pattern}},
            text=_pct_labels(g["completion"]), textposition="outside", cliponaxis=False,
            customdata=[[n, label, fmt.pct_or_no_report(v)]
                        for n, v in zip(g["cell_name"], g["completion"])],
            hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}"
                          "<br>Tỷ lệ hoàn thành: %{customdata[2]}<extra></extra>"))
    fig.update_yaxes(**_pct_axis())
    fig.update_xaxes(title=None)
    return _layout(fig, title, 520, margin=LEGEND_MARGIN, barmode="group")


# -- statuses and tasks -------------------------------------------------------------------

def status_distribution(df: pd.DataFrame, title: str, period_label: str = "") -> go.Figure:
    """Tasks per status (status_counts rows of one period; status NULL = no report)."""
    counts = {(s if isinstance(s, str) else None): int(n) for s, n in zip(df["status"], df["tasks"])}
    keys = [s for s in STATUS_DISPLAY_ORDER if counts.get(s)] + ([None] if counts.get(None) else [])
    labels = [fmt.status(k) for k in keys]
    values = [counts[k] for k in keys]
    total = sum(values) or 1
    fig = go.Figure(go.Bar(
        y=labels, x=values, orientation="h",
        marker={"color": [STATUS_COLORS.get(k, NO_REPORT_COLOR) for k in keys]},
        text=[f"{fmt.number(v)} ({fmt.pct(100 * v / total)})" for v in values],
        textposition="outside", cliponaxis=False,
        hovertemplate="<b>%{y}</b><br>" + period_label + "<br>%{text} nhiệm vụ<extra></extra>"))
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(title="Số lượt nhiệm vụ (chi bộ × nhiệm vụ)", rangemode="tozero",
                     range=[0, max(values or [1]) * 1.3])
    return _layout(fig, title, _bar_height(len(keys)), showlegend=False)


def task_completion_bars(df: pd.DataFrame, title: str, period_label: str = "") -> go.Figure:
    """One cell's tasks (assignment_facts rows of one cell and period): bar = completion,
    color = status with its label; lead tasks marked ★."""
    df = df.reset_index(drop=True)
    status_text = [fmt.status(s) for s in df["status"]]
    axis = [("★ " if r == Role.LEAD else "") + f"{code} · {st}"
            for code, r, st in zip(df["task_code"], df["role"], status_text)]
    fig = go.Figure(go.Bar(
        y=axis, x=_values(df["completion_pct"]), orientation="h",
        marker={"color": [STATUS_COLORS.get(s, NO_REPORT_COLOR) for s in df["status"]]},
        text=[fmt.pct(v) if pd.notna(v) else "" for v in df["completion_pct"]],
        textposition="outside", cliponaxis=False,
        customdata=[[t, s] for t, s in zip(df["task_title"], status_text)],
        hovertemplate="<b>%{customdata[0]}</b><br>" + period_label +
                      "<br>%{customdata[1]}: %{x:.1f}%<extra></extra>"))
    missing = [a for a, v in zip(axis, df["completion_pct"]) if pd.isna(v)]
    for a in missing:
        fig.add_annotation(y=a, x=1, text="chưa có số liệu", showarrow=False,
                           xanchor="left", font={"size": FONT_SIZE - 2, "color": "#6B6B6B"})
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(**_pct_axis())
    return _layout(fig, title, _bar_height(len(df)), showlegend=False)


FLOW_LABELS = {key: BY_KEY[key].header for key in COUNT_KEYS}


def flow_by_task(df: pd.DataFrame, metric: str, title: str, period_label: str = "") -> go.Figure:
    """A flow (activities, participants or posts) per task, stacked by cell in the
    cell's color, summed over the period (assignment_facts rows of one period)."""
    tasks_order = list(dict.fromkeys(df["task_code"]))
    titles = df.drop_duplicates("task_code").set_index("task_code")["task_title"].reindex(tasks_order)
    cells = df.drop_duplicates("cell_code")
    values = df.pivot(index="cell_code", columns="task_code", values=metric).reindex(
        index=cells["cell_code"], columns=tasks_order)
    traces = []
    for (code, short, full, color), row in zip(
            cells[["cell_code", "cell_short", "cell_name", "color"]].itertuples(index=False),
            values.itertuples(index=False)):
        y = _values(row)
        traces.append(go.Bar(
            x=tasks_order, y=y, name=short, marker={"color": color},
            text=[fmt.number(v) if v else "" for v in y], textposition="inside",
            customdata=[[full, t, fmt.number(v)] for t, v in zip(titles.fillna(""), y)],
            hovertemplate="<b>%{customdata[0]}</b><br>%{x} %{customdata[1]}<br>" + period_label +
                          "<br>" + FLOW_LABELS[metric] + ": %{customdata[2]}<extra></extra>"))
    fig = go.Figure(traces)
    fig.update_yaxes(title=FLOW_LABELS[metric], rangemode="tozero", tickformat=",d")
    if df[metric].isna().all():
        fig.add_annotation(text="Các chi bộ chưa báo cáo số liệu này trong kỳ", showarrow=False,
                           xref="paper", yref="paper", x=0.5, y=0.5,
                           font={"size": FONT_SIZE, "color": "#6B6B6B"})
        fig.update_yaxes(range=[0, 1], showticklabels=False)
    fig.update_xaxes(title=None, type="category")
    fig = _layout(fig, title, 500, margin=LEGEND_MARGIN, barmode="stack")
    if df[metric].isna().all():
        fig.update_layout(showlegend=False)  # a legend of cells with no bars reads as a bug
    return fig


# -- reporting discipline -------------------------------------------------------------------

def submission_matrix(df: pd.DataFrame, title: str) -> go.Figure:
    """Cells x periods: on time / late / missing / not yet due, with the report date."""
    states = list(ReportTimeliness)
    order = sorted(df["period"].unique(), key=_period_sort)
    rows = list(dict.fromkeys(df["short_name"]))
    period_labels = {k: fmt.period(k) for k in order}
    by_load = df["date_from_load"] if "date_from_load" in df else [False] * len(df)
    dated = [fmt.report_date(d, f) for d, f in zip(df["report_date"], by_load)]
    df = df.assign(
        code=df["state"].map(states.index),
        label=[ReportTimeliness(s).label + ("" if d is None else "<br>" + text.replace(" (", "<br>("))
               for s, d, text in zip(df["state"], df["report_date"], dated)],
        hover=[f"<b>{n}</b><br>{period_labels[k]}<br>{ReportTimeliness(s).label}"
               f"<br>Ngày báo cáo: {text}<br>Hạn nộp: {fmt.date_vn(h)}"
               for n, k, s, text, h in zip(df["cell_name"], df["period"], df["state"],
                                           dated, df["deadline"])])

    def grid(col):
        return df.pivot(index="short_name", columns="period", values=col).reindex(
            index=rows, columns=order).values.tolist()

    n = len(states)
    scale = []
    for i, s in enumerate(states):
        scale += [[i / n, SUBMISSION_COLORS[s]], [(i + 1) / n, SUBMISSION_COLORS[s]]]
    fig = go.Figure(go.Heatmap(
        z=grid("code"), x=[fmt.period(k) for k in order], y=rows, text=grid("label"),
        texttemplate="%{text}", zmin=-0.5, zmax=n - 0.5, colorscale=scale, showscale=False,
        hoverinfo="text", hovertext=grid("hover"), xgap=3, ygap=3,
        textfont={"size": FONT_SIZE - 2}))
    df = df.assign(drill=[drill_key(REPORT_SQUARE, int(i)) if pd.notna(i) else ""
                          for i in df["submission_id"]])
    _clickable_squares(fig, rows, [period_labels[k] for k in order], grid("drill"), grid("hover"))
    fig.update_yaxes(autorange="reversed", title=None, fixedrange=True)
    fig.update_xaxes(title=None, fixedrange=True, type="category")
    return _layout(fig, title, max(360, 200 + 70 * len(rows)))


# -- helpers -------------------------------------------------------------------------------

def drillable(fig: go.Figure) -> bool:
    """The chart's marks carry drill keys: a click opens another view (dashboard.ui.chart)."""
    return bool(fig.layout.meta and fig.layout.meta.get("drill"))


def _drillable(fig: go.Figure) -> None:
    fig.update_layout(meta={"drill": True})


def _clickable_squares(fig: go.Figure, rows: list, cols: list, keys: list[list],
                       hover: list[list]) -> None:
    """Plotly reports no selection on a heatmap's squares: an invisible marker on each
    square carries its drill key and takes over its hover text (the nearest marker is
    the square under the pointer)."""
    x = [c for _ in rows for c in cols]
    y = [r for r in rows for _ in cols]
    invisible = {"marker": {"opacity": 0}}
    fig.add_trace(go.Scatter(
        x=x, y=y, mode="markers", showlegend=False, name="",
        marker={"opacity": 0, "size": 30, "symbol": "square"}, selected=invisible,
        unselected=invisible, customdata=[k or "" for row in keys for k in row],
        hovertext=[h or "" for row in hover for h in row], hoverinfo="text"))
    fig.update_traces(hoverinfo="skip", selector={"type": "heatmap"})
    fig.update_layout(hoverdistance=-1)
    _drillable(fig)


END_LABEL_GAP = 8.0  # points of the 0-100 axis between two end labels: one text line


def _end_labels(fig: go.Figure, ends: list[tuple]) -> None:
    """The latest known value of each line, printed after its last point in the line's
    color (all of them would overlap). Labels that would collide are spread apart
    vertically; the points themselves stay where they are."""
    for x in dict.fromkeys(e[0] for e in ends):
        by_text: dict[str, list] = {}  # lines that end on the same figure share one label
        for _, value, color in sorted((e for e in ends if e[0] == x), key=lambda e: -e[1]):
            by_text.setdefault(fmt.pct(value), []).append((value, color))
        group = [(text, same[0][0], same[0][1] if len(same) == 1 else "#333333")
                 for text, same in by_text.items()]
        placed = _spread([value for _, value, _ in group], END_LABEL_GAP)
        for (text, value, color), at in zip(group, placed):
            fig.add_annotation(x=x, y=at, text=text, showarrow=False,
                               xanchor="left", xshift=10, yanchor="middle",
                               font={"size": FONT_SIZE, "color": color})


def _spread(values: list[float], gap: float) -> list[float]:
    """Positions for labels at `values` (highest first), at least `gap` apart, each group
    of colliding labels centred on its values' mean."""
    clusters: list[list[float]] = []          # runs of colliding values, highest first

    def positions(run):
        centre = sum(run) / len(run)
        return [centre + gap * ((len(run) - 1) / 2 - i) for i in range(len(run))]

    for value in values:
        clusters.append([value])
        while len(clusters) > 1 and positions(clusters[-2])[-1] - positions(clusters[-1])[0] < gap:
            last = clusters.pop()
            clusters[-1] += last
    placed = [p for run in clusters for p in positions(run)]
    over = max(placed, default=0) - 100   # plotly hides a label placed off the 0-100 axis
    return [p - over for p in placed] if over > 0 else placed


def _not_assigned(df: pd.DataFrame) -> pd.Series:
    """Rows of a cell or area with nothing assigned in the scope (queries' not_assigned)."""
    if "not_assigned" not in df:
        return pd.Series(False, index=df.index)
    return df["not_assigned"].fillna(False).astype(bool)


def _without_idle_cells(df: pd.DataFrame) -> pd.DataFrame:
    """Leave out the cells with nothing assigned in the scope in any period shown: a
    line or bar that can never exist is not a missing report."""
    idle = _not_assigned(df).groupby(df["cell_code"]).transform("all")
    return df[~idle]


def _first(g: pd.DataFrame, col: str):
    values = g[col].dropna()
    return values.iloc[0] if len(values) else ""


def _period_sort(key: str):
    from etl.periods import from_key
    p = from_key(key)
    return (p.start, p.end)
