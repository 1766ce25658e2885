"""Báo cáo kết quả: the committee's written report (.docx) for the scope in the sidebar.

Only wiring: the text and the file are dashboard.report's (the command line's very code),
the export is recorded by its use case. The preview is plain text: the cells' own words
may hold Markdown or HTML, and none of it is rendered.
"""
from __future__ import annotations

import streamlit as st

from dashboard import render, report, ui
from etl.store import DatabaseBusy
from etl.vocab import Permission

user = ui.page(Permission.EXPORT)
scope = ui.current_scope()
ui.page_header("Báo cáo kết quả của Đảng ủy: văn bản soạn sẵn từ số liệu của kỳ", scope)
store = ui.store()
plan = store.catalog.plan
st.caption("Văn bản theo thể thức của Đảng (Hướng dẫn 36-HD/VPTW), soạn từ số liệu và lời "
           "báo cáo của các chi bộ trong phạm vi đã chọn ở thanh bên trái. Ô để trống được in "
           "thành dấu \"...\" để điền tay.")

no_browser = render.find_browser() is None
with st.form("report_fields", border=True):
    left, right = st.columns(2)
    number = left.text_input("Số văn bản", placeholder="ví dụ 15, in thành: Số 15-BC/ĐU")
    issued_on = right.date_input("Ngày ban hành", value=None, format="DD/MM/YYYY")
    signer = left.text_input("Người ký (T/M Đảng ủy)", value=plan.signer)
    recipients = right.text_area("Nơi nhận (mỗi dòng một nơi)", value="\n".join(plan.recipients))
    charts = st.checkbox("Thêm các biểu đồ tổng quan vào phụ lục", disabled=no_browser,
                         help=render.NO_BROWSER_MESSAGE if no_browser else None)
    submitted = st.form_submit_button("Soạn báo cáo", type="primary", icon=":material/edit_note:")

heading = report.Heading(number=number, issued_on=issued_on, signer=signer,
                         recipients=tuple(line for line in recipients.splitlines() if line.strip()))
key = (str(store.path), scope.period, scope.cells, scope.areas, heading, charts)
if submitted:
    with st.spinner("Đang soạn báo cáo…"):
        try:
            made = report.export_report(store, user, scope.period, scope.cell_list,
                                        scope.area_list, heading, charts=charts)
        except (render.RenderUnavailable, report.TemplateError, DatabaseBusy) as exc:
            st.error(str(exc))
        else:
            st.session_state["report_made"] = (key, made)

saved = st.session_state.get("report_made")
if saved and saved[0] == key:
    made = saved[1]
    st.download_button("Tải báo cáo (Word)", data=made.data, file_name=made.file_name,
                       mime=report.MIME, type="primary", icon=":material/download:",
                       on_click="ignore")
    st.caption(f"Tên tệp: {made.file_name}")
    if made.content.is_sample:
        st.warning("Văn bản lập từ **dữ liệu mẫu** và được ghi rõ như vậy trên mọi trang.",
                   icon=":material/warning:")
    with st.container(height=640, border=True):
        st.text(report.plain_text(made.draft), width="stretch")

with st.expander("Mẫu trình bày (Word) để văn phòng chỉnh kiểu chữ, lề, giãn dòng"):
    st.text("Tải mẫu, sửa các kiểu (style) tên \"BC ...\" và lề trang trong Word, rồi lưu lại tại "
            f"{store.settings.report_template_path} trên máy chủ: các báo cáo sau dùng mẫu đó.")
    st.download_button("Tải mẫu trình bày", data=report.template_bytes(
        store.settings.report_template_path), file_name="mau-bao-cao-ket-qua.docx",
        mime=report.MIME, icon=":material/description:", on_click="ignore")
