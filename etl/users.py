"""Accounts in the database: who they are, their role, their password. No Streamlit here.

Passwords are hashed with argon2id and never stored or logged in clear. Checking a
password only reads: failed sign-ins are counted in memory per account and client
address (etl.sessions.SignInThrottle). The functions that change an account work on
the caller's connection: etl.usecases wraps each in a transaction with its
permission check and its audit row.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from etl.store import DatabaseMissing, Store
from etl.vocab import ACCOUNT_ROLES, GRANTS, Permission, UserRole

MIN_PASSWORD_LENGTH = 10
ROLES_WITH_A_CELL = frozenset({UserRole.CELL})
_hasher = PasswordHasher()


class AuthError(ValueError):
    """A refusal to show the user, in Vietnamese."""


@dataclass(frozen=True)
class User:
    username: str
    full_name: str
    role: str
    cell_code: str | None = None

    def can(self, permission: Permission | str) -> bool:
        return UserRole(self.role) in GRANTS[Permission(permission)]

    @property
    def role_label(self) -> str:
        return UserRole(self.role).label

    def upload_cells(self) -> frozenset[str] | None:
        """The cells this user may load reports for: None for every cell, a cell's
        secretary their own, nobody else any."""
        if self.can(Permission.UPLOAD_ANY_CELL):
            return None
        if self.can(Permission.UPLOAD_OWN_CELL) and self.cell_code:
            return frozenset({self.cell_code})
        return frozenset()

    @classmethod
    def system(cls, login: str) -> "User":
        """The command line, acting for the person logged in to the server's shell."""
        return cls(f"cli:{login}", "Dòng lệnh", UserRole.SYSTEM)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"Mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự.")
    if password.isdigit() or password.isalpha():
        raise AuthError("Mật khẩu cần có cả chữ và số (hoặc ký tự khác).")


def normalize_username(username: str) -> str:
    return (username or "").strip().lower()


# -- reading ---------------------------------------------------------------------------

def count_users(store: Store) -> int:
    """Accounts in the database; 0 before the database (or its users table) exists. A
    read: the sign-in page asks on every rerun and must not lock out a CLI load."""
    try:
        with store.read() as con:
            return con.execute("SELECT count(*) FROM users").fetchone()[0]
    except (DatabaseMissing, duckdb.CatalogException):
        return 0


def user_by_email(store: Store, email: str) -> User | None:
    """For OpenID Connect sign-in: the active account registered with this email."""
    with store.read() as con:
        row = con.execute("SELECT username, full_name, role, cell_code FROM users "
                          "WHERE lower(email) = lower(?) AND active", [email]).fetchone()
    return User(*row) if row else None


def list_users(store: Store):
    """username, full_name, role, cell_code, active, created_at; oldest first."""
    with store.read() as con:
        return con.execute("SELECT username, full_name, role, cell_code, active, created_at "
                           "FROM users ORDER BY created_at").df()


# -- changing (on the caller's connection, inside its transaction) ------------------------

def insert_user(con, username: str, full_name: str, role: str, password: str | None,
                cell_code: str | None = None, email: str | None = None,
                only_if_none: bool = False) -> User:
    """Create an account. With `only_if_none`, only while there is no account at all
    (checked in the caller's transaction: two first-run forms cannot both win)."""
    username = normalize_username(username)
    if not re.fullmatch(r"[a-z0-9._-]{3,40}", username):
        raise AuthError("Tên đăng nhập gồm 3-40 ký tự: chữ không dấu, số, dấu chấm, gạch.")
    full_name, cell_code = _checked_profile(con, full_name, role, cell_code)
    if password is not None:
        check_password_strength(password)
    if only_if_none and con.execute("SELECT count(*) FROM users").fetchone()[0]:
        raise AuthError("Đã có tài khoản quản trị; hãy đăng nhập.")
    if con.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchone():
        raise AuthError(f"Tên đăng nhập {username} đã có.")
    con.execute("INSERT INTO users (username, full_name, role, cell_code, password_hash, email, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [username, full_name, role, cell_code,
                 hash_password(password) if password is not None else None, email, datetime.now()])
    return User(username, full_name, role, cell_code)


