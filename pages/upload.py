"""Nạp báo cáo: drop the cells' files in, see what each holds and what is wrong, load the valid ones.

Only wiring: checking, storing and undoing are etl.usecases' (the CLI's very code).
"""
from __future__ import annotations

import hashlib
from datetime import date

import pandas as pd
import streamlit as st

from dashboard import fmt, tables, ui
from etl import history, load, usecases
from etl.fields import header as field_header
from etl.periods import period_label
from etl.store import DatabaseBusy
from etl.users import AuthError, User
from etl.vocab import LoadOutcome, Permission

user = ui.page(Permission.UPLOAD_OWN_CELL)
store = ui.store()
catalog = store.catalog

TYPES = ["xlsx", "xls", "ods", "csv"]
PICKED_CODES = ("missing_cell", "missing_period")
MAX_MB = max(1, int(store.settings.max_upload_mb))


@st.cache_data(show_spinner=False, max_entries=64)
def _check(data: bytes, name: str, cell: str | None, period: str | None,
           actor: User) -> load.FileReport:
    """Cached per file and per user: a check made for the office is never served to a
    cell's secretary."""
    return usecases.check_report(store, actor, data, name, cell, period)


def header() -> None:
    ui.page_header("Nạp báo cáo tiến độ của các chi bộ", stop_when_empty=False)
    st.caption("Kéo thả (hoặc chọn) một hay nhiều tệp; mỗi tệp được kiểm tra và xem trước, tệp "
               f"hợp lệ được nạp bằng một nút. Nhận .xlsx, .xls, .ods, .csv; tối đa {MAX_MB} MB "
               "mỗi tệp. Nạp lại cùng chi bộ, cùng kỳ sẽ thay thế báo cáo trước (vẫn giữ trong "
               "lịch sử, hoàn tác được).")


# -- one file ---------------------------------------------------------------------------

def check_file(uploaded) -> dict:
    """Validate one uploaded file, with the cell/period picked by hand when it lacks them."""
    data = uploaded.getvalue()
    first = _check(data, uploaded.name, None, None, user)
    needs = first.needs()
    cell = st.session_state.get(_pick_key("cell", uploaded)) if "cell" in needs else None
    period = st.session_state.get(_pick_key("period", uploaded)) if "period" in needs else None
    report = _check(data, uploaded.name, cell, period, user) if (cell or period) else first
    return {"uploaded": uploaded, "data": data, "report": report, "needs": needs}


def _pick_key(what: str, uploaded) -> str:
    return f"pick_{what}_{uploaded.file_id}"


def show_file(entry: dict) -> None:
    report, uploaded = entry["report"], entry["uploaded"]
    icon = ":material/check_circle:" if report.ok else ":material/error:"
    with st.expander(f"{icon} {ui.plain(report.file_name)} — {ui.plain(_summary(report))}",
                     expanded=True):
        _pickers(entry["needs"], uploaded)
        for sheet in report.sheets:
            _sheet_preview(sheet, [p for p in report.problems if p.sheet == sheet.sheet])
        _problems_table(report)


def _summary(report: load.FileReport) -> str:
    if report.ok:
        parts = [f"{_cell_short(s.cell_code)}, {s.period_label}" for s in report.sheets]
        return "hợp lệ: " + "; ".join(parts)
    missing = [p.code for p in report.errors if p.code in PICKED_CODES]
    if missing and len(missing) == len(report.errors):
        return "cần chọn " + " và ".join(
            "chi bộ" if c == "missing_cell" else "kỳ báo cáo" for c in dict.fromkeys(missing))
    return f"{len(report.errors)} lỗi, không thể nạp"


def _cell_short(code: str | None) -> str:
    return next((c.short_name for c in catalog.cells if c.code == code), code or "?")


def _pickers(needs: set[str], uploaded) -> None:
    if not needs:
        return
    st.info("Tệp không ghi rõ " + " và ".join(
        w for n, w in (("cell", "chi bộ"), ("period", "kỳ báo cáo")) if n in needs)
        + ": hãy chọn dưới đây.")
    cols = st.columns(2)
    if "cell" in needs:
        allowed = user.upload_cells()
        cells = [c.code for c in catalog.cells if allowed is None or c.code in allowed]
        cols[0].selectbox("Chi bộ", cells, index=None,
                          format_func=lambda code: catalog.cell(code).name,
                          placeholder="Chọn chi bộ…", key=_pick_key("cell", uploaded))
    if "period" in needs:
        cols[1].selectbox("Kỳ báo cáo", history.recent_periods(date.today()), index=None,
                          format_func=period_label, placeholder="Chọn kỳ báo cáo…",
                          key=_pick_key("period", uploaded))


