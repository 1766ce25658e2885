"""Dashboard queries against figures computed by hand on a small fixture database.

The fixture (default catalog: VPCN 5 tasks, KHKH 8, TTKHCN 8, CDS 9 = 30 assigned):
  1 VPCN 2026-07  NV2.3 in_progress 40 (act 2, part 10, posts 1); NV5.1 in_progress 50 (act 1)
  2 VPCN 2026-08  NV2.3 in_progress 60 (act 3, part 20, posts 0); NV5.1 done 100 (act 2)
  3 VPCN 2026-09  NV2.3 delayed 70 (act 1), obstacle
  4 KHKH 2026-07  superseded: NV3.1 30 (act 4)
  5 KHKH 2026-07  NV3.1 in_progress 50 (act 5); NV3.2 not_started 0
  6 KHKH 2026-Q3  NV3.1 done 100 (act 7); NV3.2 in_progress 20 (act 1)   (contains 5)
  7 TTKHCN 2026-08 withdrawn: NV2.1 40
  8 CDS 2026-06   NV4.1 done 100
  9 CDS 2026-09   NV4.1 in_progress 80 (act 2); NV4.2 delayed 10, obstacle + proposal
 10 VPCN 2026-10  NV2.3 in_progress 80 (act 1)
"""
from __future__ import annotations

from datetime import date, datetime

import pytest

from dashboard import queries as Q
from dashboard_db import build_db, row, sub
from etl.store import Store

Q3 = ["2026-Q3"]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("q") / "q.duckdb"
    return Store.at(build_db(path, [
        sub("VPCN", "2026-07", [row("NV2.3", "in_progress", 40, activities=2, participants=10, posts=1),
                                row("NV5.1", "in_progress", 50, activities=1)],
            report_date=date(2026, 8, 3)),
        sub("VPCN", "2026-08", [row("NV2.3", "in_progress", 60, activities=3, participants=20, posts=0),
                                row("NV5.1", "done", 100, activities=2)],
            report_date=date(2026, 9, 7)),
        sub("VPCN", "2026-09", [row("NV2.3", "delayed", 70, activities=1,
                                    obstacles="Thiếu kinh phí in tài liệu")],
            report_date=date(2026, 10, 5)),
        sub("KHKH", "2026-07", [row("NV3.1", "in_progress", 30, activities=4)],
            state="superseded", report_date=date(2026, 8, 2)),
        sub("KHKH", "2026-07", [row("NV3.1", "in_progress", 50, activities=5),
                                row("NV3.2", "not_started", 0)],
            report_date=date(2026, 8, 10)),
        sub("KHKH", "2026-Q3", [row("NV3.1", "done", 100, activities=7),
                                row("NV3.2", "in_progress", 20, activities=1)],
            report_date=date(2026, 10, 3)),
        sub("TTKHCN", "2026-08", [row("NV2.1", "in_progress", 40)], state="withdrawn",
            report_date=date(2026, 9, 1)),
        sub("CDS", "2026-06", [row("NV4.1", "done", 100)], report_date=date(2026, 7, 2)),
        sub("CDS", "2026-09", [row("NV4.1", "in_progress", 80, activities=2),
                               row("NV4.2", "delayed", 10, obstacles="Thiếu dữ liệu dùng chung",
                                   proposals="Đề nghị Sở hỗ trợ kết nối dữ liệu")],
            loaded_at=datetime(2026, 10, 4, 9, 0)),
        sub("VPCN", "2026-10", [row("NV2.3", "in_progress", 80, activities=1)],
            report_date=date(2026, 11, 2), is_sample=True),
    ]))


def by(df, col):
    return df.set_index(col)


