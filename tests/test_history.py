"""etl.history on a real DuckDB file, with submissions stored by the real loader."""
from __future__ import annotations

from datetime import date

import pytest

import build_fixtures as bf
from etl import history, usecases
from etl.catalog import get_catalog
from etl.store import Store
from etl.users import User
from etl.vocab import UserRole

V1_NAME = "Báo cáo tháng 7 - Văn phòng.xlsx"


def office(name: str) -> User:
    """An office account named as the person is: their name is what the history shows."""
    return User(name, name, UserRole.OFFICE)


def _store(db_path, data: bytes, name: str, by: str = "Hoàng Thị Mai") -> list:
    store, actor = Store.at(db_path), office(by)
    report = usecases.check_report(store, actor, data, name)
    assert report.ok, [p.as_text() for p in report.problems]
    outcome, = usecases.load_reports(store, actor, [(report, data)])
    return outcome.items


def _v1() -> bytes:
    return bf.xlsx(bf.report())


def _v2() -> bytes:
    rows = bf.with_row(bf.vpcn_july(), "NV1.2", pct=80, result=None)
    rows = bf.with_row(rows, "NV2.3", status="Đang thực hiện", pct=45)
    return bf.xlsx(bf.report(rows, report_date="10/08/2026"))


@pytest.fixture
def two_versions(db_path):
    """VPCN July loaded twice: #1 superseded by #2."""
    first, = _store(db_path, _v1(), V1_NAME)
    second, = _store(db_path, _v2(), "Báo cáo tháng 7 - sửa.xlsx")
    assert (first.submission_id, second.submission_id, second.replaced_id) == (1, 2, 1)
    return db_path


def _states(query, db_path) -> dict[int, str]:
    return dict(query(db_path, "SELECT submission_id, state FROM submissions"))


def _nv12_pct(query, db_path):
    rows = query(db_path, "SELECT completion_pct FROM v_progress WHERE cell_code = 'VPCN' "
                          "AND period = '2026-07' AND task_code = 'NV1.2'")
    return [r[0] for r in rows]


def _events(query, db_path, since: int = 0) -> list[tuple]:
    return query(db_path, "SELECT submission_id, action, acted_by FROM submission_events "
                          "WHERE event_id > ? ORDER BY event_id", [since])


def _last_event_id(query, db_path) -> int:
    return query(db_path, "SELECT coalesce(max(event_id), 0) FROM submission_events")[0][0]


def test_restore_makes_the_earlier_one_current_and_supersedes_the_displaced(two_versions, query):
    assert _nv12_pct(query, two_versions) == [80.0]
    before = _last_event_id(query, two_versions)

    change = usecases.restore(Store.at(two_versions), office("Trần Văn Nam"), 1)

    assert _states(query, two_versions) == {1: "current", 2: "superseded"}
    assert _nv12_pct(query, two_versions) == [62.5]
    assert change.displaced_id == 2
    assert sorted(_events(query, two_versions, before)) == [
        (1, "restored", "Trần Văn Nam"), (2, "superseded", "Trần Văn Nam")]


def test_undo_of_a_restore_puts_every_state_back_and_logs_it(two_versions, query):
    change = usecases.restore(Store.at(two_versions), office("Nam"), 1)
    before = _last_event_id(query, two_versions)

    usecases.undo(Store.at(two_versions), office("Mai"), change)

    assert _states(query, two_versions) == {1: "superseded", 2: "current"}
    assert _nv12_pct(query, two_versions) == [80.0]
    assert sorted(_events(query, two_versions, before)) == [(1, "undone", "Mai"), (2, "undone", "Mai")]
    # nothing deleted: both submissions keep their rows
    assert query(two_versions, "SELECT submission_id, count(*) FROM progress_rows "
                               "GROUP BY 1 ORDER BY 1") == [(1, 5), (2, 5)]


def test_an_undo_can_itself_be_undone(two_versions, query):
    store, nam = Store.at(two_versions), office("Nam")
    reverse = usecases.undo(store, nam, usecases.restore(store, nam, 1))
    usecases.undo(store, nam, reverse)
    assert _states(query, two_versions) == {1: "current", 2: "superseded"}


