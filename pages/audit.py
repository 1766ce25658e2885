"""Nhật ký thao tác: who signed in, loaded, restored, withdrew, exported what and when."""
from datetime import date, datetime, time, timedelta

import streamlit as st

from dashboard import auth, ui
from etl import users
from etl.db import default_db_path

ACTION_LABELS = {
    "sign_in": "Đăng nhập", "sign_in_failed": "Đăng nhập sai", "sign_out": "Đăng xuất",
    "load": "Nạp báo cáo", "undo_load": "Hoàn tác lần nạp", "restore": "Khôi phục báo cáo",
    "withdraw": "Rút báo cáo", "reinstate": "Đưa lại báo cáo", "undo": "Hoàn tác",
    "export": "Xuất báo cáo", "download_original": "Tải tệp gốc", "user_add": "Thêm tài khoản",
    "user_enable": "Mở khóa tài khoản", "user_disable": "Khóa tài khoản",
    "password_set": "Đặt lại mật khẩu",
}
# The loader records each sheet's outcome in English (`#24 VPCN 2026-11: added`); shown in Vietnamese.
OUTCOME_LABELS = {"added": "thêm mới", "superseded": "thay thế báo cáo trước",
                  "unchanged": "không thay đổi"}

auth.guard("view_audit")
db = default_db_path()

ui.page_header("Ai đã làm gì, khi nào? (nhật ký thao tác)", stop_when_empty=False)
st.caption("Ai đăng nhập, nạp, khôi phục, rút, xuất báo cáo gì và khi nào. Nhật ký chỉ được ghi thêm, "
           "không sửa, không xóa.")

c1, c2, c3 = st.columns(3)
who = c1.text_input("Tài khoản")
action = c2.selectbox("Thao tác", [None, *ACTION_LABELS], format_func=lambda a: "Tất cả" if a is None
                      else ACTION_LABELS[a])
since = c3.date_input("Từ ngày", value=date.today() - timedelta(days=30), format="DD/MM/YYYY")

log = users.read_audit(db, username=who.strip().lower() or None, action=action,
                       since=datetime.combine(since, time.min))
if log.empty:
    st.info("Không có thao tác nào khớp bộ lọc.")
    st.stop()
log["action"] = log["action"].map(lambda a: ACTION_LABELS.get(a, a))
log["acted_at"] = log["acted_at"].dt.strftime("%d/%m/%Y %H:%M:%S")
log["detail"] = log["detail"].str.replace(r": (added|superseded|unchanged)\b",
                                          lambda m: ": " + OUTCOME_LABELS[m[1]], regex=True)
st.dataframe(log.rename(columns={"acted_at": "Thời điểm", "username": "Tài khoản", "action": "Thao tác",
                                 "target": "Đối tượng", "detail": "Chi tiết"}),
             hide_index=True, width="stretch", placeholder="")
