"""The history of submissions: list, compare, restore, withdraw, undo, originals.

Nothing here deletes anything: a submission only moves between the states
`current`, `superseded` and `withdrawn`, and every move writes a
`submission_events` row. The state changes work on the caller's connection: the use
cases (etl.usecases) run each in one transaction with its permission check and audit row.

Decisions
- `withdraw` takes a submission out of the figures and promotes nothing: the cell
  and period then have no current submission (the dashboard shows "chưa báo cáo")
  until someone restores one explicitly. Silently bringing back older figures
  would surprise the person who withdrew a report because its figures were wrong.
- `restore` makes a superseded or withdrawn submission current again; the one it
  displaces (if any) becomes superseded.
- `retract_load` undoes a load: the loaded submission is withdrawn and the one it
  replaced (if still superseded) is current again.
- `restore`/`withdraw`/`retract_load` return a `Change` holding every state they changed;
  `undo(change)` puts those states back, after checking nothing else moved
  them in between (else `HistoryConflict`): an undo never leaves two current
  submissions for one cell and period.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from etl import archive
from etl.fields import VALUE_FIELDS
from etl.periods import from_key, period_label
from etl.store import DatabaseMissing, Store
from etl.vocab import SubmissionEvent as Event
from etl.vocab import SubmissionState

CURRENT, SUPERSEDED, WITHDRAWN = (SubmissionState.CURRENT, SubmissionState.SUPERSEDED,
                                  SubmissionState.WITHDRAWN)


class HistoryError(ValueError):
    """An operation that does not apply (unknown submission, wrong state); message in Vietnamese."""


class HistoryConflict(HistoryError):
    """The states changed since the operation to undo: undoing it would corrupt the history."""


class ArchiveError(RuntimeError):
    """The archived original is missing or no longer matches its sha256."""


@dataclass(frozen=True)
class Change:
    """What one state change did: enough to reverse it exactly."""
    action: str                                  # restore | withdraw | retract | undo
    submission_id: int
    moves: tuple[tuple[int, str, str], ...]      # (submission_id, state before, state after)
    at: datetime

    @property
    def displaced_id(self) -> int | None:
        """The submission a restore pushed out of `current`, if any."""
        return next((sid for sid, before, after in self.moves
                     if sid != self.submission_id and before == CURRENT), None)


# -- reading ----------------------------------------------------------------------

_SUBMISSION_COLUMNS = ("submission_id", "cell_code", "cell_short_name", "cell_name", "period",
                       "period_start", "file_name", "sheet", "report_date", "prepared_by",
                       "loaded_at", "loaded_by", "row_count", "state", "replaces_id", "sha256",
                       "is_sample", "plan_code")
_SUBMISSION_SELECT = ", ".join(
    {"cell_short_name": "c.short_name AS cell_short_name", "cell_name": "c.cell_name"}
    .get(name, f"s.{name}") for name in _SUBMISSION_COLUMNS)


def list_submissions(store: Store, cell: str | None = None,
                     period: str | None = None, states: list[str] | None = None
                     ) -> pd.DataFrame:
    """Every submission, newest load first, with the labels the history page shows."""
    sql = (f"SELECT {_SUBMISSION_SELECT} FROM submissions s "
           "LEFT JOIN cells c ON c.plan_code = s.plan_code AND c.cell_code = s.cell_code "
           "WHERE (? IS NULL OR s.cell_code = ?) AND (? IS NULL OR s.period = ?) "
           "ORDER BY s.loaded_at DESC, s.submission_id DESC")
    try:
        with store.read() as con:
            df = con.execute(sql, [cell, cell, period, period]).df()
    except DatabaseMissing:
        df = pd.DataFrame(columns=list(_SUBMISSION_COLUMNS))
    if states:
        df = df[df["state"].isin(states)]
    df["period_label"] = [period_label(p) for p in df["period"]]
    df["state_label"] = df["state"].map(SubmissionState.labels())
    return df.reset_index(drop=True)


def submission(store: Store, submission_id: int) -> dict:
    """One submission as a dict; HistoryError if there is none with that id."""
    with store.read() as con:
        return fetch(con, submission_id)


def events(store: Store, submission_id: int | None = None) -> pd.DataFrame:
    """The audit trail of state changes, newest first."""
    sql = ("SELECT event_id, submission_id, action, acted_at, acted_by, note "
           "FROM submission_events WHERE (? IS NULL OR submission_id = ?) "
           "ORDER BY acted_at DESC, event_id DESC")
    with store.read() as con:
        df = con.execute(sql, [submission_id, submission_id]).df()
    df["action_label"] = df["action"].map(Event.labels()).fillna(df["action"])
    return df


def diff(store: Store, new_id: int, old_id: int) -> pd.DataFrame:
    """Task by task, every field that differs between two submissions.

    Columns: task_code, task_title, field, field_label, before (old_id), after (new_id).
    A task only one of them reports shows its fields against None.
    """
    with store.read() as con:
        for sid in (new_id, old_id):
            fetch(con, sid)  # an unknown id is an error, not an empty diff
        new, old = _rows(con, new_id), _rows(con, old_id)
        titles = dict(con.execute("SELECT DISTINCT task_code, task_title FROM tasks").fetchall())
        order = {code: i for i, (code,) in enumerate(con.execute(
            "SELECT task_code FROM tasks ORDER BY sort_order").fetchall())}
    records = []
    for task in sorted(set(new) | set(old), key=lambda t: (order.get(t, len(order)), t)):
        before, after = old.get(task, {}), new.get(task, {})
        for field in VALUE_FIELDS:
            b, a = _clean(before.get(field.key)), _clean(after.get(field.key))
            if b != a:
                records.append({"task_code": task, "task_title": titles.get(task, ""),
                                "field": field.key, "field_label": field.header,
                                "before": b, "after": a})
    # object dtype: a missing value stays None instead of turning a column into NaN floats
    return pd.DataFrame(records, columns=["task_code", "task_title", "field", "field_label",
                                          "before", "after"], dtype=object)


def original_bytes(store: Store, submission_id: int) -> tuple[str, bytes]:
    """(file name, bytes) of the file exactly as uploaded, checked against its sha256."""
    sub = submission(store, submission_id)
    archived = store.archive_dir / sub["archive_path"]
    try:
        data = archive.read_original(store.archive_dir, sub["archive_path"])
    except FileNotFoundError as exc:
        raise ArchiveError(f"Không tìm thấy tệp gốc của báo cáo #{submission_id} "
                           f"trong kho lưu trữ ({archived}).") from exc
    if hashlib.sha256(data).hexdigest() != sub["sha256"]:
        raise ArchiveError(f"Tệp gốc của báo cáo #{submission_id} trong kho lưu trữ đã bị "
                           "thay đổi (mã sha256 không khớp): không thể tải về bản đúng.")
    return sub["file_name"], data


@dataclass(frozen=True)
class DroppedTasks:
    """Tasks the current submission of a cell and period reports and a new file lacks:
    loading the file makes them "chưa báo cáo" (a truncated re-submission looks so)."""
    file_name: str
    sheet: str
    cell_code: str
    period: str
    current_id: int
    task_codes: tuple[str, ...]

    @property
    def message(self) -> str:
        return (f"Báo cáo hiện hành #{self.current_id} của {self.cell_code}, "
                f"{period_label(self.period)} có {len(self.task_codes)} nhiệm vụ mà tệp này "
                f"không có ({', '.join(self.task_codes)}): khi tệp này thay thế báo cáo đó, "
                "các nhiệm vụ này thành chưa báo cáo.")


def dropped_tasks(store: Store, reports: list) -> list[list[DroppedTasks]]:
    """For each checked file (etl.validate.FileReport), in order: per sheet, the tasks
    the current submission of its cell and period reports and the sheet does not.
    One query for all of them."""
    sheets = [(i, r.file_name, s) for i, r in enumerate(reports)
              for s in r.sheets if s.cell_code and s.period]
    found: list[list[DroppedTasks]] = [[] for _ in reports]
    if not sheets:
        return found
    sql = ("SELECT s.cell_code, s.period, s.submission_id, list(r.task_code ORDER BY r.excel_row) "
           "FROM submissions s JOIN progress_rows r USING (submission_id) "
           "WHERE s.plan_code = ? AND s.state = 'current' "
           "AND list_contains(?, s.cell_code) AND list_contains(?, s.period) "
           "GROUP BY ALL")
    try:
        with store.read() as con:
            current = {(c, p): (sid, tasks) for c, p, sid, tasks in con.execute(
                sql, [store.catalog.plan.code, sorted({s.cell_code for _, _, s in sheets}),
                      sorted({s.period for _, _, s in sheets})]).fetchall()}
    except DatabaseMissing:
        return found
    for i, file_name, sheet in sheets:
        sid, tasks = current.get((sheet.cell_code, sheet.period), (None, []))
        reported = {row.task_code for row in sheet.rows}
        missing = tuple(t for t in tasks if t not in reported)
        if missing:
            found[i].append(DroppedTasks(file_name, sheet.sheet, sheet.cell_code, sheet.period,
                                         sid, missing))
    return found


def recent_periods(today: date, years: int = 2) -> list[str]:
    """Period keys a person may pick (this year's and earlier ones that have begun),
    newest first within each grain: months, quarters, halves, years."""
    keys = []
    for year in range(today.year, today.year - years, -1):
        keys += [f"{year}-{m:02d}" for m in range(12, 0, -1)]
        keys += [f"{year}-Q{q}" for q in range(4, 0, -1)] + [f"{year}-H2", f"{year}-H1", f"{year}"]
    return [k for k in keys if from_key(k).start <= today]


def missing_reports(store: Store, period_key: str) -> pd.DataFrame:
    """The cells with no current submission for exactly this period, catalog order.

    A quarterly report does not count for the quarter's months, nor the other way
    round: a cell owes a report for each period it is asked for.
    """
    catalog = store.catalog
    sql = ("SELECT c.cell_code, c.cell_name, c.short_name, c.supervisor FROM cells c "
           "WHERE c.plan_code = ? AND NOT EXISTS (SELECT 1 FROM submissions s "
           "WHERE s.plan_code = c.plan_code AND s.cell_code = c.cell_code "
           "AND s.period = ? AND s.state = 'current') ORDER BY c.sort_order")
    try:
        with store.read() as con:
            return con.execute(sql, [catalog.plan.code, period_key]).df()
    except DatabaseMissing:  # nothing loaded yet: every cell owes its report
        return pd.DataFrame([{"cell_code": c.code, "cell_name": c.name,
                              "short_name": c.short_name, "supervisor": c.supervisor}
                             for c in catalog.cells],
                            columns=["cell_code", "cell_name", "short_name", "supervisor"])


# -- changing states -----------------------------------------------------------------

def restore(con, submission_id: int, by: str) -> Change:
    """Make a superseded or withdrawn submission current; the current one becomes superseded."""
    sub = fetch(con, submission_id)
    if sub["state"] == CURRENT:
        raise HistoryError(f"Báo cáo #{submission_id} đang là báo cáo hiện hành.")
    displaced = [sid for sid in _current_ids(con, sub) if sid != submission_id]
    at = datetime.now()
    moves = [(sid, CURRENT, SUPERSEDED) for sid in displaced]
    moves.append((submission_id, sub["state"], CURRENT))
    action = Event.REINSTATED if sub["state"] == WITHDRAWN else Event.RESTORED
    note = (f"Thay cho báo cáo #{', #'.join(map(str, displaced))}" if displaced
            else "Kỳ này chưa có báo cáo hiện hành")
    _apply(con, moves, at, by, {submission_id: (action, note)},
           default=(Event.SUPERSEDED, f"Bị thay bằng báo cáo #{submission_id} (khôi phục)"))
    return Change("restore", submission_id, tuple(moves), at)


def withdraw(con, submission_id: int, by: str) -> Change:
    """Take a submission out of the figures; nothing is promoted in its place."""
    sub = fetch(con, submission_id)
    if sub["state"] == WITHDRAWN:
        raise HistoryError(f"Báo cáo #{submission_id} đã được rút trước đó.")
    at = datetime.now()
    moves = [(submission_id, sub["state"], WITHDRAWN)]
    note = ("Kỳ này không còn báo cáo hiện hành" if sub["state"] == CURRENT
            else "Báo cáo không còn được dùng để khôi phục")
    _apply(con, moves, at, by, {submission_id: (Event.WITHDRAWN, note)})
    return Change("withdraw", submission_id, tuple(moves), at)


def retract_load(con, submission_id: int, by: str) -> Change:
    """Undo a load: withdraw the loaded submission and make the one it replaced current again."""
    sub = fetch(con, submission_id)
    if sub["state"] != CURRENT:
        raise HistoryError(f"Báo cáo #{submission_id} không còn là báo cáo hiện hành: hãy "
                           "khôi phục báo cáo cần dùng ở trang Lịch sử báo cáo.")
    at = datetime.now()
    moves = [(submission_id, CURRENT, WITHDRAWN)]
    notes = {submission_id: (Event.WITHDRAWN, "Hoàn tác lần nạp")}
    replaced = sub["replaces_id"]
    if replaced is not None and fetch(con, replaced)["state"] == SUPERSEDED:
        moves.append((replaced, SUPERSEDED, CURRENT))
        notes[replaced] = (Event.RESTORED, f"Dùng lại khi hoàn tác lần nạp báo cáo #{submission_id}")
    _apply(con, moves, at, by, notes)
    return Change("retract", submission_id, tuple(moves), at)


def undo(con, change: Change, by: str) -> Change:
    """Reverse a change exactly; HistoryConflict if anything moved those states since.

    Returns the reversing Change (so an undo can itself be undone).
    """
    reverse = tuple((sid, after, before) for sid, before, after in change.moves)
    for sid, expected, _ in reverse:
        if fetch(con, sid)["state"] != expected:
            raise HistoryConflict(
                f"Không thể hoàn tác: báo cáo #{sid} đã thay đổi trạng thái sau thao tác "
                "này. Hãy xem lịch sử và khôi phục báo cáo cần dùng.")
    _check_one_current_after(con, reverse)
    at = datetime.now()
    verb = {"restore": "khôi phục", "withdraw": "rút", "retract": "nạp"}.get(change.action, "hoàn tác")
    note_of = {sid: (Event.UNDONE, f"Hoàn tác thao tác {verb} báo cáo #{change.submission_id}: "
                                   f"{SubmissionState(frm).label} → {SubmissionState(to).label}")
               for sid, frm, to in reverse}
    _apply(con, list(reverse), at, by, note_of)
    return Change("undo", change.submission_id, reverse, at)


# -- helpers -----------------------------------------------------------------------

def fetch(con, submission_id: int) -> dict:
    cur = con.execute("SELECT * FROM submissions WHERE submission_id = ?", [int(submission_id)])
    row = cur.fetchone()
    if row is None:
        raise HistoryError(f"Không có báo cáo #{submission_id}.")
    return dict(zip([d[0] for d in cur.description], row))


def _current_ids(con, sub: dict) -> list[int]:
    return [r[0] for r in con.execute(
        "SELECT submission_id FROM submissions WHERE plan_code = ? AND cell_code = ? "
        "AND period = ? AND state = 'current'",
        [sub["plan_code"], sub["cell_code"], sub["period"]]).fetchall()]


def _check_one_current_after(con, moves) -> None:
    """Refuse moves that would leave a cell and period with two current submissions."""
    moved = {sid for sid, _, _ in moves}
    for sid, _, to in moves:
        if to != CURRENT:
            continue
        others = [o for o in _current_ids(con, fetch(con, sid)) if o not in moved]
        if others:
            raise HistoryConflict(
                f"Không thể hoàn tác: kỳ báo cáo này đã có báo cáo hiện hành mới hơn "
                f"(#{others[0]}). Hãy khôi phục báo cáo cần dùng từ lịch sử.")


def _apply(con, moves, at: datetime, by: str, notes: dict, default=("", "")) -> None:
    """Move each submission to its new state and write its event row."""
    for sid, _, to in moves:
        con.execute("UPDATE submissions SET state = ? WHERE submission_id = ?", [to, sid])
        action, note = notes.get(sid, default)
        con.execute("INSERT INTO submission_events (submission_id, action, acted_at, acted_by, note) "
                    "VALUES (?, ?, ?, ?, ?)", [sid, action, at, by or "?", note])


def _rows(con, submission_id: int) -> dict[str, dict]:
    cur = con.execute("SELECT * FROM progress_rows WHERE submission_id = ?", [submission_id])
    names = [d[0] for d in cur.description]
    return {r["task_code"]: r for r in (dict(zip(names, row)) for row in cur.fetchall())}


def _clean(value: object) -> object:
    """None for SQL NULL/NaN and blank text, so `None` and `""` do not show as a change."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value
