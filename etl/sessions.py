"""Signed-in sessions and sign-in throttling. No Streamlit and no HTTP here.

A session is a random token (256 bits) that the browser keeps in an HttpOnly cookie.
The database keeps only the token's sha256, with the account, when it started and was
last used, and the client's address and browser: a copy of the database (a backup)
signs nobody in. A session ends when its user signs out, after `idle_minutes` without
use, `session_hours` after it started, or when the password changes or the account is
locked (etl.usecases). The functions that change sessions work on the caller's
connection, inside the use case's transaction.

Failed sign-ins are counted in memory, per account and client address together
(SignInThrottle): nobody can lock an account for everyone else, an unknown name is
throttled like a known one, and a throttled try costs neither a password hash nor the
database's write lock.
"""
from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb
import pandas as pd

from etl.settings import Settings
from etl.store import Store
from etl.vocab import SessionEnd

TOKEN_BYTES = 32
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")    # token_urlsafe(32)
TOUCH_EVERY = timedelta(seconds=60)   # last_seen_at is written at most this often
USER_AGENT_CHARS = 300


@dataclass(frozen=True)
class Client:
    """Who is on the other end of a request, as recorded with the session."""
    address: str | None = None
    user_agent: str | None = None

    def describe(self) -> str:
        return f"từ {self.address or 'máy chủ'}"


@dataclass(frozen=True)
class Policy:
    """How long a session lives: `idle` without use, `lifetime` in all."""
    idle: timedelta
    lifetime: timedelta

    @classmethod
    def of(cls, settings: Settings) -> "Policy":
        return cls(timedelta(minutes=settings.idle_minutes), timedelta(hours=settings.session_hours))

    def expiry(self, session: "Session", now: datetime) -> SessionEnd | None:
        """Why the session is over at `now`, or None while it lasts."""
        if now - session.created_at >= self.lifetime:
            return SessionEnd.LIFETIME
        if now - session.last_seen_at >= self.idle:
            return SessionEnd.IDLE
        return None

    def needs_touch(self, session: "Session", now: datetime) -> bool:
        """Record the use? Often enough for the idle limit, rarely enough to spare the
        database a write on every click."""
        return now - session.last_seen_at >= min(TOUCH_EVERY, self.idle / 4)


@dataclass(frozen=True)
class Session:
    session_id: int
    username: str
    created_at: datetime
    last_seen_at: datetime


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def well_formed(token: str | None) -> bool:
    """A token this module could have made: anything else is refused without a lookup."""
    return bool(token) and _TOKEN_SHAPE.fullmatch(token) is not None


# -- on the caller's connection -----------------------------------------------------------

def insert(con: duckdb.DuckDBPyConnection, username: str, token: str, client: Client,
           now: datetime) -> int:
    return con.execute(
        "INSERT INTO sessions (token_hash, username, created_at, last_seen_at, client_address, "
        "user_agent) VALUES (?, ?, ?, ?, ?, ?) RETURNING session_id",
        [token_hash(token), username, now, now, client.address,
         (client.user_agent or "")[:USER_AGENT_CHARS] or None]).fetchone()[0]


def find(con: duckdb.DuckDBPyConnection, token: str) -> Session | None:
    """The session of `token` that has not ended (it may have expired: Policy.expiry)."""
    if not well_formed(token):
        return None
    row = con.execute("SELECT session_id, username, created_at, last_seen_at FROM sessions "
                      "WHERE token_hash = ? AND ended_at IS NULL", [token_hash(token)]).fetchone()
    return Session(*row) if row else None


def by_id(con: duckdb.DuckDBPyConnection, session_id: int) -> Session | None:
    row = con.execute("SELECT session_id, username, created_at, last_seen_at FROM sessions "
                      "WHERE session_id = ? AND ended_at IS NULL", [session_id]).fetchone()
    return Session(*row) if row else None


def touch(con: duckdb.DuckDBPyConnection, session_id: int, now: datetime) -> None:
    con.execute("UPDATE sessions SET last_seen_at = ? WHERE session_id = ? AND ended_at IS NULL",
                [now, session_id])


def end(con: duckdb.DuckDBPyConnection, session_id: int, reason: SessionEnd,
        now: datetime) -> None:
    con.execute("UPDATE sessions SET ended_at = ?, end_reason = ? "
                "WHERE session_id = ? AND ended_at IS NULL",
                [now, SessionEnd(reason).value, session_id])


def end_all(con: duckdb.DuckDBPyConnection, username: str, reason: SessionEnd,
            now: datetime) -> int:
    """End every open session of an account; how many were open."""
    ended = con.execute("UPDATE sessions SET ended_at = ?, end_reason = ? "
                        "WHERE username = ? AND ended_at IS NULL RETURNING session_id",
                        [now, SessionEnd(reason).value, username]).fetchall()
    return len(ended)


