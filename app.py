"""Dashboard entry point: `streamlit run app.py`. Pages, sidebar scope, database."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import ui

ROOT = Path(__file__).resolve().parent

st.set_page_config(layout="wide", page_title="Tiến độ thực hiện Chỉ thị 06-CT/TU",
                   page_icon=":material/dashboard:")


def _pages(specs):
    """st.Page for each page file that exists (other pages land in parallel)."""
    return [st.Page(f"pages/{name}.py", title=title, icon=icon, default=(name == "overview"))
            for name, title, icon in specs if (ROOT / "pages" / f"{name}.py").exists()]


sections = {
    "Tiến độ": _pages([("overview", "Tổng quan", ":material/dashboard:"), ("by_cell", "Theo chi bộ", ":material/groups:"),
                       ("by_area", "Theo nhiệm vụ", ":material/task_alt:"), ("by_period", "Theo kỳ", ":material/calendar_month:"),
                       ("obstacles", "Khó khăn, đề xuất", ":material/report_problem:")]),
    "Báo cáo": _pages([("upload", "Nạp báo cáo", ":material/upload_file:"), ("history", "Lịch sử báo cáo", ":material/history:"),
                       ("export", "Xuất báo cáo họp", ":material/slideshow:"),
                       ("templates", "Mẫu báo cáo, nhắc nộp", ":material/description:")]),
}
page = st.navigation({k: v for k, v in sections.items() if v})
ui.ensure_db()
ui.sidebar_filters()
page.run()
