"""Every rejection DOMAIN.md lists: exit 1, nothing stored from the file, and a message
that names the file, sheet, Excel row, column and value so a person can fix it."""
from __future__ import annotations

import re

import pytest

from etl.store import Store

SHEET = "Báo cáo"

# fixture, Excel row (title rows counted), column header as in the file, value as shown
BAD_ROWS = [
    ("bad-percent-150.xlsx", 12, "Tỷ lệ hoàn thành (%)", "150"),
    ("bad-percent-negative.xlsx", 13, "Tỷ lệ hoàn thành (%)", "-10"),
    ("bad-negative-count.xlsx", 11, "Số lượt người tham gia", "-5"),
    ("bad-unknown-task-code.xlsx", 16, "Mã nhiệm vụ", "NV9.9"),
    ("bad-unknown-task-title.xlsx", 16, "Nội dung nhiệm vụ",
     "Tổ chức hội thao chào mừng ngày thành lập Đảng"),
    ("bad-unknown-status.xlsx", 12, "Trạng thái", "Tạm dừng"),
]

# fixture, words the error line must hold
BAD_FILES = [
    ("bad-no-table.xlsx", [f"'{SHEET}'"]),
    ("bad-not-a-spreadsheet.xlsx", ["bảng tính"]),
    ("bad-empty.xlsx", ["rỗng"]),
    ("bad-truncated.xlsx", []),
    ("bad-encrypted.xlsx", ["mật khẩu"]),
]


def errors(stdout: str, file_name: str) -> list[str]:
    return [line.strip() for line in stdout.splitlines()
            if line.strip().startswith(f"LỖI: {file_name}")]


def assert_nothing_stored(db_path, query) -> None:
    """The database may exist (created empty) but holds no submission, and no file was archived."""
    if db_path.exists():
        for table in ("submissions", "progress_rows", "submission_events"):
            assert query(db_path, f"SELECT count(*) FROM {table}") == [(0,)], table
    archive = Store.at(db_path).archive_dir
    assert not archive.exists() or not [p for p in archive.rglob("*") if p.is_file()]


def reject(run_cli, db_path, path, *args):
    result = run_cli("load", "--db", db_path, *args, path)
    assert result.returncode == 1, result.stdout + result.stderr
    return result.stdout


@pytest.mark.parametrize("name, row, column, value", BAD_ROWS)
def test_bad_row_is_named_precisely(name, row, column, value, fixtures_dir, db_path, run_cli,
                                    query):
    out = reject(run_cli, db_path, fixtures_dir / name)
    lines = errors(out, name)
    assert len(lines) == 1, out
    line = lines[0]
    assert f"trang tính '{SHEET}'" in line
    assert f"dòng {row}," in line
    assert f"cột '{column}'" in line
    assert f"(giá trị: '{value}')" in line
    assert_nothing_stored(db_path, query)


def test_unknown_cell_names_the_header_line(fixtures_dir, db_path, run_cli, query):
    out = reject(run_cli, db_path, fixtures_dir / "bad-unknown-cell.xlsx")
    lines = errors(out, "bad-unknown-cell.xlsx")
    assert len(lines) == 1, out
    assert f"trang tính '{SHEET}', dòng 5, cột '" in lines[0]
    assert "(giá trị: 'Chi bộ Tài chính - Kế toán')" in lines[0]
    assert_nothing_stored(db_path, query)


def test_missing_period(fixtures_dir, db_path, run_cli, query):
    out = reject(run_cli, db_path, fixtures_dir / "bad-no-period.xlsx")
    lines = errors(out, "bad-no-period.xlsx")
    assert len(lines) == 1, out
    assert f"trang tính '{SHEET}'" in lines[0]
    assert "kỳ báo cáo" in lines[0].lower()
    assert_nothing_stored(db_path, query)


def test_duplicate_task_rows_that_disagree(fixtures_dir, db_path, run_cli, query):
    out = reject(run_cli, db_path, fixtures_dir / "bad-duplicate-task-disagree.xlsx")
    lines = errors(out, "bad-duplicate-task-disagree.xlsx")
    assert len(lines) == 1, out
    assert "NV1.1" in lines[0]
    assert "dòng 12" in lines[0]                       # the second row is the one to fix
    assert set(re.findall(r"\b1[12]\b", lines[0])) == {"11", "12"}   # both rows named
    assert_nothing_stored(db_path, query)


@pytest.mark.parametrize("name, words", BAD_FILES)
def test_unreadable_or_tableless_file(name, words, fixtures_dir, db_path, run_cli, query):
    out = reject(run_cli, db_path, fixtures_dir / name)
    lines = errors(out, name)
    assert len(lines) == 1, out
    for word in words:
        assert word in lines[0]
    assert_nothing_stored(db_path, query)


def test_every_bad_row_is_reported_in_one_run(fixtures_dir, db_path, run_cli, query):
    name = "bad-many-errors.xlsx"
    out = reject(run_cli, db_path, fixtures_dir / name)
    lines = errors(out, name)
    expected = [(11, "Tỷ lệ hoàn thành (%)", "150"), (12, "Trạng thái", "Không rõ"),
                (13, "Số hoạt động", "-1"), (16, "Mã nhiệm vụ", "NV9.9")]
    for row, column, value in expected:
        assert any(f"dòng {row}, cột '{column}'" in line and f"(giá trị: '{value}')" in line
                   for line in lines), (row, column, value, out)
    assert len(lines) == len(expected), out
    assert_nothing_stored(db_path, query)


def test_good_file_loads_even_when_another_is_rejected(fixtures_dir, db_path, run_cli, query):
    result = run_cli("load", "--db", db_path, fixtures_dir / "good-canonical.xlsx",
                     fixtures_dir / "bad-percent-150.xlsx")
    assert result.returncode == 1, result.stdout
    assert errors(result.stdout, "bad-percent-150.xlsx")
    assert not errors(result.stdout, "good-canonical.xlsx")
    assert query(db_path, "SELECT file_name, state FROM submissions") == [
        ("good-canonical.xlsx", "current")]
    assert query(db_path, "SELECT count(*) FROM v_progress") == [(5,)]


def test_bad_file_first_does_not_stop_the_good_one(fixtures_dir, db_path, run_cli, query):
    result = run_cli("load", "--db", db_path, fixtures_dir / "bad-encrypted.xlsx",
                     fixtures_dir / "good-canonical.xlsx")
    assert result.returncode == 1, result.stdout
    assert query(db_path, "SELECT file_name FROM submissions") == [("good-canonical.xlsx",)]


def test_library_collects_every_problem_with_its_place(fixtures_dir):
    """The upload page calls validate_bytes: same checks, structured problems, no writes."""
    from etl.load import validate_bytes

    name = "bad-many-errors.xlsx"
    report = validate_bytes((fixtures_dir / name).read_bytes(), name)
    assert not report.ok
    places = sorted((p.row, p.column, p.value) for p in report.problems if p.is_error)
    assert places == [(11, "Tỷ lệ hoàn thành (%)", "150"), (12, "Trạng thái", "Không rõ"),
                      (13, "Số hoạt động", "-1"), (16, "Mã nhiệm vụ", "NV9.9")]
    assert {(p.file, p.sheet) for p in report.problems if p.is_error} == {(name, SHEET)}
