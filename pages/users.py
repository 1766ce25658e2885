"""Tài khoản: the administrator adds users and locks, unlocks or resets them."""
import streamlit as st

from dashboard import ui
from etl import usecases, users
from etl.vocab import ACCOUNT_ROLES, Permission, UserRole

admin = ui.page(Permission.MANAGE_USERS)
store = ui.store()
catalog = store.catalog

ui.page_header("Ai được dùng bảng điều khiển, với vai trò nào?", stop_when_empty=False)
st.caption("Thêm tài khoản cho lãnh đạo, văn phòng và bí thư các chi bộ; khóa tài khoản không còn dùng.")


def done(message: str) -> None:
    """Show `message` above a table that already holds the change."""
    st.session_state["users_notice"] = message
    st.rerun()


def attempt(action, success: str) -> None:
    """Run a use case; its refusal is shown in words, its success after the rerun."""
    try:
        action()
    except users.AuthError as exc:
        st.error(str(exc))
    else:
        done(success)


if notice := st.session_state.pop("users_notice", None):
    st.success(notice)
table = users.list_users(store)
ui.text_table(table.assign(
    role=table["role"].map(lambda r: UserRole.label_of(r, r)),
    created_at=table["created_at"].dt.strftime("%d/%m/%Y %H:%M"),
).rename(columns={"username": "Tên đăng nhập", "full_name": "Họ tên", "role": "Vai trò",
                  "cell_code": "Chi bộ", "active": "Hoạt động", "created_at": "Tạo lúc"}))

left, right = st.columns(2)
with left, st.form("add_user", clear_on_submit=True):
    st.subheader("Thêm tài khoản")
    username = st.text_input("Tên đăng nhập", placeholder="vd. bithu.cds")
    full_name = st.text_input("Họ và tên")
    role = st.selectbox("Vai trò", list(ACCOUNT_ROLES), format_func=lambda r: UserRole(r).label)
    cell = st.selectbox("Chi bộ (với vai trò Chi bộ)", [None] + [c.code for c in catalog.cells],
                        format_func=lambda c: "—" if c is None else catalog.cell(c).name)
    email = st.text_input("Email (để đăng nhập qua tài khoản cơ quan, nếu có)")
    password = st.text_input(f"Mật khẩu ban đầu (ít nhất {users.MIN_PASSWORD_LENGTH} ký tự)",
                             type="password")
    if st.form_submit_button("Thêm tài khoản", type="primary"):
        attempt(lambda: usecases.add_user(store, admin, username, full_name, role, password,
                                          cell_code=cell, email=email or None),
                f"Đã thêm tài khoản {users.normalize_username(username)} ({UserRole(role).label}).")

with right:
    st.subheader("Khóa / mở khóa, đặt lại mật khẩu")
    others = [u for u in table["username"] if u != admin.username]
    if not others:
        st.info("Chưa có tài khoản nào khác ngoài tài khoản của bạn.")
    else:
        target = st.selectbox("Tài khoản", others)
        lock, unlock = st.columns(2)
        if lock.button("Khóa tài khoản"):
            attempt(lambda: usecases.set_user_active(store, admin, target, False), f"Đã khóa {target}.")
        if unlock.button("Mở khóa"):
            attempt(lambda: usecases.set_user_active(store, admin, target, True),
                    f"Đã mở khóa {target}.")
        new_password = st.text_input("Mật khẩu mới", type="password", key="reset_password")
        if st.button("Đặt lại mật khẩu") and new_password:
            attempt(lambda: usecases.reset_password(store, admin, target, new_password),
                    f"Đã đặt lại mật khẩu cho {target}.")
