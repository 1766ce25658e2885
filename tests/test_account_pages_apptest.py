"""People's own account, the administrator's account page and the sample-data page,
driven through the real app with AppTest on a real database."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard_db import build_db, demo_subs
from etl import audit, sessions, usecases, users
from etl.store import Store
from etl.vocab import UserRole
from signin import OPERATOR, as_user

TIMEOUT = 120
ADMIN = users.User("quantri", "Quản trị", UserRole.ADMIN)
LEADER = users.User("lanhdao", "Lãnh đạo Đảng ủy", UserRole.LEADERSHIP)
CDS_SECRETARY = users.User("bithu.cds", "Bí thư Chi bộ CDS", UserRole.CELL, "CDS")
OFFICE = users.User("vanphong", "Văn phòng", UserRole.OFFICE)
PASSWORD = "mat-khau-2026"


@pytest.fixture
def app_db(tmp_path, monkeypatch):
    path = build_db(tmp_path / "app.duckdb", demo_subs())
    monkeypatch.setenv("PROGRESS_DB", str(path))
    store = Store.at(path)
    for user in (ADMIN, LEADER, CDS_SECRETARY):
        usecases.add_user(store, OPERATOR, user.username, user.full_name, user.role, PASSWORD,
                          cell_code=user.cell_code)
    return path


def open_page(page: str, user: users.User) -> AppTest:
    at = as_user(AppTest.from_file("../app.py", default_timeout=TIMEOUT), user).run()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_cell_secretary_lands_on_their_own_cells_page(app_db):
    at = as_user(AppTest.from_file("../app.py", default_timeout=TIMEOUT), CDS_SECRETARY).run()
    assert not at.exception
    assert at.selectbox(key="page_cell").value == "CDS"
    assert any("cell=CDS" in h.proto.body and "replaceState" in h.proto.body
               for h in at.get("html"))                      # the address says so too


def test_every_user_changes_their_own_password_with_the_current_one(app_db, query):
    store = Store.at(app_db)
    other = usecases.sign_in(store, "lanhdao", PASSWORD, sessions.Client("10.0.0.9"),
                             throttle=sessions.SignInThrottle())
    at = open_page("account", LEADER)
    at.text_input[0].set_value("doan-sai-2026")
    at.text_input[1].set_value("mat-khau-moi-2027")
    at.text_input[2].set_value("mat-khau-moi-2027")
    at.button[0].click().run()
    assert "Mật khẩu hiện tại không đúng." in [e.value for e in at.error]

    at.text_input[0].set_value(PASSWORD)
    at.text_input[1].set_value("mat-khau-moi-2027")
    at.text_input[2].set_value("mat-khau-moi-2027")
    at.button[0].click().run()
    assert not at.exception
    assert any("/dang-nhap/ma?ma=" in h.proto.body for h in at.get("html"))   # a new cookie
    assert usecases.resume_session(store, other.token).user is None            # others ended
    assert "password_change" in audit.read(store)["action"].tolist()


def test_the_account_page_lists_my_last_sign_ins(app_db):
    usecases.sign_in(Store.at(app_db), "lanhdao", PASSWORD,
                     sessions.Client("10.0.0.9", "Mozilla/5.0 (Windows NT 10.0) Chrome/131.0"),
                     throttle=sessions.SignInThrottle())
    at = open_page("account", LEADER)
    table = at.dataframe[0].value
    assert list(table["Địa chỉ"]) == ["10.0.0.9"]
    assert list(table["Trình duyệt"]) == ["Chrome · Windows"]
    assert list(table["Trạng thái"]) == ["Đang mở"]


def add_form(at: AppTest, username: str, role, cell, password: str = "bi-thu-2026-x"):
    at.text_input(key="add_username").set_value(username)
    at.text_input(key="add_full_name").set_value("Người Mới")
    at.selectbox(key="add_role").set_value(role)
    at.selectbox(key="add_cell").set_value(cell)
    at.text_input(key="add_password").set_value(password)
    next(b for b in at.button if b.label == "Thêm tài khoản").click().run()
    assert not at.exception


def test_the_add_user_form_keeps_what_was_typed_and_refuses_a_cell_on_a_role_without_one(
        app_db, query):
    at = open_page("users", ADMIN)
    add_form(at, "ld.moi", UserRole.LEADERSHIP, "CDS")
    errors = [e.value for e in at.error]
    assert any("không gắn với chi bộ nào" in e for e in errors), errors
    assert not any("--" in e for e in errors)
    assert at.text_input(key="add_username").value == "ld.moi"      # kept for a correction
    assert at.selectbox(key="add_cell").value == "CDS"
    assert query(app_db, "SELECT count(*) FROM users WHERE username = 'ld.moi'") == [(0,)]

    at.selectbox(key="add_cell").set_value(None)
    next(b for b in at.button if b.label == "Thêm tài khoản").click().run()
    assert query(app_db, "SELECT role, cell_code FROM users WHERE username = 'ld.moi'") == [
        ("lanh_dao", None)]
    assert at.text_input(key="add_username").value == ""            # emptied after success
    assert any("Đã thêm tài khoản ld.moi" in s.value for s in at.success)


def test_the_administrator_edits_a_users_name_role_and_cell(app_db, query):
    at = open_page("users", ADMIN)
    at.selectbox(key="edit_target").set_value("lanhdao").run()
    assert at.text_input(key="edit_name_lanhdao").value == LEADER.full_name
    at.text_input(key="edit_name_lanhdao").set_value("Lê Văn Cường")
    at.selectbox(key="edit_role_lanhdao").set_value(UserRole.CELL)
    at.selectbox(key="edit_cell_lanhdao").set_value("KHKH")
    next(b for b in at.button if b.label == "Lưu thay đổi").click().run()
    assert not at.exception
    assert query(app_db, "SELECT full_name, role, cell_code FROM users WHERE username = 'lanhdao'") \
        == [("Lê Văn Cường", "chi_bo", "KHKH")]
    assert "user_edit" in audit.read(Store.at(app_db))["action"].tolist()


def test_the_administrator_sees_who_is_signed_in_and_ends_a_session(app_db):
    store = Store.at(app_db)
    signed = usecases.sign_in(store, "lanhdao", PASSWORD, sessions.Client("10.0.0.9"),
                              throttle=sessions.SignInThrottle())
    at = open_page("users", ADMIN)
    shown = at.dataframe[-1].value
    assert list(shown["Tài khoản"]) == ["lanhdao"] and list(shown["Địa chỉ"]) == ["10.0.0.9"]
    next(b for b in at.button if b.label == "Kết thúc phiên").click().run()
    assert not at.exception
    assert usecases.resume_session(store, signed.token).user is None
    assert any("Đã kết thúc phiên" in s.value for s in at.success)


def test_the_administrator_removes_sample_data_with_confirmation_and_can_load_it_back(tmp_path,
                                                                                    monkeypatch,
                                                                                    query):
    path = tmp_path / "samples.duckdb"
    monkeypatch.setenv("PROGRESS_DB", str(path))
    store = Store.at(path)
    usecases.load_samples(store, OPERATOR)
    before = query(path, "SELECT count(*) FROM submissions WHERE is_sample")[0][0]
    assert before > 0
    at = open_page("samples", ADMIN)
    at.button(key="ask_remove_samples").click().run()
    assert any("Gỡ" in w.value for w in at.warning)
    assert query(path, "SELECT count(*) FROM submissions")[0][0] == before   # not yet
    at.button(key="confirm_remove_samples").click().run()
    assert not at.exception
    assert query(path, "SELECT count(*) FROM submissions") == [(0,)]
    assert any(f"Đã gỡ {before} báo cáo mẫu" in s.value for s in at.success)
    assert "samples_remove" in audit.read(store)["action"].tolist()

    at.button(key="load_samples").click().run()
    assert query(path, "SELECT count(*) FROM submissions WHERE is_sample")[0][0] == before


@pytest.mark.parametrize("user, says", [
    (OFFICE, "Nạp báo cáo đầu tiên của các chi bộ ở trang **Nạp báo cáo**"),
    (CDS_SECRETARY, "Nạp báo cáo của chi bộ CDS"),
    (LEADER, "liên hệ Văn phòng"),
    (ADMIN, "Tạo tài khoản cho Văn phòng"),
])
def test_an_empty_database_tells_each_role_what_it_can_do_under_the_pages_title(tmp_path,
                                                                              monkeypatch,
                                                                              user, says):
    monkeypatch.setenv("PROGRESS_DB", str(build_db(tmp_path / "empty.duckdb", [])))
    at = open_page("overview", user)
    assert "Tổng quan" in [s.value for s in at.subheader]
    assert any(says in i.value for i in at.info), [i.value for i in at.info]
