"""The append-only audit trail: who did what, when. Rows are only ever inserted.

`append` writes on the caller's connection, inside the caller's transaction: a change
and the row that records it commit together or not at all (etl.usecases).
"""
from __future__ import annotations

from datetime import datetime

import duckdb
import pyarrow as pa

from etl.store import Store, insert_rows
from etl.vocab import AuditAction

_SCHEMA = pa.schema([
    ("acted_at", pa.timestamp("us")), ("username", pa.string()), ("action", pa.string()),
    ("target", pa.string()), ("detail", pa.string())])


def append(con: duckdb.DuckDBPyConnection, username: str, action: AuditAction,
           target: str | None = None, detail: str | None = None,
           at: datetime | None = None) -> None:
    con.execute("INSERT INTO audit_log (acted_at, username, action, target, detail) "
                "VALUES (?, ?, ?, ?, ?)",
                [at or datetime.now(), username or "?", AuditAction(action).value, target, detail])


def append_many(con: duckdb.DuckDBPyConnection, username: str, action: AuditAction,
                rows: list[tuple[str | None, str | None]], at: datetime | None = None) -> None:
    """One row per (target, detail), in one statement: a load of hundreds of files."""
    at = at or datetime.now()
    insert_rows(con, "audit_log", _SCHEMA,
                [{"acted_at": at, "username": username or "?", "action": AuditAction(action).value,
                  "target": target, "detail": detail} for target, detail in rows])


def read(store: Store, username: str | None = None, action: str | None = None,
         since: datetime | None = None, limit: int = 1000):
    """The newest rows first, filtered by account, action and time."""
    clauses, params = [], []
    for column, value in (("username", username), ("action", action)):
        if value:
            clauses.append(f"{column} = ?")
            params.append(value)
    if since:
        clauses.append("acted_at >= ?")
        params.append(since)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    with store.read() as con:
        return con.execute(f"SELECT acted_at, username, action, target, detail FROM audit_log {where} "
                           "ORDER BY acted_at DESC, audit_id DESC LIMIT ?", [*params, limit]).df()