def test_quarter_rolls_up_stock_as_latest_and_flow_as_sum(db):
    f = Q.facts(db, "quarter", Q3).set_index(["cell_code", "task_code"])
    # stock: the September report's 70 and status, not the mean of 40, 60, 70
    assert f.loc[("VPCN", "NV2.3"), "completion_pct"] == 70
    assert f.loc[("VPCN", "NV2.3"), "status"] == "delayed"
    assert f.loc[("VPCN", "NV5.1"), "completion_pct"] == 100   # August, its latest
    # flow: 2 + 3 + 1 activities, 10 + 20 participants, 1 + 0 posts
    assert f.loc[("VPCN", "NV2.3"), ["activities", "participants", "posts"]].tolist() == [6, 30, 1]
    assert f.loc[("VPCN", "NV5.1"), "activities"] == 3


def test_monthly_report_inside_a_quarterly_one_is_not_counted_twice(db):
    f = Q.facts(db, "quarter", Q3).set_index(["cell_code", "task_code"])
    # the Q3 report (7 and 1) wins over the July report it contains (5 and none)
    assert f.loc[("KHKH", "NV3.1"), "activities"] == 7
    assert f.loc[("KHKH", "NV3.2"), "activities"] == 1
    assert f.loc[("KHKH", "NV3.1"), "completion_pct"] == 100


def test_superseded_and_withdrawn_submissions_are_ignored(db):
    july = Q.facts(db, "month", ["2026-07"]).set_index(["cell_code", "task_code"])
    assert july.loc[("KHKH", "NV3.1"), "completion_pct"] == 50   # the replacement, not 30
    assert july.loc[("KHKH", "NV3.1"), "activities"] == 5
    aug = Q.facts(db, "month", ["2026-08"])
    assert "TTKHCN" not in set(aug["cell_code"])                   # withdrawn


def test_cell_completion_and_a_missing_report(db):
    cells = by(Q.cell_summary(db, "quarter", Q3), "cell_code")
    assert cells.loc["VPCN", "completion"] == pytest.approx(85.0)       # (70 + 100) / 2
    assert cells.loc["KHKH", "completion"] == pytest.approx(60.0)       # (100 + 20) / 2
    assert cells.loc["CDS", "completion"] == pytest.approx(45.0)        # (80 + 10) / 2
    assert not cells.loc["TTKHCN", "has_report"]
    assert cells.loc["TTKHCN", "completion"] != cells.loc["TTKHCN", "completion"]  # NaN, not 0
    assert cells.loc["VPCN", ["tasks_reported", "tasks_assigned"]].tolist() == [2, 5]
    assert cells.loc["CDS", ["tasks_done", "tasks_delayed"]].tolist() == [0, 1]


def test_overall_kpis_of_the_quarter(db):
    k = Q.overall(db, "quarter", Q3).iloc[0]
    assert k["completion"] == pytest.approx(380 / 6)    # 70, 100, 100, 20, 80, 10
    assert k["tasks_done"] == 2 and k["tasks_assigned"] == 30
    assert k["cells_reported"] == 3 and k["cells_total"] == 4
    assert k["tasks_delayed"] == 2
    assert k["activities"] == 19                        # 6 + 3 + 7 + 1 + 2
    previous = Q.overall(db, "quarter", ["2026-Q2"]).iloc[0]
    assert previous["completion"] == 100 and previous["cells_reported"] == 1


def test_month_scope_does_not_see_the_quarterly_report(db):
    k = Q.overall(db, "month", ["2026-09"]).iloc[0]
    assert k["completion"] == pytest.approx((70 + 80 + 10) / 3)
    assert k["cells_reported"] == 2


def test_year_takes_the_latest_month_and_sums_all(db):
    f = Q.facts(db, "year", ["2026"]).set_index(["cell_code", "task_code"])
    assert f.loc[("VPCN", "NV2.3"), "completion_pct"] == 80             # October
    assert f.loc[("VPCN", "NV2.3"), "activities"] == 7                  # 2 + 3 + 1 + 1


