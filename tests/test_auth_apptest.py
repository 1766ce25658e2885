"""Sign-in and roles, driven through the real app and pages with AppTest."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import build_fixtures as bf
from etl import audit, load, usecases, users
from etl.store import Store
from etl.vocab import UserRole
from signin import OFFICE, OPERATOR, PASSWORD, as_user, ensure_account

TIMEOUT = 60
PAGES = sorted(p.stem for p in (Path(__file__).resolve().parent.parent / "pages").glob("*.py"))
CDS_SECRETARY = users.User("bithu.cds", "Bí thư Chi bộ CDS", UserRole.CELL, "CDS")
LEADER = users.User("lanhdao", "Lãnh đạo Đảng ủy", UserRole.LEADERSHIP)


@pytest.fixture
def app_db(db_path, monkeypatch):
    monkeypatch.setenv("PROGRESS_DB", str(db_path))
    return db_path


def _app() -> AppTest:
    return AppTest.from_file("../app.py", default_timeout=TIMEOUT)


def _page(name: str) -> AppTest:
    return AppTest.from_file(f"../pages/{name}.py", default_timeout=TIMEOUT)


def _labels(at: AppTest) -> list[str]:
    return [t.label for t in at.text_input]


def test_a_fresh_install_asks_for_the_first_administrator_and_creates_exactly_one(app_db, query):
    at = _app().run()
    assert not at.exception
    assert "Cài đặt lần đầu: tạo tài khoản quản trị" in [s.value for s in at.subheader]
    assert not at.get("plotly_chart") and not at.metric

    at.text_input[0].set_value("quantri")
    at.text_input[1].set_value("Nguyễn Quản Trị")
    at.text_input[2].set_value("quan-tri-2026")
    at.text_input[3].set_value("quan-tri-2026")
    at.button[0].click().run()
    assert not at.exception
    assert query(app_db, "SELECT username, role FROM users") == [("quantri", "quan_tri")]
    assert at.session_state["auth_user"].username == "quantri"
    assert any("Nguyễn Quản Trị" in c.value for c in at.sidebar.caption)

    # A second visitor no longer gets the first-run form: only the sign-in form.
    again = _app().run()
    assert "Đăng nhập" in [s.value for s in again.subheader]
    assert query(app_db, "SELECT count(*) FROM users") == [(1,)]


def test_sign_in_with_the_real_form(app_db):
    ensure_account(app_db)
    at = _app().run()
    at.text_input[0].set_value(OFFICE.username)
    at.text_input[1].set_value("sai-mat-khau-9")
    at.button[0].click().run()
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in [e.value for e in at.error]
    assert "auth_user" not in at.session_state

    at.text_input[1].set_value(PASSWORD)
    at.button[0].click().run()
    assert at.session_state["auth_user"].username == OFFICE.username
    assert not at.exception


@pytest.mark.parametrize("page", PAGES)
def test_every_page_refuses_an_anonymous_visitor(app_db, page):
    ensure_account(app_db)
    at = _page(page).run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Vui lòng đăng nhập để xem trang này."]
    assert not at.get("plotly_chart") and not at.dataframe and not at.metric


@pytest.mark.parametrize("page,user", [("export", CDS_SECRETARY), ("users", OFFICE),
                                       ("upload", LEADER), ("audit", LEADER)])
def test_a_page_refuses_a_role_that_may_not_use_it(app_db, page, user):
    at = as_user(_page(page), user).run()
    assert not at.exception
    assert "không có quyền dùng trang này" in at.error[0].value


def test_an_idle_session_is_signed_out(app_db):
    ensure_account(app_db)
    at = as_user(_app())
    at.session_state["auth_last_seen"] = time.time() - 31 * 60
    at.run()
    assert "auth_user" not in at.session_state
    assert any("không thao tác" in i.value for i in at.info)
    assert audit.read(Store.at(app_db))["action"].tolist()[0] == "sign_out"


def test_a_cell_secretary_cannot_load_another_cells_report(app_db, query):
    at = as_user(_page("upload"), CDS_SECRETARY).run()
    at.file_uploader(key=[u.key for u in at.get("file_uploader")][0]).set_value(
        [("vpcn.xlsx", bf.xlsx(bf.report(cell="VPCN")), "application/octet-stream")]).run()
    assert not at.exception
    problems = at.expander[0].table[0].value
    assert problems["Vấn đề"].str.contains("chỉ được nạp báo cáo của chi bộ CDS").any()
    assert [b for b in at.button if b.key == "load_valid"][0].disabled
    assert not app_db.exists() or query(app_db, "SELECT count(*) FROM submissions") == [(0,)]


def test_the_library_refuses_another_cells_report_too(db_path, query):
    data = bf.xlsx(bf.report(cell="VPCN"))
    checked = load.validate_bytes(data, "vpcn.xlsx", allowed_cells={"CDS"})
    assert not checked.ok and [p.code for p in checked.errors] == ["cell_not_allowed"]
    accepted = load.validate_bytes(data, "vpcn.xlsx")
    with pytest.raises(usecases.PermissionDenied, match="chi bộ VPCN"):
        usecases.load_reports(Store.at(db_path), CDS_SECRETARY, [(accepted, data)])
    assert not db_path.exists() or query(db_path, "SELECT count(*) FROM submissions") == [(0,)]


def test_loading_and_restoring_are_in_the_audit_trail(app_db, query):
    at = as_user(_page("upload")).run()
    at.file_uploader(key=[u.key for u in at.get("file_uploader")][0]).set_value([
        ("thang-7.xlsx", bf.xlsx(bf.report()), "application/octet-stream"),
        ("thang-7-sua.xlsx", bf.xlsx(bf.report(rows=bf.with_row(bf.vpcn_july(), "NV5.2", pct=75))),
         "application/octet-stream")]).run()
    [b for b in at.button if b.key == "load_valid"][0].click().run()
    assert query(app_db, "SELECT loaded_by FROM submissions ORDER BY 1") == [(OFFICE.username,)] * 2

    history = as_user(_page("history")).run()
    history.selectbox(key="history_selected").set_value(1).run()
    history.button(key="ask_restore").click().run()
    history.button(key="confirm_action").click().run()
    assert not history.exception
    rows = query(app_db, "SELECT username, action, target FROM audit_log ORDER BY audit_id")
    assert rows == [(OFFICE.username, "load", "thang-7.xlsx"),
                    (OFFICE.username, "load", "thang-7-sua.xlsx"),
                    (OFFICE.username, "restore", "#1")]


def test_only_the_office_sees_restore_and_withdraw(app_db):
    data = bf.xlsx(bf.report())
    usecases.load_reports(Store.at(app_db), OFFICE, [(load.validate_bytes(data, "a.xlsx"), data)])
    at = as_user(_page("history"), LEADER).run()
    assert not at.exception
    assert not [b for b in at.button if b.key in ("ask_restore", "ask_withdraw")]
    assert any("do Văn phòng thực hiện" in c.value for c in at.caption)


def test_the_administrator_adds_a_cell_secretary(app_db, query):
    admin = users.User("quantri", "Quản trị", UserRole.ADMIN)
    usecases.add_user(Store.at(app_db), OPERATOR, admin.username, admin.full_name, admin.role,
                      "quan-tri-2026")
    at = as_user(_page("users"), admin).run()
    at.text_input[0].set_value("bithu.khkh")
    at.text_input[1].set_value("Bí thư Kế hoạch - Khoa học")
    at.selectbox[0].set_value(UserRole.CELL)
    at.selectbox[1].set_value("KHKH")
    at.text_input[3].set_value("bi-thu-khkh-26")
    at.button[0].click().run()
    assert not at.exception
    assert query(app_db, "SELECT username, role, cell_code FROM users ORDER BY user_id") == [
        ("quantri", "quan_tri", None), ("bithu.khkh", "chi_bo", "KHKH")]
    stored = query(app_db, "SELECT password_hash FROM users WHERE username = 'bithu.khkh'")[0][0]
    assert "bi-thu-khkh-26" not in stored
