"""Figures that must not mislead (issue 13): a report without a date, a cell with nothing
assigned in scope, what the task tiles count, like-with-like changes, a quarter's stock.

Hand-made databases; figures computed by hand in the comments.
"""
from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from streamlit.testing.v1 import AppTest

from apptest_support import open_page
from dashboard import fmt, kpis, queries, tables
from dashboard.scope import Scope
from dashboard_db import build_db, row, sub
from etl.store import Store

PAGES = ["pages/overview.py", "pages/by_cell.py", "pages/by_area.py", "pages/by_period.py",
         "pages/obstacles.py", "pages/history.py", "pages/report.py", "pages/export.py",
         "pages/audit.py"]


def metric(at: AppTest, label: str):
    return next(m for m in at.metric if m.label == label)


# -- a report without a report date -------------------------------------------------------------
#   VPCN 2026-09: no report date, loaded 03/10/2026; NV2.3 delayed 60 with an obstacle.

@pytest.fixture
def undated_db(tmp_path, monkeypatch):
    path = build_db(tmp_path / "undated.duckdb", [
        sub("VPCN", "2026-09", [row("NV2.3", "delayed", 60, obstacles="Chưa có kinh phí"),
                                row("NV5.1", "done", 100)],
            report_date=None, loaded_at=datetime(2026, 10, 3, 9, 0)),
    ])
    monkeypatch.setenv("PROGRESS_DB", str(path))
    return path


@pytest.mark.parametrize("page", PAGES)
def test_every_page_shows_a_report_without_a_date(undated_db, page):
    open_page(page)


def test_the_load_date_stands_in_and_says_so(undated_db):
    at = open_page("pages/obstacles.py")
    table = at.dataframe[0].value
    assert list(table["Ngày báo cáo"]) == ["03/10/2026 (ngày nạp)"]
    assert any("Số liệu đến 03/10/2026 (ngày nạp)" in c.value for c in at.caption)

    at = open_page("pages/by_period.py")
    grid, squares = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][:2]
    assert "03/10<br>(ngày nạp)" in [t for line in grid["text"] for t in line]
    assert any("Ngày báo cáo: 03/10/2026 (ngày nạp)" in h for h in squares["hovertext"])

    at = open_page("pages/history.py")
    assert list(at.dataframe[0].value["Ngày báo cáo"]) == ["Không ghi (tính theo ngày nạp)"]


def test_fmt_date_vn_takes_pandas_missing_dates():
    import pandas as pd
    assert fmt.date_vn(pd.NaT) == fmt.MISSING
    assert fmt.report_date(date(2026, 10, 3), from_load=True) == "03/10/2026 (ngày nạp)"
    assert fmt.report_date(None, from_load=True) == fmt.MISSING


# -- a cell with no task assigned in the scope ------------------------------------------------
#   Scope: VPCN and KHKH, task area NV3. VPCN has no NV3 task (KHKH leads NV3.1-3.3).
#   KHKH 2026-09: NV3.1 in_progress 60. VPCN 2026-09: NV2.3 40 (outside NV3).

@pytest.fixture
def idle_db(tmp_path, monkeypatch):
    path = build_db(tmp_path / "idle.duckdb", [
        sub("VPCN", "2026-09", [row("NV2.3", "in_progress", 40)], report_date=date(2026, 10, 2)),
        sub("KHKH", "2026-09", [row("NV3.1", "in_progress", 60)], report_date=date(2026, 10, 2)),
    ])
    monkeypatch.setenv("PROGRESS_DB", str(path))
    return path


IDLE_SCOPE = dict(cells=["VPCN", "KHKH"], areas=["NV3"])


