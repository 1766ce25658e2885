"""What a leader waits for: a click on a dashboard page until its charts are drawn, in
Chromium, on the sample database and on a province-scale one, in the same run.

    .venv/bin/python bench/bench_browser.py [--rounds 5] [--skip-exports] [--skip-pages]

Two servers (tests/app_server.py), one per database:
  sample    data/samples/*.xlsx loaded with `python -m etl load` (4 cells)
  province  100 cells x 13 tasks x 60 months, its own catalog (tests/province_db.py)
Playwright signs in on each (the real form), visits every page once to warm the caches
and learn what the page draws, then clicks through the pages `--rounds` times, the two
databases alternating page by page. A visit ends when the server has said the script run
is over (its `script_finished` message on the websocket), nothing on the page is stale or
still loading, the page's heading is shown and every plotly chart and table it draws is
there, each chart with all its traces in the SVG. Prints each page's median, the
province/sample ratio, the time until the script run was reported over, the time the
tab's main thread was busy (Chromium's TaskDuration: what the page costs the browser,
steadier than the clock on a shared machine), the kilobytes the server sent on the first
visit (later visits re-use the browser's message cache) and the size of the figures' JSON.

Then the exports at both scales, in this process: the meeting pack
(dashboard.pack.make_pack) and the written report (dashboard.report.make_report) for the
latest quarter, median of --export-repeat runs after one warm-up.

Target: every page at province scale within 1.5x of the same page on the sample data.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import province_db  # noqa: E402
from app_server import AppServer  # noqa: E402
from signin import PASSWORD, OFFICE, ensure_account  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1600, "height": 1000}
TARGET = 1.5
TIMEOUT_MS = 120_000
DONE_RUNS = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)


@dataclass(frozen=True)
class Page:
    title: str      # the navigation link
    path: str       # the URL path
    heading: str    # a piece of the page's question, to know the new page is shown


PAGES = [
    Page("Tổng quan", "/", "Đảng bộ đã thực hiện Kế hoạch đến đâu"),
    Page("Theo chi bộ", "/by_cell", "thực hiện các nhiệm vụ được giao đến đâu"),
    Page("Theo nhiệm vụ", "/by_area", "tiến triển ra sao ở từng chi bộ"),
    Page("Theo kỳ", "/by_period", "đã nộp báo cáo đúng hạn"),
    Page("Khó khăn, đề xuất", "/obstacles", "gặp khó khăn gì"),
]

# What the page shows now, in the browser: the counts a finished visit must reach.
SHOWN_JS = """
(heading) => {
  const busy = document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]');
  const headings = [...document.querySelectorAll('[data-testid="stHeading"]')];
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
  let drawn = 0, figureBytes = 0;
  for (const chart of charts) {
    const gd = chart.querySelector('.js-plotly-plot');
    if (!gd || !gd._fullLayout || !gd._fullData) continue;
    const traces = gd.querySelectorAll('.main-svg g.trace, .main-svg g.hm').length;
    if (traces >= gd._fullData.filter(t => t.visible === true).length) drawn += 1;
    figureBytes += JSON.stringify({data: gd.data, layout: gd.layout}).length;
  }
  return {
    path: location.pathname.replace(/\\/$/, '') || '/',
    settled: !busy,
    heading: headings.some(h => h.innerText.includes(heading)),
    charts: charts.length, drawn: drawn,
    tables: document.querySelectorAll('[data-testid="stDataFrame"]').length,
    figureBytes: figureBytes,
    exceptions: document.querySelectorAll('[data-testid="stException"]').length,
  };
}
"""

# Polled on every animation frame until the visit is over.
DONE_JS = """
([shownSource, want]) => {
  const s = eval(shownSource)(want.heading);
  return s.path === want.path && s.settled && s.heading && s.charts === want.charts
      && s.drawn === want.charts && s.tables === want.tables;
}
"""


@dataclass
class Site:
    """One server, one signed-in browser tab, what its websocket received."""
    name: str
    server: AppServer
    tab: object
    received: int = 0           # bytes
    finished: int = 0           # script runs the server said were over
    expected: dict[str, dict] = field(default_factory=dict)
    times: dict[str, list[float]] = field(default_factory=dict)
    script: dict[str, list[float]] = field(default_factory=dict)  # until the run was over
    busy: dict[str, list[float]] = field(default_factory=dict)    # the page's main thread
    cdp: object = None
    first_kb: dict[str, float] = field(default_factory=dict)
    figure_kb: dict[str, float] = field(default_factory=dict)

    def listen(self) -> None:
        self.tab.on("websocket", lambda ws: ws.on("framereceived", self._frame))
        self.cdp = self.tab.context.new_cdp_session(self.tab)
        self.cdp.send("Performance.enable")

    def main_thread_seconds(self) -> float:
        """Time the tab's main thread has spent on tasks so far (Chromium's own count):
        what the page costs the browser, whatever else the machine is doing."""
        metrics = self.cdp.send("Performance.getMetrics")["metrics"]
        return next(m["value"] for m in metrics if m["name"] == "TaskDuration")

    def _frame(self, payload) -> None:
        data = payload.encode() if isinstance(payload, str) else payload
        self.received += len(data)
        msg = ForwardMsg()
        msg.ParseFromString(data)
        if msg.WhichOneof("type") == "script_finished" and msg.script_finished in DONE_RUNS:
            self.finished += 1

    def wait_for_run(self, runs_before: int) -> None:
        """Until the server has finished a script run begun after `runs_before` were over
        (Playwright delivers websocket events while the tab waits)."""
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while self.finished <= runs_before:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name}: the script run did not finish")
            self.tab.wait_for_timeout(5)

    def shown(self, page: Page) -> dict:
        return self.tab.evaluate(SHOWN_JS, page.heading)

    def click(self, page: Page) -> int:
        runs = self.finished
        nav = self.tab.locator('[data-testid="stSidebarNav"]')
        nav.get_by_text(page.title, exact=True).click()
        return runs

    def learn(self, page: Page, runs_before: int | None = None, bytes_before: int = 0) -> None:
        """First visit: once the run is over and the page has settled and stayed so for
        a second, note what it draws (the counts every later visit must reach) and what
        was sent. The overview is the page sign-in opens: counted from the sign-in."""
        if runs_before is None:
            bytes_before = self.received
            runs_before = self.click(page)
        self.wait_for_run(runs_before)
        stable, last = 0, None
        while stable < 5:           # 5 looks 0.2 s apart with the same counts
            self.tab.wait_for_timeout(200)
            now = self.shown(page)
            ready = (now["settled"] and now["heading"] and now["path"] == page.path
                     and now["drawn"] == now["charts"])
            stable, last = (stable + 1 if ready and now == last else 0), now
        if last["exceptions"]:
            raise RuntimeError(f"{self.name} {page.title}: an exception box is shown")
        self.expected[page.path] = {"path": page.path, "heading": page.heading,
                                    "charts": last["charts"], "tables": last["tables"]}
        self.first_kb[page.path] = (self.received - bytes_before) / 1024
        self.figure_kb[page.path] = last["figureBytes"] / 1024

    def visit(self, page: Page) -> float:
        busy = self.main_thread_seconds()
        started = time.perf_counter()
        self.wait_for_run(self.click(page))
        self.script.setdefault(page.path, []).append(time.perf_counter() - started)
        self.tab.wait_for_function(DONE_JS, arg=[SHOWN_JS, self.expected[page.path]],
                                   timeout=TIMEOUT_MS, polling="raf")
        elapsed = time.perf_counter() - started
        self.busy.setdefault(page.path, []).append(self.main_thread_seconds() - busy)
        self.times.setdefault(page.path, []).append(elapsed)
        return elapsed


def sign_in(site: Site) -> None:
    """The real sign-in form; then the overview it opens is learnt like any page."""
    tab = site.tab
    tab.goto(site.server.url)
    tab.get_by_label("Tên đăng nhập").fill(OFFICE.username)
    tab.get_by_label("Mật khẩu").fill(PASSWORD)
    runs, sent = site.finished, site.received
    tab.get_by_role("button", name="Đăng nhập").click()
    tab.get_by_role("button", name="Đăng xuất").wait_for(timeout=TIMEOUT_MS)
    site.learn(PAGES[0], runs_before=runs, bytes_before=sent)


def measure_pages(databases: dict[str, tuple[Path, dict]], folder: Path, rounds: int,
                  pages: list[Page]) -> dict:
    from playwright.sync_api import sync_playwright

    servers = {name: AppServer.start(db, folder / f"{name}.log", **env)
               for name, (db, env) in databases.items()}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            sites = []
            for name, server in servers.items():
                tab = browser.new_context(viewport=VIEWPORT, locale="vi-VN").new_page()
                site = Site(name, server, tab)
                site.listen()
                sign_in(site)
                sites.append(site)
            for page in pages[1:]:
                for site in sites:
                    site.learn(page)
            for r in range(rounds):
                for page in pages[1:] + pages[:1]:
                    for site in (sites if r % 2 == 0 else sites[::-1]):
                        site.visit(page)
            browser.close()
    finally:
        for server in servers.values():
            server.stop()
    return {site.name: site for site in sites}


def vn(seconds: float, digits: int = 2) -> str:
    """A number as the app writes it: decimal comma."""
    return f"{seconds:.{digits}f}".replace(".", ",")


def print_pages(sites: dict, pages: list[Page]) -> bool:
    """A Markdown table (docs/BENCHMARKS.md, README): times are medians of the rounds."""
    sample, province = sites["sample"], sites["province"]
    med = lambda site, what, page: statistics.median(getattr(site, what)[page.path])  # noqa: E731
    print("| Trang | mẫu (4 chi bộ) | tỉnh (100 chi bộ) | tỷ lệ | đến hết lượt chạy: mẫu / tỉnh "
          "| trình duyệt bận: mẫu / tỉnh | KB gửi lần đầu: mẫu / tỉnh "
          "| JSON biểu đồ KB: mẫu / tỉnh |")
    print("|---|---|---|---|---|---|---|---|")
    worst = 0.0
    for page in pages:
        s, p = med(sample, "times", page), med(province, "times", page)
        worst = max(worst, p / s)
        print(f"| {page.title} | {vn(s)} s | {vn(p)} s | {vn(p / s)}× "
              f"| {vn(med(sample, 'script', page))} / {vn(med(province, 'script', page))} s "
              f"| {vn(med(sample, 'busy', page))} / {vn(med(province, 'busy', page))} s "
              f"| {sample.first_kb[page.path]:.0f} / {province.first_kb[page.path]:.0f} "
              f"| {sample.figure_kb[page.path]:.0f} / {province.figure_kb[page.path]:.0f} |")
    ok = worst <= TARGET
    print(f"\nTỷ lệ lớn nhất {vn(worst)}× (mục tiêu ≤ {vn(TARGET, 1)}×): "
          f"{'đạt' if ok else 'CHƯA ĐẠT'}")
    return ok


def measure_exports(databases: dict[str, tuple[Path, dict]], repeat: int) -> None:
    """The meeting pack and the written report for the latest quarter, at both scales."""
    from dashboard import pack, queries, render, report
    from dashboard.scope import Scope
    from etl.catalog import get_catalog
    from etl.store import Store

    render.warm_up()
    print(f"\nXuất cho quý mới nhất, trung vị {repeat} lần sau một lần khởi động:\n")
    print("| | quý | bộ báo cáo họp (PPTX, PDF, XLSX) | báo cáo kết quả (DOCX) "
          "| báo cáo kết quả có biểu đồ |")
    print("|---|---|---|---|---|")
    for name, (db, env) in databases.items():
        catalog = get_catalog(env["PROGRESS_CATALOG"]) if env else None
        store = Store.at(db, catalog)
        quarter = queries.period_keys(store, "quarter")[-1]
        runs = {"pack": lambda: pack.make_pack(store, Scope.of(quarter)),
                "report": lambda: report.make_report(store, quarter),
                "charts": lambda: report.make_report(store, quarter, charts=True)}
        medians = {}
        for key, fn in runs.items():
            fn()
            medians[key] = statistics.median(_timed(fn) for _ in range(repeat))
        label = "mẫu (4 chi bộ)" if name == "sample" else "tỉnh (100 chi bộ)"
        print(f"| {label} | {quarter} | {vn(medians['pack'], 1)} s | {vn(medians['report'], 1)} s "
              f"| {vn(medians['charts'], 1)} s |")


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--export-repeat", type=int, default=3)
    parser.add_argument("--skip-exports", action="store_true")
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--page", action="append", metavar="TITLE",
                        help="time only these pages (the overview is always learnt)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-browser-"))
    catalog = province_db.write_catalog(folder)
    databases = {
        "sample": (province_db.sample(folder), {}),
        "province": (province_db.build(folder / "province.duckdb", catalog),
                     {"PROGRESS_CATALOG": str(catalog)}),
    }
    for db, env in databases.values():
        ensure_account(db, catalog_path=env.get("PROGRESS_CATALOG"))
    pages = [p for p in PAGES if not args.page or p.title in args.page or p is PAGES[0]]
    ok = args.skip_pages or print_pages(measure_pages(databases, folder, args.rounds, pages),
                                        pages)
    if not args.skip_exports:
        measure_exports(databases, args.export_repeat)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