class Lookups:
    """What a token's session and account were at a database version. A page asks on
    every click; the answer only changes with a write, and every write (a sign-out, a
    lock, a touch, a load) changes Store.data_version, so a remembered answer is never
    stale. Bounded: the oldest answers go first."""

    def __init__(self, size: int = 1024):
        self._size = size
        self._lock = threading.Lock()
        self._answers: dict[tuple, tuple] = {}

    def get(self, key: tuple, version) -> tuple | None:
        with self._lock:
            hit = self._answers.get(key)
        return hit[1] if hit and hit[0] == version else None

    def put(self, key: tuple, version, answer: tuple) -> None:
        with self._lock:
            self._answers.pop(key, None)
            if len(self._answers) >= self._size:
                del self._answers[next(iter(self._answers))]
            self._answers[key] = (version, answer)


# -- reading (for the account pages) ------------------------------------------------------

def active(store: Store, policy: Policy, now: datetime) -> pd.DataFrame:
    """Sessions in use now, newest use first: session_id, username, full_name,
    created_at, last_seen_at, client_address, user_agent."""
    with store.read() as con:
        return con.execute(
            "SELECT s.session_id, s.username, u.full_name, s.created_at, s.last_seen_at, "
            "s.client_address, s.user_agent FROM sessions s JOIN users u USING (username) "
            "WHERE s.ended_at IS NULL AND s.last_seen_at > ? AND s.created_at > ? "
            "ORDER BY s.last_seen_at DESC",
            [now - policy.idle, now - policy.lifetime]).df()


def recent(store: Store, username: str, policy: Policy, now: datetime,
           limit: int = 10) -> pd.DataFrame:
    """An account's latest sign-ins, newest first: created_at, last_seen_at,
    client_address, user_agent, and `state`: the SessionEnd code, or None while open."""
    with store.read() as con:
        rows = con.execute(
            "SELECT session_id, username, created_at, last_seen_at, client_address, user_agent, "
            "end_reason FROM sessions WHERE username = ? ORDER BY created_at DESC LIMIT ?",
            [username, limit]).df()
    rows["state"] = [
        reason if isinstance(reason, str)
        else policy.expiry(Session(sid, user, created, seen), now)
        for sid, user, created, seen, reason in zip(
            rows["session_id"], rows["username"], rows["created_at"], rows["last_seen_at"],
            rows["end_reason"])]
    return rows.drop(columns=["end_reason"])


# -- throttling ---------------------------------------------------------------------------

FREE_FAILURES = 3          # per account and address before the first wait
ADDRESS_FREE_FAILURES = 20  # per address, whatever the names tried
MAX_WAIT_SECONDS = 300
FORGET_AFTER_SECONDS = 3600
MAX_ENTRIES = 50_000       # a flood of made-up names cannot grow the table without bound


@dataclass
class _Count:
    failures: int = 0
    last: float = 0.0


class SignInThrottle:
    """Failed sign-ins per (account, client address) and per address, in memory.

    After FREE_FAILURES failures of one account from one address, each further try from
    there waits 2, 4, 8 ... up to 300 seconds; the same account from another address is
    not held up. An address that fails on many names (guessing accounts) waits as a
    whole after ADDRESS_FREE_FAILURES. A count is forgotten an hour after its last failure.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._pairs: dict[tuple[str, str], _Count] = {}
        self._addresses: dict[str, _Count] = {}

    def wait_seconds(self, username: str, address: str | None) -> float:
        """How long this account must wait before trying again from this address; 0: go."""
        now = self._clock()
        with self._lock:
            pair = self._pairs.get((username, address or ""))
            by_address = self._addresses.get(address or "")
            return max(_wait(pair, FREE_FAILURES, now), _wait(by_address, ADDRESS_FREE_FAILURES, now))

    def failed(self, username: str, address: str | None) -> float:
        """Count a failure; the wait it imposes on the next try (0: none yet)."""
        now = self._clock()
        with self._lock:
            self._forget_old(now)
            pair = self._pairs.setdefault((username, address or ""), _Count())
            by_address = self._addresses.setdefault(address or "", _Count())
            for count in (pair, by_address):
                count.failures += 1
                count.last = now
            return max(_wait(pair, FREE_FAILURES, now), _wait(by_address, ADDRESS_FREE_FAILURES, now))

    def succeeded(self, username: str, address: str | None) -> None:
        with self._lock:
            self._pairs.pop((username, address or ""), None)

    def _forget_old(self, now: float) -> None:
        if len(self._pairs) + len(self._addresses) < MAX_ENTRIES // 2:
            return
        for table in (self._pairs, self._addresses):
            for key in [k for k, c in table.items() if now - c.last > FORGET_AFTER_SECONDS]:
                del table[key]
        if len(self._pairs) > MAX_ENTRIES:   # still full: the oldest go first
            for key in sorted(self._pairs, key=lambda k: self._pairs[k].last)[:len(self._pairs) // 2]:
                del self._pairs[key]


def _wait(count: _Count | None, free: int, now: float) -> float:
    if count is None or count.failures < free or now - count.last > FORGET_AFTER_SECONDS:
        return 0.0
    delay = min(2 ** (count.failures - free + 1), MAX_WAIT_SECONDS)
    return max(0.0, count.last + delay - now)
