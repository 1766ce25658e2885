"""Loading from the command line while the app serves (issue 2): the app holds no lock,
so `python -m etl load` succeeds while a signed-in page is open; the server keeps
answering during the load; the next interaction shows the new figures, no restart."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request

import pytest
from playwright.sync_api import Page, expect

import build_fixtures as bf
from dashboard_db import load_file
from signin import sign_in

pytestmark = pytest.mark.browser
TIMEOUT_MS = 30_000
LOAD_TIMEOUT_S = 120

# VPCN, July 2026 (bf.vpcn_july): 100, 62.5, 30, 0, 50 -> 48.5 %, 1 task done.
VPCN_PCTS = [100, 62.5, 30, 0, 50]
# KHKH, July 2026 (bf.filled_rows): its 8 tasks cycle 100, 50, 25, 0 -> 2 tasks done.
KHKH_PCTS = [100, 50, 25, 0, 100, 50, 25, 0]


def _tile(page: Page, label: str):
    tile = page.locator('[data-testid="stMetric"]').filter(has_text=label)
    return tile.locator('[data-testid="stMetricValue"]')


def _health(base: str) -> str:
    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=5) as r:
        return r.read().decode().strip()


def test_a_cli_load_while_the_app_serves_shows_on_the_next_interaction(
        page: Page, db_path, start_app, tmp_path, query, run_cli):
    first = bf.xlsx(bf.report())
    load_file(db_path, first, "tháng 7 - VPCN.xlsx")
    assert [r.pct for r in bf.vpcn_july()] == VPCN_PCTS
    khkh_rows = bf.filled_rows("KHKH")
    assert [r.pct for r in khkh_rows] == KHKH_PCTS
    # the overview's completion = mean over the reported task rows (dashboard.ui.DEFINITIONS)
    assert sum(VPCN_PCTS) / 5 == 48.5
    assert round(sum(VPCN_PCTS + KHKH_PCTS) / 13, 1) == 45.6

    base = start_app(db_path)
    sign_in(page, base)
    expect(_tile(page, "Tỷ lệ hoàn thành")).to_have_text("48,5%", timeout=TIMEOUT_MS)
    expect(_tile(page, "Chi bộ đã báo cáo")).to_have_text("1/4")
    expect(_tile(page, "Nhiệm vụ hoàn thành")).to_contain_text("1/")

    # another cell's report, loaded by the CLI while the page is open
    second = tmp_path / "Báo cáo tháng 7 - Chi bộ KHKH.xlsx"
    second.write_bytes(bf.xlsx(bf.report(khkh_rows, cell="KHKH")))
    cli = subprocess.Popen([sys.executable, "-m", "etl", "load", "--db", str(db_path), str(second)],
                           cwd=bf.PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, encoding="utf-8",
                           env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    answers = []
    deadline = time.monotonic() + LOAD_TIMEOUT_S
    while cli.poll() is None and time.monotonic() < deadline:
        answers.append(_health(base))     # the server answers while the load runs
        time.sleep(0.1)
    out, err = cli.communicate(timeout=LOAD_TIMEOUT_S)
    assert cli.returncode == 0, out + err
    assert "✓ Báo cáo tháng 7 - Chi bộ KHKH.xlsx: KHKH" in out, out
    assert answers and set(answers) == {"ok"}, answers
    assert _health(base) == "ok"
    assert query(db_path, "SELECT cell_code, state FROM submissions ORDER BY submission_id") == [
        ("VPCN", "current"), ("KHKH", "current")]

    # the open page still answers; its next interaction reads the new data
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    page.get_by_role("link", name="Tổng quan").click()
    expect(_tile(page, "Tỷ lệ hoàn thành")).to_have_text("45,6%", timeout=TIMEOUT_MS)
    expect(_tile(page, "Chi bộ đã báo cáo")).to_have_text("2/4", timeout=TIMEOUT_MS)
    expect(_tile(page, "Nhiệm vụ hoàn thành")).to_contain_text("3/")
    assert page.locator('[data-testid="stException"]').count() == 0

    # and a second CLI load (the app has just read the database) still gets through
    again = run_cli("load", "--db", db_path, second)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "không thay đổi" in again.stdout, again.stdout