def update_user(con, username: str, full_name: str, role: str,
                cell_code: str | None) -> tuple[User, User]:
    """Change an account's name, role and cell; (before, after)."""
    before = _require_account(con, username)
    full_name, cell_code = _checked_profile(con, full_name, role, cell_code)
    if before.role == UserRole.ADMIN and role != UserRole.ADMIN:
        _keep_an_administrator(con, username)
    con.execute("UPDATE users SET full_name = ?, role = ?, cell_code = ? WHERE username = ?",
                [full_name, role, cell_code, username])
    return before, User(username, full_name, role, cell_code)


def _checked_profile(con, full_name: str, role: str, cell_code: str | None) -> tuple[str, str | None]:
    """The name and cell to store for `role`, or the reason in words."""
    if role not in {r.value for r in ACCOUNT_ROLES}:
        raise AuthError("Vui lòng chọn vai trò: "
                        + ", ".join(r.label for r in ACCOUNT_ROLES) + ".")
    if not full_name or not full_name.strip():
        raise AuthError("Vui lòng nhập họ và tên.")
    if role in ROLES_WITH_A_CELL and not cell_code:
        raise AuthError(f"Tài khoản vai trò {UserRole(role).label} cần chọn chi bộ.")
    if role not in ROLES_WITH_A_CELL and cell_code:
        raise AuthError(f"Vai trò {UserRole(role).label} không gắn với chi bộ nào: "
                        "bỏ chọn chi bộ, hoặc chọn vai trò Chi bộ.")
    if cell_code and not con.execute("SELECT 1 FROM cells WHERE cell_code = ?", [cell_code]).fetchone():
        raise AuthError(f"Không có chi bộ {cell_code}.")
    return full_name.strip(), cell_code or None


def set_active(con, username: str, active: bool) -> None:
    if not active and _require_account(con, username).role == UserRole.ADMIN:
        _keep_an_administrator(con, username)
    con.execute("UPDATE users SET active = ? WHERE username = ?", [active, username])


def set_password(con, username: str, password: str) -> None:
    check_password_strength(password)
    _require_account(con, username)
    con.execute("UPDATE users SET password_hash = ? WHERE username = ?",
                [hash_password(password), username])


def _require_account(con, username: str) -> User:
    row = con.execute("SELECT username, full_name, role, cell_code FROM users WHERE username = ?",
                      [username]).fetchone()
    if row is None:
        raise AuthError(f"Không có tài khoản {username}.")
    return User(*row)


def _keep_an_administrator(con, username: str) -> None:
    """Refuse to take the last active administrator away: nobody could manage accounts."""
    others = con.execute("SELECT count(*) FROM users WHERE role = ? AND active AND username <> ?",
                         [UserRole.ADMIN.value, username]).fetchone()[0]
    if not others:
        raise AuthError(f"{username} là tài khoản quản trị duy nhất còn hoạt động: hãy tạo "
                        "hoặc mở khóa một tài khoản quản trị khác trước.")


def active_user(con, username: str) -> User | None:
    """The account as it is now (a role change applies at once), if it may sign in."""
    row = con.execute("SELECT username, full_name, role, cell_code FROM users "
                      "WHERE username = ? AND active", [username]).fetchone()
    return User(*row) if row else None


WRONG_CREDENTIALS = "Tên đăng nhập hoặc mật khẩu không đúng."


@dataclass(frozen=True)
class SignInAttempt:
    """What checking a password found; the use case records it and answers."""
    user: User | None
    error: str | None = None
    note: str | None = None      # for the audit row


def check_credentials(con, username: str, password: str) -> SignInAttempt:
    """Verify a password (a read: nothing is written); a message that reveals nothing
    about which part was wrong."""
    row = con.execute("SELECT full_name, role, cell_code, password_hash, active FROM users "
                      "WHERE username = ?", [username]).fetchone()
    if row is None:
        _hasher.hash(password or "x")  # same cost as a real check: no timing oracle
        return SignInAttempt(None, WRONG_CREDENTIALS, "không có tài khoản")
    full_name, role, cell_code, hashed, active = row
    if not _verify(hashed, password):
        return SignInAttempt(None, WRONG_CREDENTIALS)
    if not active:
        return SignInAttempt(None, "Tài khoản đã bị khóa. Liên hệ quản trị.", "tài khoản đã khóa")
    return SignInAttempt(User(username, full_name, role, cell_code))


def _verify(hashed: str | None, password: str | None) -> bool:
    if not hashed:
        _hasher.hash(password or "x")
        return False
    try:
        return _hasher.verify(hashed, password or "")
    except (VerificationError, InvalidHashError):
        return False
