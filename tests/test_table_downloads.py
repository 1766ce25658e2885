"""Tables leave the app only through buttons that record the export in the audit trail,
shown to roles that may export; the tables' own CSV download is switched off."""
from __future__ import annotations

import io
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from dashboard import ui_export
from dashboard_db import build_db, demo_subs
from etl import audit
from etl.store import Store
from etl.users import User
from etl.vocab import AuditAction, UserRole
from signin import OFFICE, as_user

ROOT = Path(__file__).resolve().parent.parent
CELL_SECRETARY = User("bithu_vpcn", "Trần Thị Bình", UserRole.CELL, cell_code="VPCN")
TIMEOUT = 60


@pytest.fixture
def demo_db(tmp_path, monkeypatch):
    path = build_db(tmp_path / "demo.duckdb", demo_subs())
    monkeypatch.setenv("PROGRESS_DB", str(path))
    return path


def _page(page: str, user: User) -> AppTest:
    at = as_user(AppTest.from_file("../app.py", default_timeout=TIMEOUT), user)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _download_labels(at: AppTest) -> list[str]:
    return [b.proto.label for b in at.get("download_button")]


def test_the_tables_own_csv_download_is_off():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["disableDataExport"] is True


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/obstacles.py"])
def test_table_downloads_are_offered_to_roles_that_may_export_only(demo_db, page):
    assert {"Tải bảng (CSV)", "Tải bảng (Excel)"} <= set(_download_labels(_page(page, OFFICE)))
    assert not {"Tải bảng (CSV)", "Tải bảng (Excel)"} & set(
        _download_labels(_page(page, CELL_SECRETARY)))


def test_a_table_download_is_recorded_with_who_what_and_scope(demo_db):
    make = ui_export._deferred_table(pd.DataFrame({"Chi bộ": ["Văn phòng"]}), "csv",
                                     "ket-qua-theo-chi-bo-2026-09", "Tháng 9/2026", OFFICE)
    assert make().decode("utf-8-sig").splitlines() == ["Chi bộ", "Văn phòng"]
    log = audit.read(Store.at(demo_db), action=AuditAction.EXPORT)
    assert log[["username", "target", "detail"]].values.tolist() == [
        [OFFICE.username, "ket-qua-theo-chi-bo-2026-09.csv", "Tháng 9/2026"]]


def test_table_files_read_back_with_diacritics_and_no_formulas():
    df = pd.DataFrame({"Chi bộ": ["Văn phòng - Công nghệ", "=HYPERLINK(\"x\")"],
                       "Tỷ lệ hoàn thành": ["85,5%", "Chưa báo cáo"]})
    csv = ui_export.table_bytes(df, "csv")
    assert csv.startswith(b"\xef\xbb\xbf")          # Excel reads UTF-8 with a BOM
    assert pd.read_csv(io.BytesIO(csv), encoding="utf-8-sig")["Chi bộ"].tolist() == [
        "Văn phòng - Công nghệ", "'=HYPERLINK(\"x\")"]
    sheet = load_workbook(io.BytesIO(ui_export.table_bytes(df, "xlsx"))).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["Chi bộ", "Tỷ lệ hoàn thành"], ["Văn phòng - Công nghệ", "85,5%"],
        ["'=HYPERLINK(\"x\")", "Chưa báo cáo"]]
