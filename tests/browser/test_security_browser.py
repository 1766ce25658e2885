"""Text from a cell's report is shown as text, never run as HTML, in a real Chromium."""
from __future__ import annotations

import pytest

from playwright.sync_api import Page, expect

import build_fixtures as bf
from dashboard_db import load_file
from signin import sign_in

pytestmark = pytest.mark.browser

SCRIPT = "<script>window.__xss = 'script'</script>"
IMG = '<img src=x onerror="window.__xss = \'img\'">'
TIMEOUT_MS = 30_000


def _report_with(obstacle: str, status: str = "Chậm tiến độ") -> bytes:
    rows = bf.with_row(bf.vpcn_july(), "NV2.3", obstacles=obstacle, proposals=IMG, status=status)
    return bf.xlsx(bf.report(rows=rows))


def test_markup_in_a_bad_report_shows_as_text_in_the_problems_table(page: Page, db_path, start_app,
                                                                      tmp_path):
    bad = tmp_path / "co-ma-doc.xlsx"
    bad.write_bytes(_report_with(SCRIPT, status=IMG))  # an unknown status: the row is rejected
    sign_in(page, f"{start_app(db_path)}/upload")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(bad))
    table = page.locator('[data-testid="stTable"]').first
    expect(table).to_contain_text(IMG, timeout=TIMEOUT_MS)  # the markup, as characters
    assert page.evaluate("window.__xss") is None
    assert page.locator("img[src='x']").count() == 0


def test_markup_in_a_loaded_report_never_runs_on_the_dashboard(page: Page, db_path, start_app):
    data = _report_with(SCRIPT)
    load_file(db_path, data, "co-ma.xlsx")
    base = start_app(db_path)
    sign_in(page, base)
    for title in ("Khó khăn, đề xuất", "Theo chi bộ", "Lịch sử báo cáo"):
        page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
        expect(page.locator('[data-testid="stHeading"]').first).to_be_visible(timeout=TIMEOUT_MS)
        page.wait_for_timeout(1500)  # let every element render
        assert page.evaluate("window.__xss") is None, title
        assert page.locator("img[src='x']").count() == 0, title
        assert page.locator('[data-testid="stException"]').count() == 0, title
