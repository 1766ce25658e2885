"""Each page driven by streamlit.testing.v1.AppTest on a small database: no exception,
and the KPI tiles show the figures computed by hand.

  VPCN 2026-08: NV2.3 in_progress 50 (act 5); NV5.1 done 100
  VPCN 2026-09: NV2.3 delayed 60 (act 2), obstacle; NV5.1 done 100
  KHKH 2026-09: NV3.1 in_progress 40 (act 3)
  CDS  2026-08: NV4.1 in_progress 30
Default scope: the latest month, Tháng 9/2026.
"""
from __future__ import annotations

import json
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from apptest_support import open_page
from dashboard_db import build_db, row, sub
from etl.catalog import get_catalog
from etl.store import Store
from etl.vocab import ReportTimeliness


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = build_db(tmp_path / "app.duckdb", [
        sub("VPCN", "2026-08", [row("NV2.3", "in_progress", 50, activities=5),
                                row("NV5.1", "done", 100)], report_date=date(2026, 9, 3)),
        sub("VPCN", "2026-09", [row("NV2.3", "delayed", 60, activities=2,
                                    obstacles="Chưa bố trí được kinh phí"),
                                row("NV5.1", "done", 100)], report_date=date(2026, 10, 2)),
        sub("KHKH", "2026-09", [row("NV3.1", "in_progress", 40, activities=3)],
            report_date=date(2026, 10, 8), is_sample=True),
        sub("CDS", "2026-08", [row("NV4.1", "in_progress", 30)], report_date=date(2026, 9, 4)),
    ])
    monkeypatch.setenv("PROGRESS_DB", str(path))
    return path


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def header_texts(at: AppTest) -> str:
    return " ".join([c.value for c in at.caption] + [w.value for w in at.warning])


def test_overview_kpis(db):
    at = open_page("pages/overview.py")
    assert metrics(at) == {"Tỷ lệ hoàn thành": "66,7%",          # (60 + 100 + 40) / 3
                           "Nhiệm vụ hoàn thành": "1/30",
                           "Chi bộ đã báo cáo": "2/4",
                           "Nhiệm vụ chậm tiến độ": "1",
                           "Khó khăn chưa giải quyết": "1"}
    completion = next(m for m in at.metric if m.label == "Tỷ lệ hoàn thành")
    # Like with like: VPCN alone reported both months: (60 + 100) / 2 - (50 + 100) / 2
    assert completion.proto.delta == "+5 điểm %"
    assert completion.proto.delta_description == "cùng 1 chi bộ"
    assert "Số liệu đến 08/10/2026 theo báo cáo của các chi bộ" in header_texts(at)
    assert "dữ liệu mẫu" in header_texts(at)
    assert len(at.get("plotly_chart")) == 5
    by_cell = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert by_cell["layout"]["title"]["subtitle"]["text"] == "Tháng 9/2026"
    assert by_cell["data"][0]["text"] == ["80%", "40%", "Chưa báo cáo", "Chưa báo cáo"]


def test_overview_quarter_scope(db):
    at = open_page("pages/overview.py", f_grain="quarter")
    # Q3: VPCN's latest (60, 100), KHKH 40, CDS's August 30
    assert metrics(at)["Tỷ lệ hoàn thành"] == "57,5%"
    assert metrics(at)["Chi bộ đã báo cáo"] == "3/4"


def test_by_cell_page(db):
    at = open_page("pages/by_cell.py")
    assert metrics(at) == {"Tỷ lệ hoàn thành": "80%", "Nhiệm vụ đã báo cáo": "2/5",
                           "Hoàn thành": "1", "Chậm tiến độ": "1"}
    at.selectbox(key="page_cell").set_value("TTKHCN").run()
    assert not at.exception
    assert metrics(at)["Tỷ lệ hoàn thành"] == "Chưa báo cáo"
    assert any("chưa báo cáo" in i.value for i in at.info)


def test_by_area_page_sums_flows_over_the_quarter(db):
    at = open_page("pages/by_area.py", f_grain="quarter", page_area="NV2")
    assert metrics(at)["Tỷ lệ hoàn thành"] == "60%"
    assert metrics(at)["Số hoạt động"] == "7"                      # 5 in August + 2 in September


def test_by_period_page(db):
    at = open_page("pages/by_period.py")
    grid = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    states = [list(ReportTimeliness)[int(z)] for line in grid["z"] for z in line]
    assert states.count(ReportTimeliness.ON_TIME) == 3     # VPCN Aug and Sep, CDS Aug
    assert states.count(ReportTimeliness.LATE) == 1        # KHKH Sep, 08/10
    assert "08/10" in [t for line in grid["text"] for t in line]
    assert len(at.get("plotly_chart")) == 2


def test_obstacles_page(db):
    at = open_page("pages/obstacles.py")
    assert metrics(at) == {"Khó khăn chưa giải quyết": "1", "Khó khăn đã nêu": "1",
                           "Đề xuất, kiến nghị": "0"}
    at.text_input(key="page_q").input("khong co tu nay").run()
    assert any("Không có khó khăn" in i.value for i in at.info)


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/by_cell.py", "pages/by_area.py",
                                  "pages/by_period.py", "pages/obstacles.py"])
def test_empty_database_says_what_to_do(tmp_path, monkeypatch, page):
    monkeypatch.setenv("PROGRESS_DB", str(build_db(tmp_path / "empty.duckdb", [])))
    at = open_page(page)
    assert any("Chưa có báo cáo nào" in i.value for i in at.info)
    assert not at.get("plotly_chart")


def test_new_load_shows_on_the_next_interaction(db):
    at = open_page("pages/overview.py")
    assert metrics(at)["Chi bộ đã báo cáo"] == "2/4"
    with Store.at(db).write() as con:   # what a CLI load does, as far as the app can tell
        con.execute("""INSERT INTO submissions VALUES (100, ?, 'CDS', '2026-09', 'month',
            DATE '2026-09-01', DATE '2026-09-30', 'x.xlsx', 'S', 'h', 'a', DATE '2026-10-03',
            NULL, TIMESTAMP '2026-10-03 08:00:00', 'cli', 'current', NULL, 1, FALSE)""",
                    [get_catalog().plan.code])
        con.execute("INSERT INTO progress_rows (submission_id, task_code, status, completion_pct)"
                    " VALUES (100, 'NV4.1', 'in_progress', 70)")
    at.run()
    assert metrics(at)["Chi bộ đã báo cáo"] == "3/4"
    assert metrics(at)["Tỷ lệ hoàn thành"] == "67,5%"             # (60 + 100 + 40 + 70) / 4

