"""Chart builders: DataFrame in, plotly Figure out. No streamlit, no duckdb.

Every builder takes a `title` (exports reuse them), prints its values on the marks,
keeps percentages on a fixed 0-100 axis, and draws "chưa báo cáo" as grey, never as 0.
Cell colors come from the data (the catalog), so a cell has one color on every chart.

The same builders serve 4 cells and a hundred: beyond ALL_UP_TO cells a chart shows a
window that still reads (the lowest or highest RANKED_N on ranked charts, MAX_LINES lines
on a trend, GRID_ROWS rows a page of the submission grid, totals instead of a stack of
cells) and says so under the plot; the pages offer the way to see the rest.
"""
from __future__ import annotations

import math
import re
import textwrap
from enum import StrEnum

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
# Province scale (a hundred cells): what one chart shows so that it still reads.
ALL_UP_TO = 15     # up to this many cells a chart shows every one of them
RANKED_N = 10      # beyond that, a ranked chart shows the lowest or the highest this many
MAX_LINES = 6      # cell lines on one trend, besides the committee's average
MAX_STACK = 8      # cells stacked in one bar before the bar shows their total only
GRID_ROWS = 15     # cells on one page of the submission grid
LABEL_COLUMNS = 12  # a grid prints text in its squares up to this many columns
DATED_SQUARES = 100  # squares of the submission grid that print their report's day; beyond,
                     # only "Chưa nộp" is written (each label costs the browser, dates hover)
NOTE_WIDTH, NOTE_LINES = 34, 2  # a note's names: characters a line, lines, then "và N khác"
COMPARE_LABELLED = 6  # cells of a two-period comparison with both values printed
AVERAGE_NAME = "Bình quân toàn Đảng bộ"
AVERAGE_COLOR = "#333333"
NOTE_COLOR = "#6B6B6B"
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
    # An axis that already names its ticks (periods, task areas) keeps them.
    if fig.layout.xaxis.tickvals is not None:
        return
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


class Show(StrEnum):
    """Which cells a ranked chart shows when there are more than ALL_UP_TO."""
    LOWEST = "lowest"
    HIGHEST = "highest"
    ALL = "all"


def show_label(show: Show, total: int) -> str:
    """The choice as a button reads: `10 thấp nhất`, `10 cao nhất`, `Tất cả (100)`."""
    return {Show.LOWEST: f"{RANKED_N} thấp nhất", Show.HIGHEST: f"{RANKED_N} cao nhất",
            Show.ALL: f"Tất cả ({fmt.number(total)})"}[Show(show)]


def needs_choice(cells: int) -> bool:
    """Whether a page offers the lowest / highest / all choice for this many cells."""
    return cells > ALL_UP_TO


def lowest_cells(df: pd.DataFrame, n: int, value: str = "completion") -> list[str]:
    """Codes of the `n` cells with the lowest `value` (a cell without one left out), lowest
    first: the lines a province-scale trend starts with."""
    known = df[df[value].notna()]
    return list(known.sort_values([value, "sort_order"], kind="stable")["cell_code"][:n])


def ranked(df: pd.DataFrame, show: Show = Show.LOWEST, value: str = "completion") -> pd.DataFrame:
    """Rows best first: highest `value` on top, no value (chưa báo cáo) last, ties in catalog
    order. Beyond ALL_UP_TO rows, unless Show.ALL, only the RANKED_N lowest or highest of
    the cells that have a value: a cell without one is not "lowest", it is named apart
    (`unranked`)."""
    order = (df.assign(_missing=df[value].isna())
               .sort_values(["_missing", value, "sort_order"], ascending=[True, False, True])
               .drop(columns="_missing"))
    if len(order) <= ALL_UP_TO or Show(show) is Show.ALL:
        return order
    known = order[order[value].notna()]
    return known.head(RANKED_N) if Show(show) is Show.HIGHEST else known.tail(RANKED_N)


