"""Lịch sử báo cáo: every submission, its original file, what a re-submission changed,
restore / withdraw with confirmation, and undo. Only wiring: etl.history reads, the
use cases (etl.usecases) change and audit.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import fmt, tables, ui
from etl import history, usecases
from etl.store import DatabaseBusy
from etl.users import AuthError
from etl.vocab import Permission

user = ui.page()
store = ui.store()

ALL = "__all__"
CONFIRM_TEXT = {
    "restore": ("Khôi phục báo cáo #{id} làm báo cáo hiện hành? Số liệu của {cell}, {period} trên "
                "mọi biểu đồ sẽ lấy theo báo cáo này; báo cáo hiện hành (nếu có) chuyển thành "
                "“đã bị thay thế”. Có thể hoàn tác ngay sau đó."),
    "withdraw": ("Rút báo cáo #{id} khỏi số liệu? Nếu đây là báo cáo hiện hành, {cell} sẽ thành "
                 "“chưa báo cáo” cho {period} cho đến khi nạp hoặc khôi phục báo cáo khác. "
                 "Tệp gốc vẫn được giữ trong lịch sử. Có thể hoàn tác ngay sau đó."),
}
# A report need not give its date: deadlines then count from its load ("Nạp lúc").
NO_REPORT_DATE = "Không ghi (tính theo ngày nạp)"
DONE_TEXT = {"restore": "Đã khôi phục báo cáo #{id} làm báo cáo hiện hành.",
             "withdraw": "Đã rút báo cáo #{id} khỏi số liệu."}


def filters(subs: pd.DataFrame) -> pd.DataFrame:
    cols = st.columns([2, 2, 2])
    cells = dict(zip(subs["cell_code"], subs["cell_short_name"].fillna(subs["cell_code"])))
    cell = cols[0].selectbox("Chi bộ", [ALL, *cells], key="history_cell",
                             format_func=lambda c: "Tất cả" if c == ALL else cells[c])
    periods = subs.sort_values("period_start", ascending=False)["period"].drop_duplicates()
    period = cols[1].selectbox("Kỳ báo cáo", [ALL, *periods], key="history_period",
                               format_func=lambda p: "Tất cả" if p == ALL else fmt.period(p))
    only_current = cols[2].toggle("Chỉ báo cáo hiện hành", key="history_only_current")
    shown = subs
    if cell != ALL:
        shown = shown[shown["cell_code"] == cell]
    if period != ALL:
        shown = shown[shown["period"] == period]
    if only_current:
        shown = shown[shown["state"] == history.CURRENT]
    return shown


def submissions_table(subs: pd.DataFrame) -> None:
    table = pd.DataFrame({
        "Mã": [f"#{i}" for i in subs["submission_id"]],
        "Chi bộ": subs["cell_short_name"], "Kỳ báo cáo": subs["period_label"],
        "Tệp": subs["file_name"], "Trang tính": subs["sheet"],
        "Ngày báo cáo": [fmt.date_vn(d) if pd.notna(d) else NO_REPORT_DATE for d in subs["report_date"]],
        "Nạp lúc": [_when(t) for t in subs["loaded_at"]], "Người nạp": subs["loaded_by"],
        "Số nhiệm vụ": subs["row_count"], "Trạng thái": subs["state_label"]})
    ui.text_table(table)


def _when(ts) -> str:
    return pd.Timestamp(ts).strftime("%d/%m/%Y %H:%M")


def _describe(row) -> str:
    return (f"#{row.submission_id} · {row.cell_short_name} · {row.period_label} · "
            f"{row.file_name} ({row.sheet}) · {row.state_label}")


def pick_submission(subs: pd.DataFrame):
    by_id = {int(r.submission_id): r for r in subs.itertuples()}
    chosen = st.selectbox("Chọn báo cáo để xem chi tiết", list(by_id), key="history_selected",
                          format_func=lambda i: _describe(by_id[i]))
    return by_id.get(chosen)


def download_original(row) -> None:
    sid = int(row.submission_id)
    try:
        history.original_bytes(store, sid)   # a missing or altered archive copy: say so now
    except history.ArchiveError as exc:
        st.error(str(exc))
        return
    # Recorded when clicked: opening a report's details is not a download.
    # The name stays out of the label: labels are Markdown, file names are not.
    st.download_button("Tải tệp gốc (đúng như khi nạp)",
                       data=lambda: usecases.download_original(store, user, sid)[1],
                       file_name=row.file_name, mime="application/octet-stream",
                       on_click="ignore", icon=":material/download:", key="download_original")


def show_diff(row, subs_all: pd.DataFrame) -> None:
    same = subs_all[(subs_all["cell_code"] == row.cell_code) & (subs_all["period"] == row.period)
                    & (subs_all["submission_id"] != row.submission_id)]
    if same.empty:
        st.caption("Chưa có báo cáo nào khác của chi bộ cho kỳ này để so sánh.")
        return
    others = [int(i) for i in same["submission_id"]]
    default = int(row.replaces_id) if pd.notna(row.replaces_id) and row.replaces_id in others else others[0]
    old_id = st.selectbox("So sánh với báo cáo", others, index=others.index(default),
                          key=f"diff_with_{row.submission_id}",
                          format_func=lambda i: _describe(next(same[same.submission_id == i]
                                                               .itertuples())))
    changes = history.diff(store, int(row.submission_id), old_id)
    if changes.empty:
        st.info(f"Không có thay đổi nào so với báo cáo #{old_id}.")
        return
    ui.text_table(tables.diff_table(changes, old_id, int(row.submission_id)))


# -- restore / withdraw / undo ------------------------------------------------------------

def actions(row) -> None:
    if not user.can(Permission.RESTORE_WITHDRAW):
        st.caption("Khôi phục và rút báo cáo do Văn phòng thực hiện.")
        return
    pending = st.session_state.get("history_pending")
    if pending and pending[1] == int(row.submission_id):
        confirm(pending[0], row)
        return
    row_of_buttons = st.container(horizontal=True)
    sid = int(row.submission_id)
    if row.state != history.CURRENT:
        row_of_buttons.button("Khôi phục làm báo cáo hiện hành", key="ask_restore",
                       icon=":material/restore:", on_click=_ask, args=("restore", sid))
    if row.state != history.WITHDRAWN:
        row_of_buttons.button("Rút khỏi số liệu", key="ask_withdraw", icon=":material/block:",
                       on_click=_ask, args=("withdraw", sid))


def _ask(action: str, sid: int) -> None:
    st.session_state["history_pending"] = (action, sid)


def confirm(action: str, row) -> None:
    st.warning(CONFIRM_TEXT[action].format(id=row.submission_id, cell=row.cell_short_name,
                                           period=row.period_label))
    row_of_buttons = st.container(horizontal=True)
    if row_of_buttons.button("Xác nhận", type="primary", key="confirm_action"):
        st.session_state.pop("history_pending", None)
        operation = usecases.restore if action == "restore" else usecases.withdraw
        _run(lambda: operation(store, user, int(row.submission_id)))
        st.rerun()
    if row_of_buttons.button("Hủy", key="cancel_action"):
        st.session_state.pop("history_pending", None)
        st.rerun()


def _run(operation) -> None:
    """Apply a change (the use case audits it), remember it for undo, and refresh every
    cached figure."""
    try:
        change = operation()
    except (history.HistoryError, DatabaseBusy, AuthError) as exc:
        if isinstance(exc, history.HistoryConflict):
            st.session_state.pop("history_last_change", None)  # retrying cannot succeed
        st.session_state["history_message"] = ("error", str(exc))
        return
    ui.data_changed()
    if change.action == "undo":
        st.session_state.pop("history_last_change", None)
        message = "Đã hoàn tác."
    else:
        st.session_state["history_last_change"] = change
        message = DONE_TEXT[change.action].format(id=change.submission_id)
    st.session_state["history_message"] = ("success", message)


def last_change_banner() -> None:
    kind, text = st.session_state.pop("history_message", (None, None))
    if kind == "error":
        st.error(text)
    elif kind == "success":
        st.success(text)
    change = st.session_state.get("history_last_change")
    if change is None:
        return
    if st.button(f"Hoàn tác: {DONE_TEXT[change.action].format(id=change.submission_id)}",
                 key="undo_last", icon=":material/undo:"):
        _run(lambda: usecases.undo(store, user, change))
        st.rerun()


def events_table(submission_id: int) -> None:
    ev = history.events(store, submission_id)
    ui.text_table(pd.DataFrame({"Lúc": [_when(t) for t in ev["acted_at"]],
                                "Thao tác": ev["action_label"], "Người thực hiện": ev["acted_by"],
                                "Ghi chú": ev["note"]}))


def main() -> None:
    ui.page_header("Những báo cáo nào đã được nạp, và báo cáo nào đang được dùng?", stop_when_empty=False)
    st.caption("Mọi báo cáo đã nạp: tải tệp gốc, xem báo cáo nạp lại đã thay đổi gì, khôi phục "
               "hoặc rút một báo cáo (đều hoàn tác được). Không báo cáo nào bị xóa.")
    last_change_banner()
    subs_all = history.list_submissions(store)
    if subs_all.empty:
        ui.empty_state()
    subs = filters(subs_all)
    if subs.empty:
        st.info("Không có báo cáo nào khớp bộ lọc.")
        return
    submissions_table(subs)
    row = pick_submission(subs)
    if row is None:
        return
    st.subheader(f"Báo cáo #{row.submission_id}")
    download_original(row)
    actions(row)
    st.markdown("**Thay đổi so với báo cáo khác cùng chi bộ, cùng kỳ**")
    show_diff(row, subs_all)
    st.markdown("**Nhật ký thao tác**")
    events_table(int(row.submission_id))


main()
