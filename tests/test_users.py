"""Users, roles, sign-in throttling and the audit trail (etl/users.py) on a real DuckDB file."""
from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from etl import users

STRONG = "mat-khau-2026"


def test_password_is_stored_hashed_never_in_clear(db_path, query):
    users.add_user(db_path, "admin", "Quản trị viên", users.ROLE_ADMIN, STRONG, first_admin=True)
    (stored,) = query(db_path, "SELECT password_hash FROM users WHERE username = 'admin'")[0]
    assert STRONG not in stored
    assert stored.startswith("$argon2id$")
    dump = query(db_path, "SELECT * FROM audit_log")
    assert STRONG not in repr(dump)


def test_first_admin_can_only_be_created_once(db_path, query):
    users.add_user(db_path, "admin", "Quản trị viên", users.ROLE_ADMIN, STRONG, first_admin=True)
    with pytest.raises(users.AuthError, match="Đã có tài khoản quản trị"):
        users.add_user(db_path, "admin2", "Kẻ thứ hai", users.ROLE_ADMIN, STRONG, first_admin=True)
    assert query(db_path, "SELECT count(*) FROM users WHERE role = 'quan_tri'") == [(1,)]


def test_cell_secretary_needs_a_known_cell(db_path):
    with pytest.raises(users.AuthError, match="mã chi bộ"):
        users.add_user(db_path, "bt.cds", "Bí thư CDS", users.ROLE_CELL, STRONG)
    with pytest.raises(users.AuthError, match="Không có chi bộ XYZ"):
        users.add_user(db_path, "bt.cds", "Bí thư CDS", users.ROLE_CELL, STRONG, cell_code="XYZ")
    user = users.add_user(db_path, "bt.cds", "Bí thư CDS", users.ROLE_CELL, STRONG, cell_code="CDS")
    assert user.may_upload_for("CDS") and not user.may_upload_for("VPCN")


@pytest.mark.parametrize("password", ["ngan", "1234567890123", "chiconchudaithoi"])
def test_weak_passwords_are_refused(db_path, password):
    with pytest.raises(users.AuthError):
        users.add_user(db_path, "lanhdao", "Lãnh đạo", users.ROLE_LEADERSHIP, password)


def test_sign_in_success_failure_and_audit(db_path):
    users.add_user(db_path, "vanphong", "Văn phòng", users.ROLE_OFFICE, STRONG)
    with pytest.raises(users.AuthError, match="không đúng"):
        users.authenticate(db_path, "vanphong", "sai-mat-khau-1")
    with pytest.raises(users.AuthError, match="không đúng"):
        users.authenticate(db_path, "khong-co-ai", STRONG)
    user = users.authenticate(db_path, "VanPhong ", STRONG)
    assert user.role == users.ROLE_OFFICE and user.can("restore_withdraw") and not user.can("manage_users")
    actions = users.read_audit(db_path)["action"].tolist()
    assert actions[:3] == ["sign_in", "sign_in_failed", "sign_in_failed"]


def test_repeated_failures_slow_down_sign_in(db_path):
    users.add_user(db_path, "lanhdao", "Lãnh đạo", users.ROLE_LEADERSHIP, STRONG)
    t0 = datetime(2026, 11, 27, 9, 0, 0)
    for _ in range(users.LOCK_AFTER_FAILURES):
        with pytest.raises(users.AuthError, match="không đúng"):
            users.authenticate(db_path, "lanhdao", "sai-mat-khau-1", now=t0)
    # Locked now: even the right password waits.
    with pytest.raises(users.AuthError, match="thử lại sau"):
        users.authenticate(db_path, "lanhdao", STRONG, now=t0 + timedelta(seconds=1))
    later = t0 + users.lock_delay(users.LOCK_AFTER_FAILURES) + timedelta(seconds=1)
    assert users.authenticate(db_path, "lanhdao", STRONG, now=later).username == "lanhdao"


def test_roles_and_permissions():
    leader = users.User("ld", "Lãnh đạo", users.ROLE_LEADERSHIP)
    cell = users.User("bt", "Bí thư", users.ROLE_CELL, "KHKH")
    admin = users.User("qt", "Quản trị", users.ROLE_ADMIN)
    assert leader.can("export") and not leader.can("upload_own_cell")
    assert cell.may_upload_for("KHKH") and not cell.may_upload_for("CDS") and not cell.can("export")
    assert admin.can("manage_users") and not admin.can("restore_withdraw")
    with pytest.raises(users.PermissionDenied):
        users.require(cell, "restore_withdraw")


def test_cli_adds_user_from_stdin(db_path, query):
    proc = subprocess.run([sys.executable, "-m", "etl", "users", "add", "admin", "--name", "Quản trị viên",
                           "--role", "quan_tri", "--password-stdin", "--db", str(db_path)],
                          cwd=Path(__file__).resolve().parent.parent, input=STRONG + "\n",
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "tài khoản đầu tiên" in proc.stdout
    assert query(db_path, "SELECT username, role FROM users") == [("admin", "quan_tri")]
    assert query(db_path, "SELECT action, target FROM audit_log") == [("user_add", "admin")]