def unranked(df: pd.DataFrame, show: Show, value: str = "completion") -> list[str]:
    """Short names of the cells a window leaves out for want of a value (no report, or
    nothing reported in scope; not those with nothing assigned in scope), catalog order;
    none when every cell is shown."""
    if len(df) <= ALL_UP_TO or Show(show) is Show.ALL:
        return []
    silent = df[value].isna() & ~_not_assigned(df)
    return list(df[silent].sort_values("sort_order")["short_name"])


def _window_note(fig: go.Figure, shown: int, total: int, show: Show, missing=(),
                 below: int = 34) -> None:
    """Under the plot (`below` px under its bottom edge, past the tick labels): how many of
    how many cells the chart shows and which, and the cells left out for want of a value.
    Short lines: the chart may be half a laptop screen wide."""
    if shown >= total:
        return
    which = "thấp nhất" if Show(show) is Show.LOWEST else "cao nhất"
    lines = [f"{fmt.number(shown)} chi bộ {which} trong {fmt.number(total)}"]
    if missing:
        lines.append(f"Chưa có số liệu: {fmt.number(len(missing))} chi bộ")
        lines += _name_lines(missing)
    fig.add_annotation(text="<br>".join(lines), showarrow=False, align="left",
                       xref="paper", yref="paper", x=0, y=0, xanchor="left", yanchor="top",
                       yshift=-below, font={"size": FONT_SIZE - 2, "color": NOTE_COLOR})
    fig.update_layout(margin={"b": below + 24 * len(lines) + 10})


def _name_lines(names: list[str]) -> list[str]:
    """Names on at most NOTE_LINES lines of NOTE_WIDTH characters, then how many more."""
    lines, shown = [""], 0
    for name in names:
        joined = f"{lines[-1]}, {name}" if lines[-1] else name
        if len(joined) <= NOTE_WIDTH:
            lines[-1] = joined
        elif len(lines) < NOTE_LINES:
            lines.append(name)
        else:
            break
        shown += 1
    if shown < len(names):
        lines.append(f"và {fmt.number(len(names) - shown)} chi bộ khác")
    return lines


def _count_axis(largest: float) -> dict:
    """A count axis: whole numbers only (never "0, 1, 1, 2, 2")."""
    axis = {"rangemode": "tozero", "tickformat": ",d"}
    if largest <= 8:
        axis["dtick"] = 1
    return axis


