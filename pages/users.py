"""Tài khoản: the administrator adds and edits users, locks, unlocks or resets them, and
sees who is signed in (ending a session when needed)."""
from datetime import datetime

import streamlit as st

from dashboard import fmt, ui
from etl import sessions, usecases, users
from etl.vocab import ACCOUNT_ROLES, Permission, UserRole

admin = ui.page(Permission.MANAGE_USERS)
store = ui.store()
catalog = store.catalog
cells = [c.code for c in catalog.cells]
ADD_FIELDS = ("add_username", "add_full_name", "add_role", "add_cell", "add_email", "add_password")

ui.page_header("Ai được dùng bảng điều khiển, với vai trò nào?", stop_when_empty=False)
st.caption("Thêm tài khoản cho lãnh đạo, văn phòng và bí thư các chi bộ; sửa vai trò, khóa "
           "tài khoản không còn dùng; xem ai đang đăng nhập.")


def done(message: str) -> None:
    """Show `message` above a table that already holds the change."""
    st.session_state["users_notice"] = message
    st.rerun()


def attempt(action, success: str, after=None) -> None:
    """Run a use case; its refusal is shown in words, its success after the rerun."""
    try:
        action()
    except users.AuthError as exc:
        st.error(str(exc))
    else:
        if after:
            after()
        done(success)


def cell_name(code) -> str:
    return "— (không gắn chi bộ)" if code is None else catalog.cell(code).name


if notice := st.session_state.pop("users_notice", None):
    st.success(notice)
table = users.list_users(store)
ui.text_table(table.assign(
    role=table["role"].map(lambda r: UserRole.label_of(r, r)),
    created_at=table["created_at"].dt.strftime("%d/%m/%Y %H:%M"),
).rename(columns={"username": "Tên đăng nhập", "full_name": "Họ tên", "role": "Vai trò",
                  "cell_code": "Chi bộ", "active": "Hoạt động", "created_at": "Tạo lúc"}))


def clear_add_form() -> None:
    """After an account is added: an empty form (after an error, what was typed stays)."""
    st.session_state["users_clear_add"] = True


if st.session_state.pop("users_clear_add", False):
    for field in ADD_FIELDS:
        st.session_state.pop(field, None)

left, right = st.columns(2)
with left, st.form("add_user"):
    st.subheader("Thêm tài khoản")
    username = st.text_input("Tên đăng nhập", placeholder="vd. bithu.cds", key="add_username")
    full_name = st.text_input("Họ và tên", key="add_full_name")
    role = st.selectbox("Vai trò", list(ACCOUNT_ROLES), format_func=lambda r: UserRole(r).label,
                        key="add_role")
    cell = st.selectbox("Chi bộ (chỉ với vai trò Chi bộ)", [None, *cells], format_func=cell_name,
                        key="add_cell")
    email = st.text_input("Email (để đăng nhập qua tài khoản cơ quan, nếu có)", key="add_email")
    password = st.text_input(f"Mật khẩu ban đầu (ít nhất {users.MIN_PASSWORD_LENGTH} ký tự)",
                             type="password", key="add_password")
    if st.form_submit_button("Thêm tài khoản", type="primary"):
        attempt(lambda: usecases.add_user(store, admin, username, full_name, role, password,
                                          cell_code=cell, email=email or None),
                f"Đã thêm tài khoản {users.normalize_username(username)} ({UserRole(role).label}).",
                after=clear_add_form)

with right:
    st.subheader("Sửa tài khoản")
    by_name = {r.username: r for r in table.itertuples()}
    target = st.selectbox("Tài khoản", list(by_name), key="edit_target",
                          format_func=lambda u: f"{u} · {by_name[u].full_name}")
    row = by_name[target]
    roles = list(ACCOUNT_ROLES)
    current_cell = row.cell_code if isinstance(row.cell_code, str) else None
    with st.form(f"edit_user_{target}"):
        new_name = st.text_input("Họ và tên", value=row.full_name, key=f"edit_name_{target}")
        new_role = st.selectbox("Vai trò", roles, index=roles.index(UserRole(row.role)),
                                format_func=lambda r: UserRole(r).label, key=f"edit_role_{target}")
        new_cell = st.selectbox("Chi bộ (chỉ với vai trò Chi bộ)", [None, *cells],
                                index=[None, *cells].index(current_cell), format_func=cell_name,
                                key=f"edit_cell_{target}")
        if st.form_submit_button("Lưu thay đổi"):
            attempt(lambda: usecases.update_user(store, admin, target, new_name, new_role, new_cell),
                    f"Đã lưu tài khoản {target}.")
    if target != admin.username:
        lock, unlock = st.columns(2)
        if lock.button("Khóa tài khoản", help="Không đăng nhập được nữa; các phiên đang mở kết thúc."):
            attempt(lambda: usecases.set_user_active(store, admin, target, False), f"Đã khóa {target}.")
        if unlock.button("Mở khóa"):
            attempt(lambda: usecases.set_user_active(store, admin, target, True),
                    f"Đã mở khóa {target}.")
        new_password = st.text_input("Mật khẩu mới", type="password", key="reset_password")
        if st.button("Đặt lại mật khẩu", help="Các phiên đang mở của tài khoản này kết thúc.") \
                and new_password:
            attempt(lambda: usecases.reset_password(store, admin, target, new_password),
                    f"Đã đặt lại mật khẩu cho {target}.")
    else:
        st.caption("Đổi mật khẩu của chính mình ở trang **Tài khoản của tôi**.")

st.subheader("Đang đăng nhập")
policy = sessions.Policy.of(store.settings)
open_sessions = sessions.active(store, policy, datetime.now())
if open_sessions.empty:
    st.caption("Không có phiên nào đang mở.")
else:
    ui.text_table(open_sessions.assign(**{
        "Phiên": [f"#{i}" for i in open_sessions["session_id"]],
        "Tài khoản": open_sessions["username"], "Họ tên": open_sessions["full_name"],
        "Đăng nhập lúc": open_sessions["created_at"].map(fmt.datetime_vn),
        "Thao tác gần nhất": open_sessions["last_seen_at"].map(fmt.datetime_vn),
        "Địa chỉ": open_sessions["client_address"].fillna("máy chủ"),
        "Trình duyệt": open_sessions["user_agent"].map(fmt.browser)})[
        ["Phiên", "Tài khoản", "Họ tên", "Đăng nhập lúc", "Thao tác gần nhất", "Địa chỉ",
         "Trình duyệt"]])
    described = {int(r.session_id): f"#{r.session_id} · {r.username} · {fmt.browser(r.user_agent)}"
                 for r in open_sessions.itertuples()}
    pick, end = st.columns([3, 1], vertical_alignment="bottom")
    chosen = pick.selectbox("Phiên", list(described), format_func=described.get, key="end_session")
    if end.button("Kết thúc phiên", help="Người dùng phải đăng nhập lại (máy bị mất, máy dùng chung)."):
        attempt(lambda: usecases.end_session(store, admin, chosen), f"Đã kết thúc phiên #{chosen}.")
