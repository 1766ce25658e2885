"""The upload, history and templates pages driven by AppTest with real fixture workbooks,
against a real DuckDB file; every test checks the database afterwards."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

import build_fixtures as bf
from dashboard.textsafe import WORD_JOINER, plain
from etl import history, usecases
from etl.read import Limits
from etl.store import Store
from signin import OFFICE, as_user

MAX_UPLOAD_BYTES = Limits().max_upload_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TIMEOUT = 60


@pytest.fixture
def app_db(db_path, monkeypatch):
    monkeypatch.setenv("PROGRESS_DB", str(db_path))
    return db_path


def _page(name: str) -> AppTest:
    return as_user(AppTest.from_file(f"../pages/{name}.py", default_timeout=TIMEOUT)).run()


def _upload(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    at.file_uploader[0].set_value([(name, data, XLSX) for name, data in files])
    return at.run()


def _read(fixtures_dir, name: str) -> tuple[str, bytes]:
    return name, (fixtures_dir / name).read_bytes()


def _labels(at: AppTest) -> list[str]:
    return [_shown(e.label) for e in at.expander]


def _shown(markdown: str) -> str:
    """The text a reader sees for Markdown made by ui.plain: escapes and joiners undone."""
    return re.sub(r"\\(.)", r"\1", markdown).replace(WORD_JOINER, "")


def _load_button(at: AppTest):
    return at.button(key="load_valid")


def _excel_row_of(data_path, task_code: str) -> int:
    ws = load_workbook(data_path).active
    return next(c.row for row in ws.iter_rows() for c in row if c.value == task_code)


# -- upload page ----------------------------------------------------------------------------

def test_good_bad_and_several_sheets_files_load_what_is_valid(app_db, fixtures_dir, query):
    at = _page("upload")
    assert not at.exception
    _upload(at, _read(fixtures_dir, "cell-by-name.xlsx"), _read(fixtures_dir, "bad-percent-150.xlsx"),
            _read(fixtures_dir, "several-sheets.xlsx"))
    assert not at.exception

    good, bad, several = _labels(at)
    assert "hợp lệ" in good and "Kế hoạch - Khoa học, Tháng 7/2026" in good
    assert "1 lỗi, không thể nạp" in bad
    assert "Tháng 7/2026" in several and "Tháng 8/2026" in several
    problems = at.expander[1].table[0].value.map(_shown)
    nv12_row = _excel_row_of(fixtures_dir / "bad-percent-150.xlsx", "NV1.2")
    assert problems.loc[0, "Dòng"] == str(nv12_row)
    assert problems.loc[0, "Cột"] == "Tỷ lệ hoàn thành (%)"
    assert problems.loc[0, "Giá trị"] == "150"
    assert problems.loc[0, "Mức độ"] == "Lỗi"
    assert _load_button(at).label == "Nạp 2 tệp hợp lệ"

    _load_button(at).click().run()
    assert not at.exception
    assert query(app_db, "SELECT cell_code, period, sheet, state FROM submissions ORDER BY 1, 2") == [
        ("KHKH", "2026-07", "Báo cáo", "current"),
        ("VPCN", "2026-07", "Tháng 7", "current"),
        ("VPCN", "2026-08", "Tháng 8", "current")]
    assert "Đã nạp xong 3 báo cáo" in at.success[0].value
    summary = at.table[0].value
    assert [_shown(v) for v in summary["Kết quả"]] == ["Đã thêm mới"] * 3
    assert not at.expander  # the uploader starts empty for the next batch


def test_cell_and_period_picked_by_hand(app_db, fixtures_dir, query):
    at = _page("upload")
    _upload(at, _read(fixtures_dir, "no-cell-no-period.xlsx"))
    assert "cần chọn chi bộ và kỳ báo cáo" in _labels(at)[0]
    assert not at.expander[0].table and not at.expander[0].error  # the pickers answer it
    assert _load_button(at).disabled

    at.selectbox(key=[s.key for s in at.selectbox if s.key.startswith("pick_cell_")][0]).set_value("KHKH")
    at.selectbox(key=[s.key for s in at.selectbox if s.key.startswith("pick_period_")][0]).set_value("2026-07")
    at.run()
    assert "hợp lệ" in _labels(at)[0] and not _load_button(at).disabled

    _load_button(at).click().run()
    assert query(app_db, "SELECT cell_code, period, loaded_by, row_count FROM submissions") == [
        ("KHKH", "2026-07", OFFICE.username, len(bf.cell_tasks("KHKH")))]


def test_a_resubmission_supersedes_and_an_identical_file_changes_nothing(app_db, fixtures_dir, query):
    at = _page("upload")
    _upload(at, _read(fixtures_dir, "good-canonical.xlsx"))
    _load_button(at).click().run()
    fixed = bf.xlsx(bf.report(bf.with_row(bf.vpcn_july(), "NV1.2", pct=75)))

    _upload(at, ("tháng 7 (bản sửa).xlsx", fixed))
    _load_button(at).click().run()
    assert [_shown(v) for v in at.table[0].value["Kết quả"]] == ["Đã thay thế báo cáo #1"]

    _upload(at, ("tháng 7 (bản sửa) - gửi lại.xlsx", fixed))
    _load_button(at).click().run()
    assert [_shown(v) for v in at.table[0].value["Kết quả"]] == [
        "Không thay đổi (tệp này đã được nạp trước đó)"]
    assert query(app_db, "SELECT submission_id, state FROM submissions ORDER BY 1") == [
        (1, "superseded"), (2, "current")]
    assert query(app_db, "SELECT completion_pct FROM v_progress WHERE task_code = 'NV1.2'") == [(75.0,)]


def test_report_text_is_shown_literally_not_as_markdown(app_db):
    rows = bf.with_row(bf.vpcn_july(), "NV1.2", status="**Tạm dừng** [xem](http://x)")
    at = _page("upload")
    _upload(at, ("*bí mật*.xlsx", bf.xlsx(bf.report(rows))))
    assert at.expander[0].label.startswith(":material/error: " + plain("*bí mật*.xlsx"))
    value = at.expander[0].table[0].value.loc[0, "Giá trị"]
    assert value == plain("**Tạm dừng** [xem](http://x)")
    assert not history.list_submissions(Store.at(app_db)).shape[0]


def test_unreadable_files_are_rejected_with_a_message(app_db, fixtures_dir):
    at = _page("upload")
    _upload(at, _read(fixtures_dir, "bad-encrypted.xlsx"), _read(fixtures_dir, "bad-empty.xlsx"))
    assert all("không thể nạp" in label for label in _labels(at))
    assert _load_button(at).label == "Nạp 0 tệp hợp lệ" and _load_button(at).disabled


# -- history page ---------------------------------------------------------------------------

def _store(db_path, data: bytes, name: str) -> None:
    store = Store.at(db_path)
    report = usecases.check_report(store, OFFICE, data, name)
    usecases.load_reports(store, OFFICE, [(report, data)])


@pytest.fixture
def two_versions(app_db):
    _store(app_db, bf.xlsx(bf.report()), "tháng 7.xlsx")
    _store(app_db, bf.xlsx(bf.report(bf.with_row(bf.vpcn_july(), "NV1.2", pct=80))), "sửa.xlsx")
    return app_db


def _states(query, db_path):
    return query(db_path, "SELECT submission_id, state FROM submissions ORDER BY 1")


def test_history_restore_asks_for_confirmation_and_can_be_undone(two_versions, query):
    at = _page("history")
    assert not at.exception
    assert at.dataframe[0].value["Trạng thái"].tolist() == ["Hiện hành", "Đã bị thay thế"]
    diff = at.dataframe[1].value
    assert diff.iloc[0].tolist() == ["NV1.2", "Tỷ lệ hoàn thành (%)", "62,5%", "80%",
                                     bf.task_title("NV1.2")]

    at.selectbox(key="history_selected").set_value(1).run()
    at.button(key="ask_restore").click().run()
    assert "Khôi phục báo cáo #1" in at.warning[0].value
    assert _states(query, two_versions) == [(1, "superseded"), (2, "current")]  # not yet

    at.button(key="confirm_action").click().run()
    assert _states(query, two_versions) == [(1, "current"), (2, "superseded")]
    assert query(two_versions, "SELECT acted_by FROM submission_events WHERE action = 'restored'") \
        == [(OFFICE.username,)]

    at.button(key="undo_last").click().run()
    assert not at.exception
    assert _states(query, two_versions) == [(1, "superseded"), (2, "current")]
    assert at.success[0].value == "Đã hoàn tác."


def test_history_withdraw_can_be_cancelled_confirmed_and_undone(two_versions, query):
    at = _page("history")
    at.button(key="ask_withdraw").click().run()
    at.button(key="cancel_action").click().run()
    assert _states(query, two_versions) == [(1, "superseded"), (2, "current")]

    at.button(key="ask_withdraw").click().run()
    at.button(key="confirm_action").click().run()
    assert _states(query, two_versions) == [(1, "superseded"), (2, "withdrawn")]
    assert query(two_versions, "SELECT count(*) FROM v_progress")[0][0] == 0

    at.button(key="undo_last").click().run()
    assert _states(query, two_versions) == [(1, "superseded"), (2, "current")]


def test_history_shows_an_empty_state_before_any_load(app_db):
    at = _page("history")
    assert not at.exception
    assert "Chưa có báo cáo nào" in at.info[0].value


# -- templates page -------------------------------------------------------------------------

def test_templates_page_lists_the_cells_that_still_owe_a_report(app_db, fixtures_dir):
    name, data = _read(fixtures_dir, "good-canonical.xlsx")
    _store(app_db, data, name)
    at = _page("templates")
    at.selectbox(key="templates_period").set_value("2026-07").run()
    assert not at.exception
    owed = [c for c in bf.catalog().cells if c.code != "VPCN"]
    names = [m.value.strip("*") for m in at.markdown 
             if m.value.startswith("**Chi bộ ") and "chưa nộp" not in m.value]
    assert names == [c.name for c in owed]
    assert [b.label for b in at.get("download_button")][:len(owed)] == ["Tải mẫu"] * len(owed)
    assert any("Hạn nộp báo cáo Tháng 7/2026: 05/08/2026" in c.value for c in at.caption)


def test_the_uploader_accepts_the_report_types_up_to_the_loaders_limit(app_db):
    uploader = _page("upload").file_uploader[0]
    assert uploader.proto.max_upload_size_mb * 1024 * 1024 == MAX_UPLOAD_BYTES
    assert uploader.accept_multiple_files
    assert sorted(uploader.allowed_type) == [".csv", ".ods", ".xls", ".xlsx"]
    config = tomllib.loads((Path(__file__).parents[1] / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 1024 * 1024 >= MAX_UPLOAD_BYTES


def test_a_resubmission_that_drops_tasks_loads_only_once_confirmed(app_db, query):
    at = _page("upload")
    _upload(at, ("tháng 7.xlsx", bf.xlsx(bf.report())))
    _load_button(at).click().run()
    cut = [r for r in bf.vpcn_july() if r.code not in ("NV5.1", "NV5.2")]
    _upload(at, ("tháng 7 - thiếu dòng.xlsx", bf.xlsx(bf.report(cut))))
    warning = _shown(at.warning[0].value)
    assert "“tháng 7 - thiếu dòng.xlsx”" in warning and "#1" in warning
    assert "(NV5.1, NV5.2)" in warning and "chưa báo cáo" in warning
    assert _load_button(at).disabled
    assert _states(query, app_db) == [(1, "current")]

    at.checkbox[0].check().run()
    assert not _load_button(at).disabled
    _load_button(at).click().run()
    assert _states(query, app_db) == [(1, "superseded"), (2, "current")]
    assert query(app_db, "SELECT count(*) FROM v_progress WHERE task_code IN ('NV5.1', 'NV5.2') "
                         "AND submission_id IS NOT NULL") == [(0,)]

    at = _page("upload")                               # the full file again: no question
    _upload(at, ("tháng 7 - đủ.xlsx", bf.xlsx(bf.report())))
    assert not at.checkbox and not _load_button(at).disabled


def test_two_files_for_the_same_cell_and_period_are_flagged_before_loading(app_db, query):
    at = _page("upload")
    _upload(at, ("bản 1.xlsx", bf.xlsx(bf.report())),
            ("bản 2.xlsx", bf.xlsx(bf.report(bf.with_row(bf.vpcn_july(), "NV5.2", pct=60)))))
    assert "“bản 1.xlsx” và “bản 2.xlsx”" in at.warning[0].value
    _load_button(at).click().run()
    assert _states(query, app_db) == [(1, "superseded"), (2, "current")]


def test_a_whole_load_can_be_undone_from_the_summary(app_db, query):
    at = _page("upload")
    _upload(at, ("tháng 7.xlsx", bf.xlsx(bf.report())))
    _load_button(at).click().run()
    _upload(at, ("bản 1.xlsx", bf.xlsx(bf.report(bf.with_row(bf.vpcn_july(), "NV5.2", pct=55)))),
            ("bản 2.xlsx", bf.xlsx(bf.report(bf.with_row(bf.vpcn_july(), "NV5.2", pct=60)))),
            ("cds.xlsx", bf.xlsx(bf.report(bf.filled_rows("CDS"), cell="CDS"))))
    _load_button(at).click().run()
    assert _states(query, app_db) == [(1, "superseded"), (2, "superseded"), (3, "current"),
                                      (4, "current")]

    at.button(key="undo_load").click().run()
    assert not at.exception
    assert "Đã hoàn tác lần nạp: rút 3 báo cáo" in at.success[0].value
    assert _states(query, app_db) == [(1, "current"), (2, "withdrawn"), (3, "withdrawn"),
                                      (4, "withdrawn")]