def _short_title(text: str, limit: int = 32) -> str:
    """A task's title cut at a word for a legend: the hover keeps the whole title."""
    text = " ".join(str(text or "").split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _no_report_notes(fig, labels, axis: str = "y", text: str = NO_REPORT) -> None:
    """Write "Chưa báo cáo" where a bar is absent, so a missing report never reads as 0
    (or "Không được giao" where there was nothing to report)."""
    for label in labels:
        fig.add_annotation(**{axis: label}, **{"x" if axis == "y" else "y": 1},
                           text=text, showarrow=False,
                           xanchor="left" if axis == "y" else "center",
                           font={"size": FONT_SIZE - 2, "color": "#6B6B6B"})


# -- completion -------------------------------------------------------------------------

def completion_by_cell(df: pd.DataFrame, title: str, period_label: str = "",
                       show: Show = Show.LOWEST) -> go.Figure:
    """Horizontal bars, one per cell (cell_summary rows of one period), in the cell's color,
    best on top; at province scale the lowest or highest RANKED_N (see `ranked`)."""
    total, missing = len(df), unranked(df, show)
    df = ranked(df, show)
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
    fig = _layout(fig, title, _bar_height(len(df)), showlegend=False)
    _window_note(fig, len(df), total, show, missing)
    return fig


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
                       columns: list | None = None, drill_col: str | None = None) -> go.Figure:
    """Rows x columns of completion, value in each square. A square whose cell sent no
    report is grey with "chưa báo cáo"; a pair with nothing assigned is pale with "–".
    Rows in the order of `df`, columns too unless given. Expects columns: completion,
    has_report, tasks_assigned and the named ones. Text only where a square has room. A
    click on a square opens what its `drill_col` names (dashboard.links)."""
    rows = list(dict.fromkeys(df[row_label]))
    cols = columns or list(dict.fromkeys(df[col_label]))
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
    labelled = len(cols) <= LABEL_COLUMNS
    # Each trace carries the hover of its own squares only: half the bytes at scale.
    fig = go.Figure([
        go.Heatmap(z=back, x=cols, y=rows,
                   text=[[_two_lines(n) if labelled else "" for n in r] for r in notes_grid],
                   texttemplate="%{text}", colorscale=[[0, NO_REPORT_COLOR], [1, NOT_ASSIGNED_COLOR]],
                   zmin=0, zmax=1, showscale=False, hoverinfo="text",
                   hovertext=[[h if n else "" for n, h in zip(nr, hr)]
                              for nr, hr in zip(notes_grid, hover)],
                   xgap=3, ygap=3, textfont={"size": FONT_SIZE - 4, "color": "#555555"},
                   name=NO_REPORT),
        go.Heatmap(z=grid("shown"), x=cols, y=rows,
                   text=[[("" if n or not labelled else t) for n, t in zip(nr, tr)]
                         for nr, tr in zip(notes_grid, grid("label", ""))],
                   texttemplate="%{text}", colorscale=SEQUENTIAL, zmin=0, zmax=100,
                   hoverinfo="text",
                   hovertext=[["" if n else h for n, h in zip(nr, hr)]
                              for nr, hr in zip(notes_grid, hover)],
                   xgap=3, ygap=3,
                   textfont={"size": FONT_SIZE}, colorbar={"title": "%", "ticksuffix": "%"},
                   name="Tỷ lệ hoàn thành")])
    if drill_col:
        _clickable_squares(fig, rows, cols, grid(drill_col, ""), hover)
    fig.update_yaxes(autorange="reversed", title=None, fixedrange=True)
    fig.update_xaxes(title=None, fixedrange=True, automargin=True)
    return _layout(fig, title, max(380, 200 + 70 * len(rows)))


