"""The DuckDB file: where it is, how to open it safely, its schema and migrations.

DuckDB locks the file per process: a read-write connection shuts out every other
process, and within one process read-only and read-write connections cannot
coexist. So nothing holds a connection for long: each read opens read-only,
queries, closes; each load opens read-write, writes one transaction, closes; both
retry while another process holds the lock. Within a process, one lock per file
serializes connections (Streamlit serves sessions on threads).
"""
from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator

import duckdb

from etl.catalog import Catalog, get_catalog

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
LOCK_WAIT_SECONDS = float(os.environ.get("PROGRESS_DB_LOCK_WAIT", "30"))

_process_locks: dict[str, threading.RLock] = {}
_process_locks_guard = threading.Lock()


class DatabaseBusy(RuntimeError):
    """Another process kept the database locked for longer than we waited."""


class DatabaseMissing(FileNotFoundError):
    """No database file yet: nothing has been loaded."""


def default_db_path() -> Path:
    """`PROGRESS_DB` if set, else data/progress.duckdb in the project."""
    env = os.environ.get("PROGRESS_DB")
    return Path(env) if env else PROJECT_ROOT / "data" / "progress.duckdb"


def resolve_db_path(path: Path | str | None) -> Path:
    return Path(path) if path else default_db_path()


def archive_dir(db_path: Path | str) -> Path:
    """Accepted files are kept as uploaded beside the database, by sha256."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.stem + "_archive")


def _process_lock(path: Path) -> threading.RLock:
    key = str(path.resolve())
    with _process_locks_guard:
        return _process_locks.setdefault(key, threading.RLock())


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc)
    return "lock" in text.lower() or "different configuration" in text


def _open(path: Path, read_only: bool, wait: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + wait
    delay = 0.02
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except (duckdb.IOException, duckdb.ConnectionException) as exc:
            if not _is_lock_error(exc) or time.monotonic() >= deadline:
                if _is_lock_error(exc):
                    raise DatabaseBusy(
                        f"Cơ sở dữ liệu {path} đang bận (một tiến trình khác đang ghi). "
                        "Vui lòng thử lại sau ít phút.") from exc
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


@contextmanager
def read_connection(path: Path | str | None = None, wait: float = LOCK_WAIT_SECONDS
                    ) -> Iterator[duckdb.DuckDBPyConnection]:
    path = resolve_db_path(path)
    if not path.exists():
        raise DatabaseMissing(f"Chưa có cơ sở dữ liệu tại {path}: hãy nạp báo cáo đầu tiên.")
    with _process_lock(path):
        con = _open(path, read_only=True, wait=wait)
        try:
            yield con
        finally:
            con.close()


@contextmanager
def write_connection(path: Path | str | None = None, catalog: Catalog | None = None,
                     wait: float = LOCK_WAIT_SECONDS) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection on an up-to-date schema and catalog. The caller
    opens its own transaction for its writes."""
    path = resolve_db_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _process_lock(path):
        con = _open(path, read_only=False, wait=wait)
        try:
            migrate(con)
            sync_catalog(con, catalog or get_catalog())
            yield con
        finally:
            con.close()


def ensure_database(path: Path | str | None = None, catalog: Catalog | None = None) -> Path:
    """Create or upgrade the database file and bring its catalog up to date."""
    path = resolve_db_path(path)
    with write_connection(path, catalog):
        pass
    return path


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN ... COMMIT, or ROLLBACK and re-raise: all or nothing."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


# -- schema ---------------------------------------------------------------------

def migration_files() -> list[tuple[int, Path]]:
    files = sorted(MIGRATIONS.glob("[0-9][0-9][0-9]_*.sql"))
    return [(int(f.name[:3]), f) for f in files]


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchone()[0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply the migrations the file lacks, each in its own transaction."""
    con.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                "version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP)")
    con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    current = schema_version(con)
    for version, file in migration_files():
        if version <= current:
            continue
        with transaction(con):
            con.execute(file.read_text(encoding="utf-8"))
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)",
                        [version, file.name, datetime.now()])
        current = version
    return current


def sync_catalog(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> bool:
    """Rebuild the catalog tables of this plan from the catalog file when it changed."""
    key = f"catalog_digest:{catalog.plan.code}"
    row = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    if row and row[0] == catalog.digest:
        return False
    plan_code = catalog.plan.code
    p = catalog.plan
    with transaction(con):
        for table in ("assignments", "tasks", "areas", "cells", "plans"):
            con.execute(f"DELETE FROM {table} WHERE plan_code = ?", [plan_code])
        con.execute("INSERT INTO plans VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [plan_code, p.number, p.issued_on, p.title, p.short_title,
                     p.organization, p.report_deadline_day])
        con.executemany("INSERT INTO cells VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [[plan_code, c.code, c.name, c.short_name, c.color, c.supervisor, i]
                         for i, c in enumerate(catalog.cells)])
        con.executemany("INSERT INTO areas VALUES (?, ?, ?, ?, ?)",
                        [[plan_code, a.code, a.name, a.short_name, i]
                         for i, a in enumerate(catalog.areas)])
        con.executemany("INSERT INTO tasks VALUES (?, ?, ?, ?, ?)",
                        [[plan_code, t.code, t.area, t.title, i]
                         for i, t in enumerate(catalog.tasks)])
        con.executemany("INSERT INTO assignments VALUES (?, ?, ?, ?)",
                        [[plan_code, *a] for a in catalog.assignments()])
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, catalog.digest])
    return True


def data_version(path: Path | str | None = None) -> tuple[float, int]:
    """Changes whenever a load commits: the cache key for query results."""
    path = resolve_db_path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        return (0.0, 0)
    wal = path.with_name(path.name + ".wal")
    wal_m = wal.stat().st_mtime_ns if wal.exists() else 0
    return (st.st_mtime_ns, st.st_size + wal_m)