def test_a_cell_with_nothing_assigned_is_not_missing(idle_db):
    store = Store.at(idle_db)
    by_cell = queries.cell_summary(store, "month", ["2026-09"], **IDLE_SCOPE).set_index("cell_code")
    assert bool(by_cell.loc["VPCN", "not_assigned"]) and not bool(by_cell.loc["KHKH", "not_assigned"])
    now = queries.overall(store, "month", ["2026-09"], **IDLE_SCOPE).iloc[0]
    assert (now["cells_reported"], now["cells_total"], now["cells_not_assigned"]) == (1, 1, 1)

    table = tables.cell_summary_table(by_cell.reset_index()).set_index("Chi bộ")
    vpcn = table.loc["Chi bộ Văn phòng - Công nghệ"]
    assert vpcn["Tỷ lệ hoàn thành"] == "Không được giao"
    assert vpcn["Nhiệm vụ đã báo cáo"] == "–"                      # never 0/0

    by_area = queries.area_summary(store, "month", ["2026-09"], cells=["VPCN"],
                                   areas=["NV2", "NV3"]).set_index("area_code")
    assert not by_area.loc["NV2", "not_assigned"] and by_area.loc["NV3", "not_assigned"]


def test_overview_draws_it_apart_and_counts_it_out(idle_db):
    at = open_page("pages/overview.py", f_cells=["VPCN", "KHKH"], f_areas=["NV3"])
    assert metric(at, "Chi bộ đã báo cáo").value == "1/1"
    by_cell = json.loads(at.get("plotly_chart")[0].proto.spec)
    notes = {a["y"]: a["text"] for a in by_cell["layout"]["annotations"]}
    assert notes == {"Văn phòng - Công nghệ": "Không được giao"}
    trend = json.loads(at.get("plotly_chart")[3].proto.spec)
    # no empty line (one month here: the trend says it has one period, and draws no line)
    assert "Văn phòng - Công nghệ" not in [t.get("name") for t in trend["data"]]
    table = at.dataframe[0].value.set_index("Chi bộ")
    assert table.loc["Chi bộ Văn phòng - Công nghệ", "Tỷ lệ hoàn thành"] == "Không được giao"
    assert "Chưa báo cáo" not in " ".join(str(v) for v in table.to_numpy().ravel())
    assert any("1 chi bộ không được giao nhiệm vụ nào" in c.value for c in at.caption)


def test_cell_page_says_nothing_is_assigned(idle_db):
    at = open_page("pages/by_cell.py", f_areas=["NV3"], cell_page_cell="VPCN")
    assert metric(at, "Tỷ lệ hoàn thành").value == "Không được giao"
    assert metric(at, "Nhiệm vụ đã báo cáo").value == "–"
    assert any("không được giao nhiệm vụ nào" in i.value for i in at.info)
    assert not any("chưa báo cáo" in i.value for i in at.info)


# -- what the task tiles count; like with like; a quarter's stock --------------------------
#   2026-08: VPCN NV2.3 40, KHKH NV3.1 10          -> 25% over both
#   2026-09: VPCN NV2.3 50 (KHKH's report withdrawn), CDS NV4.1 90 -> 70% over both
#   Like with like (VPCN only): 50 - 40 = +10 points, not 70 - 25 = +45.

@pytest.fixture
def change_db(tmp_path, monkeypatch):
    path = build_db(tmp_path / "change.duckdb", [
        sub("VPCN", "2026-08", [row("NV2.3", "in_progress", 40)], report_date=date(2026, 9, 2)),
        sub("KHKH", "2026-08", [row("NV3.1", "in_progress", 10)], report_date=date(2026, 9, 2)),
        sub("VPCN", "2026-09", [row("NV2.3", "in_progress", 50)], report_date=date(2026, 10, 2)),
        sub("KHKH", "2026-09", [row("NV3.1", "done", 100)], report_date=date(2026, 10, 2),
            state="withdrawn"),
        sub("CDS", "2026-09", [row("NV4.1", "in_progress", 90)], report_date=date(2026, 10, 2)),
    ])
    monkeypatch.setenv("PROGRESS_DB", str(path))
    return path


