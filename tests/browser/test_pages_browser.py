"""Every dashboard page in a real Chromium: its charts are drawn, no exception shown."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from dashboard_db import build_db, demo_subs
from signin import sign_in

pytestmark = pytest.mark.browser

PAGES = [("", "Tổng quan"), ("by_cell", "Theo chi bộ"), ("by_area", "Theo nhiệm vụ"),
         ("by_period", "Theo kỳ"), ("obstacles", "Khó khăn, đề xuất")]
CHART_TIMEOUT_MS = 30_000


@pytest.fixture
def base_url_with_data(tmp_path, start_app) -> str:
    return start_app(build_db(tmp_path / "demo.duckdb", demo_subs()))


@pytest.mark.parametrize("url_path,title", PAGES)
def test_page_draws_its_charts(page: Page, base_url_with_data, url_path, title):
    sign_in(page, base_url_with_data)
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.get_by_text(title, exact=True).click(timeout=CHART_TIMEOUT_MS)
    # The page's address, with the view it shows (dashboard.links).
    expect(page).to_have_url(re.compile(rf"{base_url_with_data}/{url_path}\?grain=month&period="),
                             timeout=CHART_TIMEOUT_MS)
    if url_path != "obstacles":  # the obstacles page is a table, not a chart
        expect(page.locator('[data-testid="stPlotlyChart"] .main-svg').first
               ).to_be_visible(timeout=CHART_TIMEOUT_MS)
    else:
        expect(page.locator('[data-testid="stDataFrame"]').first
               ).to_be_visible(timeout=CHART_TIMEOUT_MS)
    expect(page.get_by_text("Số liệu đến", exact=False).first).to_be_visible()
    expect(page.get_by_text("dữ liệu mẫu", exact=False).first).to_be_visible()
    expect(page.locator('[data-testid="stHeading"]').first).to_contain_text("?")
    assert page.locator('[data-testid="stException"]').count() == 0


def test_empty_database_says_what_to_do(page: Page, tmp_path, start_app):
    sign_in(page, start_app(build_db(tmp_path / "empty.duckdb", [])))
    expect(page.get_by_text("Chưa có báo cáo nào", exact=False)).to_be_visible(
        timeout=CHART_TIMEOUT_MS)
    assert page.locator('[data-testid="stException"]').count() == 0


def test_the_first_request_for_a_page_keeps_its_address_through_sign_in(page: Page,
                                                                         base_url_with_data):
    """The server's very first request is a deep link: the sign-in form, then that page
    (server.py keeps Streamlit from running a page file alone on a fresh server)."""
    sign_in(page, f"{base_url_with_data}/by_cell?cell=CDS")
    expect(page.locator('[data-testid="stHeading"]').first).to_contain_text(
        "Chi bộ Chuyển đổi số", timeout=CHART_TIMEOUT_MS)
    assert page.locator('[data-testid="stException"]').count() == 0