def test_withdraw_leaves_the_period_without_a_current_report(two_versions, query):
    change = usecases.withdraw(Store.at(two_versions), office("Mai"), 2)

    assert _states(query, two_versions) == {1: "superseded", 2: "withdrawn"}
    assert _nv12_pct(query, two_versions) == []
    assert "VPCN" in history.missing_reports(Store.at(two_versions), "2026-07")["cell_code"].tolist()
    assert _events(query, two_versions, _last_event_id(query, two_versions) - 1) == [
        (2, "withdrawn", "Mai")]

    usecases.undo(Store.at(two_versions), office("Mai"), change)
    assert _states(query, two_versions) == {1: "superseded", 2: "current"}
    assert _nv12_pct(query, two_versions) == [80.0]


def test_restoring_a_withdrawn_report_is_logged_as_reinstated(two_versions, query):
    usecases.withdraw(Store.at(two_versions), office("Mai"), 2)
    before = _last_event_id(query, two_versions)
    change = usecases.restore(Store.at(two_versions), office("Mai"), 2)
    assert change.displaced_id is None
    assert _states(query, two_versions) == {1: "superseded", 2: "current"}
    assert _events(query, two_versions, before) == [(2, "reinstated", "Mai")]


def test_undo_is_refused_when_a_newer_report_became_current_since(two_versions, query):
    change = usecases.withdraw(Store.at(two_versions), office("Mai"), 2)
    third, = _store(two_versions, bf.xlsx(bf.report(bf.with_row(bf.vpcn_july(), "NV1.2", pct=90))),
                    "lần 3.xlsx")
    assert third.action == "added"  # nothing was current to supersede

    with pytest.raises(history.HistoryConflict):
        usecases.undo(Store.at(two_versions), office("Mai"), change)
    assert _states(query, two_versions) == {1: "superseded", 2: "withdrawn", 3: "current"}


def test_undo_is_refused_when_the_states_moved_since(two_versions, query):
    change = usecases.restore(Store.at(two_versions), office("Nam"), 1)
    usecases.restore(Store.at(two_versions), office("Nam"), 2)          # someone switched back by hand
    usecases.withdraw(Store.at(two_versions), office("Nam"), 1)
    with pytest.raises(history.HistoryConflict):
        usecases.undo(Store.at(two_versions), office("Nam"), change)
    assert _states(query, two_versions) == {1: "withdrawn", 2: "current"}


@pytest.mark.parametrize("operation, sid, message", [
    (usecases.restore, 2, "đang là báo cáo hiện hành"),
    (usecases.restore, 99, "Không có báo cáo #99"),
    (usecases.withdraw, 99, "Không có báo cáo #99"),
])
def test_operations_that_do_not_apply_change_nothing(two_versions, query, operation, sid, message):
    events_before = _last_event_id(query, two_versions)
    audit_before = query(two_versions, "SELECT count(*) FROM audit_log")
    with pytest.raises(history.HistoryError, match=message):
        operation(Store.at(two_versions), office("Mai"), sid)
    assert _states(query, two_versions) == {1: "superseded", 2: "current"}
    assert _last_event_id(query, two_versions) == events_before
    assert query(two_versions, "SELECT count(*) FROM audit_log") == audit_before


def _restore(store, actor):
    return usecases.restore(store, actor, 1)


def _withdraw(store, actor):
    return usecases.withdraw(store, actor, 2)


def _undo_a_restore(store, actor):
    change = usecases.restore(store, office("Nam"), 1)
    return usecases.undo(store, actor, change)


def _undo_load(store, actor):
    return usecases.undo_load(store, actor, [2])


