"""Tài khoản của tôi: who I am here, my password, my last sign-ins."""
from datetime import datetime

import streamlit as st

from dashboard import auth, fmt, ui
from etl import sessions, usecases, users
from etl.vocab import SessionEnd

user = ui.page()
store = ui.store()
CHANGED = "changed"   # the address after a password change: say it worked

st.subheader("Tài khoản của tôi")
if ui.from_address(CHANGED):
    st.success("Đã đổi mật khẩu. Các phiên đăng nhập khác của tài khoản đã kết thúc.")
st.markdown(f"**{user.full_name}** · tên đăng nhập `{user.username}` · vai trò {user.role_label}"
            + (f" · chi bộ {user.cell_code}" if user.cell_code else ""))

left, right = st.columns(2)
with left, st.form("change_password", clear_on_submit=True):
    st.markdown("**Đổi mật khẩu**")
    current = st.text_input("Mật khẩu hiện tại", type="password")
    new = st.text_input(f"Mật khẩu mới (ít nhất {users.MIN_PASSWORD_LENGTH} ký tự, có chữ và số)",
                        type="password")
    again = st.text_input("Nhập lại mật khẩu mới", type="password")
    submitted = st.form_submit_button("Đổi mật khẩu", type="primary")
if submitted:
    if new != again:
        left.error("Hai lần nhập mật khẩu mới không khớp.")
    else:
        try:
            signed = usecases.change_password(store, user, current, new, auth.client())
        except users.AuthError as exc:
            left.error(str(exc))
        else:
            # Every session of the account ended, this one too: this browser gets the new one.
            auth.hand_over(signed, f"{auth.page_path()}?{CHANGED}=1")

with right:
    st.markdown("**Lần đăng nhập gần đây**")
    recent = sessions.recent(store, user.username, sessions.Policy.of(store.settings),
                             datetime.now())
    if recent.empty:
        st.caption("Chưa có lần đăng nhập nào được ghi.")
    else:
        ui.text_table(recent.assign(**{
            "Lúc": recent["created_at"].map(fmt.datetime_vn),
            "Địa chỉ": recent["client_address"].fillna("máy chủ"),
            "Trình duyệt": recent["user_agent"].map(fmt.browser),
            "Trạng thái": recent["state"].map(lambda s: SessionEnd.label_of(s, "Đang mở"))})[
            ["Lúc", "Địa chỉ", "Trình duyệt", "Trạng thái"]])
    st.caption("Thấy lần đăng nhập lạ: đổi mật khẩu ngay (mọi phiên khác sẽ kết thúc) và báo "
               "quản trị.")
