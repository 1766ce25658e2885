"""Sample reports as a mode: the sample files, and taking their submissions out again.

A submission is sample data when its sheet says "DỮ LIỆU MẪU" (etl.parse sets
`is_sample`). Removing sample data is the one place rows are deleted: invented
figures are not part of anyone's history. Real submissions, accounts and the audit
trail stay; where a sample had been loaded over a real report, that real report is
current again. The archived files go only after the transaction commits, and only
those no remaining submission refers to (etl.usecases.remove_samples).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import duckdb

from etl import history
from etl.settings import PROJECT_ROOT
from etl.store import DatabaseMissing, Store

log = logging.getLogger(__name__)

SAMPLES_DIR = PROJECT_ROOT / "data" / "samples"


@dataclass(frozen=True)
class Removed:
    submission_ids: tuple[int, ...]
    rows: int                             # progress_rows deleted
    reinstated: tuple[int, ...]           # real submissions made current again
    unused_files: tuple[str, ...]         # archive paths that nothing refers to any more


def sample_files(folder: Path = SAMPLES_DIR) -> list[Path]:
    """The sample reports in load order (a re-sent `_lan-2` after its first version)."""
    return sorted(Path(folder).glob("*.xlsx"))


def real_keys(con: duckdb.DuckDBPyConnection, plan_code: str) -> set[tuple[str, str]]:
    """(cell, period) of every real submission, whatever its state: samples never go there."""
    return set(con.execute("SELECT DISTINCT cell_code, period FROM submissions "
                           "WHERE plan_code = ? AND NOT is_sample", [plan_code]).fetchall())


def loaded_files(con: duckdb.DuckDBPyConnection) -> set[str]:
    """sha256 of every file that has a submission, whatever its state."""
    return {r[0] for r in con.execute("SELECT DISTINCT sha256 FROM submissions").fetchall()}


def remove(con: duckdb.DuckDBPyConnection, by: str) -> Removed:
    """Delete every sample submission with its rows and events, on the caller's transaction."""
    ids = [r[0] for r in con.execute(
        "SELECT submission_id FROM submissions WHERE is_sample ORDER BY submission_id").fetchall()]
    if not ids:
        return Removed((), 0, (), ())
    current_samples = [history.fetch(con, sid) for (sid,) in con.execute(
        "SELECT submission_id FROM submissions WHERE is_sample AND state = 'current'").fetchall()]
    paths = [r[0] for r in con.execute(
        "SELECT DISTINCT archive_path FROM submissions WHERE is_sample").fetchall()]
    rows = con.execute("SELECT count(*) FROM progress_rows WHERE list_contains(?, submission_id)",
                       [ids]).fetchone()[0]
    con.execute("DELETE FROM progress_rows WHERE list_contains(?, submission_id)", [ids])
    con.execute("DELETE FROM submission_events WHERE list_contains(?, submission_id)", [ids])
    # A real report loaded over a sample no longer points at it (undoing that load then
    # withdraws the real report and brings back nothing).
    con.execute("UPDATE submissions SET replaces_id = NULL "
                "WHERE NOT is_sample AND list_contains(?, replaces_id)", [ids])
    con.execute("DELETE FROM submissions WHERE is_sample")
    reinstated = tuple(sid for sub in current_samples
                       if (sid := _reinstate_real(con, sub, by)) is not None)
    still_used = {r[0] for r in con.execute("SELECT DISTINCT archive_path FROM submissions").fetchall()}
    unused = tuple(p for p in paths if p not in still_used)
    log.info("removed %d sample submissions (%d rows); reinstated %s", len(ids), rows, reinstated)
    return Removed(tuple(ids), rows, reinstated, unused)


def _reinstate_real(con, sample: dict, by: str) -> int | None:
    """The latest superseded real report of a current sample's cell and period becomes
    current again (a withdrawn one stays withdrawn: someone chose that)."""
    row = con.execute(
        "SELECT submission_id FROM submissions WHERE plan_code = ? AND cell_code = ? "
        "AND period = ? AND state = 'superseded' ORDER BY loaded_at DESC, submission_id DESC "
        "LIMIT 1", [sample["plan_code"], sample["cell_code"], sample["period"]]).fetchone()
    if row is None:
        return None
    history.restore(con, row[0], by)
    return row[0]


def delete_archive_files(archive_dir: Path, relative_paths: tuple[str, ...]) -> None:
    """Remove archived originals (and their folders once empty); a failure is logged,
    never fatal: the database no longer refers to these files."""
    for rel in relative_paths:
        path = archive_dir / rel
        try:
            path.unlink(missing_ok=True)
        except OSError:
            log.exception("could not delete the archived sample %s", path)
            continue
        for folder in (path.parent, path.parent.parent):    # <sha256>/ then <sha[:2]>/
            if folder == archive_dir or not folder.is_dir() or any(folder.iterdir()):
                break
            folder.rmdir()


def count_samples(store: Store) -> int:
    """Sample submissions in the database, whatever their state (0 before any database)."""
    try:
        with store.read() as con:
            return con.execute("SELECT count(*) FROM submissions WHERE is_sample").fetchone()[0]
    except DatabaseMissing:
        return 0
