"""Dashboard pages: sign-in, pages by role, sidebar scope, the view in the address.
Served by `streamlit run server.py` (server.py adds the sign-in routes and the gate)."""
from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import StopException

from dashboard import auth, chrome, context, ui, web
from etl.vocab import Permission as Can
from etl.vocab import UserRole

# The icon is the app's own file: an office without internet sees no failed request.
st.set_page_config(layout="wide", page_title="Tiến độ thực hiện Chỉ thị 06-CT/TU",
                   page_icon=str(chrome.FAVICON))
ui.localize()

# (file, title, icon, permission): a user's navigation holds only what the role may use,
# and each page checks the permission again itself (ui.page).
SECTIONS = {
    "Tiến độ": [
        ("overview", "Tổng quan", ":material/dashboard:", Can.VIEW),
        ("by_cell", "Theo chi bộ", ":material/groups:", Can.VIEW),
        ("by_area", "Theo nhiệm vụ", ":material/task_alt:", Can.VIEW),
        ("by_period", "Theo kỳ", ":material/calendar_month:", Can.VIEW),
        ("obstacles", "Khó khăn, đề xuất", ":material/report_problem:", Can.VIEW),
    ],
    "Báo cáo": [
        ("upload", "Nạp báo cáo", ":material/upload_file:", Can.UPLOAD_OWN_CELL),
        ("history", "Lịch sử báo cáo", ":material/history:", Can.VIEW),
        ("export", "Xuất báo cáo họp", ":material/slideshow:", Can.EXPORT),
        ("report", "Báo cáo kết quả", ":material/article:", Can.EXPORT),
        ("templates", "Mẫu báo cáo, nhắc nộp", ":material/description:", Can.VIEW),
    ],
    "Quản trị hệ thống": [
        ("users", "Tài khoản", ":material/manage_accounts:", Can.MANAGE_USERS),
        ("samples", "Dữ liệu mẫu", ":material/science:", Can.MANAGE_SAMPLES),
        ("audit", "Nhật ký thao tác", ":material/receipt_long:", Can.VIEW_AUDIT),
    ],
    "Cá nhân": [
        ("account", "Tài khoản của tôi", ":material/person:", Can.VIEW),
    ],
}


def landing_page(user) -> str:
    """Where a user lands: a cell's secretary on their own cell's page."""
    return "by_cell" if user is not None and user.role == UserRole.CELL else "overview"


def navigation_for(user) -> dict[str, list]:
    """Pages the user may open. Before sign-in every page is registered but hidden and
    never run, so a deep link survives the sign-in form."""
    nav, landing = {}, landing_page(user)
    for section, specs in SECTIONS.items():
        pages = [st.Page(f"pages/{name}.py", title=title, icon=icon, default=(name == landing))
                 for name, title, icon, permission in specs if user is None or user.can(permission)]
        if pages:
            nav[section] = pages
    return nav


context.store()   # settings, log file and schema, once per process
if not web.SERVED:
    st.error("Ứng dụng cần chạy qua máy chủ của nó để đăng nhập được: `streamlit run server.py` "
             "(hoặc `make run`).")
    st.stop()
user = auth.resolve_user()
# Expanded: every page a role may use is listed, none behind a "Xem thêm" button.
page = st.navigation(navigation_for(user), position="sidebar" if user else "hidden",
                     expanded=True)
if user is None:
    auth.anonymous()
    st.stop()
ui.begin_address()
ui.follow_drill()
st.session_state[ui.PAGE_TITLE] = page.title
auth.sidebar_account(user)
ui.sidebar_filters()
ui.publish_scope()
try:
    page.run()
except StopException:   # st.stop(): the page is drawn as far as it goes
    ui.publish_address()
    raise
ui.publish_address()
