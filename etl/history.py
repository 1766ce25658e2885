"""The history of submissions: list, compare, restore, withdraw, undo, originals.

Nothing here deletes anything: a submission only moves between the states
`current`, `superseded` and `withdrawn`, and every move writes a
`submission_events` row. Each operation is one transaction on a short-lived
write connection.

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
from pathlib import Path

import pandas as pd

from etl import db as dbmod
from etl import template as tpl
from etl.catalog import get_catalog
from etl.periods import from_key, period_label

CURRENT, SUPERSEDED, WITHDRAWN = "current", "superseded", "withdrawn"
STATE_LABELS = {CURRENT: "Hiện hành", SUPERSEDED: "Đã bị thay thế", WITHDRAWN: "Đã rút"}
ACTION_LABELS = {"loaded": "Nạp", "superseded": "Bị thay thế", "restored": "Khôi phục",
                 "withdrawn": "Rút khỏi số liệu", "reinstated": "Khôi phục sau khi rút",
                 "undone": "Hoàn tác"}
# The fields of a task row a re-submission can change, labelled by the template's headers.
DIFF_FIELDS = {"status": tpl.COL_STATUS, "completion_pct": tpl.COL_PCT,
               "activities": tpl.COL_ACTIVITIES, "participants": tpl.COL_PARTICIPANTS,
               "posts": tpl.COL_POSTS, "result": tpl.COL_RESULT,
               "obstacles": tpl.COL_OBSTACLES, "proposals": tpl.COL_PROPOSALS,
               "evidence": tpl.COL_EVIDENCE}


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


def list_submissions(db_path: Path | str | None = None, cell: str | None = None,
                     period: str | None = None, states: list[str] | None = None
                     ) -> pd.DataFrame:
    """Every submission, newest load first, with the labels the history page shows."""
    sql = (f"SELECT {_SUBMISSION_SELECT} FROM submissions s "
           "LEFT JOIN cells c ON c.plan_code = s.plan_code AND c.cell_code = s.cell_code "
           "WHERE (? IS NULL OR s.cell_code = ?) AND (? IS NULL OR s.period = ?) "
           "ORDER BY s.loaded_at DESC, s.submission_id DESC")
    try:
        with dbmod.read_connection(db_path) as con:
            df = con.execute(sql, [cell, cell, period, period]).df()
    except dbmod.DatabaseMissing:
        df = pd.DataFrame(columns=list(_SUBMISSION_COLUMNS))
    if states:
        df = df[df["state"].isin(states)]
    df["period_label"] = [period_label(p) for p in df["period"]]
    df["state_label"] = df["state"].map(STATE_LABELS)
    return df.reset_index(drop=True)


def submission(db_path: Path | str | None, submission_id: int) -> dict:
    """One submission as a dict; HistoryError if there is none with that id."""
    with dbmod.read_connection(db_path) as con:
        return _fetch(con, submission_id)


def events(db_path: Path | str | None = None, submission_id: int | None = None) -> pd.DataFrame:
    """The audit trail of state changes, newest first."""
    sql = ("SELECT event_id, submission_id, action, acted_at, acted_by, note "
           "FROM submission_events WHERE (? IS NULL OR submission_id = ?) "
           "ORDER BY acted_at DESC, event_id DESC")
    with dbmod.read_connection(db_path) as con:
        df = con.execute(sql, [submission_id, submission_id]).df()
    df["action_label"] = df["action"].map(ACTION_LABELS).fillna(df["action"])
    return df


def diff(db_path: Path | str | None, new_id: int, old_id: int) -> pd.DataFrame:
    """Task by task, every field that differs between two submissions.

    Columns: task_code, task_title, field, field_label, before (old_id), after (new_id).
    A task only one of them reports shows its fields against None.
    """
    with dbmod.read_connection(db_path) as con:
        for sid in (new_id, old_id):
            _fetch(con, sid)  # an unknown id is an error, not an empty diff
        new, old = _rows(con, new_id), _rows(con, old_id)
        titles = dict(con.execute("SELECT DISTINCT task_code, task_title FROM tasks").fetchall())
        order = {code: i for i, (code,) in enumerate(con.execute(
            "SELECT task_code FROM tasks ORDER BY sort_order").fetchall())}
    records = []
    for task in sorted(set(new) | set(old), key=lambda t: (order.get(t, len(order)), t)):
        before, after = old.get(task, {}), new.get(task, {})
        for field, label in DIFF_FIELDS.items():
            b, a = _clean(before.get(field)), _clean(after.get(field))
            if b != a:
                records.append({"task_code": task, "task_title": titles.get(task, ""),
                                "field": field, "field_label": label, "before": b, "after": a})
    # object dtype: a missing value stays None instead of turning a column into NaN floats
    return pd.DataFrame(records, columns=["task_code", "task_title", "field", "field_label",
                                          "before", "after"], dtype=object)


def original_bytes(db_path: Path | str | None, submission_id: int) -> tuple[str, bytes]:
    """(file name, bytes) of the file exactly as uploaded, checked against its sha256."""
    path = dbmod.resolve_db_path(db_path)
    sub = submission(path, submission_id)
    archived = dbmod.archive_dir(path) / sub["archive_path"]
    try:
        data = archived.read_bytes()
    except FileNotFoundError as exc:
        raise ArchiveError(f"Không tìm thấy tệp gốc của báo cáo #{submission_id} "
                           f"trong kho lưu trữ ({archived}).") from exc
    if hashlib.sha256(data).hexdigest() != sub["sha256"]:
        raise ArchiveError(f"Tệp gốc của báo cáo #{submission_id} trong kho lưu trữ đã bị "
                           "thay đổi (mã sha256 không khớp): không thể tải về bản đúng.")
    return sub["file_name"], data


def recent_periods(today: date, years: int = 2) -> list[str]:
    """Period keys a person may pick (this year's and earlier ones that have begun),
    newest first within each grain: months, quarters, halves, years."""
    keys = []
    for year in range(today.year, today.year - years, -1):
        keys += [f"{year}-{m:02d}" for m in range(12, 0, -1)]
        keys += [f"{year}-Q{q}" for q in range(4, 0, -1)] + [f"{year}-H2", f"{year}-H1", f"{year}"]
    return [k for k in keys if from_key(k).start <= today]


def missing_reports(db_path: Path | str | None, period_key: str) -> pd.DataFrame:
    """The cells with no current submission for exactly this period, catalog order.

    A quarterly report does not count for the quarter's months, nor the other way
    round: a cell owes a report for each period it is asked for.
    """
    plan = get_catalog().plan.code
    sql = ("SELECT c.cell_code, c.cell_name, c.short_name, c.supervisor FROM cells c "
           "WHERE c.plan_code = ? AND NOT EXISTS (SELECT 1 FROM submissions s "
           "WHERE s.plan_code = c.plan_code AND s.cell_code = c.cell_code "
           "AND s.period = ? AND s.state = 'current') ORDER BY c.sort_order")
    try:
        with dbmod.read_connection(db_path) as con:
            return con.execute(sql, [plan, period_key]).df()
    except dbmod.DatabaseMissing:
        cells = get_catalog().cells  # nothing loaded yet: every cell owes its report
        return pd.DataFrame([{"cell_code": c.code, "cell_name": c.name,
                              "short_name": c.short_name, "supervisor": c.supervisor}
                             for c in cells],
                            columns=["cell_code", "cell_name", "short_name", "supervisor"])


# -- changing states -----------------------------------------------------------------

def restore(db_path: Path | str | None, submission_id: int, by: str) -> Change:
    """Make a superseded or withdrawn submission current; the current one becomes superseded."""
    with dbmod.write_connection(db_path) as con:
        with dbmod.transaction(con):
            sub = _fetch(con, submission_id)
            if sub["state"] == CURRENT:
                raise HistoryError(f"Báo cáo #{submission_id} đang là báo cáo hiện hành.")
            displaced = [sid for sid in _current_ids(con, sub) if sid != submission_id]
            at = datetime.now()
            moves = [(sid, CURRENT, SUPERSEDED) for sid in displaced]
            moves.append((submission_id, sub["state"], CURRENT))
            action = "reinstated" if sub["state"] == WITHDRAWN else "restored"
            note = (f"Thay cho báo cáo #{', #'.join(map(str, displaced))}" if displaced
                    else "Kỳ này chưa có báo cáo hiện hành")
            _apply(con, moves, at, by, {submission_id: (action, note)},
                   default=("superseded", f"Bị thay bằng báo cáo #{submission_id} (khôi phục)"))
    return Change("restore", submission_id, tuple(moves), at)


def withdraw(db_path: Path | str | None, submission_id: int, by: str) -> Change:
    """Take a submission out of the figures; nothing is promoted in its place."""
    with dbmod.write_connection(db_path) as con:
        with dbmod.transaction(con):
            sub = _fetch(con, submission_id)
            if sub["state"] == WITHDRAWN:
                raise HistoryError(f"Báo cáo #{submission_id} đã được rút trước đó.")
            at = datetime.now()
            moves = [(submission_id, sub["state"], WITHDRAWN)]
            note = ("Kỳ này không còn báo cáo hiện hành" if sub["state"] == CURRENT
                    else "Báo cáo không còn được dùng để khôi phục")
            _apply(con, moves, at, by, {submission_id: ("withdrawn", note)})
    return Change("withdraw", submission_id, tuple(moves), at)


def retract_load(db_path: Path | str | None, submission_id: int, by: str) -> Change:
    """Undo a load: withdraw the loaded submission and make the one it replaced current again."""
    with dbmod.write_connection(db_path) as con:
        with dbmod.transaction(con):
            sub = _fetch(con, submission_id)
            if sub["state"] != CURRENT:
                raise HistoryError(f"Báo cáo #{submission_id} không còn là báo cáo hiện hành: hãy "
                                   "khôi phục báo cáo cần dùng ở trang Lịch sử báo cáo.")
            at = datetime.now()
            moves = [(submission_id, CURRENT, WITHDRAWN)]
            notes = {submission_id: ("withdrawn", "Hoàn tác lần nạp")}
            replaced = sub["replaces_id"]
            if replaced is not None and _fetch(con, replaced)["state"] == SUPERSEDED:
                moves.append((replaced, SUPERSEDED, CURRENT))
                notes[replaced] = ("restored", f"Dùng lại khi hoàn tác lần nạp báo cáo #{submission_id}")
            _apply(con, moves, at, by, notes)
    return Change("retract", submission_id, tuple(moves), at)


def undo(db_path: Path | str | None, change: Change, by: str) -> Change:
    """Reverse a change exactly; HistoryConflict if anything moved those states since.

    Returns the reversing Change (so an undo can itself be undone).
    """
    reverse = tuple((sid, after, before) for sid, before, after in change.moves)
    with dbmod.write_connection(db_path) as con:
        with dbmod.transaction(con):
            for sid, expected, _ in reverse:
                if _fetch(con, sid)["state"] != expected:
                    raise HistoryConflict(
                        f"Không thể hoàn tác: báo cáo #{sid} đã thay đổi trạng thái sau thao tác "
                        "này. Hãy xem lịch sử và khôi phục báo cáo cần dùng.")
            _check_one_current_after(con, reverse)
            at = datetime.now()
            verb = {"restore": "khôi phục", "withdraw": "rút",
                    "retract": "nạp"}.get(change.action, "hoàn tác")
            note_of = {sid: ("undone", f"Hoàn tác thao tác {verb} báo cáo #{change.submission_id}: "
                                       f"{STATE_LABELS[frm]} → {STATE_LABELS[to]}")
                       for sid, frm, to in reverse}
            _apply(con, list(reverse), at, by, note_of)
    return Change("undo", change.submission_id, reverse, at)


# -- helpers -----------------------------------------------------------------------

def _fetch(con, submission_id: int) -> dict:
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
        others = [o for o in _current_ids(con, _fetch(con, sid)) if o not in moved]
        if others:
            raise HistoryConflict(
                f"Không thể hoàn tác: kỳ báo cáo này đã có báo cáo hiện hành mới hơn "
                f"(#{others[0]}). Hãy khôi phục báo cáo cần dùng từ lịch sử.")


def _apply(con, moves, at: datetime, by: str, notes: dict, default=("", "")) -> None:
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
