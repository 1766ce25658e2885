"""Sign-in, first-run set-up, idle time-out and the per-page guard (Streamlit side).

Users, roles, password checks and the audit trail live in etl/users.py; this module
only draws the forms and keeps the signed-in user in the session.
"""
from __future__ import annotations

import os
import time

import streamlit as st

from etl import users
from etl.db import default_db_path

SESSION_KEY = "auth_user"
LAST_SEEN_KEY = "auth_last_seen"
IDLE_MINUTES = float(os.environ.get("PROGRESS_IDLE_MINUTES", "30"))


def current_user() -> users.User | None:
    """The signed-in user; signs out a session idle for longer than IDLE_MINUTES."""
    user = st.session_state.get(SESSION_KEY)
    if user is None:
        return _oidc_user()
    now = time.time()
    last = st.session_state.get(LAST_SEEN_KEY, now)
    if now - last > IDLE_MINUTES * 60:
        sign_out(reason="hết thời gian chờ")
        st.session_state["auth_notice"] = (f"Phiên làm việc đã kết thúc sau {IDLE_MINUTES:g} phút "
                                           "không thao tác. Vui lòng đăng nhập lại.")
        return None
    st.session_state[LAST_SEEN_KEY] = now
    return user


def _set_user(user: users.User) -> None:
    st.session_state[SESSION_KEY] = user
    st.session_state[LAST_SEEN_KEY] = time.time()


def sign_out(reason: str | None = None) -> None:
    user = st.session_state.pop(SESSION_KEY, None)
    st.session_state.pop(LAST_SEEN_KEY, None)
    if user is not None:
        users.audit(default_db_path(), user.username, "sign_out", user.username, reason)
    if _oidc_configured() and getattr(st.user, "is_logged_in", False):
        st.logout()


def guard(permission: str = "view") -> users.User:
    """Top of every page: the signed-in user, or stop with a refusal. Pages are also
    hidden from the navigation, but a page must refuse on its own too."""
    _reroute_first_run()
    user = current_user()
    if user is None:
        st.error("Vui lòng đăng nhập để xem trang này.")
        st.stop()
    if not user.can(permission):
        st.error(f"Tài khoản {user.username} ({user.role_label}) không có quyền dùng trang này.")
        st.stop()
    return user


def _reroute_first_run() -> None:
    # Until some request has run app.py (and its st.navigation), Streamlit serves a deep
    # link by running the page file alone, from its pages/ directory. Send it through
    # app.py instead, where sign-in, navigation and the sidebar scope live.
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        st.switch_page("app.py")


# -- the sign-in screen ------------------------------------------------------------------

def sign_in_page() -> None:
    """The only page an anonymous visitor gets: a narrow form in the middle of the screen."""
    _, middle, _ = st.columns([1, 1.3, 1])
    with middle:
        _sign_in_form()


def _sign_in_form() -> None:
    db = default_db_path()
    # "Chỉ thị 06-CT/TU" stays on one line (no-break spaces, a word joiner after the hyphen).
    st.title("Theo dõi thực hiện Chỉ\u00a0thị\u00a006-\u2060CT/TU")
    st.caption("Đảng ủy Sở Khoa học và Công nghệ tỉnh Lạng Sơn")
    if notice := st.session_state.pop("auth_notice", None):
        st.info(notice)
    if users.count_users(db) == 0:
        _first_run_form(db)
        return
    st.subheader("Đăng nhập")
    with st.form("sign_in"):
        username = st.text_input("Tên đăng nhập")
        password = st.text_input("Mật khẩu", type="password")
        submitted = st.form_submit_button("Đăng nhập", type="primary", width="stretch")
    if submitted:
        try:
            _set_user(users.authenticate(db, username, password))
        except users.AuthError as exc:
            st.error(str(exc))
        else:
            st.rerun()
    if _oidc_configured():
        st.divider()
        st.button("Đăng nhập bằng tài khoản của cơ quan", on_click=st.login)
    st.caption("Số liệu nội bộ, chỉ dành cho tài khoản được cấp. Quên mật khẩu: liên hệ quản trị.")


def _first_run_form(db) -> None:
    st.subheader("Cài đặt lần đầu: tạo tài khoản quản trị")
    st.write("Chưa có tài khoản nào. Tạo tài khoản quản trị đầu tiên; sau đó quản trị thêm "
             "tài khoản cho lãnh đạo, văn phòng và bí thư các chi bộ.")
    with st.form("first_admin"):
        username = st.text_input("Tên đăng nhập", placeholder="vd. quantri")
        full_name = st.text_input("Họ và tên")
        password = st.text_input(f"Mật khẩu (ít nhất {users.MIN_PASSWORD_LENGTH} ký tự, có chữ và số)",
                                 type="password")
        again = st.text_input("Nhập lại mật khẩu", type="password")
        submitted = st.form_submit_button("Tạo tài khoản quản trị", type="primary",
                                          width="stretch")
    if not submitted:
        return
    if password != again:
        st.error("Hai lần nhập mật khẩu không khớp.")
        return
    if not full_name.strip():
        st.error("Vui lòng nhập họ và tên.")
        return
    try:
        user = users.add_user(db, username, full_name, users.ROLE_ADMIN, password,
                              by=username or "?", first_admin=True)
    except users.AuthError as exc:
        st.error(str(exc))
        return
    users.audit(db, user.username, "sign_in", user.username, "tài khoản quản trị đầu tiên")
    _set_user(user)
    st.rerun()


# -- OpenID Connect (optional, configured in .streamlit/secrets.toml [auth]) ---------------

def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _oidc_user() -> users.User | None:
    if not _oidc_configured() or not getattr(st.user, "is_logged_in", False):
        return None
    user = users.user_by_email(default_db_path(), st.user.email or "")
    if user is None:
        st.error(f"Tài khoản {st.user.email} chưa được cấp quyền. Liên hệ quản trị.")
        st.button("Đăng xuất", on_click=st.logout)
        st.stop()
    users.audit(default_db_path(), user.username, "sign_in", user.username, "OpenID Connect")
    _set_user(user)
    return user


def sidebar_account(user: users.User) -> None:
    with st.sidebar:
        st.caption(f"Đăng nhập: **{user.full_name}** ({user.role_label}"
                   + (f", chi bộ {user.cell_code}" if user.cell_code else "") + ")")
        if st.button("Đăng xuất", key="sign_out"):
            sign_out()
            st.rerun()