def test_filters_by_cell_and_area(db):
    k = Q.overall(db, "quarter", Q3, cells=["KHKH", "CDS"], areas=["NV3"]).iloc[0]
    assert k["completion"] == pytest.approx(60.0)
    assert k["tasks_assigned"] == 3          # KHKH: NV3.1-3.3, CDS: none; TTKHCN filtered out
    assert k["cells_total"] == 1             # CDS has no NV3 task: "không được giao", not missing
    assert k["cells_not_assigned"] == 1
    areas = by(Q.area_summary(db, "quarter", Q3), "area_code")
    assert areas.loc["NV2", "completion"] == 70
    assert areas.loc["NV4", "completion"] == pytest.approx(45.0)
    assert areas.loc["NV1", "completion"] != areas.loc["NV1", "completion"]   # nothing reported


def test_cell_area_matrix_tells_no_report_from_not_assigned(db):
    m = Q.cell_area_summary(db, "quarter", Q3).set_index(["cell_code", "area_code"])
    assert m.loc[("KHKH", "NV3"), "completion"] == pytest.approx(60.0)
    assert not m.loc[("TTKHCN", "NV2"), "has_report"]
    assert m.loc[("VPCN", "NV3"), "tasks_assigned"] == 0


def test_status_counts_include_unreported_assignments(db):
    s = Q.status_counts(db, "quarter", Q3)
    counts = {(k if isinstance(k, str) else None): n for k, n in zip(s["status"], s["tasks"])}
    assert counts == {"delayed": 2, "done": 2, "in_progress": 2, None: 24}


def test_open_obstacles_follow_the_latest_report(db):
    assert Q.open_obstacle_count(db, date(2026, 9, 30)) == 2
    # VPCN's October report no longer says delayed: only CDS's stays open
    assert Q.open_obstacle_count(db, None) == 1
    log = Q.obstacle_log(db)
    assert list(log["cell_code"]) == ["CDS", "VPCN"]          # newest first (same end: load order)
    assert log.set_index("cell_code")["is_open"].to_dict() == {"CDS": True, "VPCN": False}
    assert list(Q.obstacle_log(db, search="ket noi")["cell_code"]) == ["CDS"]  # no diacritics


def test_submission_matrix_on_time_late_missing(db):
    m = Q.submission_matrix(db, ["2026-07", "2026-08", "2026-09"], today=date(2026, 10, 10))
    state = m.set_index(["cell_code", "period"])["state"].to_dict()
    assert state[("VPCN", "2026-07")] == "on_time"
    assert state[("VPCN", "2026-08")] == "late"         # 07/09 after 05/09
    assert state[("VPCN", "2026-09")] == "on_time"      # on the deadline day
    assert state[("KHKH", "2026-07")] == "late"
    assert state[("KHKH", "2026-08")] == "missing"
    assert state[("TTKHCN", "2026-08")] == "missing"    # withdrawn
    assert state[("CDS", "2026-09")] == "on_time"       # no report date: loaded 04/10
    later = Q.submission_matrix(db, ["2026-09"], deadline_day=3, today=date(2026, 10, 2))
    assert later.set_index("cell_code")["state"].to_dict() == {
        "VPCN": "late", "KHKH": "not_due", "TTKHCN": "not_due", "CDS": "late"}


def test_periods_and_data_status(db):
    assert Q.period_keys(db, "month") == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    assert Q.period_keys(db, "quarter") == ["2026-Q2", "2026-Q3", "2026-Q4"]
    status = Q.data_status(db)
    assert status == {"submissions": 8, "data_date": date(2026, 11, 2),
                      "data_date_from_load": False, "is_sample": True}


def test_empty_database(tmp_path):
    path = Store.at(build_db(tmp_path / "empty.duckdb", []))
    assert Q.period_keys(path, "month") == []
    assert Q.data_status(path)["submissions"] == 0
    assert Q.cell_summary(path, "month", ["2026-07"])["has_report"].tolist() == [False] * 4
