"""Province scale in Chromium (100 cells, 13 tasks, 60 months: tests/province_db.py): every
dashboard page draws without an exception box, and no chart shows more than about 30
labelled bars or rows unless the page offers a way to narrow it; the controls that narrow
a chart rerun only their fragment of the page."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

import province_db
from signin import sign_in

pytestmark = pytest.mark.browser

TIMEOUT_MS = 60_000
MOST_LABELS = 30
PAGES = [("Tổng quan", "Đảng bộ đã thực hiện Kế hoạch đến đâu"),
         ("Theo chi bộ", "thực hiện các nhiệm vụ được giao đến đâu"),
         ("Theo nhiệm vụ", "tiến triển ra sao ở từng chi bộ"),
         ("Theo kỳ", "đã nộp báo cáo đúng hạn"),
         ("Khó khăn, đề xuất", "gặp khó khăn gì")]

# Every chart on the page with the number of tick labels on its busier axis: the bars,
# rows or columns a reader has to take in.
LABELS_JS = """
() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')].map(gd => {
  const count = sel => gd.querySelectorAll(sel).length;
  return {title: (gd.querySelector('.gtitle') || {}).textContent || '',
          labels: Math.max(count('g.ytick text'), count('g.xtick text'))};
})
"""

SETTLED_JS = """
() => !document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]')
   && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].every(c => {
        const gd = c.querySelector('.js-plotly-plot');
        return gd && gd._fullLayout && c.querySelector('.main-svg');
      })
"""


class Runs:
    """The script runs the server reports finished on the websocket, by kind."""

    def __init__(self, page: Page):
        self.kinds: list[int] = []
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload) -> None:
        msg = ForwardMsg()
        msg.ParseFromString(payload.encode() if isinstance(payload, str) else payload)
        if msg.WhichOneof("type") == "script_finished":
            self.kinds.append(msg.script_finished)

    def wait_for(self, page: Page, count: int, kind: int | None = None) -> None:
        """Until `count` runs (of `kind`, if given) are over; the page's events arrive
        while it waits."""
        for _ in range(TIMEOUT_MS // 50):
            if sum(kind is None or k == kind for k in self.kinds) >= count:
                return
            page.wait_for_timeout(50)
        raise TimeoutError(f"script runs: {self.kinds}")


@pytest.fixture
def province_url(tmp_path, start_app) -> str:
    catalog = province_db.write_catalog(tmp_path)
    db = province_db.build(tmp_path / "province.duckdb", catalog)
    return start_app(db, PROGRESS_CATALOG=str(catalog))


def settle(page: Page, heading: str) -> None:
    """Until the page with `heading` shows its charts (its table, on the obstacles page),
    nothing stale or loading, and still so a second later."""
    expect(page.locator('[data-testid="stHeading"]', has_text=heading).first).to_be_visible(
        timeout=TIMEOUT_MS)
    drawn = ('[data-testid="stDataFrame"]' if heading == PAGES[-1][1]
             else '[data-testid="stPlotlyChart"] .main-svg')
    expect(page.locator(drawn).first).to_be_visible(timeout=TIMEOUT_MS)
    page.wait_for_function(SETTLED_JS, timeout=TIMEOUT_MS)
    page.wait_for_timeout(1000)        # a fragment or a late chart would show by now
    page.wait_for_function(SETTLED_JS, timeout=TIMEOUT_MS)


def open_page(page: Page, title: str, heading: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    settle(page, heading)


def test_every_page_reads_at_province_scale(page: Page, province_url):
    page.set_viewport_size({"width": 1600, "height": 1000})
    sign_in(page, province_url)
    for title, heading in PAGES:
        open_page(page, title, heading)
        assert page.locator('[data-testid="stException"]').count() == 0, title
        crowded = [c for c in page.evaluate(LABELS_JS) if c["labels"] > MOST_LABELS]
        assert not crowded, f"{title}: {crowded}"
        if title != "Khó khăn, đề xuất":   # a table page
            assert page.evaluate(LABELS_JS), title


def test_the_ranked_charts_narrow_and_widen_in_their_fragment(page: Page, province_url):
    page.set_viewport_size({"width": 1600, "height": 1000})
    runs = Runs(page)
    sign_in(page, province_url)
    settle(page, PAGES[0][1])
    runs.wait_for(page, 1, kind=ForwardMsg.FINISHED_SUCCESSFULLY)   # the overview's whole run
    choice = page.get_by_role("radio", name="Tất cả (100)").first
    expect(choice).to_be_visible()
    before = len(runs.kinds)
    choice.click()
    page.wait_for_function(f"() => ({LABELS_JS})().some(c => c.labels >= 100)",
                           timeout=TIMEOUT_MS)
    runs.wait_for(page, before + 1)
    assert runs.kinds[before:] == [ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY]
    assert page.locator('[data-testid="stException"]').count() == 0


def test_the_submission_grid_pages_through_every_cell(page: Page, province_url):
    page.set_viewport_size({"width": 1600, "height": 1000})
    sign_in(page, province_url)
    open_page(page, *PAGES[3])
    grid = '[data-testid="stPlotlyChart"] .js-plotly-plot'
    first_rows = page.locator(grid).first.locator("g.ytick text").all_text_contents()
    assert len(first_rows) == 15
    page.get_by_label("Chi bộ trên lưới", exact=True).click()
    page.get_by_role("option", name="16–30 trong 100").click()
    page.wait_for_function(
        f"""() => {{ const rows = [...document.querySelector('{grid}').querySelectorAll('g.ytick text')]
                      .map(t => t.textContent);
                   return rows.length === 15 && !rows.includes({first_rows[0]!r}); }}""",
        timeout=TIMEOUT_MS)
    assert page.locator('[data-testid="stException"]').count() == 0
