"""Theo nhiệm vụ: one task area across cells: completion, trend and activity counts."""
from __future__ import annotations

import streamlit as st

from dashboard import charts, fmt, links, queries, ui
from dashboard.definitions import DEFINITIONS, HELP_COMPLETION

ui.page()
scope = ui.current_scope()
area_df = ui.q(queries.areas)
choices = scope.area_list or list(area_df["area_code"])
names = dict(zip(area_df["area_code"], area_df["area_code"] + ". " + area_df["area_name"]))
area = ui.linked_selectbox("Nhiệm vụ trọng tâm", choices, links.AREA, "nhiệm vụ trọng tâm",
                           format_func=names.get)
short = area_df.set_index("area_code").loc[area, "short_name"]
ui.page_header(f"Nhiệm vụ trọng tâm \"{short}\" tiến triển ra sao ở từng chi bộ?", scope)

in_area = dict(cells=scope.cell_list, areas=[area])
rows = ui.q(queries.assignment_facts, scope.grain, [scope.period], **in_area)
totals = ui.q(queries.overall, scope.grain, [scope.period], **in_area).iloc[0]
k1, k2, k3, k4 = st.columns(4)
k1.metric("Tỷ lệ hoàn thành", fmt.pct_or_no_report(totals["completion"]),
          help=HELP_COMPLETION, border=True)
k2.metric("Số hoạt động", fmt.number(totals["activities"]), border=True,
          help=DEFINITIONS["rollup"])
k3.metric("Lượt người tham gia", fmt.number(totals["participants"]), border=True,
          help=DEFINITIONS["rollup"])
k4.metric("Tin, bài", fmt.number(totals["posts"]), border=True, help=DEFINITIONS["rollup"])

area_cells = ui.q(queries.cell_summary, scope.grain, [scope.period], **in_area)
# A cell with no task of this area has nothing to show here: left out, never "behind".
area_cells = area_cells[(area_cells["tasks_assigned"] > 0) | area_cells["completion"].notna()]


@st.fragment
def cell_task_grid() -> None:
    show = ui.rank_choice("area_page_show", len(area_cells))
    rank = tuple(charts.ranked(area_cells, show)["cell_code"])
    ui.chart(ui.figure(charts.task_cell_heatmap, queries.assignment_facts, scope.grain,
                       [scope.period], cells=list(rank), areas=[area],
                       chart={"title": f"Chi bộ × nhiệm vụ {area} - {scope.label}",
                              "period_label": scope.label, "rank": rank, "show": show,
                              "total": len(area_cells)}),
             ui.chart_name(f"nhiem vu chi bo {area}", scope), scope, HELP_COMPLETION)


@st.fragment
def area_trend() -> None:
    chosen = ui.trend_cells(f"area_trend_cells_{area}", area_cells)
    first = fmt.period(scope.history[0])
    ui.chart(ui.figure(charts.trend_by_cell, queries.cell_summary, scope.grain,
                       list(scope.history), cells=chosen, areas=[area],
                       chart={"title": f"Tỷ lệ hoàn thành qua các kỳ: {area} - {first} đến "
                                       f"{scope.label}",
                              "average": ui.average_line(scope, [area])}),
             ui.chart_name(f"xu huong {area}", scope), scope, HELP_COMPLETION)


@st.fragment
def flows() -> None:
    metric = st.segmented_control("Số liệu hoạt động", list(charts.FLOW_LABELS),
                                  format_func=charts.FLOW_LABELS.get, default="activities",
                                  required=True, key="area_page_metric") or "activities"
    ui.chart(ui.figure(charts.flow_by_task, queries.assignment_facts, scope.grain,
                       [scope.period], **in_area,
                       chart={"metric": metric, "period_label": scope.label,
                              "title": f"{charts.FLOW_LABELS[metric]} theo nhiệm vụ: {short} - "
                                       f"{scope.label}"}),
             ui.chart_name(f"{metric} {area}", scope), scope, DEFINITIONS["rollup"])


left, right = st.columns(2)
with left:
    cell_task_grid()
with right:
    area_trend()
flows()

reported = rows[rows["status"].notna()]
ui.task_table(reported, ["Mã", "Chi bộ", "Vai trò", "Trạng thái", "Tỷ lệ hoàn thành",
                         "Số hoạt động", "Lượt người tham gia", "Tin, bài", "Kết quả đạt được"])
