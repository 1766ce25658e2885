"""Nạp báo cáo: drop the cells' files in, see what each holds and what is wrong, load the valid ones.

Only wiring: reading, checking and storing are etl.load's (the CLI's very code).
"""
from __future__ import annotations

import hashlib
from datetime import date

import pandas as pd
import streamlit as st

from dashboard import auth, fmt, ui
from etl import history, load, read, users
from etl import template as tpl
from etl.catalog import get_catalog
from etl.db import DatabaseBusy, default_db_path
from etl.parse import STATUS_LABELS
from etl.periods import period_label
from etl.problems import ERROR, SCHEMA, Problem

user = auth.guard("upload_own_cell")

TYPES = ["xlsx", "xls", "ods", "csv"]
PICKED_CODES = ("missing_cell", "missing_period")
MAX_MB = max(1, read.MAX_UPLOAD_BYTES // (1024 * 1024))
ACTION_TEXT = {"added": "Đã thêm mới", "superseded": "Đã thay thế báo cáo trước",
               "unchanged": "Không thay đổi (tệp này đã được nạp trước đó)"}
COUNT_TEXT = {"added": "thêm mới", "superseded": "thay thế báo cáo trước",
              "unchanged": "không thay đổi"}
PREVIEW_COLUMNS = {"excel_row": "Dòng", "task_code": tpl.COL_CODE, "status": tpl.COL_STATUS,
                   "completion_pct": tpl.COL_PCT, "activities": tpl.COL_ACTIVITIES,
                   "participants": tpl.COL_PARTICIPANTS, "posts": tpl.COL_POSTS,
                   "result": tpl.COL_RESULT, "obstacles": tpl.COL_OBSTACLES,
                   "proposals": tpl.COL_PROPOSALS, "evidence": tpl.COL_EVIDENCE}
@st.cache_data(show_spinner=False, max_entries=64)
def _validate(data: bytes, name: str, cell: str | None, period: str | None,
              allowed: frozenset[str] | None) -> load.FileReport:
    """Cached per file and per what the user may load: `allowed` is part of the key, so a
    check made for the office is never served to a cell's secretary."""
    try:
        return load.validate_bytes(data, name, cell=cell, period=period, allowed_cells=allowed)
    except Exception as exc:  # a loader bug on one file must not take the other files down
        report = load.FileReport(load.display_name(name), hashlib.sha256(data).hexdigest(), len(data))
        report.problems.append(Problem(
            ERROR, SCHEMA, report.file_name, f"Không kiểm tra được tệp do lỗi chương trình ({exc}).",
            "Gửi tệp này cho người quản trị hệ thống; các tệp khác vẫn nạp được.", code="internal"))
        return report


def allowed_cells() -> frozenset[str] | None:
    """The signed-in user's cells: a cell's secretary loads only their own cell's reports."""
    return None if user.can("upload_any_cell") else frozenset({user.cell_code})


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
    allowed = allowed_cells()
    first = _validate(data, uploaded.name, None, None, allowed)
    needs = first.needs()
    cell = st.session_state.get(_pick_key("cell", uploaded)) if "cell" in needs else None
    period = st.session_state.get(_pick_key("period", uploaded)) if "period" in needs else None
    report = _validate(data, uploaded.name, cell, period, allowed) if (cell or period) else first
    return {"uploaded": uploaded, "data": data, "report": report, "needs": needs}


def _pick_key(what: str, uploaded) -> str:
    return f"pick_{what}_{uploaded.file_id}"


def show_file(entry: dict) -> None:
    report, uploaded = entry["report"], entry["uploaded"]
    icon = ":material/check_circle:" if report.ok else ":material/error:"
    with st.expander(f"{icon} {ui.plain(report.file_name)} — {ui.plain(_summary(report))}",
                     expanded=not report.ok):
        _pickers(entry["needs"], uploaded)
        for sheet in report.sheets:
            _sheet_preview(sheet)
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
    catalog = get_catalog()
    return next((c.short_name for c in catalog.cells if c.code == code), code or "?")


def _pickers(needs: set[str], uploaded) -> None:
    if not needs:
        return
    st.info("Tệp không ghi rõ " + " và ".join(
        w for n, w in (("cell", "chi bộ"), ("period", "kỳ báo cáo")) if n in needs)
        + ": hãy chọn dưới đây.")
    cols = st.columns(2)
    if "cell" in needs:
        cells = [c.code for c in get_catalog().cells
                 if allowed_cells() is None or c.code in allowed_cells()]
        cols[0].selectbox("Chi bộ", cells, index=None,
                          format_func=lambda code: get_catalog().cell(code).name,
                          placeholder="Chọn chi bộ…", key=_pick_key("cell", uploaded))
    if "period" in needs:
        cols[1].selectbox("Kỳ báo cáo", history.recent_periods(date.today()), index=None,
                          format_func=period_label, placeholder="Chọn kỳ báo cáo…",
                          key=_pick_key("period", uploaded))


def _sheet_preview(sheet) -> None:
    facts = [f"Trang tính: {sheet.sheet}",
             f"Chi bộ: {get_catalog().cell(sheet.cell_code).name}" if sheet.cell_code else "",
             f"Kỳ báo cáo: {sheet.period_label}" if sheet.period else "",
             f"Ngày báo cáo: {fmt.date_vn(sheet.report_date)}" if sheet.report_date else "",
             f"Người lập: {sheet.prepared_by}" if sheet.prepared_by else "",
             f"{len(sheet.rows)} nhiệm vụ"]
    st.markdown(" · ".join(ui.plain(f) for f in facts if f))
    if sheet.is_sample:
        st.warning("Đây là dữ liệu mẫu (không phải báo cáo thật).")
    st.dataframe(preview_frame(sheet.to_frame()), hide_index=True)


def preview_frame(rows: pd.DataFrame) -> pd.DataFrame:
    shown = rows.copy()
    shown["status"] = shown["status"].map(STATUS_LABELS).fillna(shown["status"])
    shown["completion_pct"] = [fmt.pct(v) for v in shown["completion_pct"]]
    for col in ("activities", "participants", "posts"):
        shown[col] = [fmt.number(v) for v in shown[col]]
    return shown[list(PREVIEW_COLUMNS)].rename(columns=PREVIEW_COLUMNS)


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
    if st.button(f"Nạp {len(valid)} tệp hợp lệ", type="primary", disabled=not valid,
                 key="load_valid"):
        st.session_state["load_summary"] = store_all(valid)
        st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1
        st.cache_data.clear()  # every chart reads the new figures at once
        st.rerun()


def same_report_twice(valid: list[dict]) -> list[str]:
    """Two files of one batch for the same cell and period: the later one will win."""
    seen: dict[tuple, str] = {}
    notes = []
    for entry in valid:
        report = entry["report"]
        for sheet in report.sheets:
            key = (sheet.cell_code, sheet.period)
            if key in seen and seen[key] != report.file_name:
                notes.append(f"Hai tệp cùng báo cáo {_cell_short(sheet.cell_code)}, "
                             f"{sheet.period_label}: “{seen[key]}” và “{report.file_name}”. "
                             "Tệp đứng sau sẽ thay thế tệp đứng trước; bỏ tệp không dùng nếu "
                             "cần.")
            seen[key] = report.file_name
    return notes


def store_all(valid: list[dict]) -> dict:
    bar = st.progress(0.0, text="Đang nạp…")
    stored, failures = [], []
    for i, entry in enumerate(valid, start=1):
        report = entry["report"]
        try:
            outcome = load.store(report, entry["data"], default_db_path(), loaded_by=user.username,
                                 allowed_cells=allowed_cells())
            stored += [(report.file_name, item) for item in outcome.items]
        except DatabaseBusy as exc:
            failures.append(f"{report.file_name}: {exc}")
        except Exception as exc:  # one file's failure must not hide the others' results
            failures.append(f"{report.file_name}: không nạp được ({exc}).")
        bar.progress(i / len(valid), text=f"Đã xử lý {i}/{len(valid)} tệp")
    return {"stored": stored, "failures": failures}


def summary_row(file_name: str, item) -> dict:
    what = ACTION_TEXT[item.action]
    if item.action == "superseded" and item.replaced_id:
        what = f"Đã thay thế báo cáo #{item.replaced_id}"
    return {"Tệp": file_name, "Trang tính": item.sheet, "Chi bộ": _cell_short(item.cell_code),
            "Kỳ báo cáo": period_label(item.period), "Mã báo cáo": f"#{item.submission_id}",
            "Số nhiệm vụ": str(item.row_count), "Kết quả": what}


def undo_load(changed: list) -> dict:
    done, failures = 0, []
    for item in reversed(changed):  # newest first: a later file of the batch may replace an earlier
        try:
            history.retract_load(default_db_path(), item.submission_id, user.username)
            users.audit(default_db_path(), user.username, "undo_load", f"#{item.submission_id}")
            done += 1
        except (history.HistoryError, DatabaseBusy) as exc:
            failures.append(str(exc))
    return {"stored": [], "failures": failures,
            "note": f"Đã hoàn tác lần nạp: rút {done} báo cáo vừa nạp; các báo cáo trước đó (nếu "
                    "có) được dùng lại. Tất cả vẫn còn trong “Lịch sử báo cáo”."}


def show_last_summary() -> None:
    summary = st.session_state.get("load_summary")
    if not summary:
        return
    if summary.get("note"):
        st.success(summary["note"])
    stored, failures = summary["stored"], summary["failures"]
    if stored:
        counts = pd.Series([item.action for _, item in stored]).value_counts()
        st.success(f"Đã nạp xong {len(stored)} báo cáo: "
                   + "; ".join(f"{COUNT_TEXT[action]} {n}" for action, n in counts.items())
                   + ". Các biểu đồ đã cập nhật số liệu mới.")
        st.table(pd.DataFrame([summary_row(name, item) for name, item in stored]).map(ui.plain),
                 hide_index=True)
    for failure in failures:
        st.error(ui.plain(failure))
    buttons = st.container(horizontal=True)
    changed = [item for _, item in stored if item.action != "unchanged"]
    if changed and buttons.button("Hoàn tác lần nạp này", key="undo_load", icon=":material/undo:",
                                  help="Rút các báo cáo vừa nạp; báo cáo mà chúng thay thế được "
                                       "dùng lại. Vẫn giữ tất cả trong lịch sử."):
        st.session_state["load_summary"] = undo_load(changed)
        st.cache_data.clear()
        st.rerun()
    if buttons.button("Đóng thông báo", key="close_summary"):
        del st.session_state["load_summary"]
        st.rerun()


def main() -> None:
    header()
    if allowed_cells() is not None:
        st.caption(f"Tài khoản {user.username} nạp báo cáo của {get_catalog().cell(user.cell_code).name}; "
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
