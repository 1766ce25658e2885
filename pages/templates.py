"""Mẫu báo cáo, nhắc nộp: the blank template for any cell and period, and who still owes a report.

Only wiring: the template is etl.template's (the CLI's), the list is etl.history.missing_reports.
"""
from __future__ import annotations

from datetime import date
from functools import partial

import streamlit as st

from dashboard import fmt, ui
from etl import history
from etl.periods import deadline, previous
from etl.template import template_bytes

ui.page()
catalog = ui.store().catalog

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template_file_name(cell_code: str, period_key: str) -> str:
    """`Mẫu báo cáo - Văn phòng - Công nghệ - Tháng 7-2026.xlsx`: no `/` in a file name."""
    short = catalog.cell(cell_code).short_name
    return f"Mẫu báo cáo - {short} - {fmt.period(period_key).replace('/', '-')}.xlsx"


def template_button(cell_code: str, period_key: str, label: str, key: str) -> None:
    # Built when clicked: four templates per rerun would be work nobody asked for.
    st.download_button(label, data=partial(template_bytes, cell_code, period_key, catalog),
                       file_name=template_file_name(cell_code, period_key), mime=XLSX_MIME,
                       on_click="ignore", icon=":material/download:", key=key)


def pick_period(today: date) -> str:
    choices = history.recent_periods(today)
    due = previous(f"{today:%Y-%m}")  # the month whose report falls due now
    return st.selectbox("Kỳ báo cáo", choices, index=choices.index(due) if due in choices else 0,
                        format_func=fmt.period, key="templates_period")


def deadline_line(period_key: str, today: date) -> None:
    due = deadline(period_key, catalog.plan.report_deadline_day)
    late = " (đã quá hạn)" if today > due else ""
    st.caption(f"Hạn nộp báo cáo {fmt.period(period_key)}: {fmt.date_vn(due)}{late}.")


def missing_list(period_key: str, today: date) -> None:
    st.markdown(f"**Chi bộ chưa nộp báo cáo {fmt.period(period_key)}**")
    missing = history.missing_reports(ui.store(), period_key)
    if missing.empty:
        st.success(f"Tất cả chi bộ đã nộp báo cáo {fmt.period(period_key)}.")
        return
    for row in missing.itertuples():
        with st.container(border=True):
            left, right = st.columns([3, 1], vertical_alignment="center")
            supervisor = f" · Ủy viên BCH phụ trách: {row.supervisor}" if row.supervisor else ""
            left.markdown(f"**{row.cell_name}**{supervisor}")
            with right:
                template_button(row.cell_code, period_key, "Tải mẫu", key=f"missing_{row.cell_code}")
    st.text_area("Nội dung nhắc nộp (sao chép để gửi)", reminder_text(missing, period_key),
                 height=140, key=f"reminder_{period_key}")


def reminder_text(missing, period_key: str) -> str:
    due = deadline(period_key, catalog.plan.report_deadline_day)
    names = "\n".join(f"- {name}" for name in missing["cell_name"])
    return (f"Kính gửi các chi bộ chưa nộp báo cáo tiến độ {fmt.period(period_key)} "
            f"({catalog.plan.short_title}):\n{names}\n"
            f"Đề nghị các chi bộ hoàn thành và gửi báo cáo theo mẫu trước ngày {fmt.date_vn(due)}.")


def any_template(period_key: str) -> None:
    st.markdown("**Tải mẫu báo cáo cho chi bộ bất kỳ**")
    cells = catalog.cells
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    code = left.selectbox("Chi bộ", [c.code for c in cells], key="templates_cell",
                          format_func=lambda c: catalog.cell(c).name)
    with right:
        template_button(code, period_key, "Tải mẫu", key="any_template")


def main() -> None:
    ui.page_header("Chi bộ nào còn nợ báo cáo, và mẫu báo cáo để gửi cho họ?", stop_when_empty=False)
    st.caption("Mẫu báo cáo đã ghi sẵn chi bộ, kỳ báo cáo và các nhiệm vụ được giao: chi bộ chỉ "
               "cần điền trạng thái, tỷ lệ hoàn thành và kết quả, rồi gửi lại để nạp.")
    today = date.today()
    period_key = pick_period(today)
    deadline_line(period_key, today)
    missing_list(period_key, today)
    st.divider()
    any_template(period_key)


main()
