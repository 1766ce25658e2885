"""Theo kỳ: who reported on time, late or not at all; two periods side by side."""
from __future__ import annotations

from datetime import date

import streamlit as st

from dashboard import charts, fmt, queries, ui
from dashboard.definitions import DEFINITIONS, HELP_COMPLETION
from etl import periods as P
from etl.vocab import ReportTimeliness

ui.page()
scope = ui.current_scope()
ui.page_header("Chi bộ nào đã nộp báo cáo đúng hạn, và kỳ này so với kỳ trước ra sao?", scope)
keys = list(scope.history)


@st.fragment
def submissions() -> None:
    """The grid, its deadline and its pages: changing either reruns only this."""
    plan = ui.q(queries.plan_info)
    c1, c2 = st.columns([2, 3])
    day = c1.number_input("Hạn nộp: ngày của tháng sau kỳ báo cáo", min_value=1, max_value=28,
                          value=int(plan.get("report_deadline_day") or 5), key="deadline_day",
                          help=DEFINITIONS["deadline"])
    when = dict(cells=scope.cell_list, deadline_day=int(day), today=date.today())
    matrix = ui.q(queries.submission_matrix, keys, **when)
    cells = matrix["cell_code"].nunique()
    page = 0
    if charts.grid_pages(cells) > 1:
        page = c2.selectbox(
            "Chi bộ trên lưới", range(charts.grid_pages(cells)), key=f"submission_page_{cells}",
            format_func=lambda i: f"{i * charts.GRID_ROWS + 1}–"
                                  f"{min(cells, (i + 1) * charts.GRID_ROWS)} trong {cells}",
            help="Chi bộ chưa nộp, rồi nộp trễ nhiều kỳ nhất đứng trước.")
    ui.chart(ui.figure(charts.submission_matrix, queries.submission_matrix, keys, **when,
                       chart={"page": page, "title": f"Tình hình nộp báo cáo - "
                                                     f"{fmt.period(keys[0])} đến {scope.label}"}),
             ui.chart_name("tinh hinh nop bao cao", scope), scope, DEFINITIONS["deadline"])
    counts = matrix["state"].value_counts()
    st.caption(" · ".join(f"{state.label}: {fmt.number(counts.get(state, 0))}"
                          for state in ReportTimeliness)
               + ". " + DEFINITIONS["deadline"])


@st.fragment
def comparison() -> None:
    """Two periods side by side: choosing them reruns only this."""
    st.markdown("**So sánh hai kỳ**")
    all_keys = ui.q(queries.period_keys, scope.grain)[::-1]
    c1, c2, c3 = st.columns([1, 1, 2])
    second = c2.selectbox("Kỳ sau", all_keys, index=all_keys.index(scope.period),
                          format_func=fmt.period, key=f"cmp_second_{scope.grain}")
    earlier = [k for k in all_keys if P.from_key(k).start < P.from_key(second).start] or [second]
    default_first = P.previous(second) if P.previous(second) in earlier else earlier[0]
    first = c1.selectbox("Kỳ trước", earlier, index=earlier.index(default_first),
                         format_func=fmt.period, key=f"cmp_first_{scope.grain}_{second}")
    with c3:
        show = ui.rank_choice("cmp_show", len(scope.cells or ui.q(queries.cells)))
    ui.chart(ui.figure(charts.compare_periods, queries.cell_summary, scope.grain, [first, second],
                       cells=scope.cell_list, areas=scope.area_list,
                       chart={"first": first, "second": second, "show": show,
                              "title": f"Tỷ lệ hoàn thành theo chi bộ - {fmt.period(first)} và "
                                       f"{fmt.period(second)}"}),
             f"{charts.slug('so sanh ty le hoan thanh')}-{first}-{second}", scope, HELP_COMPLETION)


submissions()
comparison()
