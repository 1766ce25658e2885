"""What every page must pass in a real browser, at any screen size: no exception box, no
English in Streamlit's or Plotly's interface, no chart text running off its chart.

Shared by the browser tests (test_every_page_browser.py, test_chrome_browser.py).
"""
from __future__ import annotations

import re
from datetime import date, datetime

from playwright.sync_api import Page

from dashboard import chrome
from dashboard_db import row, sub
from etl.users import User
from etl.vocab import UserRole

TIMEOUT_MS = 30_000
ADMIN = User("quantri", "Lê Văn Cường", UserRole.ADMIN)

# Every page of the office's navigation, then the administrator's own.
OFFICE_PAGES = ["Tổng quan", "Theo chi bộ", "Theo nhiệm vụ", "Theo kỳ", "Khó khăn, đề xuất",
                "Nạp báo cáo", "Lịch sử báo cáo", "Xuất báo cáo họp", "Báo cáo kết quả",
                "Mẫu báo cáo, nhắc nộp", "Nhật ký thao tác"]
ADMIN_PAGES = ["Tài khoản"]

# The English a user could meet: Streamlit's and Plotly's own strings, whole.
ENGLISH = sorted({*chrome.STREAMLIT_VI, *chrome.PLOTLY_VI["dictionary"]} - {"trace"})
ENGLISH_PATTERNS = [p for p, _ in chrome.STREAMLIT_VI_PATTERNS]

_OBSTACLE = ("Chưa bố trí được kinh phí in ấn tài liệu tuyên truyền về chuyển đổi số cho các "
             "chi bộ cơ sở trực thuộc Đảng ủy")
_PROPOSAL = ("Đề nghị Văn phòng Đảng ủy tham mưu bố trí kinh phí và phối hợp với Trung tâm "
             "Khoa học và Công nghệ tổ chức tập huấn")


def hand_filled_subs() -> list:
    """Reports as cells fill them by hand: long sentences, a report without a report date,
    a late one, a cell that sent nothing for a month, nothing marked as sample."""
    return [
        sub("VPCN", "2026-07", [row("NV1.1", "done", 100, activities=2, participants=45),
                                row("NV1.2", "in_progress", 62.5, result=_PROPOSAL),
                                row("NV2.3", "delayed", 30, obstacles=_OBSTACLE,
                                    proposals=_PROPOSAL),
                                row("NV5.1", "not_started", 0)],
            report_date=date(2026, 8, 3), loaded_at=datetime(2026, 8, 3, 9, 0)),
        sub("VPCN", "2026-08", [row("NV1.1", "done", 100), row("NV1.2", "in_progress", 75),
                                row("NV2.3", "delayed", 40, obstacles=_OBSTACLE,
                                    proposals=_PROPOSAL),
                                row("NV5.1", "in_progress", 20)],
            report_date=None, loaded_at=datetime(2026, 9, 4, 15, 30)),
        sub("KHKH", "2026-08", [row("NV3.1", "in_progress", 40, activities=3),
                                row("NV3.2", "delayed", 10, obstacles=_OBSTACLE)],
            report_date=date(2026, 9, 12), loaded_at=datetime(2026, 9, 12, 10, 0)),
        sub("TTKHCN", "2026-07", [row("NV1.2", "in_progress", 50)],
            report_date=date(2026, 8, 5), loaded_at=datetime(2026, 8, 5, 8, 0)),
        sub("CDS", "2026-08", [row("NV4.1", "done", 100), row("NV4.2", "done", 100)],
            report_date=date(2026, 9, 2), loaded_at=datetime(2026, 9, 2, 14, 0)),
    ]


def open_sidebar_page(page: Page, title: str) -> None:
    """Click `title` in the sidebar (opening it first on a phone, closing it after) and
    wait until the page has run and its charts are drawn."""
    if page.viewport_size["width"] < 640:
        page.locator('[data-testid="stExpandSidebarButton"]').click(timeout=TIMEOUT_MS)
    link = page.locator('[data-testid="stSidebarNav"] a').filter(
        has=page.get_by_text(title, exact=True))
    if link.get_attribute("aria-current", timeout=TIMEOUT_MS) != "page":  # else nothing runs
        after_a_run(page, lambda: link.click(timeout=TIMEOUT_MS))
    if page.viewport_size["width"] < 640:   # Streamlit may have closed it already
        page.evaluate("""() => {
          const bar = document.querySelector('[data-testid="stSidebar"]');
          if (bar && bar.dataset.collapsed === 'false') {
            bar.querySelector('[data-testid="stSidebarCollapseButton"] button')?.click();
          }
        }""")
        page.wait_for_function("""() => document.querySelector('[data-testid="stSidebar"]')
                                          ?.dataset.collapsed !== 'false'""", timeout=TIMEOUT_MS)
    wait_until_drawn(page)


