"""Theo chi bộ: one cell's tasks, status, figures, obstacles and trend."""
from __future__ import annotations

import streamlit as st

from dashboard import charts, fmt, queries, ui
from dashboard.definitions import DEFINITIONS, HELP_COMPLETION
from etl.vocab import NOT_ASSIGNED, Status

ui.page()
scope = ui.current_scope()
cell_df = ui.q(queries.cells)
choices = scope.cell_list or list(cell_df["cell_code"])
names = dict(zip(cell_df["cell_code"], cell_df["cell_name"]))
cell = st.selectbox("Chi bộ", choices, format_func=names.get, key="cell_page_cell",
                    persist_state="session")
info = cell_df.set_index("cell_code").loc[cell]
ui.page_header(f"{info['cell_name']} thực hiện các nhiệm vụ được giao đến đâu?", scope)
if str(info["supervisor"] or "").strip():
    st.markdown(f"Ủy viên BCH phụ trách: **{info['supervisor']}**")

rows = ui.q(queries.assignment_facts, scope.grain, [scope.period], cells=[cell],
            areas=scope.area_list)
summary = ui.q(queries.cell_summary, scope.grain, [scope.period], cells=[cell],
               areas=scope.area_list).iloc[0]
idle = bool(summary["not_assigned"])
if idle:
    st.info(f"{info['cell_name']} không được giao nhiệm vụ nào thuộc các nhiệm vụ trọng tâm đã "
            "chọn, nên không có gì để báo cáo trong phạm vi này. Chọn nhiệm vụ trọng tâm khác "
            "ở thanh bên.")
elif not summary["has_report"]:
    st.info(f"{info['cell_name']} chưa báo cáo kỳ {scope.label}. Xem trang **Theo kỳ** để "
            "biết tình hình nộp báo cáo, hoặc chọn kỳ khác ở thanh bên.")

k1, k2, k3, k4 = st.columns(4)
k1.metric("Tỷ lệ hoàn thành",
          NOT_ASSIGNED if idle else fmt.pct_or_no_report(summary["completion"]),
          help=HELP_COMPLETION, border=True)
k2.metric("Nhiệm vụ đã báo cáo",
          fmt.MISSING if idle else f"{summary['tasks_reported']}/{summary['tasks_assigned']}",
          help=DEFINITIONS["completeness"], border=True)
k3.metric(Status.DONE.label, fmt.number(summary["tasks_done"]), border=True)
k4.metric(Status.DELAYED.label, fmt.number(summary["tasks_delayed"]), border=True)

left, right = st.columns(2)
with left:
    ui.chart(ui.figure(charts.task_completion_bars, queries.assignment_facts, scope.grain,
                       [scope.period], cells=[cell], areas=scope.area_list,
                       chart={"title": f"Nhiệm vụ của chi bộ {info['short_name']} - {scope.label}",
                              "period_label": scope.label}),
             ui.chart_name(f"nhiem vu {cell}", scope), scope, HELP_COMPLETION)
with right:
    first = fmt.period(scope.history[0])
    ui.chart(ui.figure(charts.trend_by_series, queries.assignment_facts, scope.grain,
                       list(scope.history), cells=[cell], areas=scope.area_list,
                       chart={"title": f"Tiến độ từng nhiệm vụ - {first} đến {scope.label}",
                              "series_col": "task_code", "name_col": "task_code",
                              "hover_col": "task_title"}),
             ui.chart_name(f"xu huong nhiem vu {cell}", scope), scope, HELP_COMPLETION)

st.markdown("**Chi tiết** (★ chủ trì)")
ui.task_table(rows, ["Mã", "Nhiệm vụ", "Vai trò", "Trạng thái", "Tỷ lệ hoàn thành",
                     "Số hoạt động", "Lượt người tham gia", "Tin, bài", "Kết quả đạt được",
                     "Khó khăn, vướng mắc", "Đề xuất, kiến nghị"])
