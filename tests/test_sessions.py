"""Signed-in sessions through the use cases (etl/usecases.py over etl/sessions.py) on a
real DuckDB file: what a token is worth, how sessions end, what the audit trail says,
and sign-in throttling per account and client address."""
from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest

from etl import audit, sessions, usecases, users
from etl.sessions import Client
from etl.settings import Settings
from etl.store import Store
from etl.vocab import SessionEnd, UserRole

STRONG = "mat-khau-2026"
OPERATOR = users.User.system("kiem-thu")
ADMIN = users.User("qt", "Quản trị", UserRole.ADMIN)
T0 = datetime(2026, 11, 30, 8, 0, 0)
LAPTOP = Client("10.0.0.5", "Mozilla/5.0 (Windows NT 10.0) Chrome/131.0")
PHONE = Client("10.0.0.9", "Mozilla/5.0 (Linux; Android 14) Chrome/131.0 Mobile")


@pytest.fixture
def store(db_path) -> Store:
    """Idle limit 30 minutes, lifetime 12 hours (the defaults, stated)."""
    return Store(Settings(db_path=db_path, idle_minutes=30, session_hours=12))


@pytest.fixture
def leader(store) -> users.User:
    return usecases.add_user(store, OPERATOR, "lanhdao", "Lãnh đạo", UserRole.LEADERSHIP, STRONG)


def sign_in(store, username="lanhdao", password=STRONG, client=LAPTOP, at=T0):
    return usecases.sign_in(store, username, password, client, now=at,
                            throttle=sessions.SignInThrottle())


def actions(store) -> list[str]:
    return audit.read(store)["action"].tolist()


def rows_of(store, action: str) -> list[tuple]:
    """(username, target, detail) of the audit rows of one action, newest first."""
    found = audit.read(store, action=action)
    return list(zip(found["username"], found["target"], found["detail"]))


def test_the_database_keeps_a_hash_of_the_token_with_who_when_where(store, leader, db_path, query):
    signed = sign_in(store)
    assert len(signed.token) >= 43            # 256 random bits, URL-safe
    rows = query(db_path, "SELECT token_hash, username, created_at, last_seen_at, client_address, "
                          "user_agent, ended_at FROM sessions")
    assert rows == [(sessions.token_hash(signed.token), "lanhdao", T0, T0, "10.0.0.5",
                     LAPTOP.user_agent, None)]
    everything = repr(query(db_path, "SELECT * FROM sessions")) + repr(
        query(db_path, "SELECT * FROM audit_log"))
    assert signed.token not in everything
    assert usecases.resume_session(store, signed.token, T0).user == leader


@pytest.mark.parametrize("token", [None, "", "x" * 43, "nope", "a" * 42 + "!",
                                   sessions.new_token()])
def test_a_forged_token_is_worth_nothing(store, leader, token):
    sign_in(store)
    assert usecases.resume_session(store, token, T0).user is None


def test_use_keeps_a_session_alive_and_idleness_ends_it(store, leader, query, db_path):
    token = sign_in(store).token
    at = T0
    for _ in range(6):                       # used every 20 minutes for two hours
        at += timedelta(minutes=20)
        assert usecases.resume_session(store, token, at).user == leader
    late = at + timedelta(minutes=31)
    resumed = usecases.resume_session(store, token, late)
    assert resumed.user is None and resumed.ended == SessionEnd.IDLE
    assert query(db_path, "SELECT end_reason FROM sessions") == [("idle",)]
    assert rows_of(store, "session_expired") == [("lanhdao", "lanhdao", "Hết thời gian chờ, phiên #1")]
    assert usecases.resume_session(store, token, late).user is None   # and stays ended


def test_the_absolute_lifetime_ends_even_a_busy_session(store, leader):
    token = sign_in(store).token
    at = T0
    while at < T0 + timedelta(hours=11, minutes=50):
        at += timedelta(minutes=10)
        assert usecases.resume_session(store, token, at).user == leader
    resumed = usecases.resume_session(store, token, T0 + timedelta(hours=12))
    assert resumed.user is None and resumed.ended == SessionEnd.LIFETIME


def test_signing_out_ends_that_session_only(store, leader):
    laptop, phone = sign_in(store).token, sign_in(store, client=PHONE).token
    usecases.sign_out(store, laptop, T0)
    assert usecases.resume_session(store, laptop, T0).user is None
    assert usecases.resume_session(store, phone, T0).user == leader
    assert rows_of(store, "sign_out") == [("lanhdao", "lanhdao", "phiên #1")]
    usecases.sign_out(store, laptop, T0)      # twice: harmless, not audited again
    assert len(rows_of(store, "sign_out")) == 1


