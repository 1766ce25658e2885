import re
import pytest
from playwright.sync_api import Page, expect
import build_fixtures as bf
from dashboard_db import load_file
from signin import sign_in
from test_upload_browser import _all_done, _states
pytestmark = pytest.mark.browser

def test_dbg(page: Page, db_path, start_app, query):
    load_file(db_path, bf.xlsx(bf.report()), "tháng 7.xlsx")
    load_file(db_path, _all_done(), "tháng 7 - bản sửa.xlsx")
    sign_in(page, f"{start_app(db_path)}/history")
    chooser = page.locator('[data-testid="stSelectbox"]').filter(has_text="Chọn báo cáo để xem chi tiết")
    expect(chooser).to_be_visible(timeout=30000)
    print("URL0", page.url)
    chooser.click()
    page.get_by_role("option", name=re.compile(r"^#1 ·")).click()
    page.wait_for_timeout(300); print("URL1", page.url)
    page.get_by_role("button", name="Khôi phục làm báo cáo hiện hành").click()
    for i in range(10):
        page.wait_for_timeout(500); print("URL2", i, page.url, page.get_by_text("Khôi phục báo cáo #1 làm báo cáo hiện hành?").count())
    page.screenshot(path="/tmp/dbg.png")