def _code_key(code: str) -> tuple:
    """NV1.2 before NV1.10: numbers in a code compare as numbers."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", str(code)))


def _two_lines(note: str) -> str:
    """"Chưa báo cáo" on two short lines, so it stays inside a square half a screen wide."""
    return note.replace(" ", "<br>", 1)


def _square_note(has_report, tasks_assigned, value) -> str | None:
    if pd.isna(value) and int(tasks_assigned or 0) == 0:
        return "–"
    if not bool(has_report):
        return NO_REPORT
    if pd.isna(value):
        return "chưa có số liệu"
    return None


def _ranked_rows(df: pd.DataFrame, cell_col: str, rank, show: Show) -> pd.DataFrame:
    """`df` restricted to the cells of `rank` (codes, best first) in that order; without a
    rank, the cells ranked by their completion over the squares (exports at scale)."""
    if rank is None:
        per_cell = (df.assign(weighted=df["completion"] * df["tasks_reported"],
                              counted=df["tasks_reported"].where(df["completion"].notna(), 0))
                      .groupby(cell_col, sort=False)
                      .agg(weighted=("weighted", "sum"), counted=("counted", "sum"),
                           tasks_assigned=("tasks_assigned", "sum"),
                           sort_order=("cell_order", "first")))
        per_cell["completion"] = per_cell["weighted"] / per_cell["counted"].where(per_cell["counted"] > 0)
        rank = list(ranked(per_cell.reset_index(), show)[cell_col])
    position = {code: i for i, code in enumerate(rank)}
    kept = df[df[cell_col].isin(position)]
    return (kept.assign(_rank=kept[cell_col].map(position))
                .sort_values("_rank", kind="stable").drop(columns="_rank"))


def cell_area_heatmap(df: pd.DataFrame, title: str, period_label: str = "",
                      rank: tuple[str, ...] | None = None, show: Show = Show.LOWEST,
                      total: int | None = None) -> go.Figure:
    """Cells x task areas (cell_area_summary rows of one period), cells in `rank` order
    (codes, e.g. the bars' ranking, of `total` cells in scope); without one, ranked here,
    the lowest at scale."""
    total = total or df["cell_code"].nunique()
    df = _ranked_rows(df, "cell_code", rank, show)
    df = df.assign(area_axis=df["area_code"] + " " + df["area_short"],
                   drill=[drill_key(CELL_AREA, c, a) for c, a in zip(df["cell_code"], df["area_code"])])
    fig = completion_heatmap(df, title, "cell_short", "area_axis",
                             "cell_name", "area_name", period_label, drill_col="drill")
    areas = df.drop_duplicates("area_code")
    fig.update_xaxes(tickmode="array", tickvals=list(areas["area_axis"]), tickangle=0,
                     ticktext=[f"{code}<br>{'<br>'.join(_wrap(name, AXIS_WRAP))}"
                               for code, name in zip(areas["area_code"], areas["area_short"])])
    _window_note(fig, df["cell_code"].nunique(), total, show, below=90)
    return fig


def task_cell_heatmap(df: pd.DataFrame, title: str, period_label: str = "",
                      rank: tuple[str, ...] | None = None, show: Show = Show.LOWEST,
                      total: int | None = None) -> go.Figure:
    """Cells x tasks of one area (assignment_facts rows of one period): completion of each
    pair, cells in `rank` order (codes, of `total` cells in scope); without one, ranked
    here, the lowest at scale."""
    total = total or df["cell_code"].nunique()
    df = df.assign(completion=df["completion_pct"],
                   tasks_assigned=df["role"].notna().astype(int),
                   tasks_reported=df["completion_pct"].notna().astype(int),
                   cell_order=df.groupby("cell_code", sort=False).ngroup(),
                   task_hover=df["task_code"] + " " + df["task_title"].map(
                       lambda t: "<br>".join(_wrap(t, HOVER_WRAP))),
                   cell_hover=df["cell_name"] + df["role"].map(
                       {r.value: f" ({r.label.lower()})" for r in Role}).fillna(""),
                   drill=[drill_key(CELL_AREA, c, a) for c, a in zip(df["cell_code"], df["area_code"])])
    df = _ranked_rows(df, "cell_code", rank, show)
    fig = completion_heatmap(df, title, "cell_short", "task_code",
                             "cell_hover", "task_hover", period_label,
                             columns=sorted(set(df["task_code"]), key=_code_key), drill_col="drill")
    _window_note(fig, df["cell_code"].nunique(), total, show, below=40)
    return fig


# -- over time -----------------------------------------------------------------------------

def trend_by_cell(df: pd.DataFrame, title: str, average=()) -> go.Figure:
    """One line per cell over periods (cell_summary rows of several periods), and the
    committee's average (`average`: (period, completion) pairs) as a dashed dark line. A
    period with no report is a gap in the line, not a 0. A cell with no report in the whole
    window has no line (and no legend entry); beyond MAX_LINES cells, the MAX_LINES lowest
    at their latest report (the page lets the user choose which)."""
    df = _without_idle_cells(df)
    order = sorted(set(df["period"]) | {k for k, _ in average}, key=_period_sort)
    if len(order) < 2:
        return _no_trend(title, order)
    labels = [fmt.period(k) for k in order]
    values = df.pivot(index="cell_code", columns="period", values="completion").reindex(
        columns=order)
    cells = df.drop_duplicates("cell_code").set_index("cell_code")
    cells = cells[values.reindex(cells.index).notna().any(axis=1)]
    if len(cells) > MAX_LINES:
        latest = values.reindex(cells.index).ffill(axis=1).iloc[:, -1]
        cells = cells.loc[latest.sort_values(kind="stable").index[:MAX_LINES]]
    cells = cells.sort_values("sort_order")
    traces, ends = [], []
    for code, cell in cells.iterrows():
        y = _values(values.loc[code])
        traces.append(_trend_line(labels, y, cell["short_name"], cell["cell_name"],
                                  cell["color"], ends, order))
    if len(average):
        by_period = dict(average)
        y = _values([by_period.get(k) for k in order])
        traces.append(_trend_line(labels, y, AVERAGE_NAME, AVERAGE_NAME, AVERAGE_COLOR, ends,
                                  order, dash="dash"))
    fig = go.Figure(traces)
    _drillable(fig)
    _end_labels(fig, ends)
    fig.update_yaxes(**_pct_axis())
    _period_axis(fig, labels)
    # The legend wraps to one line a series on half a laptop screen: room for it under the title.
    rows = min(len(traces), MAX_LINES + 1)
    return _layout(fig, title, 420 + 24 * rows,
                   margin={**LEGEND_MARGIN, "t": max(LEGEND_MARGIN["t"], 120 + 24 * rows)})


def _no_trend(title: str, order: list[str]) -> go.Figure:
    """One period is a point, not a trend (a year grain in the plan's first year): say so
    in words, rather than stack every cell's dot and label on one spot."""
    text = (f"Mới có số liệu của một kỳ ({fmt.period(order[0])}): chưa đủ để vẽ xu hướng.<br>"
            "Chọn kỳ báo cáo theo tháng hoặc quý,<br>hoặc kỳ bắt đầu sớm hơn ở thanh bên."
            if order else "Chưa có số liệu trong các kỳ này.")
    fig = go.Figure()
    fig.add_annotation(
        text=text,
        showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5,
        font={"size": FONT_SIZE, "color": NOTE_COLOR})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, title, 360, showlegend=False)


def _trend_line(labels: list[str], y: list, name: str, full: str, color: str, ends: list,
                periods: list[str], dash: str = "solid") -> go.Scatter:
    """One line of a trend; its latest known value goes to `ends` for the end labels. The
    name is in the hover template once, not repeated on every point; a click on a point
    opens its period (`periods`: the keys of `labels`)."""
    known = [i for i, v in enumerate(y) if v is not None]
    if known:
        ends.append((labels[known[-1]], y[known[-1]], color))
    return go.Scatter(
        x=labels, y=y, name=name, mode="lines+markers",
        line={"color": color, "width": 3, "dash": dash}, marker={"color": color, "size": 10},
        cliponaxis=False, connectgaps=False,
        customdata=[[fmt.pct_or_no_report(v), drill_key(PERIOD_POINT, k)] for k, v in zip(periods, y)],
        hovertemplate=f"<b>{full}</b><br>%{{x}}<br>Tỷ lệ hoàn thành: %{{customdata[0]}}<extra></extra>")


SERIES_SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "star", "triangle-down",
                  "cross", "pentagon", "hexagon", "star-square", "circle-open", "square-open"]


