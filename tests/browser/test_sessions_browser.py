"""Sign-in that lasts and links that share a view, in a real Chromium against the real
server (server.py): reload, second tab, restart, sign-out, idle time-out, deep links,
copied links opened by someone else."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from dashboard_db import build_db, demo_subs
from etl import usecases
from etl.store import Store
from etl.vocab import UserRole
from page_checks import wait_until_idle
from signin import OFFICE, OPERATOR, PASSWORD, sign_in

pytestmark = pytest.mark.browser

TIMEOUT_MS = 30_000
LEADER_NAME, LEADER_PASSWORD = "lanhdao", "lanh-dao-2026"


@pytest.fixture
def demo_db(tmp_path):
    path = build_db(tmp_path / "demo.duckdb", demo_subs())
    usecases.add_user(Store.at(path), OPERATOR, LEADER_NAME, "Lãnh đạo Đảng ủy",
                      UserRole.LEADERSHIP, LEADER_PASSWORD)
    return path


def charts_drawn(page: Page, count: int = 1) -> None:
    """At least `count` charts drawn and the script idle for a moment (a chart of the run
    before stays on screen while the next run computes)."""
    expect(page.locator('[data-testid="stPlotlyChart"] .main-svg').nth(count - 1)
           ).to_be_visible(timeout=TIMEOUT_MS)
    wait_until_idle(page)


def signed_in(page: Page) -> None:
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible(timeout=TIMEOUT_MS)


def on_sign_in_form(page: Page) -> None:
    expect(page.get_by_label("Tên đăng nhập")).to_be_visible(timeout=TIMEOUT_MS)
    assert "/dang-nhap" in page.url


def settled(page: Page) -> None:
    """The script run an action started has finished (widgets are not redrawn under the mouse)."""
    page.wait_for_timeout(300)
    expect(page.locator('[data-testid="stApp"]')).to_have_attribute(
        "data-test-script-state", "notRunning", timeout=TIMEOUT_MS)


def sidebar(page: Page):
    return page.locator('[data-testid="stSidebar"]')


def choose(page: Page, label: str, option: str) -> None:
    """Pick an option of a sidebar multiselect, as a person does."""
    settled(page)
    box = sidebar(page).get_by_role("combobox", name=label, exact=True)
    box.click()
    box.press("ArrowDown")                          # the list opens
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")
    sidebar(page).get_by_text("Phạm vi").click()   # the choice is committed when the box loses focus


def kpis(page: Page) -> list[str]:
    values = page.locator('[data-testid="stMetricValue"]')
    expect(values.first).to_be_visible(timeout=TIMEOUT_MS)
    return values.all_inner_texts()


def session_cookie(context) -> dict:
    return next(c for c in context.cookies() if c["name"] == "progress_session")


def test_reload_second_tab_and_restart_keep_the_user_signed_in_on_the_same_view(
        page: Page, demo_db, start_app):
    base = start_app(demo_db)
    sign_in(page, f"{base}/by_cell")
    charts_drawn(page)
    sidebar(page).get_by_role("radio", name="Quý", exact=True).click()
    page.wait_for_url(re.compile(r"grain=quarter"), timeout=TIMEOUT_MS)
    page.locator('[data-testid="stMain"]').get_by_text("Văn phòng - Công nghệ").first.wait_for()
    view = page.url
    figures = kpis(page)

    page.reload()
    signed_in(page)
    charts_drawn(page)
    assert page.url == view
    assert kpis(page) == figures
    expect(sidebar(page).get_by_role("radio", name="Quý", exact=True)).to_have_attribute(
        "aria-checked", "true", timeout=TIMEOUT_MS)

    second = page.context.new_page()
    second.goto(view)
    signed_in(second)
    charts_drawn(second)
    assert kpis(second) == figures

    port = int(base.rsplit(":", 1)[1])
    start_app.stop(base)
    start_app(demo_db, port=port)
    page.goto(view)                     # the first request after the restart: a deep link
    signed_in(page)
    charts_drawn(page)
    assert page.url == view
    assert kpis(page) == figures


def test_the_session_cookie_is_httponly_lax_and_invisible_to_scripts(page: Page, demo_db,
                                                                     start_app):
    sign_in(page, start_app(demo_db))
    cookie = session_cookie(page.context)
    assert cookie["httpOnly"] and cookie["sameSite"] in ("Lax", "Strict") and cookie["path"] == "/"
    assert len(cookie["value"]) >= 43
    assert "progress_session" not in page.evaluate("document.cookie")
    assert cookie["value"] not in page.content()


def test_after_signing_out_the_old_cookie_is_refused(page: Page, browser: Browser, demo_db,
                                                     start_app):
    base = start_app(demo_db)
    sign_in(page, base)
    old = session_cookie(page.context)
    page.get_by_role("button", name="Đăng xuất").click()
    on_sign_in_form(page)
    expect(page.get_by_text("Đã đăng xuất.")).to_be_visible()

    replay = browser.new_context()
    replay.add_cookies([old])
    intruder = replay.new_page()
    intruder.goto(f"{base}/overview")
    on_sign_in_form(intruder)
    assert intruder.locator('[data-testid="stMetricValue"]').count() == 0
    replay.close()


def test_a_session_idle_past_the_limit_is_refused_and_audited(page: Page, demo_db, start_app,
                                                             query):
    base = start_app(demo_db, PROGRESS_IDLE_MINUTES="30")
    sign_in(page, f"{base}/by_area")
    charts_drawn(page)
    with Store.at(demo_db).write() as con:   # 31 minutes without a click, as far as the server knows
        con.execute("UPDATE sessions SET last_seen_at = last_seen_at - INTERVAL 31 MINUTE")
    page.reload()
    on_sign_in_form(page)
    expect(page.get_by_text("sau 30 phút không thao tác")).to_be_visible()
    assert query(demo_db, "SELECT end_reason FROM sessions") == [("idle",)]
    assert query(demo_db, "SELECT count(*) FROM audit_log WHERE action = 'session_expired'") == [(1,)]
    # Signing in again returns to the page the session ended on.
    page.get_by_label("Tên đăng nhập").fill(OFFICE.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    signed_in(page)
    assert "/by_area" in page.url


def test_a_deep_link_opened_signed_out_lands_on_that_exact_view_after_sign_in(page: Page, demo_db,
                                                                            start_app):
    base = start_app(demo_db)
    link = f"{base}/by_cell?grain=quarter&period=2026-Q2&from=2026-Q2&cells=CDS,KHKH&areas=NV2&cell=KHKH"
    page.goto(link)
    on_sign_in_form(page)
    page.get_by_label("Tên đăng nhập").fill(OFFICE.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    signed_in(page)
    charts_drawn(page)
    assert page.url == link
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_text("Quý II/2026").first).to_be_visible()
    expect(main.get_by_text("Chi bộ Kế hoạch - Khoa học").first).to_be_visible()
    expect(sidebar(page).get_by_text("Chuyển đổi số").first).to_be_visible()   # a chosen cell


def test_a_bad_link_falls_back_with_a_notice_never_an_error(page: Page, demo_db, start_app):
    base = start_app(demo_db)
    sign_in(page, f"{base}/by_cell?grain=quarter&period=2031-Q9&cells=XYZ&cell=KHONG")
    charts_drawn(page)
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_text("không có số liệu quý").first).to_be_visible()
    expect(main.get_by_text("mã chi bộ không có: XYZ").first).to_be_visible()
    expect(main.get_by_text("chi bộ “KHONG” không có trong phạm vi").first).to_be_visible()
    assert page.locator('[data-testid="stException"]').count() == 0
    expect(page).to_have_url(re.compile(r"period=2026-Q3"))


def test_a_copied_link_shows_another_user_the_same_figures(page: Page, browser: Browser, demo_db,
                                                           start_app):
    base = start_app(demo_db)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, base)
    charts_drawn(page)
    sidebar(page).get_by_role("radio", name="Quý", exact=True).click()
    page.wait_for_url(re.compile(r"grain=quarter"), timeout=TIMEOUT_MS)
    choose(page, "Chi bộ", "Văn phòng - Công nghệ")
    page.wait_for_url(re.compile(r"cells=VPCN"), timeout=TIMEOUT_MS)
    choose(page, "Chi bộ", "Chuyển đổi số")
    page.wait_for_url(re.compile(r"cells=VPCN%2CCDS"), timeout=TIMEOUT_MS)
    choose(page, "Nhiệm vụ trọng tâm", "NV2 Tuyên truyền")
    page.wait_for_url(re.compile(r"areas=NV2"), timeout=TIMEOUT_MS)
    charts_drawn(page)
    figures = kpis(page)
    page.get_by_role("button", name="Sao chép liên kết").click()
    expect(page.get_by_role("button", name="Đã sao chép liên kết")).to_be_visible()
    link = page.evaluate("navigator.clipboard.readText()")
    assert "grain=quarter" in link and "cells=VPCN%2CCDS" in link and "areas=NV2" in link

    other = browser.new_context()
    leader = other.new_page()
    leader.goto(link)
    leader.get_by_label("Tên đăng nhập").fill(LEADER_NAME)
    leader.get_by_label("Mật khẩu").fill(LEADER_PASSWORD)
    leader.get_by_role("button", name="Đăng nhập").click()
    signed_in(leader)
    expect(leader.get_by_text("Lãnh đạo Đảng ủy").first).to_be_visible()
    charts_drawn(leader)
    assert leader.url == link
    assert kpis(leader) == figures
    caption = page.get_by_text("Chi bộ: Văn phòng - Công nghệ, Chuyển đổi số").first.inner_text()
    expect(leader.get_by_text(caption).first).to_be_visible()
    other.close()


def test_an_originals_download_address_answers_only_to_a_live_session(page: Page, browser: Browser,
                                                                     db_path, start_app):
    import build_fixtures as bf
    from dashboard_db import load_file

    original = bf.xlsx(bf.report())
    load_file(db_path, original, "bao-cao-thang-7.xlsx")
    base = start_app(db_path)
    sign_in(page, f"{base}/history")
    button = page.get_by_role("button", name=re.compile("Tải tệp gốc"))
    expect(button).to_be_visible(timeout=TIMEOUT_MS)
    with page.expect_download() as info:
        button.click()
    address = info.value.url
    assert "/media/" in address

    assert page.context.request.get(address).body() == original          # this session: yes
    stranger = browser.new_context()
    refused = stranger.request.get(address, max_redirects=0)
    assert refused.status == 401 and original not in refused.body()      # no cookie: no
    stranger.close()
    page.get_by_role("button", name="Đăng xuất").click()
    on_sign_in_form(page)
    after = page.context.request.get(address, max_redirects=0)
    assert after.status == 401                                            # signed out: no


def test_an_open_page_idle_past_the_limit_goes_to_the_sign_in_form_on_the_next_click(
        page: Page, demo_db, start_app):
    base = start_app(demo_db)
    sign_in(page, base)
    charts_drawn(page)
    settled(page)
    with Store.at(demo_db).write() as con:
        con.execute("UPDATE sessions SET last_seen_at = last_seen_at - INTERVAL 31 MINUTE")
    sidebar(page).get_by_role("radio", name="Quý", exact=True).click()
    on_sign_in_form(page)
    expect(page.get_by_text("sau 30 phút không thao tác")).to_be_visible()
    assert "next=%2F%3Fgrain%3Dmonth" in page.url      # back to the view it was showing
