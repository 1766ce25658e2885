"""Accounts, roles, sign-in throttling and the audit trail, through the use cases
(etl/usecases.py over etl/users.py) on a real DuckDB file."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from etl import audit, sessions, usecases, users
from etl.vocab import Permission, UserRole

STRONG = "mat-khau-2026"
ADMIN = users.User("qt", "Quản trị", UserRole.ADMIN)
OPERATOR = users.User.system("kiem-thu")


def add(store, username, role, password=STRONG, **kw) -> users.User:
    return usecases.add_user(store, OPERATOR, username, username.title(), role, password, **kw)


def actions(store) -> list[str]:
    return audit.read(store)["action"].tolist()


def test_password_is_stored_hashed_never_in_clear(store, db_path, query):
    usecases.create_first_admin(store, "admin", "Quản trị viên", STRONG)
    (stored,) = query(db_path, "SELECT password_hash FROM users WHERE username = 'admin'")[0]
    assert STRONG not in stored
    assert stored.startswith("$argon2id$")
    assert STRONG not in repr(query(db_path, "SELECT * FROM audit_log"))


def test_first_admin_can_only_be_created_once(store, db_path, query):
    usecases.create_first_admin(store, "admin", "Quản trị viên", STRONG)
    with pytest.raises(users.AuthError, match="Đã có tài khoản quản trị"):
        usecases.create_first_admin(store, "admin2", "Kẻ thứ hai", STRONG)
    assert query(db_path, "SELECT count(*) FROM users WHERE role = 'quan_tri'") == [(1,)]
    assert actions(store) == ["sign_in", "user_add"]


def test_cell_secretary_needs_a_known_cell(store):
    with pytest.raises(users.AuthError, match="cần chọn chi bộ"):
        add(store, "bt.cds", UserRole.CELL)
    with pytest.raises(users.AuthError, match="Không có chi bộ XYZ"):
        add(store, "bt.cds", UserRole.CELL, cell_code="XYZ")
    user = add(store, "bt.cds", UserRole.CELL, cell_code="CDS")
    assert user.upload_cells() == frozenset({"CDS"})


@pytest.mark.parametrize("password", ["ngan", "1234567890123", "chiconchudaithoi"])
def test_weak_passwords_are_refused(store, password):
    with pytest.raises(users.AuthError):
        add(store, "lanhdao", UserRole.LEADERSHIP, password)


def sign_in(store, username, password, address="10.0.0.1", throttle=None):
    """A sign-in with its own throttle: tests do not count each other's failures."""
    return usecases.sign_in(store, username, password, sessions.Client(address, "pytest"),
                            throttle=throttle or sessions.SignInThrottle()).user


def test_sign_in_success_failure_and_audit(store):
    add(store, "vanphong", UserRole.OFFICE)
    with pytest.raises(users.AuthError, match="không đúng"):
        sign_in(store, "vanphong", "sai-mat-khau-1")
    with pytest.raises(users.AuthError, match="không đúng"):
        sign_in(store, "khong-co-ai", STRONG)
    user = sign_in(store, "VanPhong ", STRONG)
    assert user.role == UserRole.OFFICE
    assert user.can(Permission.RESTORE_WITHDRAW) and not user.can(Permission.MANAGE_USERS)
    assert actions(store)[:3] == ["sign_in", "sign_in_failed", "sign_in_failed"]
    assert "10.0.0.1" in audit.read(store)["detail"].iloc[0]


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_repeated_failures_slow_down_that_account_from_that_address_only(store):
    add(store, "lanhdao", UserRole.LEADERSHIP)
    clock = Clock()
    throttle = sessions.SignInThrottle(clock)
    for _ in range(sessions.FREE_FAILURES):
        with pytest.raises(users.AuthError, match="không đúng"):
            sign_in(store, "lanhdao", "sai-mat-khau-1", "10.0.0.66", throttle)
    # Held up now from that address: even the right password waits, and nothing is checked.
    with pytest.raises(users.AuthError, match="thử lại sau 2 giây"):
        sign_in(store, "lanhdao", STRONG, "10.0.0.66", throttle)
    # The leader at another computer is not locked out by someone else's failures.
    assert sign_in(store, "lanhdao", STRONG, "10.0.0.7", throttle).username == "lanhdao"
    clock.now += 2.5
    assert sign_in(store, "lanhdao", STRONG, "10.0.0.66", throttle).username == "lanhdao"