def trend_by_series(df: pd.DataFrame, title: str, series_col: str, name_col: str,
                    hover_col: str) -> go.Figure:
    """One line per series (a task on a cell's page) over periods; `completion_pct` values.
    Tasks often share a value (two at 100%): each has its own marker shape and size, the
    later ones drawn smaller on top, so no line hides another; the hover lists them all.
    The legend names a task by its code and the start of its title."""
    order = sorted(df["period"].unique(), key=_period_sort)
    labels = {k: fmt.period(k) for k in order}
    groups = [(key, g) for key, g in df.groupby(series_col, sort=False)
              if g["completion_pct"].notna().any()]
    fig = go.Figure()
    for i, (key, g) in enumerate(groups):
        g = g.set_index("period").reindex(order)
        color = SERIES_COLORS[i % len(SERIES_COLORS)]
        fig.add_trace(go.Scatter(
            x=[labels[k] for k in order], y=_values(g["completion_pct"]),
            name=f"{_first(g, name_col)} {_short_title(_first(g, hover_col), 24)}",
            mode="lines+markers", connectgaps=False,
            line={"color": color, "width": max(1.5, 5 - 0.5 * i)},
            marker={"color": color, "symbol": SERIES_SYMBOLS[i % len(SERIES_SYMBOLS)],
                    "size": max(7, 16 - i), "line": {"color": "white", "width": 1}},
            customdata=[[fmt.pct_or_no_report(v), drill_key(PERIOD_POINT, k)]
                        for k, v in zip(order, g["completion_pct"])],
            hovertemplate=f"<b>{_first(g, hover_col)}</b><br>%{{x}}"
                          "<br>Tỷ lệ hoàn thành: %{customdata[0]}<extra></extra>"))
    _drillable(fig)
    fig.update_yaxes(**_pct_axis())
    _period_axis(fig, [labels[k] for k in order])
    return _layout(fig, title, 420 + 24 * len(groups),
                   margin={**LEGEND_MARGIN, "t": max(LEGEND_MARGIN["t"], 120 + 24 * len(groups))})