def after_a_run(page: Page, action) -> None:
    """Do `action`, then wait until the script run it starts has finished."""
    page.evaluate("""() => {
      const app = document.querySelector('[data-testid="stApp"]');
      window.__runsSeen = 0;
      window.__runWatch?.disconnect();
      window.__runWatch = new MutationObserver(() => {
        if (app.dataset.testScriptState === 'running') window.__runsSeen += 1;
      });
      window.__runWatch.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
    }""")
    before = page.url
    action()
    # A fast run can come and go between two renders: a new address says it happened too.
    page.wait_for_function("before => window.__runsSeen > 0 || location.href !== before",
                           arg=before, timeout=TIMEOUT_MS)
    wait_until_drawn(page)


def wait_until_drawn(page: Page) -> None:
    """No script running (for a moment: a page may rerun once), a heading shown, every
    chart drawn."""
    wait_until_idle(page, drawn=True)


def wait_until_idle(page: Page, ms: int = 600, drawn: bool = False) -> None:
    """No script running for `ms` in a row (a page may run twice: the second run completes
    its address); with `drawn`, also a heading shown and every chart drawn meanwhile."""
    page.wait_for_function(
        """([ms, drawn]) => {
          const app = document.querySelector('[data-testid="stApp"]');
          const idle = app && app.dataset.testScriptState === 'notRunning';
          const ready = !drawn || (
            document.querySelector('[data-testid="stMain"] [data-testid="stHeading"]')
            && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                 .every(c => c.querySelector('svg.main-svg .infolayer')));
          if (!(idle && ready)) { window.__idleSince = null; return false; }
          window.__idleSince = window.__idleSince || performance.now();
          return performance.now() - window.__idleSince > ms;
        }""", arg=[ms, drawn], timeout=TIMEOUT_MS, polling=100)


def exceptions(page: Page) -> list[str]:
    return page.locator('[data-testid="stException"]').all_inner_texts()


def english_texts(page: Page) -> list[str]:
    """Streamlit's and Plotly's own English strings that a user sees or hears: text,
    tooltips and labels outside the charts' drawing, and the chart toolbar's tooltips."""
    return page.evaluate(r"""([words, patterns]) => {
      const english = new Set(words);
      const regexes = patterns.map(p => new RegExp(p));
      const isEnglish = (t) => english.has(t) || regexes.some(r => r.test(t));
      const found = new Set();
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        if (!el || el.closest('svg, script, style')) continue;
        const t = n.nodeValue.trim();
        if (t && isEnglish(t)) found.add(t);
      }
      for (const el of document.querySelectorAll('[title], [aria-label], [data-title], [placeholder]')) {
        if (el.closest('svg')) continue;
        for (const a of ['title', 'aria-label', 'data-title', 'placeholder']) {
          const v = (el.getAttribute(a) || '').trim();
          if (v && isEnglish(v)) found.add(`${a}: ${v}`);
        }
      }
      for (const b of document.querySelectorAll('.modebar-btn')) {  // plotly's CSS tooltip
        const shown = getComputedStyle(b, '::after').content.replace(/^"|"$/g, '');
        if (isEnglish(shown)) found.add(`tooltip: ${shown}`);
      }
      return [...found];
    }""", [ENGLISH, ENGLISH_PATTERNS])


def overflowing_chart_text(page: Page) -> list[str]:
    """Text of a chart (title, ticks, labels, legend, notes) whose box is not inside the
    chart's own drawing area: cut off on screen, or drawn over its neighbour."""
    return page.evaluate(r"""() => {
      const found = [];
      for (const chart of document.querySelectorAll('[data-testid="stPlotlyChart"]')) {
        const frame = chart.querySelector('.svg-container');
        if (!frame) continue;
        const box = frame.getBoundingClientRect();
        const title = (chart.querySelector('.gtitle') || {}).textContent || '(không tên)';
        for (const t of chart.querySelectorAll('svg.main-svg text')) {
          const text = t.textContent.trim();
          if (!text) continue;
          const r = t.getBoundingClientRect();
          if (!r.width || !r.height) continue;   // hidden
          if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1
              || r.bottom > box.bottom + 1) {
            found.push(`${title}: "${text}" (${Math.round(r.left - box.left)}, ` +
                       `${Math.round(r.top - box.top)}, ${Math.round(r.width)}×` +
                       `${Math.round(r.height)} in ${Math.round(box.width)}×${Math.round(box.height)})`);
          }
        }
      }
      return found;
    }""")


def cut_texts(page: Page) -> list[str]:
    """Text of the page (not the sidebar) that ends in "…" because it did not fit."""
    return page.evaluate(r"""() => [...document.querySelectorAll('[data-testid="stMain"] *')]
      .filter(e => getComputedStyle(e).textOverflow === 'ellipsis'
                   && e.scrollWidth > e.clientWidth + 1 && e.innerText.trim())
      .map(e => e.innerText.trim())""")


def screenshot(page: Page, path) -> None:
    """The whole page, not only the first screenful (Streamlit scrolls an inner box)."""
    size = page.viewport_size
    height = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(height, 8000))})
    page.wait_for_timeout(500)
    page.screenshot(path=str(path))
    page.set_viewport_size(size)


def slug(title: str) -> str:
    from etl.textnorm import fold
    return re.sub(r"[^a-z0-9]+", "-", fold(title)).strip("-")
