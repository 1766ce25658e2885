"""Tổng quan: how far along are we, who is behind, which areas lag, is it improving."""
from __future__ import annotations

import streamlit as st

from dashboard import auth, charts, fmt, queries, ui
from etl import periods as P

auth.guard("view")

scope = ui.current_scope()
ui.page_header("Đảng bộ đã thực hiện Kế hoạch đến đâu, chi bộ nào, nhiệm vụ nào còn chậm?", scope)
args = dict(cells=scope.cell_list, areas=scope.area_list)

now = ui.q(queries.overall, scope.grain, [scope.period], **args).iloc[0]
before = ui.q(queries.overall, scope.grain, [scope.previous()], **args).iloc[0]
open_count = ui.q(queries.open_obstacle_count, P.from_key(scope.period).end, **args)

delta = None
if now["completion"] == now["completion"] and before["completion"] == before["completion"]:
    change = now["completion"] - before["completion"]
    delta = fmt.signed_pct_points(change) if round(change, 1) else 0

k1, k2, k3, k4, k5 = st.columns(5)
k1.metric("Tỷ lệ hoàn thành", fmt.pct_or_no_report(now["completion"]), delta,
          help=ui.HELP_COMPLETION + f"\n\nSo với {fmt.period(scope.previous())}.", border=True)
k2.metric("Nhiệm vụ hoàn thành", f"{fmt.number(now['tasks_done'])}/{fmt.number(now['tasks_assigned'])}",
          help="Số lượt nhiệm vụ (chi bộ × nhiệm vụ) ở trạng thái Hoàn thành / số được giao.",
          border=True)
k3.metric("Chi bộ đã báo cáo", f"{int(now['cells_reported'])}/{int(now['cells_total'])}",
          help=ui.DEFINITIONS["completeness"], border=True)
k4.metric("Nhiệm vụ chậm tiến độ", fmt.number(now["tasks_delayed"]), border=True,
          help="Số lượt nhiệm vụ ở trạng thái Chậm tiến độ trong kỳ.")
k5.metric("Khó khăn chưa giải quyết", fmt.number(open_count), border=True,
          help=ui.DEFINITIONS["open_obstacle"])

now_args = (scope.grain, [scope.period])
in_period = {"period_label": scope.label}
left, right = st.columns(2)
with left:
    ui.chart(ui.figure(charts.completion_by_cell, queries.cell_summary, *now_args, **args,
                       chart={"title": f"Tỷ lệ hoàn thành theo chi bộ - {scope.label}", **in_period}),
             ui.chart_name("ty le hoan thanh theo chi bo", scope), scope.text, ui.HELP_COMPLETION)
with right:
    ui.chart(ui.figure(charts.completion_by_area, queries.area_summary, *now_args, **args,
                       chart={"title": f"Tỷ lệ hoàn thành theo nhiệm vụ trọng tâm - {scope.label}",
                              **in_period}),
             ui.chart_name("ty le hoan thanh theo nhiem vu trong tam", scope), scope.text,
             ui.HELP_COMPLETION)

ui.chart(ui.figure(charts.cell_area_heatmap, queries.cell_area_summary, *now_args, **args,
                   chart={"title": f"Chi bộ × nhiệm vụ trọng tâm - {scope.label}", **in_period}),
         ui.chart_name("chi bo nhiem vu trong tam", scope), scope.text, ui.HELP_COMPLETION)

left, right = st.columns(2)
with left:
    span = f"{fmt.period(scope.history[0])} đến {scope.label}"
    ui.chart(ui.figure(charts.trend_by_cell, queries.cell_summary, scope.grain,
                       list(scope.history), **args,
                       chart={"title": f"Tỷ lệ hoàn thành qua các kỳ - {span}"}),
             ui.chart_name("xu huong ty le hoan thanh", scope), scope.text, ui.HELP_COMPLETION)
with right:
    ui.chart(ui.figure(charts.status_distribution, queries.status_counts, *now_args, **args,
                       chart={"title": f"Trạng thái các nhiệm vụ - {scope.label}", **in_period}),
             ui.chart_name("trang thai nhiem vu", scope), scope.text,
             "Số lượt nhiệm vụ (chi bộ × nhiệm vụ được giao) theo trạng thái trong báo cáo mới "
             "nhất của kỳ; nhiệm vụ được giao mà chưa có báo cáo là \"Chưa báo cáo\".")

by_cell = ui.q(queries.cell_summary, *now_args, **args)
table = by_cell.assign(
    **{"Chi bộ": by_cell["cell_name"],
       "Tỷ lệ hoàn thành": [fmt.pct_or_no_report(v) if r else fmt.NO_REPORT
                            for v, r in zip(by_cell["completion"], by_cell["has_report"])],
       "Nhiệm vụ đã báo cáo": [f"{r}/{a}" for r, a in zip(by_cell["tasks_reported"], by_cell["tasks_assigned"])],
       "Hoàn thành": by_cell["tasks_done"], "Chậm tiến độ": by_cell["tasks_delayed"]})
ui.text_table(table[["Chi bộ", "Tỷ lệ hoàn thành", "Nhiệm vụ đã báo cáo", "Hoàn thành", "Chậm tiến độ"]])