def _sheet_preview(sheet, problems: list) -> None:
    written = {r["excel_row"] for r in sheet.source_rows}
    bad_rows = {p.row for p in problems if p.is_error and p.row in written}
    facts = [f"Trang tính: {sheet.sheet}",
             f"Chi bộ: {catalog.cell(sheet.cell_code).name}" if sheet.cell_code else "",
             f"Kỳ báo cáo: {sheet.period_label}" if sheet.period else "",
             f"Ngày báo cáo: {fmt.date_vn(sheet.report_date)}" if sheet.report_date else "",
             f"Người lập: {sheet.prepared_by}" if sheet.prepared_by else "",
             f"{len(written)} dòng, {len(bad_rows)} dòng có lỗi" if bad_rows
             else f"{len(sheet.rows)} nhiệm vụ"]
    st.markdown(" · ".join(ui.plain(f) for f in facts if f))
    if sheet.is_sample:
        st.warning("Đây là dữ liệu mẫu (không phải báo cáo thật).")
    if bad_rows:
        # Rejected rows are not in sheet.rows: show the table as written, bad cells marked.
        st.caption("Các dòng trong tệp: ô có lỗi tô đỏ, ô có cảnh báo tô vàng; cột thứ hai "
                   "nói dòng đó sai gì.")
        text = st.column_config.TextColumn
        ui.text_table(tables.source_rows_table(sheet.source_rows, problems),
                      column_config={tables.ROW_PROBLEMS: text(width="large"),
                                     field_header("task_title"): text(width="medium")})
    else:
        ui.text_table(tables.report_rows(sheet.to_frame()))


def _problems_table(report: load.FileReport) -> None:
    # A missing cell or period is answered by the pickers above, not by editing the file.
    shown = [p for p in report.errors + report.warnings if p.code not in PICKED_CODES]
    if not shown:
        return
    errors = [p for p in shown if p.is_error]
    if errors:
        st.error(f"{len(errors)} lỗi: tệp chưa được nạp. Sửa các lỗi dưới đây trong tệp rồi tải "
                 "lên lại (mỗi dòng nói rõ trang tính, dòng, cột và cách sửa).")
    else:
        st.warning(f"{len(shown)} cảnh báo: tệp vẫn nạp được.")
    table = pd.DataFrame([p.as_row() for p in shown]).drop(columns=["Tệp"])
    table["Dòng"] = [("" if pd.isna(v) else str(int(v))) for v in table["Dòng"]]
    st.table(table.map(ui.plain), hide_index=True)


# -- loading ---------------------------------------------------------------------------

def load_button(entries: list[dict]) -> None:
    valid = [e for e in entries if e["report"].ok]
    rejected = len(entries) - len(valid)
    if rejected:
        st.caption(f"{rejected} tệp có lỗi sẽ không được nạp; các tệp khác không bị ảnh hưởng.")
    for text in same_report_twice(valid):
        st.warning(text)
    confirmed = confirm_dropped_tasks(valid)
    if st.button(f"Nạp {len(valid)} tệp hợp lệ", type="primary", disabled=not valid or not confirmed,
                 key="load_valid",
                 help=None if confirmed else "Xác nhận ở ô phía trên để nạp."):
        st.session_state["load_summary"] = store_all(valid)
        st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1
        ui.data_changed()  # every chart reads the new figures at once
        st.rerun()


def same_report_twice(valid: list[dict]) -> list[str]:
    """Two files of one batch for the same cell and period: the later one will win."""
    return [f"Hai tệp cùng báo cáo {_cell_short(cell)}, {period_label(period)}: “{first}” và "
            f"“{second}”. Tệp đứng sau sẽ thay thế tệp đứng trước; bỏ tệp không dùng nếu cần."
            for cell, period, first, second in load.same_report_twice(
                [e["report"] for e in valid])]


def confirm_dropped_tasks(valid: list[dict]) -> bool:
    """A re-submission without tasks the current report has (a truncated file looks so)
    makes them "chưa báo cáo": say which, and load only once the user confirms. The
    confirmation belongs to exactly these files: another choice asks again."""
    dropped = [d for found in history.dropped_tasks(store, [e["report"] for e in valid])
               for d in found]
    if not dropped:
        return True
    for d in dropped:
        st.warning(ui.plain(f"Tệp “{d.file_name}”, trang tính “{d.sheet}”: {d.message} "
                            "Nếu tệp bị thiếu dòng, hãy bỏ tệp này và tải lên bản đầy đủ."))
    fingerprint = hashlib.sha256(repr(dropped).encode()).hexdigest()[:16]
    return st.checkbox("Tôi đã xem: vẫn nạp, các nhiệm vụ nêu trên thành “chưa báo cáo” "
                       "(báo cáo cũ vẫn giữ trong lịch sử, khôi phục được)",
                       key=f"confirm_dropped_{fingerprint}")


