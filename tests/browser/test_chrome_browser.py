"""The interface around the figures in a real Chromium: nothing fetched from the internet,
the chart toolbar and Streamlit's own menus, tooltips, date picker and connection dialog in
Vietnamese, a light page whatever the computer's setting, and printing that keeps each
chart whole on a sheet without the sidebar."""
from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from dashboard_db import build_db, demo_subs
from page_checks import TIMEOUT_MS, open_sidebar_page, wait_until_drawn
from signin import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def app_url(tmp_path, start_app) -> str:
    return start_app(build_db(tmp_path / "demo.duckdb", demo_subs()))


def _signed_in(page: Page, app_url: str) -> Page:
    sign_in(page, app_url)
    wait_until_drawn(page)
    return page


def test_a_page_load_asks_nothing_of_the_internet(page: Page, app_url):
    """An office network without internet sees no failed request (the icon was fetched
    from fonts.gstatic.com on every load)."""
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    _signed_in(page, app_url)
    open_sidebar_page(page, "Theo chi bộ")
    assert requests
    outside = [u for u in requests if not u.startswith((app_url, "data:", "blob:"))]
    assert outside == []
    icon = page.locator("link[rel~='icon']").first.get_attribute("href")
    assert icon and not icon.startswith("http") or icon.startswith(app_url)


def test_the_chart_toolbar_speaks_vietnamese_and_offers_only_full_screen(page: Page, app_url):
    _signed_in(page, app_url)
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.hover()
    buttons = chart.locator(".modebar-btn")
    assert buttons.evaluate_all("bs => bs.map(b => b.getAttribute('data-title'))") == [
        "Toàn màn hình"]
    buttons.first.hover()
    assert buttons.first.evaluate("b => getComputedStyle(b, '::after').content") == \
        '"Toàn màn hình"'


def test_streamlit_menus_tooltips_and_tables_speak_vietnamese(page: Page, app_url):
    _signed_in(page, app_url)
    cells = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"] input').first
    options = page.locator('[role="listbox"] [role="option"]')
    for _ in range(3):          # a late rerun of the page can close the list as it opens
        cells.focus()
        page.keyboard.press("ArrowDown")
        try:
            options.first.wait_for(timeout=3000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    expect(options.first).to_have_text("Chọn tất cả")
    page.keyboard.type("không có chi bộ này")
    expect(page.locator('[role="listbox"]')).to_contain_text("Không có kết quả")
    page.keyboard.press("Escape")

    open_sidebar_page(page, "Khó khăn, đề xuất")
    table = page.locator('[data-testid="stDataFrame"]').first
    table.hover()
    toolbar = table.locator("xpath=..").locator('[data-testid="stElementToolbar"] button')
    labels = toolbar.evaluate_all("bs => bs.map(b => b.getAttribute('aria-label'))")
    assert labels == ["Ẩn/hiện cột", "Tìm trong bảng", "Toàn màn hình"]  # no CSV download
    toolbar.nth(1).hover()
    expect(page.locator('[data-testid="stTooltipContent"]')).to_have_text("Tìm trong bảng")

    box = table.bounding_box()
    page.mouse.move(box["x"] + 150, box["y"] + 18)       # the second column's header
    page.wait_for_timeout(300)                           # its menu button is drawn on hover
    page.mouse.click(box["x"] + 195, box["y"] + 18)
    menu = page.locator('[aria-label="Menu của cột"]')
    expect(menu.first).to_contain_text("Sắp xếp tăng dần")
    assert "Sort ascending" not in menu.first.inner_text()


def test_the_date_pickers_calendar_is_vietnamese_in_an_english_browser(page: Page, app_url):
    _signed_in(page, app_url)
    open_sidebar_page(page, "Nhật ký thao tác")
    page.locator('[data-testid="stDateInputCalendarButton"]').first.click()
    calendar = page.locator('[data-testid="stDateInputCalendar"]')
    expect(calendar.locator("thead")).to_have_text("T2T3T4T5T6T7CN", timeout=TIMEOUT_MS)
    assert calendar.locator("header button[aria-haspopup=listbox]").first.inner_text().startswith("Tháng")


def test_the_lost_connection_dialog_is_vietnamese(page: Page, tmp_path, start_app):
    url = start_app(build_db(tmp_path / "demo.duckdb", demo_subs()))
    _signed_in(page, url)
    start_app.stop(url)
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Mất kết nối", timeout=TIMEOUT_MS)
    assert "Connection error" not in dialog.inner_text()


def test_a_dark_computer_still_gets_the_light_page_the_charts_are_made_for(
        browser: Browser, app_url):
    context = browser.new_context(color_scheme="dark", viewport={"width": 1600, "height": 1000})
    page = _signed_in(context.new_page(), app_url)
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    app = page.locator('[data-testid="stApp"]')
    assert app.evaluate("a => getComputedStyle(a).backgroundColor") == "rgb(255, 255, 255)"
    subtitle = page.locator('[data-testid="stPlotlyChart"] .gtitle-subtitle, '
                            '[data-testid="stPlotlyChart"] .gtitle ~ text').first
    fill = subtitle.evaluate("t => getComputedStyle(t).fill")
    assert fill in ("rgb(85, 85, 85)",), fill    # charts.py's grey on white, not on black
    context.close()


def test_printing_hides_the_sidebar_and_keeps_each_chart_whole_at_the_sheets_width(
        page: Page, app_url):
    page.set_viewport_size({"width": 1600, "height": 1000})
    _signed_in(page, app_url)
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.locator('[data-testid="stSidebar"]').evaluate(
        "s => getComputedStyle(s).display") == "none"
    charts = page.locator('[data-testid="stElementContainer"]:has([data-testid="stPlotlyChart"])')
    assert charts.count() == 5
    layout = charts.evaluate_all("""cs => cs.map(c => {
        const blocks = [];
        for (let p = c.parentElement; p && p.dataset.testid !== 'stMain'; p = p.parentElement) {
          blocks.push(getComputedStyle(p).display);
        }
        const frame = c.querySelector('.svg-container').getBoundingClientRect();
        return {avoid: getComputedStyle(c).breakInside, flexParents: blocks.filter(d => d === 'flex').length,
                fits: frame.width <= c.getBoundingClientRect().width + 1};
    })""")
    assert all(c == {"avoid": "avoid", "flexParents": 0, "fits": True} for c in layout), layout
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    page.emulate_media(media="screen")
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert page.locator("svg.main-svg[viewBox]").count() == 0

