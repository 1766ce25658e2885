"""Sign-in, first-run set-up, idle time-out and the per-page guard (Streamlit side).

Accounts, passwords and the audit trail are etl's (etl.users, etl.usecases); this
module only draws the forms and keeps the signed-in user in the session.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

import streamlit as st

from dashboard import context
from etl import usecases, users
from etl.vocab import Permission

log = logging.getLogger(__name__)

SESSION_KEY = "auth_user"
LAST_SEEN_KEY = "auth_last_seen"


def current_user() -> users.User | None:
    """The signed-in user; signs out a session idle for longer than the idle limit."""
    user = st.session_state.get(SESSION_KEY)
    if user is None:
        return _oidc_user()
    idle_minutes = context.settings().idle_minutes
    now = time.time()
    last = st.session_state.get(LAST_SEEN_KEY, now)
    if now - last > idle_minutes * 60:
        sign_out(reason="hết thời gian chờ")
        st.session_state["auth_notice"] = (f"Phiên làm việc đã kết thúc sau {idle_minutes:g} phút "
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
        usecases.sign_out(context.store(), user, reason)
    if _oidc_configured() and getattr(st.user, "is_logged_in", False):
        st.logout()


def guard(permission: Permission = Permission.VIEW) -> users.User:
    """The signed-in user, or stop with a refusal. Pages are also hidden from the
    navigation, but a page must refuse on its own too."""
    user = current_user()
    if user is None:
        st.error("Vui lòng đăng nhập để xem trang này.")
        st.stop()
    if not user.can(permission):
        st.error(f"Tài khoản {user.username} ({user.role_label}) không có quyền dùng trang này.")
        st.stop()
    return user


# -- the sign-in screen ------------------------------------------------------------------

def sign_in_page() -> None:
    """The only page an anonymous visitor gets: a narrow form in the middle of the screen."""
    _, middle, _ = st.columns([1, 1.3, 1])
    with middle:
        _sign_in_form()


def _sign_in_form() -> None:
    store = context.store()
    # "Chỉ thị 06-CT/TU" stays on one line (no-break spaces, a word joiner after the hyphen).
    st.title("Theo dõi thực hiện Chỉ\u00a0thị\u00a006-\u2060CT/TU")
    st.caption(store.catalog.plan.organization + " tỉnh Lạng Sơn")
    if notice := st.session_state.pop("auth_notice", None):
        st.info(notice)
    if users.count_users(store) == 0:
        _first_run_form(store)
        return
    st.subheader("Đăng nhập")
    with st.form("sign_in"):
        username = st.text_input("Tên đăng nhập")
        password = st.text_input("Mật khẩu", type="password")
        submitted = st.form_submit_button("Đăng nhập", type="primary", width="stretch")
    if submitted:
        try:
            _set_user(usecases.sign_in(store, username, password))
        except users.AuthError as exc:
            st.error(str(exc))
        else:
            st.rerun()
    if _oidc_configured():
        st.divider()
        st.button("Đăng nhập bằng tài khoản của cơ quan", on_click=st.login)
    st.caption("Số liệu nội bộ, chỉ dành cho tài khoản được cấp. Quên mật khẩu: liên hệ quản trị.")


def _first_run_form(store) -> None:
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
    try:
        user = usecases.create_first_admin(store, username, full_name, password)
    except users.AuthError as exc:
        st.error(str(exc))
        return
    _set_user(user)
    st.rerun()


# -- OpenID Connect (optional, configured in .streamlit/secrets.toml [auth]) ---------------

def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        # Streamlit says "not found" for a missing file and for one it cannot parse: only
        # the second is a mistake worth the log (OIDC stays off until it is fixed).
        if any(Path(f).expanduser().exists() for f in st.get_option("secrets.files")):
            log.exception("the secrets file cannot be read: OpenID Connect sign-in is off")
        return False


def _oidc_user() -> users.User | None:
    if not _oidc_configured() or not getattr(st.user, "is_logged_in", False):
        return None
    user = usecases.sign_in_external(context.store(), st.user.email or "")
    if user is None:
        st.error(f"Tài khoản {st.user.email} chưa được cấp quyền. Liên hệ quản trị.")
        st.button("Đăng xuất", on_click=st.logout)
        st.stop()
    _set_user(user)
    return user


def sidebar_account(user: users.User) -> None:
    with st.sidebar:
        st.caption(f"Đăng nhập: **{user.full_name}** ({user.role_label}"
                   + (f", chi bộ {user.cell_code}" if user.cell_code else "") + ")")
        if st.button("Đăng xuất", key="sign_out"):
            sign_out()
            st.rerun()
