"""Every page at a desktop, a 1280×720 laptop and a 390 px phone, on the sample reports and
on reports filled by hand (one without a report date): no exception box, no English in the
interface, no chart text running off its chart, no text cut short with "…". Screenshots of
every visit are saved in a temporary folder (printed at the end) for a person to look at."""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from dashboard_db import build_db, load_sample_reports
from page_checks import (ADMIN, ADMIN_PAGES, OFFICE_PAGES, cut_texts, english_texts, exceptions,
                         hand_filled_subs, open_sidebar_page, overflowing_chart_text,
                         screenshot, slug, wait_until_drawn)
from signin import OFFICE, ensure_account, sign_in

pytestmark = pytest.mark.browser

SIZES = {"desktop": (1600, 1000), "laptop": (1280, 720), "phone": (390, 844)}


@pytest.fixture(scope="module")
def shots():
    # Not pytest's tmp_path: it keeps only the last few runs' folders, and a person looks
    # at these after the run.
    folder = Path(tempfile.mkdtemp(prefix="every-page-screenshots-"))
    yield folder
    print(f"\nScreenshots: {folder}")


@pytest.fixture(params=["sample", "hand-filled"])
def app(request, tmp_path, start_app):
    if request.param == "sample":
        db = load_sample_reports(tmp_path)
    else:
        db = build_db(tmp_path / "hand-filled.duckdb", hand_filled_subs())
    ensure_account(db, ADMIN)
    return request.param, start_app(db)


@pytest.mark.parametrize("size", SIZES)
def test_every_page_is_usable_at_every_size(browser: Browser, app, size, shots):
    data, base_url = app
    width, height = SIZES[size]
    problems = []
    for user, titles in ((OFFICE, OFFICE_PAGES), (ADMIN, ADMIN_PAGES)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        sign_in(page, base_url, user=user)
        wait_until_drawn(page)
        for title in titles:
            open_sidebar_page(page, title)
            where = f"{data} · {size} · {title}"
            problems += [f"{where}: exception {e[:200]}" for e in exceptions(page)]
            problems += [f"{where}: English {t!r}" for t in english_texts(page)]
            problems += [f"{where}: {t}" for t in overflowing_chart_text(page)]
            problems += [f"{where}: cut to “…”: {t!r}" for t in cut_texts(page)]
            screenshot(page, shots / f"{data}-{size}-{slug(title)}.png")
        context.close()
    assert not problems, "\n".join(problems)
