"""The DuckDB file: one `Store` per database, its connections, schema and migrations.

DuckDB locks the file per process: a read-write connection shuts out every other
process, and within one process read-only and read-write connections cannot
coexist. So nothing holds a connection for long: each read opens read-only,
queries, closes; each write opens read-write, writes one transaction, closes; both
retry while another process holds the lock. Within a process, one lock per file
serializes connections (Streamlit serves sessions on threads).

The schema is migrated and the catalog synced once per process and database (and
again when the catalog file changes), not on every connection.
"""
from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator

import duckdb
import pyarrow as pa

from etl.catalog import Catalog, get_catalog
from etl.settings import Settings

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

_process_locks: dict[str, threading.RLock] = {}
_prepared: dict[str, str] = {}          # database path -> catalog digest it was synced with
_registry_guard = threading.Lock()


class DatabaseBusy(RuntimeError):
    """Another process kept the database locked for longer than we waited."""


class DatabaseMissing(FileNotFoundError):
    """No database file yet: nothing has been loaded."""


class Store:
    """One database file and its archive of originals. Cheap to make; holds no connection."""

    def __init__(self, settings: Settings, catalog: Catalog | None = None):
        self.settings = settings
        self._catalog = catalog

    @classmethod
    def at(cls, db_path: Path | str, catalog: Catalog | None = None) -> "Store":
        """A store on `db_path` with the other settings from the environment."""
        return cls(Settings.from_env(db_path=db_path), catalog)

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    @property
    def path(self) -> Path:
        return self.settings.db_path

    @property
    def archive_dir(self) -> Path:
        return self.settings.archive_dir

    @property
    def catalog(self) -> Catalog:
        """The catalog file's current contents (re-read when it changes)."""
        return self._catalog or get_catalog(self.settings.catalog_path)

    def exists(self) -> bool:
        return self.path.exists()

    # -- connections --------------------------------------------------------------

    @contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short-lived read-only connection; DatabaseMissing before the first load."""
        if not self.path.exists():
            raise DatabaseMissing(f"Chưa có cơ sở dữ liệu tại {self.path}: hãy nạp báo cáo đầu tiên.")
        with _process_lock(self.path):
            con = _open(self.path, read_only=True, wait=self.settings.lock_wait_seconds)
            try:
                yield con
            finally:
                con.close()

    @contextmanager
    def write(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short-lived read-write connection on an up-to-date schema and catalog. The
        caller opens its own transaction (or uses `transaction()`)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _process_lock(self.path):
            con = _open(self.path, read_only=False, wait=self.settings.lock_wait_seconds)
            try:
                self._prepare(con)
                yield con
            finally:
                con.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A write connection inside BEGIN ... COMMIT: all of the block or none of it."""
        with self.write() as con, transaction(con):
            yield con

    def ensure(self) -> Path:
        """Create or upgrade the database file and bring its catalog up to date."""
        with self.write():
            pass
        return self.path

    def _prepare(self, con: duckdb.DuckDBPyConnection) -> None:
        catalog = self.catalog
        key = str(self.path.resolve())
        if _prepared.get(key) == catalog.digest and _has_schema(con):
            return
        migrate(con)
        sync_catalog(con, catalog)
        with _registry_guard:
            _prepared[key] = catalog.digest

    def data_version(self) -> tuple[int, int]:
        """Changes whenever a write commits: the cache key for query results."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return (0, 0)
        wal = self.path.with_name(self.path.name + ".wal")
        wal_m = wal.stat().st_mtime_ns if wal.exists() else 0
        return (st.st_mtime_ns, st.st_size + wal_m)


def _process_lock(path: Path) -> threading.RLock:
    key = str(path.resolve())
    with _registry_guard:
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
            if not _is_lock_error(exc):
                raise
            if time.monotonic() >= deadline:
                log.warning("database %s still locked after %.0f s", path, wait)
                raise DatabaseBusy(
                    f"Cơ sở dữ liệu {path} đang bận (một tiến trình khác đang ghi). "
                    "Vui lòng thử lại sau ít phút.") from exc
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


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


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, schema: pa.Schema,
                records: list[dict]) -> None:
    """Insert rows (dicts keyed by column name) in one statement, typed by `schema`:
    one Arrow batch instead of a statement per row (executemany is very slow here)."""
    if not records:
        return
    batch = pa.Table.from_pylist(records, schema=schema)
    names = ", ".join(schema.names)
    view = f"incoming_{table}"
    con.register(view, batch)
    try:
        con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {view}")
    finally:
        con.unregister(view)


# -- schema ---------------------------------------------------------------------

def migration_files() -> list[tuple[int, Path]]:
    files = sorted(MIGRATIONS.glob("[0-9][0-9][0-9]_*.sql"))
    return [(int(f.name[:3]), f) for f in files]


def _has_schema(con: duckdb.DuckDBPyConnection) -> bool:
    """The file still holds our schema (it was not replaced under a running process)."""
    return schema_version(con) == migration_files()[-1][0]


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
        log.info("applying migration %s", file.name)
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
    log.info("syncing catalog %s into the database", catalog.plan.code)
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