@pytest.mark.parametrize("operation", [_restore, _withdraw, _undo_a_restore, _undo_load])
def test_a_failing_audit_write_rolls_back_the_change_it_records(two_versions, query, monkeypatch,
                                                                 operation):
    """A change is recorded in the audit trail or it does not happen."""
    if operation is _undo_a_restore:
        usecases.restore(Store.at(two_versions), office("Nam"), 1)
        usecases.restore(Store.at(two_versions), office("Nam"), 2)
    states, events = _states(query, two_versions), _last_event_id(query, two_versions)
    audit_rows = query(two_versions, "SELECT count(*) FROM audit_log")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")
    if operation is _undo_a_restore:   # the restore it undoes still records itself
        real = usecases.audit.append
        monkeypatch.setattr(usecases.audit, "append", lambda con, user, action, *a, **k: (
            broken() if action == "undo" else real(con, user, action, *a, **k)))
    else:
        monkeypatch.setattr(usecases.audit, "append", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        operation(Store.at(two_versions), office("Mai"))
    if operation is _undo_a_restore:   # the restore committed; its undo did not
        assert _states(query, two_versions) == {1: "current", 2: "superseded"}
        return
    assert _states(query, two_versions) == states
    assert _last_event_id(query, two_versions) == events
    assert query(two_versions, "SELECT count(*) FROM audit_log") == audit_rows


@pytest.mark.parametrize("who", [User("ld", "Lãnh đạo", UserRole.LEADERSHIP),
                                 User("qt", "Quản trị", UserRole.ADMIN),
                                 User("bt", "Bí thư", UserRole.CELL, "CDS")])
@pytest.mark.parametrize("operation", [_restore, _withdraw, _undo_load])
def test_a_change_without_the_permission_is_refused_and_changes_nothing(two_versions, query, who,
                                                                         operation):
    before = (_states(query, two_versions), _last_event_id(query, two_versions),
              query(two_versions, "SELECT count(*) FROM audit_log"))
    with pytest.raises(usecases.PermissionDenied):
        operation(Store.at(two_versions), who)
    assert before == (_states(query, two_versions), _last_event_id(query, two_versions),
                      query(two_versions, "SELECT count(*) FROM audit_log"))


def test_withdrawing_twice_is_refused(two_versions):
    usecases.withdraw(Store.at(two_versions), office("Mai"), 1)
    with pytest.raises(history.HistoryError, match="đã được rút"):
        usecases.withdraw(Store.at(two_versions), office("Mai"), 1)


def test_diff_lists_every_changed_field_task_by_task(two_versions):
    changes = history.diff(Store.at(two_versions), 2, 1)
    got = {(r.task_code, r.field): (r.before, r.after) for r in changes.itertuples()}
    assert got == {
        ("NV1.2", "completion_pct"): (62.5, 80.0),
        ("NV1.2", "result"): ("Đã đưa vào chương trình sinh hoạt chuyên đề quý III", None),
        ("NV2.3", "status"): ("delayed", "in_progress"),
        ("NV2.3", "completion_pct"): (30.0, 45.0),
    }
    assert set(changes["field_label"]) == {"Tỷ lệ hoàn thành (%)", "Kết quả đạt được", "Trạng thái"}
    assert changes.loc[changes.task_code == "NV2.3", "task_title"].iloc[0] == \
        get_catalog().task("NV2.3").title


def test_diff_shows_a_task_only_one_report_has(db_path):
    _store(db_path, _v1(), "a.xlsx")
    _store(db_path, bf.xlsx(bf.report(bf.vpcn_july()[:-1])), "b.xlsx")  # NV5.2 left out
    changes = history.diff(Store.at(db_path), 2, 1)
    assert set(changes["task_code"]) == {"NV5.2"}
    assert changes.set_index("field").loc["completion_pct", ["before", "after"]].tolist() == [50.0, None]


def test_diff_of_identical_reports_is_empty_and_unknown_ids_fail(two_versions):
    assert history.diff(Store.at(two_versions), 2, 2).empty
    with pytest.raises(history.HistoryError):
        history.diff(Store.at(two_versions), 2, 42)


def test_original_bytes_are_the_uploaded_bytes_with_the_vietnamese_name(two_versions):
    assert history.original_bytes(Store.at(two_versions), 1) == (V1_NAME, _v1())
    assert history.original_bytes(Store.at(two_versions), 2)[1] == _v2()


def test_a_tampered_or_missing_archive_is_reported_not_served(two_versions):
    files = sorted(p for p in Store.at(two_versions).archive_dir.rglob("*") if p.is_file())
    original = next(p for p in files if p.read_bytes() == _v1())
    original.write_bytes(_v1() + b"x")
    with pytest.raises(history.ArchiveError, match="sha256"):
        history.original_bytes(Store.at(two_versions), 1)
    original.unlink()
    with pytest.raises(history.ArchiveError, match="Không tìm thấy"):
        history.original_bytes(Store.at(two_versions), 1)


def test_missing_reports_lists_the_cells_without_a_current_report(db_path):
    catalog_order = [c.code for c in get_catalog().cells]
    assert history.missing_reports(Store.at(db_path), "2026-07")["cell_code"].tolist() == catalog_order
    _store(db_path, _v1(), "vpcn.xlsx")
    _store(db_path, bf.xlsx(bf.report(bf.filled_rows("CDS"), cell="CDS")), "cds.xlsx")
    missing = history.missing_reports(Store.at(db_path), "2026-07")
    assert missing["cell_code"].tolist() == [c for c in catalog_order if c not in ("VPCN", "CDS")]
    assert missing["cell_name"].tolist() == [get_catalog().cell(c).name for c in missing["cell_code"]]
    # another period, even the quarter containing July, is still owed by everyone
    assert history.missing_reports(Store.at(db_path), "2026-Q3")["cell_code"].tolist() == catalog_order


def test_list_submissions_newest_first_with_labels_and_filters(two_versions):
    _store(two_versions, bf.xlsx(bf.report(bf.filled_rows("CDS"), cell="CDS")), "cds.xlsx")
    subs = history.list_submissions(Store.at(two_versions))
    assert subs["submission_id"].tolist() == [3, 2, 1]
    assert subs["state_label"].tolist() == ["Hiện hành", "Hiện hành", "Đã bị thay thế"]
    assert subs["period_label"].unique().tolist() == ["Tháng 7/2026"]
    assert subs.loc[subs.submission_id == 2, "report_date"].iloc[0].date() == date(2026, 8, 10)
    assert subs.loc[subs.submission_id == 1, "file_name"].iloc[0] == V1_NAME
    assert history.list_submissions(Store.at(two_versions), cell="CDS")["submission_id"].tolist() == [3]
    assert history.list_submissions(Store.at(two_versions), states=["superseded"])["submission_id"].tolist() == [1]


def test_reading_before_anything_is_loaded(db_path):
    assert history.list_submissions(Store.at(db_path)).empty
    assert not db_path.exists()  # reading never creates the database


def test_recent_periods_offers_only_periods_that_have_begun():
    keys = history.recent_periods(date(2026, 8, 15))
    assert keys[:3] == ["2026-08", "2026-07", "2026-06"]
    assert "2026-09" not in keys and "2026-Q4" not in keys and "2026-H2" in keys
    assert "2026-Q3" in keys and "2025-12" in keys and "2026" in keys


def test_retract_load_withdraws_the_new_report_and_brings_back_the_one_it_replaced(two_versions,
                                                                                    query):
    change = usecases.undo_load(Store.at(two_versions), office("Mai"), [2])[0]
    assert _states(query, two_versions) == {1: "current", 2: "withdrawn"}
    assert _nv12_pct(query, two_versions) == [62.5]
    usecases.undo(Store.at(two_versions), office("Mai"), change)
    assert _states(query, two_versions) == {1: "superseded", 2: "current"}


def test_retract_load_of_a_first_report_leaves_the_period_unreported(db_path, query):
    _store(db_path, _v1(), V1_NAME)
    usecases.undo_load(Store.at(db_path), office("Mai"), [1])[0]
    assert _states(query, db_path) == {1: "withdrawn"}
    with pytest.raises(history.HistoryError, match="không còn là báo cáo hiện hành"):
        usecases.undo_load(Store.at(db_path), office("Mai"), [1])[0]