def store_all(valid: list[dict]) -> dict:
    with st.spinner(f"Đang nạp {len(valid)} tệp…"):
        try:
            outcomes = usecases.load_reports(store, user, [(e["report"], e["data"]) for e in valid])
        except (DatabaseBusy, AuthError) as exc:
            return {"stored": [], "failures": [str(exc)]}
    return {"stored": [(o.file_name, item) for o in outcomes for item in o.items],
            "failures": [f"{o.file_name}: {o.error}" for o in outcomes if o.error]}


def summary_row(file_name: str, item) -> dict:
    what = {LoadOutcome.ADDED: "Đã thêm mới",
            LoadOutcome.SUPERSEDED: f"Đã thay thế báo cáo #{item.replaced_id}",
            LoadOutcome.UNCHANGED: "Không thay đổi (tệp này đã được nạp trước đó)"}[item.action]
    return {"Tệp": file_name, "Trang tính": item.sheet, "Chi bộ": _cell_short(item.cell_code),
            "Kỳ báo cáo": period_label(item.period), "Mã báo cáo": f"#{item.submission_id}",
            "Số nhiệm vụ": str(item.row_count), "Kết quả": what}


def stored_text(actions: list[LoadOutcome]) -> str:
    """What a load did; files already loaded byte for byte change nothing, and say so."""
    counts = pd.Series(actions).value_counts()
    done = "; ".join(f"{LoadOutcome(action).label} {n}" for action, n in counts.items())
    if all(a == LoadOutcome.UNCHANGED for a in actions):
        return (f"Không có gì thay đổi: {'tệp' if len(actions) == 1 else 'các tệp'} này đã "
                "được nạp trước đó, đúng từng byte. Số liệu và biểu đồ giữ nguyên.")
    return f"Đã nạp xong {len(actions)} báo cáo: {done}. Các biểu đồ đã cập nhật số liệu mới."


def undo_load(changed: list) -> dict:
    try:
        usecases.undo_load(store, user, [item.submission_id for item in changed])
    except (history.HistoryError, DatabaseBusy, AuthError) as exc:
        return {"stored": [], "failures": [str(exc)]}
    return {"stored": [], "failures": [],
            "note": f"Đã hoàn tác lần nạp: rút {len(changed)} báo cáo vừa nạp; các báo cáo trước "
                    "đó (nếu có) được dùng lại. Tất cả vẫn còn trong “Lịch sử báo cáo”."}


def show_last_summary() -> None:
    summary = st.session_state.get("load_summary")
    if not summary:
        return
    if summary.get("note"):
        st.success(summary["note"])
    stored, failures = summary["stored"], summary["failures"]
    if stored:
        st.success(stored_text([item.action for _, item in stored]))
        st.table(pd.DataFrame([summary_row(name, item) for name, item in stored]).map(ui.plain),
                 hide_index=True)
    for failure in failures:
        st.error(ui.plain(failure))
    buttons = st.container(horizontal=True)
    changed = [item for _, item in stored if item.action != LoadOutcome.UNCHANGED]
    if changed and buttons.button("Hoàn tác lần nạp này", key="undo_load", icon=":material/undo:",
                                  help="Rút các báo cáo vừa nạp; báo cáo mà chúng thay thế được "
                                       "dùng lại. Vẫn giữ tất cả trong lịch sử."):
        st.session_state["load_summary"] = undo_load(changed)
        ui.data_changed()
        st.rerun()
    if buttons.button("Đóng thông báo", key="close_summary"):
        del st.session_state["load_summary"]
        st.rerun()


def main() -> None:
    header()
    if user.upload_cells() is not None:
        st.caption(f"Tài khoản {user.username} nạp báo cáo của {catalog.cell(user.cell_code).name}; "
                   f"ghi vào lịch sử với tên {user.username}.")
    show_last_summary()
    ui.localize_uploader(MAX_MB, TYPES)
    files = st.file_uploader("Tệp báo cáo", type=TYPES, accept_multiple_files=True,
                             max_upload_size=MAX_MB,
                             key=f"upload_files_{st.session_state.get('upload_round', 0)}",
                             help="Có thể chọn nhiều tệp một lúc, ví dụ báo cáo của cả bốn chi bộ.")
    if not files:
        st.info("Chưa có tệp nào. Chọn các tệp báo cáo ở trên; chưa có mẫu thì tải ở trang "
                "“Mẫu báo cáo, nhắc nộp”.")
        return
    entries = [check_file(f) for f in files]
    for entry in entries:
        show_file(entry)
    load_button(entries)


main()