def test_a_locked_account_cannot_sign_in_and_unlocking_lets_it_back(store):
    add(store, "lanhdao", UserRole.LEADERSHIP)
    usecases.set_user_active(store, ADMIN, "lanhdao", False)
    with pytest.raises(users.AuthError, match="đã bị khóa"):
        sign_in(store, "lanhdao", STRONG)
    usecases.set_user_active(store, ADMIN, "lanhdao", True)
    assert sign_in(store, "lanhdao", STRONG).username == "lanhdao"
    assert {"user_disable", "user_enable"} <= set(actions(store))


def test_a_password_reset_replaces_the_old_one(store):
    add(store, "lanhdao", UserRole.LEADERSHIP)
    usecases.reset_password(store, ADMIN, "lanhdao", "mat-khau-moi-2027")
    with pytest.raises(users.AuthError, match="không đúng"):
        sign_in(store, "lanhdao", STRONG)
    assert sign_in(store, "lanhdao", "mat-khau-moi-2027").username == "lanhdao"
    with pytest.raises(users.AuthError, match="Không có tài khoản"):
        usecases.reset_password(store, ADMIN, "khong-co-ai", "mat-khau-moi-2027")


def test_oidc_sign_in_finds_the_active_account_by_email(store):
    add(store, "lanhdao", UserRole.LEADERSHIP, email="LanhDao@khcn.langson.gov.vn")
    found = usecases.sign_in_external(store, "lanhdao@khcn.langson.gov.vn")
    assert found is not None and found.user.username == "lanhdao"
    assert usecases.resume_session(store, found.token).user.username == "lanhdao"
    assert actions(store)[0] == "sign_in"
    usecases.set_user_active(store, ADMIN, "lanhdao", False)
    assert usecases.sign_in_external(store, "lanhdao@khcn.langson.gov.vn") is None
    assert usecases.sign_in_external(store, "nguoi-la@example.com") is None


def test_roles_and_permissions():
    leader = users.User("ld", "Lãnh đạo", UserRole.LEADERSHIP)
    cell = users.User("bt", "Bí thư", UserRole.CELL, "KHKH")
    admin = users.User("qt", "Quản trị", UserRole.ADMIN)
    assert leader.can(Permission.EXPORT) and not leader.can(Permission.UPLOAD_OWN_CELL)
    assert leader.upload_cells() == frozenset()
    assert cell.upload_cells() == frozenset({"KHKH"}) and not cell.can(Permission.EXPORT)
    assert admin.can(Permission.MANAGE_USERS) and not admin.can(Permission.RESTORE_WITHDRAW)
    assert users.User.system("x").upload_cells() is None


@pytest.mark.parametrize("who", [
    users.User("ld", "Lãnh đạo", UserRole.LEADERSHIP),
    users.User("vp", "Văn phòng", UserRole.OFFICE),
    users.User("bt", "Bí thư", UserRole.CELL, "KHKH"),
])
def test_account_changes_without_the_permission_are_refused_and_change_nothing(store, db_path,
                                                                                 query, who):
    add(store, "lanhdao", UserRole.LEADERSHIP)
    before = query(db_path, "SELECT * FROM users"), query(db_path, "SELECT * FROM audit_log")
    for attempt in (lambda: usecases.add_user(store, who, "moi", "Mới", UserRole.OFFICE, STRONG),
                    lambda: usecases.set_user_active(store, who, "lanhdao", False),
                    lambda: usecases.reset_password(store, who, "lanhdao", "mat-khau-moi-2027")):
        with pytest.raises(usecases.PermissionDenied, match="không có quyền"):
            attempt()
    assert (query(db_path, "SELECT * FROM users"), query(db_path, "SELECT * FROM audit_log")) == before


def test_cli_adds_user_from_stdin(db_path, query):
    proc = subprocess.run([sys.executable, "-m", "etl", "users", "add", "admin", "--name", "Quản trị viên",
                           "--role", "quan_tri", "--password-stdin", "--db", str(db_path)],
                          cwd=Path(__file__).resolve().parent.parent, input=STRONG + "\n",
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "tài khoản đầu tiên" in proc.stdout
    assert query(db_path, "SELECT username, role FROM users") == [("admin", "quan_tri")]
    assert query(db_path, "SELECT action, target FROM audit_log") == [("user_add", "admin")]
    assert query(db_path, "SELECT username FROM audit_log")[0][0].startswith("cli:")
