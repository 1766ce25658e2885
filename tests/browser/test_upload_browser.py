"""The upload and history pages in Debian's Chromium against a real app and database:
upload a good file and see the overview's figure change, upload a bad file and see the
row-level error, download an original and get the very bytes, restore an earlier report,
download a template from the reminder list."""
from __future__ import annotations

import re
from dataclasses import replace

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

import build_fixtures as bf
from dashboard_db import load_file
from etl.template import template_bytes
from signin import sign_in

pytestmark = pytest.mark.browser
TIMEOUT_MS = 30_000
ORIGINAL_NAME = "Báo cáo tháng 7 - Chi bộ Văn phòng.xlsx"


def _store(db_path, data: bytes, name: str) -> None:
    load_file(db_path, data, name)


def _all_done() -> bytes:
    rows = [replace(r, status="Hoàn thành", pct=100) for r in bf.vpcn_july()]
    return bf.xlsx(bf.report(rows))


def _states(query, db_path):
    return query(db_path, "SELECT submission_id, state FROM submissions ORDER BY 1")


def _completion_tile(page: Page):
    tile = page.locator('[data-testid="stMetric"]').filter(has_text="Tỷ lệ hoàn thành")
    return tile.locator('[data-testid="stMetricValue"]')


def _upload(page: Page, *paths) -> None:
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        [str(p) for p in paths])


def test_uploading_a_good_file_changes_the_overview_figures(page: Page, db_path, start_app,
                                                            tmp_path, query):
    _store(db_path, bf.xlsx(bf.report()), "tháng 7.xlsx")  # mean of 100, 62.5, 30, 0, 50
    base = start_app(db_path)
    sign_in(page, base)
    expect(_completion_tile(page)).to_have_text("48,5%", timeout=TIMEOUT_MS)

    page.get_by_role("link", name="Nạp báo cáo").click()
    resubmitted = tmp_path / "tháng 7 - bản sửa.xlsx"
    resubmitted.write_bytes(_all_done())
    _upload(page, resubmitted)
    expect(page.get_by_text("hợp lệ: Văn phòng - Công nghệ, Tháng 7/2026")).to_be_visible(
        timeout=TIMEOUT_MS)
    page.get_by_role("button", name="Nạp 1 tệp hợp lệ").click()
    expect(page.get_by_text("Đã nạp xong 1 báo cáo", exact=False)).to_be_visible(timeout=TIMEOUT_MS)
    assert _states(query, db_path) == [(1, "superseded"), (2, "current")]

    page.get_by_role("link", name="Tổng quan").click()
    expect(_completion_tile(page)).to_have_text("100%", timeout=TIMEOUT_MS)
    assert page.locator('[data-testid="stException"]').count() == 0


def test_uploading_a_bad_file_shows_the_row_level_error(page: Page, db_path, start_app,
                                                        fixtures_dir, query):
    bad = fixtures_dir / "bad-percent-150.xlsx"
    row = next(c.row for r in load_workbook(bad).active.iter_rows() for c in r if c.value == "NV1.2")
    sign_in(page, f"{start_app(db_path)}/upload")
    _upload(page, bad)

    table = page.locator('[data-testid="stTable"]').first
    expect(table).to_be_visible(timeout=TIMEOUT_MS)
    error_row = table.locator("tr").filter(has_text="150")
    expect(error_row).to_contain_text(str(row))
    expect(error_row).to_contain_text("Tỷ lệ hoàn thành (%)")
    expect(error_row).to_contain_text("Lỗi")
    expect(page.get_by_role("button", name="Nạp 0 tệp hợp lệ")).to_be_disabled()
    assert not db_path.exists() or query(db_path, "SELECT count(*) FROM submissions") == [(0,)]


def test_downloading_an_original_from_the_history_gives_the_same_bytes(page: Page, db_path,
                                                                        start_app):
    original = bf.xlsx(bf.report())
    _store(db_path, original, ORIGINAL_NAME)
    sign_in(page, f"{start_app(db_path)}/history")
    button = page.get_by_role("button", name=re.compile("Tải tệp gốc"))
    expect(button).to_be_visible(timeout=TIMEOUT_MS)
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert download.suggested_filename == ORIGINAL_NAME
    with open(download.path(), "rb") as f:
        assert f.read() == original


def test_restoring_an_earlier_submission_and_undoing_it(page: Page, db_path, start_app, query):
    _store(db_path, bf.xlsx(bf.report()), "tháng 7.xlsx")
    _store(db_path, _all_done(), "tháng 7 - bản sửa.xlsx")
    sign_in(page, f"{start_app(db_path)}/history")

    chooser = page.locator('[data-testid="stSelectbox"]').filter(
        has_text="Chọn báo cáo để xem chi tiết")
    expect(chooser).to_be_visible(timeout=TIMEOUT_MS)
    chooser.click()
    page.get_by_role("option", name=re.compile(r"^#1 ·")).click()
    page.get_by_role("button", name="Khôi phục làm báo cáo hiện hành").click()
    expect(page.get_by_text("Khôi phục báo cáo #1 làm báo cáo hiện hành?")).to_be_visible()
    assert _states(query, db_path) == [(1, "superseded"), (2, "current")]

    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_text("Đã khôi phục báo cáo #1 làm báo cáo hiện hành.").first).to_be_visible(
        timeout=TIMEOUT_MS)
    assert _states(query, db_path) == [(1, "current"), (2, "superseded")]

    page.get_by_role("button", name=re.compile("^Hoàn tác")).click()
    expect(page.get_by_text("Đã hoàn tác.")).to_be_visible(timeout=TIMEOUT_MS)
    assert _states(query, db_path) == [(1, "superseded"), (2, "current")]
    assert page.locator('[data-testid="stException"]').count() == 0


def test_the_reminder_list_hands_out_the_loaders_template(page: Page, db_path, start_app):
    _store(db_path, bf.xlsx(bf.report()), "tháng 7.xlsx")
    sign_in(page, f"{start_app(db_path)}/templates")
    page.get_by_role("combobox").first.wait_for(timeout=TIMEOUT_MS)
    chooser = page.locator('[data-testid="stSelectbox"]').filter(has_text="Kỳ báo cáo")
    chooser.click()
    page.get_by_role("option", name="Tháng 7/2026", exact=True).click()
    owed = [c for c in bf.catalog().cells if c.code != "VPCN"]
    expect(page.get_by_text(owed[0].name, exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text(bf.catalog().cell("VPCN").name, exact=True)).to_have_count(0)

    with page.expect_download() as info:
        page.get_by_role("button", name="Tải mẫu").first.click()
    download = info.value
    assert download.suggested_filename == f"Mẫu báo cáo - {owed[0].short_name} - Tháng 7-2026.xlsx"
    with open(download.path(), "rb") as f:
        assert f.read() == template_bytes(owed[0].code, "2026-07")
