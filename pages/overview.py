"""Tổng quan: how far along are we, who is behind, which areas lag, is it improving."""
from __future__ import annotations

import streamlit as st

from dashboard import charts, fmt, kpis, queries, tables, ui
from dashboard.definitions import DEFINITIONS, HELP_COMPLETION
from etl import periods as P

ui.page()
scope = ui.current_scope()
ui.page_header("Đảng bộ đã thực hiện Kế hoạch đến đâu, chi bộ nào, nhiệm vụ nào còn chậm?", scope)
args = dict(cells=scope.cell_list, areas=scope.area_list)

now = ui.q(queries.overall, scope.grain, [scope.period], **args).iloc[0]
compared = ui.q(queries.comparison, scope.grain, scope.period, scope.previous(), **args)
open_count = ui.q(queries.open_obstacle_count, P.from_key(scope.period).end, **args)
ui.metrics(kpis.overview_tiles(now, compared, open_count, scope))
for line in kpis.explanations(now, compared, scope):
    st.caption(line)

now_args = (scope.grain, [scope.period])
in_period = {"period_label": scope.label}
by_cell = ui.q(queries.cell_summary, *now_args, **args)


@st.fragment
def completion_charts() -> None:
    """Bars by cell and by area, the cell x area grid: the choice of cells reruns only these."""
    left, right = st.columns(2)
    with left:
        show = ui.rank_choice("overview_show", len(by_cell))
        ui.chart(ui.figure(charts.completion_by_cell, queries.cell_summary, *now_args, **args,
                           chart={"title": f"Tỷ lệ hoàn thành theo chi bộ - {scope.label}",
                                  "show": show, **in_period}),
                 ui.chart_name("ty le hoan thanh theo chi bo", scope), scope, HELP_COMPLETION)
    with right:
        ui.chart(ui.figure(charts.completion_by_area, queries.area_summary, *now_args, **args,
                           chart={"title": f"Tỷ lệ hoàn thành theo nhiệm vụ trọng tâm - {scope.label}",
                                  **in_period}),
                 ui.chart_name("ty le hoan thanh theo nhiem vu trong tam", scope), scope,
                 HELP_COMPLETION)
    rank = tuple(charts.ranked(by_cell, show)["cell_code"])
    ui.chart(ui.figure(charts.cell_area_heatmap, queries.cell_area_summary, *now_args,
                       cells=list(rank), areas=scope.area_list,
                       chart={"title": f"Chi bộ × nhiệm vụ trọng tâm - {scope.label}",
                              "rank": rank, "show": show, "total": len(by_cell), **in_period}),
             ui.chart_name("chi bo nhiem vu trong tam", scope), scope, HELP_COMPLETION)


@st.fragment
def trend_chart() -> None:
    """The trend of the chosen cells and the committee's average: picking reruns only this."""
    chosen = ui.trend_cells("overview_trend_cells", by_cell)
    span = f"{fmt.period(scope.history[0])} đến {scope.label}"
    ui.chart(ui.figure(charts.trend_by_cell, queries.cell_summary, scope.grain,
                       list(scope.history), cells=chosen, areas=scope.area_list,
                       chart={"title": f"Tỷ lệ hoàn thành qua các kỳ - {span}",
                              "average": ui.average_line(scope, scope.area_list)}),
             ui.chart_name("xu huong ty le hoan thanh", scope), scope, HELP_COMPLETION)


completion_charts()
left, right = st.columns(2)
with left:
    trend_chart()
with right:
    ui.chart(ui.figure(charts.status_distribution, queries.status_counts, *now_args, **args,
                       chart={"title": f"Trạng thái các nhiệm vụ - {scope.label}", **in_period}),
             ui.chart_name("trang thai nhiem vu", scope), scope, DEFINITIONS["status_counts"])

ui.text_table(tables.cell_summary_table(by_cell),
              download=ui.chart_name("ket qua theo chi bo", scope), scope=scope)