def compare_periods(df: pd.DataFrame, title: str, first: str, second: str,
                    show: Show = Show.LOWEST) -> go.Figure:
    """Completion by cell in two periods (cell_summary rows of both): grouped bars in the
    cell's color, the earlier period hatched and lighter; cells ranked by the later period,
    at province scale its lowest or highest RANKED_N. Both values printed up to
    COMPARE_LABELLED cells, beyond only the later one (two would overlap; hover has both)."""
    df = _without_idle_cells(df)
    later = df[df["period"] == second]
    cells = list(ranked(later, show)["cell_code"])
    missing = unranked(later, show)
    roomy = len(cells) <= COMPARE_LABELLED
    fig = go.Figure()
    for key, opacity, pattern in ((first, 0.55, "/"), (second, 1.0, "")):
        g = df[df["period"] == key].set_index("cell_code").reindex(cells)
        label = fmt.period(key)
        text = _pct_labels(g["completion"]) if roomy or key == second else None
        fig.add_trace(go.Bar(
            x=list(g["short_name"]), y=_values(g["completion"]), name=label, opacity=opacity,
            marker={"color": list(g["color"]), "pattern": {"shape": pattern}},
            text=text, textposition="outside", cliponaxis=False,
            customdata=[[n, label, fmt.pct_or_no_report(v)]
                        for n, v in zip(g["cell_name"], g["completion"])],
            hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}"
                          "<br>Tỷ lệ hoàn thành: %{customdata[2]}<extra></extra>"))
    fig.update_yaxes(**_pct_axis())
    fig.update_xaxes(title=None)
    fig = _layout(fig, title, 520, margin=LEGEND_MARGIN, barmode="group")
    _window_note(fig, len(cells), len(later), show, missing, below=64)
    return fig


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
    fig.update_xaxes(title="Số lượt nhiệm vụ (chi bộ × nhiệm vụ)",
                     range=[0, max(values or [1]) * 1.3], **_count_axis(max(values or [1])))
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
    """A flow (activities, participants or posts) per task summed over the period
    (assignment_facts rows of one period): stacked by cell in the cell's color, cells with
    nothing to count left out; beyond MAX_STACK such cells, one bar of the total per task."""
    tasks_order = list(dict.fromkeys(df["task_code"]))
    titles = df.drop_duplicates("task_code").set_index("task_code")["task_title"].reindex(tasks_order)
    counted = df[df[metric].fillna(0) > 0]
    cells = df.drop_duplicates("cell_code")
    cells = cells[cells["cell_code"].isin(counted["cell_code"])]
    stacked = len(cells) <= MAX_STACK
    fig = go.Figure(_flow_by_cell(df, cells, metric, tasks_order, titles, period_label) if stacked
                    else [_flow_totals(counted, metric, tasks_order, titles, period_label)])
    largest = counted.groupby("task_code")[metric].sum().max() if len(counted) else 0
    fig.update_yaxes(title=FLOW_LABELS[metric], **_count_axis(largest))
    if not stacked:   # room for the totals printed above the bars
        fig.update_yaxes(range=[0, largest * 1.15])
    if counted.empty:
        fig.add_annotation(text="Các chi bộ chưa báo cáo số liệu này trong kỳ", showarrow=False,
                           xref="paper", yref="paper", x=0.5, y=0.5,
                           font={"size": FONT_SIZE, "color": NOTE_COLOR})
        fig.update_yaxes(range=[0, 1], showticklabels=False)
    fig.update_xaxes(title=None, type="category", categoryorder="array", categoryarray=tasks_order)
    return _layout(fig, title, 500, margin=LEGEND_MARGIN, barmode="stack",
                   showlegend=stacked and not counted.empty)


