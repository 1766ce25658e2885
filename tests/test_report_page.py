"""The page Báo cáo kết quả driven by AppTest: the form, the plain-text preview, the
download, the export in the audit trail, and who may open it."""
from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from dashboard_db import build_db, row, sub
from etl import users
from etl.store import Store
from etl.vocab import UserRole
from signin import as_user

APP = "../app.py"
TIMEOUT = 60
TRICKY = "**Đậm** <b>thẻ</b> [liên kết](http://x)"


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = build_db(tmp_path / "app.duckdb", [
        sub("VPCN", "2026-09", [row("NV2.3", "delayed", 60, activities=2, result=TRICKY,
                                    obstacles="Chưa bố trí được kinh phí",
                                    proposals="Đề nghị bổ sung kinh phí")],
            report_date=date(2026, 10, 2)),
        sub("KHKH", "2026-09", [row("NV3.1", "in_progress", 40)], report_date=date(2026, 10, 8)),
    ])
    monkeypatch.setenv("PROGRESS_DB", str(path))
    return path


def open_report_page() -> AppTest:
    at = as_user(AppTest.from_file(APP, default_timeout=TIMEOUT))
    at.run()
    at.switch_page("pages/report.py").run()
    return at


def test_drafts_previews_as_plain_text_and_records_the_export(db):
    at = open_report_page()
    assert not at.exception, [e.value for e in at.exception]
    at.text_input[0].input("15")
    at.date_input[0].set_value(date(2026, 10, 10))
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    preview = "\n".join(t.value for t in at.text)
    assert "Số 15-BC/ĐU" in preview and "Lạng Sơn, ngày 10 tháng 10 năm 2026" in preview
    assert TRICKY in preview                                  # shown as written, not rendered
    assert TRICKY not in " ".join(m.value for m in at.markdown)
    assert "Chưa bố trí được kinh phí" in preview and "Đề nghị bổ sung kinh phí" in preview
    labels = [b.label for b in at.get("download_button")]
    assert "Tải báo cáo (Word)" in labels
    with Store.at(db).read() as con:
        target = con.execute("SELECT target FROM audit_log WHERE action = 'export' "
                             "ORDER BY audit_id DESC LIMIT 1").fetchone()
    assert target == ("bao-cao-ket-qua-2026-09.docx",)


def test_a_cell_secretary_is_not_offered_the_page(db):
    secretary = users.User("chibo", "Bí thư chi bộ", UserRole.CELL, "VPCN")
    at = as_user(AppTest.from_file(APP, default_timeout=TIMEOUT), secretary)
    at.run()
    assert not at.exception
    with pytest.raises(ValueError, match="report.py"):   # not in the secretary's navigation
        at.switch_page("pages/report.py")