def test_a_password_change_ends_every_session_and_gives_this_browser_a_new_one(store, leader):
    laptop, phone = sign_in(store).token, sign_in(store, client=PHONE).token
    renewed = usecases.change_password(store, leader, STRONG, "mat-khau-moi-2027", LAPTOP, T0,
                                       throttle=sessions.SignInThrottle())
    assert usecases.resume_session(store, phone, T0).user is None
    assert usecases.resume_session(store, laptop, T0).user is None
    assert usecases.resume_session(store, renewed.token, T0).user == leader
    assert "2 phiên đã kết thúc" in audit.read(store, action="password_change")["detail"].iloc[0]
    with pytest.raises(users.AuthError, match="không đúng"):
        sign_in(store)
    assert sign_in(store, password="mat-khau-moi-2027").user == leader


def test_a_password_change_needs_the_current_password(store, leader):
    token = sign_in(store).token
    with pytest.raises(users.AuthError, match="Mật khẩu hiện tại không đúng"):
        usecases.change_password(store, leader, "doan-sai-2026", "mat-khau-moi-2027", LAPTOP, T0,
                                 throttle=sessions.SignInThrottle())
    assert usecases.resume_session(store, token, T0).user == leader
    assert sign_in(store).user == leader      # the password is unchanged


def test_another_users_token_stays_theirs_after_a_password_change(store, leader):
    office = usecases.add_user(store, OPERATOR, "vanphong", "Văn phòng", UserRole.OFFICE, STRONG)
    theirs = sign_in(store, "vanphong").token
    usecases.change_password(store, leader, STRONG, "mat-khau-moi-2027", LAPTOP, T0,
                             throttle=sessions.SignInThrottle())
    assert usecases.resume_session(store, theirs, T0).user == office


@pytest.mark.parametrize("end_them, reason", [
    (lambda store: usecases.reset_password(store, ADMIN, "lanhdao", "mat-khau-moi-2027", T0),
     "password_reset"),
    (lambda store: usecases.set_user_active(store, ADMIN, "lanhdao", False, T0), "account_locked"),
])
def test_a_reset_or_a_lock_ends_every_session_of_the_account(store, leader, query, db_path,
                                                            end_them, reason):
    tokens = [sign_in(store).token, sign_in(store, client=PHONE).token]
    end_them(store)
    assert [usecases.resume_session(store, t, T0).user for t in tokens] == [None, None]
    assert query(db_path, "SELECT DISTINCT end_reason FROM sessions") == [(reason,)]


def test_the_administrator_sees_open_sessions_and_ends_one(store, leader):
    laptop, phone = sign_in(store).token, sign_in(store, client=PHONE).token
    policy = sessions.Policy.of(store.settings)
    shown = sessions.active(store, policy, T0 + timedelta(minutes=1))
    assert sorted(shown["client_address"]) == ["10.0.0.5", "10.0.0.9"]
    phone_id = int(shown.loc[shown["client_address"] == "10.0.0.9", "session_id"].iloc[0])
    usecases.end_session(store, ADMIN, phone_id, T0)
    assert usecases.resume_session(store, phone, T0).user is None
    assert usecases.resume_session(store, laptop, T0).user == leader
    assert rows_of(store, "session_revoked") == [("qt", "lanhdao", f"phiên #{phone_id}")]
    with pytest.raises(usecases.PermissionDenied):
        usecases.end_session(store, leader, phone_id, T0)


def test_a_role_change_applies_to_an_open_session_at_once(store, leader):
    token = sign_in(store).token
    usecases.update_user(store, ADMIN, "lanhdao", "Lãnh đạo Sở", UserRole.OFFICE, None)
    now = usecases.resume_session(store, token, T0).user
    assert (now.full_name, now.role) == ("Lãnh đạo Sở", UserRole.OFFICE)


def test_last_sign_ins_list_each_with_its_state(store, leader):
    first = sign_in(store).token
    usecases.sign_out(store, first, T0 + timedelta(minutes=5))
    sign_in(store, client=PHONE, at=T0 + timedelta(hours=1))
    recent = sessions.recent(store, "lanhdao", sessions.Policy.of(store.settings),
                             T0 + timedelta(hours=1, minutes=1))
    assert list(recent["client_address"]) == ["10.0.0.9", "10.0.0.5"]
    assert [None if pd.isna(s) else s for s in recent["state"]] == [None, "sign_out"]


# -- throttling -------------------------------------------------------------------------

