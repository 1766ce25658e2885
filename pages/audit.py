"""Nhật ký thao tác: who signed in, loaded, restored, withdrew, exported what and when."""
from datetime import date, datetime, time, timedelta

import streamlit as st

from dashboard import ui
from etl import audit
from etl.vocab import AuditAction, Permission

ui.page(Permission.VIEW_AUDIT)

ui.page_header("Ai đã làm gì, khi nào? (nhật ký thao tác)", stop_when_empty=False)
st.caption("Ai đăng nhập, nạp, khôi phục, rút, xuất báo cáo gì và khi nào. Nhật ký chỉ được ghi thêm, "
           "không sửa, không xóa.")

c1, c2, c3 = st.columns(3)
who = c1.text_input("Tài khoản")
action = c2.selectbox("Thao tác", [None, *AuditAction],
                      format_func=lambda a: "Tất cả" if a is None else AuditAction(a).label)
since = c3.date_input("Từ ngày", value=date.today() - timedelta(days=30), format="DD/MM/YYYY")

log = audit.read(ui.store(), username=who.strip().lower() or None, action=action,
                 since=datetime.combine(since, time.min))
if log.empty:
    st.info("Không có thao tác nào khớp bộ lọc.")
    st.stop()
ui.text_table(log.assign(
    acted_at=log["acted_at"].dt.strftime("%d/%m/%Y %H:%M:%S"),
    action=log["action"].map(lambda a: AuditAction.label_of(a, a)),
).rename(columns={"acted_at": "Thời điểm", "username": "Tài khoản", "action": "Thao tác",
                  "target": "Đối tượng", "detail": "Chi tiết"}))
