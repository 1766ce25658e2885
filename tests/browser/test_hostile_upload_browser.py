"""Files crafted to hurt the server, uploaded through the page while another session keeps
clicking: the server's health endpoint keeps answering within a second, the other
session's pages keep drawing, and each file is refused on its own (issue 10)."""
from __future__ import annotations

import threading
import time
import urllib.request

import pytest
from playwright.sync_api import Browser, Page, expect

import hostile_files as hf
from dashboard_db import build_db, demo_subs
from signin import sign_in

pytestmark = pytest.mark.browser
TIMEOUT_MS = 60_000
HEALTH_LIMIT_S = 1.0

# Each of these froze, aborted or exhausted the server before the parse worker (issue 10),
# with the verdict each gets now: the first is a real report with junk after its cells.
HOSTILE = {
    "quet-cham.xlsx": (hf.quadratic_scan_xlsx, "hợp lệ"),   # quadratic regular expression
    "o-khong-dia-chi.xlsx": (hf.cells_without_ref_xlsx, "lỗi"),  # a 1,048,576 x 16,384 range
    "lap-lai.ods": (hf.ods_repeats, "lỗi"),                # gigabytes of repeated cells
    "vong-lap.xls": (hf.xls_sector_loop, "lỗi"),           # memory without limit
    "tai-do.xls": (hf.xls_truncated, "lỗi"),               # a panic no `except Exception` catches
}


class HealthWatch:
    """Polls /_stcore/health on its own thread; the slowest answer (a failure counts as
    a timeout) is what another user of the server would have felt."""

    def __init__(self, base_url: str):
        self.url, self.slowest, self.answers = f"{base_url}/_stcore/health", 0.0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                with urllib.request.urlopen(self.url, timeout=5) as answer:
                    ok = answer.read().decode().strip() == "ok"
            except OSError:
                ok = False
            took = time.monotonic() - started if ok else 5.0
            self.slowest, self.answers = max(self.slowest, took), self.answers + 1
            self._stop.wait(0.1)

    def __enter__(self) -> "HealthWatch":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


def _click_and_see_a_chart(page: Page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    expect(page.locator('[data-testid="stPlotlyChart"] .main-svg').first).to_be_visible(
        timeout=TIMEOUT_MS)
    assert page.locator('[data-testid="stException"]').count() == 0


def test_hostile_uploads_never_stall_the_server_or_another_session(browser: Browser, tmp_path,
                                                                     start_app, query):
    db = build_db(tmp_path / "demo.duckdb", demo_subs())
    submissions = query(db, "SELECT count(*) FROM submissions")
    base = start_app(db)
    leader = browser.new_context().new_page()
    office = browser.new_context().new_page()
    sign_in(leader, base)
    sign_in(office, f"{base}/upload")

    with HealthWatch(base) as health:
        for name, (build, verdict_text) in HOSTILE.items():
            path = tmp_path / name
            path.write_bytes(build())
            office.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
                str(path))
            # While the server reads it, the other session keeps working.
            for title in ("Theo chi bộ", "Tổng quan"):
                _click_and_see_a_chart(leader, title)
            verdict = office.locator('[data-testid="stExpander"]').filter(has_text=name)
            expect(verdict).to_be_visible(timeout=TIMEOUT_MS)
            expect(verdict).to_contain_text(verdict_text, timeout=TIMEOUT_MS)
            assert office.locator('[data-testid="stException"]').count() == 0

    assert health.answers > 10
    assert health.slowest < HEALTH_LIMIT_S, f"the health endpoint took {health.slowest:.2f} s"
    assert query(db, "SELECT count(*) FROM submissions") == submissions   # nothing stored
