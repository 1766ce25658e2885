"""Sign-in and roles, driven through the real app and pages with AppTest."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import build_fixtures as bf
from etl import audit, load, usecases, users
from etl.store import Store
from etl.vocab import UserRole
from signin import OFFICE, OPERATOR, as_user, ensure_account

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


def _first_run(app_db, start: str) -> AppTest:
    at = _app().run()
    assert not at.exception
    assert "Cài đặt lần đầu: tạo tài khoản quản trị" in [s.value for s in at.subheader]
    assert not at.get("plotly_chart") and not at.metric
    at.text_input[0].set_value("quantri")
    at.text_input[1].set_value("Nguyễn Quản Trị")
    at.text_input[2].set_value("quan-tri-2026")
    at.text_input[3].set_value("quan-tri-2026")
    at.radio(key="first_run_start").set_value(start)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _hands_over_a_session(at: AppTest) -> bool:
    """The browser is sent to trade a one-time code for its session cookie."""
    return any("/dang-nhap/ma?ma=" in h.proto.body for h in at.get("html"))


@pytest.mark.parametrize("start, sample_reports", [("empty", False), ("sample", True)])
def test_a_fresh_install_creates_exactly_one_administrator_empty_or_with_samples(
        app_db, query, start, sample_reports):
    at = _first_run(app_db, start)
    assert query(app_db, "SELECT username, role FROM users") == [("quantri", "quan_tri")]
    assert query(app_db, "SELECT username FROM sessions") == [("quantri",)]
    assert _hands_over_a_session(at)
    counted = query(app_db, "SELECT count(*) FROM submissions WHERE is_sample")[0][0]
    assert (counted > 0) == sample_reports
    assert query(app_db, "SELECT count(*) FROM submissions WHERE NOT is_sample") == [(0,)]
    if sample_reports:
        assert "samples_load" in audit.read(Store.at(app_db))["action"].tolist()

    # A second visitor no longer gets the first-run form: only the way to the sign-in form.
    again = _app().run()
    assert "Cài đặt lần đầu: tạo tài khoản quản trị" not in [s.value for s in again.subheader]
    assert any("/dang-nhap" in h.proto.body for h in again.get("html"))
    assert query(app_db, "SELECT count(*) FROM users") == [(1,)]


@pytest.mark.parametrize("start, keeps_samples", [("empty", False), ("sample", True)])
def test_the_first_run_after_make_run_keeps_or_removes_the_samples_it_seeded(
        app_db, query, start, keeps_samples):
    """`make run` seeds the samples before anyone signs in; the first-run form offers the
    sample start first, and choosing real use takes the samples out again."""
    usecases.load_samples(Store.at(app_db), users.User.system("make"))
    seeded = query(app_db, "SELECT count(*) FROM submissions WHERE is_sample")[0][0]
    assert seeded > 0
    assert _app().run().radio(key="first_run_start").value == "sample"
    _first_run(app_db, start)
    left = query(app_db, "SELECT count(*) FROM submissions WHERE is_sample")[0][0]
    assert left == (seeded if keeps_samples else 0)
    assert query(app_db, "SELECT username FROM users") == [("quantri",)]


def test_the_first_run_on_an_empty_database_offers_real_use_first(app_db):
    assert _app().run().radio(key="first_run_start").value == "empty"


def test_an_anonymous_visitor_is_sent_to_the_sign_in_form_and_sees_no_figures(app_db):
    ensure_account(app_db)
    at = _app().run()
    assert not at.exception
    assert any("location.replace" in h.proto.body and "/dang-nhap" in h.proto.body
               for h in at.get("html"))
    assert not at.get("plotly_chart") and not at.dataframe and not at.metric


def test_the_app_refuses_to_run_without_its_server(app_db, monkeypatch):
    from dashboard import web
    monkeypatch.setattr(web, "SERVED", False)
    at = as_user(_app()).run()
    assert "streamlit run server.py" in at.error[0].value
    assert not at.get("plotly_chart") and not at.metric


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
