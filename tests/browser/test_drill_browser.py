"""Drill-down in a real Chromium: a click on a chart's mark opens the view it names, as a
step of the browser's history (the back button returns)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from dashboard_db import build_db, demo_subs
from etl.catalog import get_catalog
from page_checks import wait_until_idle
from signin import sign_in

pytestmark = pytest.mark.browser

TIMEOUT_MS = 30_000
SCOPE = "grain=month&period=2026-09&from=2026-04"


@pytest.fixture
def base(tmp_path, start_app) -> str:
    return start_app(build_db(tmp_path / "demo.duckdb", demo_subs()))


def chart(page: Page, index: int):
    charts = page.locator('[data-testid="stPlotlyChart"]')
    expect(charts.nth(index).locator(".main-svg").first).to_be_visible(timeout=TIMEOUT_MS)
    return charts.nth(index)


def click_mark(page: Page, mark, fx: float = 0.5, fy: float = 0.5) -> None:
    """Point at a mark until its hover label shows, then click, as a person does."""
    expect(page.locator('[data-testid="stApp"]')).to_have_attribute(
        "data-test-script-state", "notRunning", timeout=TIMEOUT_MS)
    mark.scroll_into_view_if_needed()
    box = mark.bounding_box()
    x, y = box["x"] + box["width"] * fx, box["y"] + box["height"] * fy
    page.mouse.move(x - 10, y - 10)
    page.mouse.move(x, y, steps=5)
    expect(page.locator(".hoverlayer .hovertext").first).to_be_visible(timeout=TIMEOUT_MS)
    page.mouse.down()
    page.mouse.up()


def heading(page: Page):
    return page.locator('[data-testid="stHeading"]').first


def test_a_cells_bar_opens_that_cell_and_back_returns(page: Page, base):
    sign_in(page, f"{base}/?{SCOPE}")
    bars = chart(page, 0).locator(".bars .point")
    click_mark(page, bars.nth(1))                       # Kế hoạch - Khoa học
    expect(page).to_have_url(f"{base}/by_cell?{SCOPE}&cell=KHKH", timeout=TIMEOUT_MS)
    expect(heading(page)).to_contain_text("Chi bộ Kế hoạch - Khoa học", timeout=TIMEOUT_MS)
    expect(page.get_by_text("Tháng 9/2026").first).to_be_visible()
    page.go_back()
    expect(page).to_have_url(f"{base}/?{SCOPE}", timeout=TIMEOUT_MS)
    expect(heading(page)).to_contain_text("Đảng bộ đã thực hiện", timeout=TIMEOUT_MS)


def test_an_areas_bar_opens_that_area(page: Page, base):
    sign_in(page, f"{base}/?{SCOPE}")
    click_mark(page, chart(page, 1).locator(".bars .point").nth(2))    # NV3
    expect(page).to_have_url(f"{base}/by_area?{SCOPE}&area=NV3", timeout=TIMEOUT_MS)
    expect(heading(page)).to_contain_text("Khoa học, công nghệ", timeout=TIMEOUT_MS)


def test_a_heatmap_square_opens_that_cells_tasks_in_that_area(page: Page, base):
    sign_in(page, f"{base}/?{SCOPE}")
    grid = chart(page, 2).locator(".nsewdrag").first
    click_mark(page, grid, fx=0.3, fy=0.375)           # row 2 of 4 (KHKH), column 2 of 5 (NV2)
    expect(page).to_have_url(f"{base}/by_cell?{SCOPE}&areas=NV2&cell=KHKH", timeout=TIMEOUT_MS)
    expect(heading(page)).to_contain_text("Chi bộ Kế hoạch - Khoa học", timeout=TIMEOUT_MS)
    expect(page.get_by_text("Nhiệm vụ trọng tâm: Tuyên truyền").first).to_be_visible()


def test_a_trend_point_selects_its_period(page: Page, base):
    sign_in(page, f"{base}/?{SCOPE}")
    first_line = chart(page, 3).locator(".scatterlayer .trace").first
    click_mark(page, first_line.locator(".point").nth(2))   # the third month: June
    expect(page).to_have_url(f"{base}/?grain=month&period=2026-06&from=2026-04",
                             timeout=TIMEOUT_MS)
    expect(page.get_by_text("Tháng 6/2026").first).to_be_visible(timeout=TIMEOUT_MS)
    page.go_back()
    expect(page).to_have_url(f"{base}/?{SCOPE}", timeout=TIMEOUT_MS)


def test_a_submission_square_opens_that_report_in_the_history(page: Page, base, query, tmp_path):
    sign_in(page, f"{base}/by_period?{SCOPE}")
    grid = chart(page, 0).locator(".nsewdrag").first
    # The last row: the grid puts cells with missing, then late reports first, so the last
    # one has sent its reports; the last column is September.
    last_row = chart(page, 0).locator(".yaxislayer-above .ytick text").evaluate_all(
        "ts => ts.sort((a, b) => b.getBoundingClientRect().y - a.getBoundingClientRect().y)"
        "[0].textContent")
    click_mark(page, grid, fx=0.95, fy=0.9)
    expect(page).to_have_url(re.compile(r"/history\?.*report=\d+"), timeout=TIMEOUT_MS)
    report = re.search(r"report=(\d+)", page.url)[1]
    (cell, period), = query(tmp_path / "demo.duckdb",
                            "SELECT cell_code, period FROM submissions WHERE submission_id = ?",
                            [int(report)])
    assert (get_catalog().cell(cell).short_name, period) == (last_row, "2026-09")
    expect(page.get_by_text(f"Báo cáo #{report}").first).to_be_visible(timeout=TIMEOUT_MS)


def test_the_back_button_walks_back_view_by_view(page: Page, base):
    """One step of history per thing a person did: a filter, a page from the menu."""
    def settled():
        """As when a person reads the page before the next click."""
        wait_until_idle(page, ms=1000)

    sign_in(page, base)
    expect(page).to_have_url(f"{base}/?{SCOPE}", timeout=TIMEOUT_MS)
    settled()
    page.locator('[data-testid="stSidebar"]').get_by_role("radio", name="Quý", exact=True).click()
    quarter = "grain=quarter&period=2026-Q3&from=2026-Q2"
    expect(page).to_have_url(f"{base}/?{quarter}", timeout=TIMEOUT_MS)
    settled()
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Theo chi bộ").click()
    expect(page).to_have_url(f"{base}/by_cell?{quarter}&cell=VPCN", timeout=TIMEOUT_MS)
    settled()
    page.go_back()
    expect(page).to_have_url(f"{base}/?{quarter}", timeout=TIMEOUT_MS)
    expect(heading(page)).to_contain_text("Đảng bộ đã thực hiện", timeout=TIMEOUT_MS)
    settled()
    page.go_back()
    expect(page).to_have_url(f"{base}/?{SCOPE}", timeout=TIMEOUT_MS)
    expect(page.locator('[data-testid="stSidebar"]').get_by_role("radio", name="Tháng", exact=True)
           ).to_have_attribute("aria-checked", "true", timeout=TIMEOUT_MS)