class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_unknown_names_are_throttled_like_known_ones_and_stop_costing_writes(store, leader, query,
                                                                           db_path):
    clock = Clock()
    throttle = sessions.SignInThrottle(clock)
    refusals = []
    for attempt in range(40):
        try:
            usecases.sign_in(store, f"doan-{attempt % 2}", "x" * 12, Client("10.0.0.66"),
                             throttle=throttle)
        except users.AuthError as exc:
            refusals.append(str(exc))
    assert refusals[:3] == [users.WRONG_CREDENTIALS] * 3
    assert sum("thử lại sau" in r for r in refusals) >= 30
    # Audited while checked; a throttled try writes nothing.
    failed = query(db_path, "SELECT count(*) FROM audit_log WHERE action = 'sign_in_failed'")[0][0]
    assert failed == len(refusals) - sum("thử lại sau" in r for r in refusals) <= 2 * sessions.FREE_FAILURES + 1


def test_an_address_guessing_many_names_is_held_up_as_a_whole(store, leader):
    clock = Clock()
    throttle = sessions.SignInThrottle(clock)
    for attempt in range(sessions.ADDRESS_FREE_FAILURES):
        with pytest.raises(users.AuthError, match="không đúng"):
            usecases.sign_in(store, f"ten-{attempt}", "x" * 12, Client("10.0.0.66"),
                             throttle=throttle)
    with pytest.raises(users.AuthError, match="thử lại sau"):
        usecases.sign_in(store, "ten-moi", "x" * 12, Client("10.0.0.66"), throttle=throttle)
    assert usecases.sign_in(store, "lanhdao", STRONG, Client("10.0.0.7"),
                            throttle=throttle).user == leader


def test_throttle_waits_grow_and_are_forgotten():
    clock = Clock()
    throttle = sessions.SignInThrottle(clock)
    waits = [throttle.failed("lanhdao", "10.0.0.66") for _ in range(6)]
    assert waits == [0, 0, 2, 4, 8, 16]
    assert throttle.wait_seconds("lanhdao", "10.0.0.66") == 16
    assert throttle.wait_seconds("lanhdao", "10.0.0.7") == 0
    clock.now += sessions.FORGET_AFTER_SECONDS + 1
    assert throttle.wait_seconds("lanhdao", "10.0.0.66") == 0
    throttle.succeeded("lanhdao", "10.0.0.66")
    assert throttle.failed("lanhdao", "10.0.0.66") == 0


def test_the_last_administrator_cannot_be_locked_or_demoted(store):
    usecases.add_user(store, OPERATOR, "quantri", "Quản trị", UserRole.ADMIN, STRONG)
    with pytest.raises(users.AuthError, match="quản trị duy nhất"):
        usecases.set_user_active(store, ADMIN, "quantri", False)
    with pytest.raises(users.AuthError, match="quản trị duy nhất"):
        usecases.update_user(store, ADMIN, "quantri", "Quản trị", UserRole.OFFICE, None)
    usecases.add_user(store, OPERATOR, "quantri2", "Quản trị 2", UserRole.ADMIN, STRONG)
    usecases.update_user(store, ADMIN, "quantri", "Quản trị", UserRole.OFFICE, None)


@pytest.mark.parametrize("role, cell, message", [
    (UserRole.LEADERSHIP, "CDS", "không gắn với chi bộ nào"),
    (UserRole.CELL, None, "cần chọn chi bộ"),
    ("khong-ro", None, "Vui lòng chọn vai trò: Lãnh đạo"),
])
def test_a_cell_only_goes_with_the_cell_role_and_errors_read_as_words(store, role, cell, message):
    with pytest.raises(users.AuthError, match=message) as refused:
        usecases.add_user(store, OPERATOR, "moi.tk", "Người mới", role, STRONG, cell_code=cell)
    assert "--" not in str(refused.value)
    usecases.add_user(store, OPERATOR, "bt.cds", "Bí thư", UserRole.CELL, STRONG, cell_code="CDS")
    with pytest.raises(users.AuthError, match=message):
        usecases.update_user(store, ADMIN, "bt.cds", "Bí thư", role, cell)


def test_a_remembered_answer_never_outlives_a_write_from_anywhere(store, leader, db_path):
    """resume_session answers a click from memory while the database is unchanged; a
    sign-out, a lock or a load in another process changes it (Store.data_version)."""
    token = sign_in(store).token
    at = T0 + timedelta(seconds=5)
    assert usecases.resume_session(store, token, at).user == leader
    assert usecases.resume_session(store, token, at).user == leader      # from memory
    with Store.at(db_path).write() as con:                                # as another process would
        con.execute("UPDATE sessions SET ended_at = ?, end_reason = 'revoked'", [at])
    assert usecases.resume_session(store, token, at).user is None
