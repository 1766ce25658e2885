"""Tài khoản: the administrator adds users and enables or disables them."""
import streamlit as st

from dashboard import auth, ui
from etl import users
from etl.catalog import get_catalog
from etl.db import default_db_path

admin = auth.guard("manage_users")
db = default_db_path()
catalog = get_catalog()

ui.page_header("Ai được dùng bảng điều khiển, với vai trò nào?", stop_when_empty=False)
st.caption("Thêm tài khoản cho lãnh đạo, văn phòng và bí thư các chi bộ; khóa tài khoản không còn dùng.")


def done(message: str) -> None:
    """Show `message` above a table that already holds the change."""
    st.session_state["users_notice"] = message
    st.rerun()


if notice := st.session_state.pop("users_notice", None):
    st.success(notice)
table = users.list_users(db)
table["Vai trò"] = table.pop("role").map(users.ROLE_LABELS)
table["Tạo lúc"] = table["Tạo lúc"].dt.strftime("%d/%m/%Y %H:%M")
st.dataframe(table, hide_index=True, width="stretch", placeholder="")

left, right = st.columns(2)
with left, st.form("add_user", clear_on_submit=True):
    st.subheader("Thêm tài khoản")
    username = st.text_input("Tên đăng nhập", placeholder="vd. bithu.cds")
    full_name = st.text_input("Họ và tên")
    role = st.selectbox("Vai trò", list(users.ROLE_LABELS), format_func=users.ROLE_LABELS.get)
    cell = st.selectbox("Chi bộ (với vai trò Chi bộ)", [None] + [c.code for c in catalog.cells],
                        format_func=lambda c: "—" if c is None else catalog.cell(c).name)
    email = st.text_input("Email (để đăng nhập qua tài khoản cơ quan, nếu có)")
    password = st.text_input(f"Mật khẩu ban đầu (ít nhất {users.MIN_PASSWORD_LENGTH} ký tự)",
                             type="password")
    if st.form_submit_button("Thêm tài khoản", type="primary"):
        try:
            added = users.add_user(db, username, full_name, role, password, cell_code=cell,
                                   email=email or None, by=admin.username)
        except users.AuthError as exc:
            st.error(str(exc))
        else:
            done(f"Đã thêm tài khoản {added.username} ({added.role_label}).")

with right:
    st.subheader("Khóa / mở khóa, đặt lại mật khẩu")
    others = [u for u in table["Tên đăng nhập"] if u != admin.username]
    if not others:
        st.info("Chưa có tài khoản nào khác ngoài tài khoản của bạn.")
    else:
        target = st.selectbox("Tài khoản", others)
        lock, unlock = st.columns(2)
        if lock.button("Khóa tài khoản"):
            users.set_active(db, target, False, admin.username)
            done(f"Đã khóa {target}.")
        if unlock.button("Mở khóa"):
            users.set_active(db, target, True, admin.username)
            done(f"Đã mở khóa {target}.")
        new_password = st.text_input("Mật khẩu mới", type="password", key="reset_password")
        if st.button("Đặt lại mật khẩu") and new_password:
            try:
                users.set_password(db, target, new_password, admin.username)
                st.success(f"Đã đặt lại mật khẩu cho {target}.")
            except users.AuthError as exc:
                st.error(str(exc))
