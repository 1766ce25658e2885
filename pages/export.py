"""Xuất báo cáo họp: the meeting pack (PPTX, PDF, XLSX) for the scope chosen in the sidebar.

Only wiring: the pack is dashboard.pack's export use case (the CLI's very code).
"""
from __future__ import annotations

import streamlit as st

from dashboard import pack, render, ui
from etl.vocab import Permission

user = ui.page(Permission.EXPORT)

MIME = {".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ".pdf": "application/pdf",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
LABELS = {".pptx": "Tải bản trình chiếu (PPTX)", ".pdf": "Tải bản PDF",
          ".xlsx": "Tải số liệu (Excel)"}

scope = ui.current_scope()
ui.page_header("Xuất bộ báo cáo họp: bản trình chiếu, bản PDF và số liệu", scope)
st.markdown(f"**Phạm vi:** {ui.scope_text(scope)}  \nĐổi kỳ, chi bộ, nhiệm vụ trọng tâm ở "
            "thanh bên trái.")
st.caption("Bộ báo cáo gồm: trang bìa, tổng quan, các biểu đồ, bảng nhiệm vụ của từng chi bộ, "
           "khó khăn và đề xuất, tình hình gửi báo cáo. Tệp Excel chứa số liệu của từng biểu đồ "
           "và các dòng báo cáo trong phạm vi.")

key = (str(ui.store().path), scope.period, scope.cells, scope.areas)
no_browser = render.find_browser() is None
if no_browser:
    st.error(render.NO_BROWSER_MESSAGE)

if st.button("Tạo bộ báo cáo họp", type="primary", icon=":material/slideshow:",
             disabled=no_browser):
    bar = st.progress(0.0, text="Đang chuẩn bị…")
    try:
        _, result = pack.export_pack(ui.store(), user, scope,
                                     progress=lambda f, text: bar.progress(min(f, 1.0), text=text))
    except render.RenderUnavailable as exc:
        bar.empty()
        st.error(str(exc))
    else:
        st.session_state["export_pack"] = (key, result.files)
        bar.progress(1.0, text="Đã tạo xong bộ báo cáo họp.")

saved = st.session_state.get("export_pack")
if saved and saved[0] == key:
    row = st.container(horizontal=True)
    for name, data in saved[1].items():
        suffix = name[name.rfind("."):]
        row.download_button(LABELS[suffix], data=data, file_name=name, mime=MIME[suffix],
                            icon=":material/download:", on_click="ignore")
    st.caption("Tên tệp: " + ", ".join(f"`{name}`" for name in saved[1]))
