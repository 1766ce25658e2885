"""In Debian's Chromium: a chart's PNG download and the meeting pack download give valid files."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect
from pptx import Presentation
from signin import OFFICE, sign_in
from dashboard_db import load_sample_reports
from etl.store import Store

pytestmark = pytest.mark.browser

CHART_TIMEOUT_MS = 60_000
PACK_TIMEOUT_MS = 120_000


@pytest.fixture
def sample_db(tmp_path) -> Path:
    """The project's sample reports, loaded by the real loader."""
    return load_sample_reports(tmp_path)


def test_chart_png_download(page: Page, start_app, sample_db, tmp_path):
    base_url = start_app(sample_db)
    sign_in(page, base_url)
    expect(page.locator('[data-testid="stPlotlyChart"] .main-svg').first).to_be_visible(
        timeout=CHART_TIMEOUT_MS)
    button = page.locator('[data-testid="stDownloadButton"] button', has_text="PNG").first
    expect(button).to_be_visible(timeout=CHART_TIMEOUT_MS)
    with page.expect_download(timeout=CHART_TIMEOUT_MS) as info:
        button.click()
    download = info.value
    assert download.suggested_filename.endswith(".png")
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    image = Image.open(target)
    assert image.format == "PNG" and image.size == (3200, 1800)
    # sample reports in scope: the image's footer says so (issue 11)
    footer = image.convert("RGB").crop((1600, 1620, 3200, 1800))
    assert sum(n for n, (r, g, b) in footer.getcolors(1 << 20) if r > 150 and g < 60 and b < 60) > 500
    # and the download is in the audit trail: who, what, which scope
    with Store.at(sample_db).read() as con:
        rows = con.execute("SELECT username, target, detail FROM audit_log WHERE action = 'export'"
                           ).fetchall()
    assert [(a, t.endswith(".png")) for a, t, _ in rows] == [(OFFICE.username, True)]
    assert rows[0][2].startswith("Tháng 11/2026")


def test_meeting_pack_download(page: Page, start_app, sample_db, tmp_path):
    base_url = start_app(sample_db)
    sign_in(page, base_url)
    page.get_by_role("link", name="Xuất báo cáo họp").click(timeout=CHART_TIMEOUT_MS)
    make = page.get_by_role("button", name="Tạo bộ báo cáo họp")
    expect(make).to_be_visible(timeout=CHART_TIMEOUT_MS)
    make.click()
    pptx_button = page.locator('[data-testid="stDownloadButton"] button',
                               has_text="Tải bản trình chiếu (PPTX)")
    expect(pptx_button).to_be_visible(timeout=PACK_TIMEOUT_MS)
    with page.expect_download(timeout=PACK_TIMEOUT_MS) as info:
        pptx_button.click()
    download = info.value
    assert download.suggested_filename.startswith("hop-")
    assert download.suggested_filename.endswith("-tong-quan.pptx")
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    deck = Presentation(io.BytesIO(target.read_bytes()))
    assert len(deck.slides) > 5
    assert deck.slide_width * 9 == deck.slide_height * 16