def _flow_by_cell(df, cells, metric, tasks_order, titles, period_label) -> list[go.Bar]:
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
    return traces


def _flow_totals(counted, metric, tasks_order, titles, period_label) -> go.Bar:
    """One bar per task: the total over every cell, and how many cells it comes from."""
    per_task = counted.groupby("task_code").agg(total=(metric, "sum"),
                                                cells=("cell_code", "nunique")).reindex(tasks_order)
    totals = _values(per_task["total"])
    return go.Bar(
        x=tasks_order, y=totals, name=FLOW_LABELS[metric], marker={"color": AREA_COLOR},
        text=[fmt.number(v) if v else "" for v in totals], textposition="outside",
        cliponaxis=False,
        customdata=[[t, fmt.number(v), fmt.number(n)] for t, v, n in
                    zip(titles.fillna(""), totals, per_task["cells"].fillna(0))],
        hovertemplate="<b>%{x} %{customdata[0]}</b><br>" + period_label + "<br>" +
                      FLOW_LABELS[metric] + ": %{customdata[1]}"
                      "<br>từ %{customdata[2]} chi bộ<extra></extra>")


# -- reporting discipline -------------------------------------------------------------------

def submission_order(df: pd.DataFrame) -> list[str]:
    """Cell codes of submission_matrix rows, the cells with the most periods missing first,
    then the most late, then catalog order: who to remind reads from the top."""
    counts = (df.assign(missing=df["state"] == ReportTimeliness.MISSING,
                        late=df["state"] == ReportTimeliness.LATE)
                .groupby("cell_code", sort=False)
                .agg(missing=("missing", "sum"), late=("late", "sum"),
                     sort_order=("sort_order", "first")))
    return list(counts.sort_values(["missing", "late", "sort_order"],
                                   ascending=[False, False, True]).index)


def grid_pages(cells: int) -> int:
    return max(1, math.ceil(cells / GRID_ROWS))


