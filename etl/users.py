"""Users, roles and the audit trail, kept in the database. No Streamlit here.

Passwords are hashed with argon2id and never stored or logged in clear. Repeated
failed sign-ins lock the account for a growing delay. The audit log is append-only.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from etl import db as dbmod

ROLE_LEADERSHIP, ROLE_OFFICE, ROLE_CELL, ROLE_ADMIN = "lanh_dao", "van_phong", "chi_bo", "quan_tri"
ROLE_LABELS = {ROLE_LEADERSHIP: "Lãnh đạo", ROLE_OFFICE: "Văn phòng",
               ROLE_CELL: "Chi bộ", ROLE_ADMIN: "Quản trị"}

# What each role may do; pages and library functions both ask `can`.
PERMISSIONS = {
    "view": {ROLE_LEADERSHIP, ROLE_OFFICE, ROLE_CELL, ROLE_ADMIN},
    "export": {ROLE_LEADERSHIP, ROLE_OFFICE},
    "upload_any_cell": {ROLE_OFFICE},
    "upload_own_cell": {ROLE_OFFICE, ROLE_CELL},
    "restore_withdraw": {ROLE_OFFICE},
    "view_audit": {ROLE_OFFICE, ROLE_ADMIN},
    "manage_users": {ROLE_ADMIN},
}

MIN_PASSWORD_LENGTH = 10
LOCK_AFTER_FAILURES = 3
_hasher = PasswordHasher()


class AuthError(ValueError):
    """A refusal to show the user, in Vietnamese."""


class PermissionDenied(AuthError):
    pass


@dataclass(frozen=True)
class User:
    username: str
    full_name: str
    role: str
    cell_code: str | None = None

    def can(self, permission: str) -> bool:
        return self.role in PERMISSIONS[permission]

    def may_upload_for(self, cell_code: str) -> bool:
        if self.can("upload_any_cell"):
            return True
        return self.can("upload_own_cell") and cell_code == self.cell_code

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


SYSTEM_USER = User("he-thong", "Hệ thống", ROLE_OFFICE)


def require(user: User, permission: str) -> None:
    if not user.can(permission):
        raise PermissionDenied(f"Tài khoản {user.username} ({user.role_label}) không có quyền này.")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"Mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự.")
    if password.isdigit() or password.isalpha():
        raise AuthError("Mật khẩu cần có cả chữ và số (hoặc ký tự khác).")


def count_users(db_path: Path | str | None = None) -> int:
    """Accounts in the database; 0 before the database (or its users table) exists. A
    read: the sign-in page asks on every rerun and must not lock out a CLI load."""
    try:
        with dbmod.read_connection(db_path) as con:
            return con.execute("SELECT count(*) FROM users").fetchone()[0]
    except (dbmod.DatabaseMissing, duckdb.CatalogException):
        return 0


def add_user(db_path, username: str, full_name: str, role: str, password: str | None,
             cell_code: str | None = None, email: str | None = None, by: str = "he-thong",
             first_admin: bool = False) -> User:
    """Create a user. With `first_admin`, succeeds only while there is no user at all,
    in the same transaction that checks it (two first-run forms cannot both win)."""
    username = username.strip().lower()
    if not re.fullmatch(r"[a-z0-9._-]{3,40}", username):
        raise AuthError("Tên đăng nhập gồm 3-40 ký tự: chữ không dấu, số, dấu chấm, gạch.")
    if role not in ROLE_LABELS:
        raise AuthError(f"Vai trò không hợp lệ: {role} (một trong {', '.join(ROLE_LABELS)}).")
    if role == ROLE_CELL and not cell_code:
        raise AuthError("Tài khoản chi bộ cần mã chi bộ (--cell).")
    if password is not None:
        check_password_strength(password)
    hashed = hash_password(password) if password is not None else None
    with dbmod.write_connection(db_path) as con:
        if cell_code and not con.execute("SELECT 1 FROM cells WHERE cell_code = ?", [cell_code]).fetchone():
            raise AuthError(f"Không có chi bộ {cell_code}.")
        with dbmod.transaction(con):
            if first_admin and con.execute("SELECT count(*) FROM users").fetchone()[0]:
                raise AuthError("Đã có tài khoản quản trị; hãy đăng nhập.")
            if con.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchone():
                raise AuthError(f"Tên đăng nhập {username} đã có.")
            con.execute("INSERT INTO users (username, full_name, role, cell_code, password_hash, email, "
                        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [username, full_name.strip(), role, cell_code if role == ROLE_CELL else None,
                         hashed, email, datetime.now()])
            _audit(con, by, "user_add", username, f"vai trò {ROLE_LABELS[role]}"
                   + (f", chi bộ {cell_code}" if role == ROLE_CELL else ""))
    return User(username, full_name.strip(), role, cell_code if role == ROLE_CELL else None)


def lock_delay(failures: int) -> timedelta:
    """After 3 failures, wait 2, 4, 8 ... up to 300 seconds before the next try."""
    if failures < LOCK_AFTER_FAILURES:
        return timedelta(0)
    return timedelta(seconds=min(2 ** (failures - LOCK_AFTER_FAILURES + 1), 300))


def authenticate(db_path, username: str, password: str, now: datetime | None = None) -> User:
    """The user, or AuthError with a message that reveals nothing about which part was wrong."""
    now = now or datetime.now()
    username = (username or "").strip().lower()
    wrong = AuthError("Tên đăng nhập hoặc mật khẩu không đúng.")
    with dbmod.write_connection(db_path) as con:
        row = con.execute("SELECT full_name, role, cell_code, password_hash, active, failed_attempts, "
                          "last_failed_at FROM users WHERE username = ?", [username]).fetchone()
        if row is None:
            _hasher.hash(password or "x")  # same cost as a real check: no timing oracle
            _audit(con, username or "?", "sign_in_failed", username, "không có tài khoản")
            raise wrong
        full_name, role, cell_code, hashed, active, failures, last_failed = row
        wait = (last_failed + lock_delay(failures) - now) if last_failed else timedelta(0)
        if wait > timedelta(0):
            raise AuthError(f"Đăng nhập sai nhiều lần. Vui lòng thử lại sau {int(wait.total_seconds()) + 1} giây.")
        try:
            ok = bool(active and hashed and _hasher.verify(hashed, password or ""))
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok:
            con.execute("UPDATE users SET failed_attempts = failed_attempts + 1, last_failed_at = ? "
                        "WHERE username = ?", [now, username])
            _audit(con, username, "sign_in_failed", username, None)
            raise wrong if active else AuthError("Tài khoản đã bị khóa. Liên hệ quản trị.")
        con.execute("UPDATE users SET failed_attempts = 0, last_failed_at = NULL WHERE username = ?",
                    [username])
        _audit(con, username, "sign_in", username, None)
    return User(username, full_name, role, cell_code)


def user_by_email(db_path, email: str) -> User | None:
    """For OpenID Connect sign-in: the active account registered with this email."""
    with dbmod.read_connection(db_path) as con:
        row = con.execute("SELECT username, full_name, role, cell_code FROM users "
                          "WHERE lower(email) = lower(?) AND active", [email]).fetchone()
    return User(*row) if row else None


def list_users(db_path):
    with dbmod.read_connection(db_path) as con:
        return con.execute("SELECT username AS \"Tên đăng nhập\", full_name AS \"Họ tên\", role, "
                           "cell_code AS \"Chi bộ\", active AS \"Hoạt động\", created_at AS \"Tạo lúc\" "
                           "FROM users ORDER BY created_at").df()


def set_active(db_path, username: str, active: bool, by: str) -> None:
    with dbmod.write_connection(db_path) as con:
        con.execute("UPDATE users SET active = ? WHERE username = ?", [active, username])
        _audit(con, by, "user_enable" if active else "user_disable", username, None)


def set_password(db_path, username: str, password: str, by: str) -> None:
    check_password_strength(password)
    with dbmod.write_connection(db_path) as con:
        con.execute("UPDATE users SET password_hash = ?, failed_attempts = 0, last_failed_at = NULL "
                    "WHERE username = ?", [hash_password(password), username])
        _audit(con, by, "password_set", username, None)


# -- audit trail ------------------------------------------------------------------------

def _audit(con, username: str, action: str, target: str | None, detail: str | None) -> None:
    con.execute("INSERT INTO audit_log (acted_at, username, action, target, detail) VALUES (?, ?, ?, ?, ?)",
                [datetime.now(), username, action, target, detail])


def audit(db_path, username: str, action: str, target: str | None = None,
          detail: str | None = None) -> None:
    """Record who did what; the only way rows enter the audit log."""
    with dbmod.write_connection(db_path) as con:
        _audit(con, username, action, target, detail)


def read_audit(db_path, username: str | None = None, action: str | None = None,
               since: datetime | None = None, limit: int = 1000):
    clauses, params = [], []
    for column, value in (("username", username), ("action", action)):
        if value:
            clauses.append(f"{column} = ?")
            params.append(value)
    if since:
        clauses.append("acted_at >= ?")
        params.append(since)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    with dbmod.read_connection(db_path) as con:
        return con.execute(f"SELECT acted_at, username, action, target, detail FROM audit_log {where} "
                           "ORDER BY acted_at DESC, audit_id DESC LIMIT ?", [*params, limit]).df()
