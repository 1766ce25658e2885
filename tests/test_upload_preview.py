"""The upload page's preview and summary: a file with errors shows every row it holds with
the bad cells marked, a valid file's preview starts open, and loading a file already loaded
byte for byte says that nothing changed."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

import build_fixtures as bf
from dashboard import tables
from etl import load
from signin import as_user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TIMEOUT = 60
PCT = "Tỷ lệ hoàn thành (%)"


@pytest.fixture
def app_db(db_path, monkeypatch):
    monkeypatch.setenv("PROGRESS_DB", str(db_path))
    return db_path


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader[0].set_value([(name, data, XLSX)])
    return at.run()


def _upload_page() -> AppTest:
    return as_user(AppTest.from_file("../pages/upload.py", default_timeout=TIMEOUT)).run()


def _bad_percent() -> bytes:
    return bf.xlsx(bf.report(bf.with_row(bf.vpcn_july(), "NV1.2", pct=150)))


def test_the_checker_keeps_every_row_as_written_and_names_the_bad_cells_field():
    report = load.validate_bytes(_bad_percent(), "vpcn.xlsx")
    sheet = report.sheets[0]
    assert [r.task_code for r in sheet.rows] == ["NV1.1", "NV2.3", "NV5.1", "NV5.2"]
    written = {r["task_code"]: r for r in sheet.source_rows}
    assert list(written) == ["NV1.1", "NV1.2", "NV2.3", "NV5.1", "NV5.2"]
    assert written["NV1.2"]["completion_pct"] == "150"
    (error,) = report.errors
    assert (error.row, error.field) == (written["NV1.2"]["excel_row"], "completion_pct")


def test_the_preview_table_marks_bad_cells_red_and_says_what_is_wrong():
    report = load.validate_bytes(_bad_percent(), "vpcn.xlsx")
    styled = tables.source_rows_table(report.sheets[0].source_rows, report.problems)
    frame = styled.data
    assert frame["Mã nhiệm vụ"].tolist() == ["NV1.1", "NV1.2", "NV2.3", "NV5.1", "NV5.2"]
    bad = frame.index[frame["Mã nhiệm vụ"] == "NV1.2"][0]
    assert frame.at[bad, PCT] == "150"
    assert "Lỗi: Tỷ lệ hoàn thành" in frame.at[bad, tables.ROW_PROBLEMS]
    styles = styled._compute().ctx           # {(row, column index): [(property, value)]}
    for column in (PCT, tables.ROW_PROBLEMS):
        assert ("background-color", "#F8D7DA") in styles[(bad, list(frame.columns).index(column))]
    assert not any(v for (r, _), v in styles.items() if r != bad)


def test_a_file_with_errors_previews_every_row_and_a_valid_file_starts_open(app_db):
    at = _upload_page()
    _upload(at, "vpcn-sai.xlsx", _bad_percent())
    assert not at.exception
    preview = at.expander[0].dataframe[0].value
    assert preview["Mã nhiệm vụ"].tolist() == ["NV1.1", "NV1.2", "NV2.3", "NV5.1", "NV5.2"]
    assert preview.loc[preview["Mã nhiệm vụ"] == "NV1.2", PCT].item() == "150"

    _upload(at, "vpcn.xlsx", bf.xlsx(bf.report()))
    assert "hợp lệ" in at.expander[0].label
    assert at.expander[0].proto.expanded
    assert at.expander[0].dataframe[0].value["Mã nhiệm vụ"].tolist() == [
        "NV1.1", "NV1.2", "NV2.3", "NV5.1", "NV5.2"]


def test_loading_a_byte_identical_file_again_says_nothing_changed(app_db):
    data = bf.xlsx(bf.report())
    at = _upload_page()
    _upload(at, "vpcn.xlsx", data)
    at.button(key="load_valid").click().run()
    assert "Các biểu đồ đã cập nhật số liệu mới" in at.success[0].value

    _upload(at, "vpcn - gửi lại.xlsx", data)
    at.button(key="load_valid").click().run()
    assert not at.exception
    message = at.success[0].value
    assert message.startswith("Không có gì thay đổi")
    assert "cập nhật số liệu mới" not in message