def submission_matrix(df: pd.DataFrame, title: str, page: int = 0) -> go.Figure:
    """Cells x periods: on time / late / missing / not yet due, with the day of the report.
    Cells with missing, then late reports first (`submission_order`), GRID_ROWS a page:
    `page` 0 is the first. Colors carry the state (legend above); a missing report is also
    written, and the report's day where the grid is small enough (DATED_SQUARES)."""
    states = list(ReportTimeliness)
    order = sorted(df["period"].unique(), key=_period_sort)
    ranked_cells = submission_order(df)
    shown = ranked_cells[page * GRID_ROWS:(page + 1) * GRID_ROWS]
    df = df[df["cell_code"].isin(shown)]
    rows = list(df.drop_duplicates("cell_code").set_index("cell_code")
                  .reindex(shown)["short_name"])
    labelled = len(order) <= LABEL_COLUMNS
    dated = labelled and len(order) * len(rows) <= DATED_SQUARES
    by_load = df["date_from_load"] if "date_from_load" in df else [False] * len(df)
    df = df.assign(
        code=df["state"].map(states.index),
        label=[_submission_text(s, d, f, dated) if labelled else ""
               for s, d, f in zip(df["state"], df["report_date"], by_load)],
        hover=[f"<b>{n}</b><br>{fmt.period(k)}<br>{ReportTimeliness(s).label}"
               f"<br>Ngày báo cáo: {fmt.report_date(d, f)}<br>Hạn nộp: {fmt.date_vn(h)}"
               for n, k, s, d, f, h in zip(df["cell_name"], df["period"], df["state"],
                                           df["report_date"], by_load, df["deadline"])],
        drill=[drill_key(REPORT_SQUARE, int(i)) if pd.notna(i) else ""
               for i in df["submission_id"]])

    def grid(col):
        return df.pivot(index="short_name", columns="period", values=col).reindex(
            index=rows, columns=order).values.tolist()

    n = len(states)
    scale = []
    for i, s in enumerate(states):
        scale += [[i / n, SUBMISSION_COLORS[s]], [(i + 1) / n, SUBMISSION_COLORS[s]]]
    x = [fmt.period(k) for k in order]
    fig = go.Figure(go.Heatmap(
        z=grid("code"), x=x, y=rows, text=grid("label"),
        texttemplate="%{text}", zmin=-0.5, zmax=n - 0.5, colorscale=scale, showscale=False,
        xgap=3, ygap=3, textfont={"size": FONT_SIZE - 2}, showlegend=False))
    _clickable_squares(fig, rows, x, grid("drill"), grid("hover"))
    for state in states:   # the legend: one colored square per state
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=state.label,
                                 marker={"symbol": "square", "size": 16,
                                         "color": SUBMISSION_COLORS[state]},
                                 hoverinfo="skip"))
    fig.update_yaxes(autorange="reversed", title=None, fixedrange=True, type="category")
    _period_axis(fig, x, every=True)
    fig.update_xaxes(fixedrange=True)
    fig = _layout(fig, title, max(360, 230 + 48 * len(rows)), margin=LEGEND_MARGIN)
    if len(ranked_cells) > len(shown):
        first = page * GRID_ROWS + 1
        fig.add_annotation(
            text=f"Chi bộ {fmt.number(first)}–{fmt.number(first + len(shown) - 1)} trong "
                 f"{fmt.number(len(ranked_cells))}, chi bộ chưa nộp, nộp trễ nhiều kỳ trước",
            showarrow=False, xref="paper", yref="paper", x=0, y=0, xanchor="left",
            yanchor="top", yshift=-60, font={"size": FONT_SIZE - 2, "color": NOTE_COLOR})
        fig.update_layout(margin={"b": 100})
    return fig


def _submission_text(state: str, report_date, from_load: bool, dated: bool) -> str:
    """"Chưa nộp" where a report is missing; where `dated`, the day a report came in
    (dd/mm: the column says the year; "(ngày nạp)" under it when the report gave none and
    the load date stands in); nothing where it is not due yet."""
    if state == ReportTimeliness.MISSING:
        return _two_lines(ReportTimeliness(state).label)
    if dated and report_date is not None and not pd.isna(report_date):
        day = pd.Timestamp(report_date).strftime("%d/%m")
        return f"{day}<br>({fmt.LOAD_DATE_NOTE})" if from_load else day
    return ""


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


AXIS_WRAP = 14     # characters a line of a grid's column label
HOVER_WRAP = 60    # characters a line of a task's whole title in a hover
PERIOD_TICKS = 4   # period labels under a half-screen trend before they would collide


def _period_axis(fig: go.Figure, labels: list[str], every: bool = False) -> None:
    """A category axis of periods, flat and on two lines ("Tháng 12" over "2025"); with
    more than PERIOD_TICKS periods every k-th is labelled, always the latest (unless
    `every`: a grid names each column)."""
    step = 1 if every else math.ceil(len(labels) / PERIOD_TICKS) or 1
    ticks = labels[::-1][::step][::-1]
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=labels, title=None,
                     tickmode="array", tickvals=ticks, tickangle=0,
                     ticktext=[t.replace("/", "<br>", 1) for t in ticks])


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
