"""Display tables: query rows in, a DataFrame with Vietnamese headers and formatted values
out. Pure (no Streamlit), so pages, the pack and tests share them. Column headings of
report fields come from the field table (etl/fields.py)."""
from __future__ import annotations

import pandas as pd

from dashboard import fmt
from etl.fields import BY_KEY, COUNT_KEYS, PERCENT, STATUS, label
from etl.vocab import NO_REPORT, NOT_ASSIGNED, Status

# Columns a task table can show, over assignment_facts rows.
TASK_COLUMNS = {
    label("task_code"): lambda r: r["task_code"],
    label("task_title"): lambda r: r["task_title"],
    "Chi bộ": lambda r: r["cell_name"],
    label("role"): lambda r: r["role"].map(lambda v: fmt.role(v, lead_mark="★ ")),
    label("status"): lambda r: r["status"].map(fmt.status),
    label("completion_pct"): lambda r: r["completion_pct"].map(fmt.pct_or_no_report),
    **{label(k): (lambda r, k=k: r[k].map(fmt.number)) for k in COUNT_KEYS},
    **{label(k): (lambda r, k=k: r[k]) for k in ("result", "obstacles", "proposals")},
}


def task_table(rows: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Task rows (assignment_facts) in the given column order (keys of TASK_COLUMNS)."""
    return pd.DataFrame({c: TASK_COLUMNS[c](rows) for c in columns})


def cell_summary_table(by_cell: pd.DataFrame) -> pd.DataFrame:
    """One row per cell (cell_summary of one period); a cell with nothing assigned in
    the scope reads "Không được giao", never "Chưa báo cáo" or 0/0."""
    idle = by_cell["not_assigned"].astype(bool)
    return pd.DataFrame({
        "Chi bộ": by_cell["cell_name"],
        "Tỷ lệ hoàn thành": [NOT_ASSIGNED if i else fmt.pct_or_no_report(v) if r else NO_REPORT
                             for v, r, i in zip(by_cell["completion"], by_cell["has_report"], idle)],
        "Nhiệm vụ đã báo cáo": [fmt.MISSING if i else f"{r}/{a}" for r, a, i in
                                zip(by_cell["tasks_reported"], by_cell["tasks_assigned"], idle)],
        Status.DONE.label: [fmt.MISSING if i else fmt.number(n)
                            for n, i in zip(by_cell["tasks_done"], idle)],
        Status.DELAYED.label: [fmt.MISSING if i else fmt.number(n)
                               for n, i in zip(by_cell["tasks_delayed"], idle)]})


def field_value(key: str, value) -> str:
    """One report field's value as a person reads it (status label, 85,5%, 1.234, text)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return fmt.MISSING
    kind = BY_KEY[key].kind
    if kind == STATUS:
        return fmt.status(value)
    if kind == PERCENT:
        return fmt.pct(value)
    if key in COUNT_KEYS:
        return fmt.number(value)
    return str(value)


def report_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """A checked report's task rows (SheetReport.to_frame) under the template's headers."""
    columns = ["excel_row", "task_code", *[f.key for f in BY_KEY.values() if f.stored]]
    shown = pd.DataFrame({c: rows[c].map(lambda v, c=c: field_value(c, v))
                          if c not in ("excel_row", "task_code") else rows[c] for c in columns})
    return shown.rename(columns={"excel_row": "Dòng",
                                 **{f.key: f.header for f in BY_KEY.values()}})


def diff_table(changes: pd.DataFrame, old_id: int, new_id: int) -> pd.DataFrame:
    """What a re-submission changed (etl.history.diff rows), task by task."""
    return pd.DataFrame({
        "Nhiệm vụ": changes["task_code"], "Thông tin": changes["field_label"],
        f"Báo cáo #{old_id}": [field_value(f, v) for f, v in zip(changes["field"], changes["before"])],
        f"Báo cáo #{new_id}": [field_value(f, v) for f, v in zip(changes["field"], changes["after"])],
        "Nội dung nhiệm vụ": changes["task_title"]})
