"""Signing in for tests: a signed-in AppTest session, a real account, the real sign-in form."""
from __future__ import annotations

from pathlib import Path

from etl import usecases, users
from etl.catalog import get_catalog
from etl.store import Store
from etl.vocab import UserRole

OFFICE = users.User("vanphong", "Nguyễn Văn An", UserRole.OFFICE)
PASSWORD = "kiem-thu-2026"
# Tests set up accounts the way an operator does: from the command line's actor.
OPERATOR = users.User.system("kiem-thu")


def as_user(at, user: users.User = OFFICE):
    """An AppTest session that has signed in as `user` (set before the first run)."""
    at.session_state["auth_user"] = user
    return at


def ensure_account(db_path: Path | str, user: users.User = OFFICE, password: str = PASSWORD,
                   catalog_path: Path | str | None = None) -> None:
    """The account exists in the database, with a known password. A database built on
    another catalog (the province benchmark's) names it: a write syncs the catalog."""
    store = Store.at(db_path, get_catalog(catalog_path) if catalog_path else None)
    if Path(db_path).exists():
        with store.read() as con:
            has_table = con.execute("SELECT count(*) FROM information_schema.tables "
                                    "WHERE table_name = 'users'").fetchone()[0]
            if has_table and con.execute("SELECT 1 FROM users WHERE username = ?",
                                         [user.username]).fetchone():
                return
    usecases.add_user(store, OPERATOR, user.username, user.full_name, user.role, password,
                      cell_code=user.cell_code)


def sign_in(page, url: str, user: users.User = OFFICE, password: str = PASSWORD) -> None:
    """Open `url` (the server sends a signed-out browser to its sign-in form, and back to
    `url` after it), fill in the real form, wait for the page behind it."""
    page.goto(url)
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("button", name="Đăng xuất").wait_for(timeout=30_000)