def test_change_compares_the_cells_reported_in_both_periods(change_db):
    compared = queries.comparison(Store.at(change_db), "month", "2026-09", "2026-08")
    assert compared == {"completion_now": 50.0, "completion_before": 40.0, "cells_in_both": 1,
                        "only_now": ["Chuyển đổi số"], "only_before": ["Kế hoạch - Khoa học"]}
    at = open_page("pages/overview.py")
    completion = metric(at, "Tỷ lệ hoàn thành")
    assert completion.value == "70%"
    assert completion.proto.delta == "+10 điểm %"
    assert completion.proto.delta_description == "cùng 1 chi bộ"
    said = " ".join(c.value for c in at.caption)
    assert ("Thay đổi so với Tháng 8/2026 chỉ tính 1 chi bộ có số liệu ở cả hai kỳ" in said
            and "chỉ có số liệu Tháng 8/2026: Kế hoạch - Khoa học" in said)


def test_same_cells_need_no_remark(change_db):
    compared = {"completion_now": 60.0, "completion_before": 50.0, "cells_in_both": 2,
                "only_now": [], "only_before": []}
    assert kpis.change_note(compared) == ""
    assert kpis.completion_change(compared) == "+10 điểm %"


def test_task_tiles_say_what_they_count(change_db):
    at = open_page("pages/overview.py")
    done = metric(at, "Nhiệm vụ hoàn thành")
    assert done.value == "0/30"
    assert done.proto.delta_description == "lượt chi bộ × nhiệm vụ"
    assert metric(at, "Nhiệm vụ chậm tiến độ").proto.delta_description == "lượt chi bộ × nhiệm vụ"
    assert any("13 nhiệm vụ của Kế hoạch trong phạm vi được giao thành 30 lượt" in c.value
               for c in at.caption)


def test_quarter_tiles_say_they_are_the_latest_months_stock(change_db):
    at = open_page("pages/overview.py", f_grain="quarter")
    completion = metric(at, "Tỷ lệ hoàn thành")
    # Each cell's latest report in the quarter: VPCN 50 (Sep), KHKH 10 (Aug), CDS 90 (Sep)
    assert completion.value == "50%"
    assert completion.proto.delta_description.startswith("cuối kỳ")
    assert any("Số liệu Quý III/2026 là số liệu cuối kỳ" in c.value for c in at.caption)
    at = open_page("pages/overview.py")
    assert not metric(at, "Tỷ lệ hoàn thành").proto.delta_description.startswith("cuối kỳ")


def test_pack_tiles_carry_the_same_notes(change_db):
    store = Store.at(change_db)
    now = queries.overall(store, "quarter", ["2026-Q3"]).iloc[0]
    tiles = {t.label: t for t in kpis.pack_tiles(now, Scope.of("2026-Q3"))}
    assert tiles["Tỷ lệ hoàn thành bình quân"].note == "cuối kỳ, đến Tháng 9/2026"
    assert tiles["Nhiệm vụ hoàn thành / được giao"].note.startswith("lượt chi bộ × nhiệm vụ")


def test_the_committees_report_compares_like_with_like(change_db):
    from dashboard import report
    from dashboard.report import draft as D
    text = D.plain_text(report.make_report(Store.at(change_db), "2026-09", today=date(2026, 11, 27)).draft)
    assert ("tăng 10 điểm phần trăm so với tháng 8/2026 (so sánh trên 1 chi bộ có số liệu "
            "ở cả hai kỳ)") in text


def test_the_committees_report_dates_an_undated_late_report_by_its_load(tmp_path):
    from dashboard import report
    from dashboard.report import draft as D
    db = build_db(tmp_path / "late.duckdb", [
        sub("VPCN", "2026-09", [row("NV2.3", "in_progress", 40)], report_date=None,
            loaded_at=datetime(2026, 10, 8, 9, 0))])
    text = D.plain_text(report.make_report(Store.at(db), "2026-09", today=date(2026, 11, 27)).draft)
    assert "gửi trễ hạn (nạp ngày 8 tháng 10 năm 2026, báo cáo không ghi ngày;" in text
    assert "trễ hạn (gửi 08/10/2026 (ngày nạp))" in text
