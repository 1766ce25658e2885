"""Issue 10, "what a tester could do", items 1-8: each crafted file (tests/hostile_files.py)
through the library (etl.load.validate_bytes, which parses in a worker under limits) and,
where the issue names the command line, through `python -m etl load`.

Where the danger is calamine itself (items 2-4), a test first shows the file still does
to calamine what the issue says (run in a throw-away sandbox worker, never in the test
process), then that the loader refuses it with a message and the caller is untouched.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

import hostile_files as hf
from etl import history, load, periods, read, sandbox
from etl.store import Store

SHEET = "Báo cáo"
PCT_HEADER = "Tỷ lệ hoàn thành (%)"
SMALL = read.Limits(parse_memory_mb=512, parse_cpu_seconds=5, parse_wall_seconds=20)


def only_error(report: load.FileReport):
    assert not report.ok
    assert len(report.errors) == 1, [p.as_text() for p in report.errors]
    return report.errors[0]


@pytest.fixture
def bare_calamine():
    """A sandbox of its own for running calamine alone on a hostile file."""
    box = sandbox.Sandbox(1)
    yield lambda data: box.run(hf.calamine_outcome, data, limits=SMALL)
    box.close()


# -- 1. the cell scan is linear --------------------------------------------------------------

def test_1_a_file_that_made_the_scan_backtrack_is_read_like_any_other():
    """60,000 copies of `<c ` took the old expression minutes; the file itself is a valid
    report (calamine ignores what follows the sheet), so it is accepted, well within the
    worker's time limit."""
    report = load.validate_bytes(hf.quadratic_scan_xlsx(60_000), "bao-cao.xlsx", limits=SMALL)
    assert report.ok, [p.as_text() for p in report.problems]
    assert [r.task_code for r in report.sheets[0].rows] == ["NV1.1", "NV1.2", "NV2.3", "NV5.1",
                                                             "NV5.2"]


def test_1_the_scan_reads_broken_tags_as_nothing_and_carries_no_more_than_a_tag():
    """The sheet scan on the pathological stream, over several read chunks: no `<c ` is
    taken for a cell, and a chunk ends where a tag starts, never where text does."""
    import io

    xml = b"<row>" + b"<c " * 1_000_000 + b'</row><row><c r="B2"><v>1</v></c></row>'
    extent = read._Extent("x")
    read._scan_sheet_xml(io.BytesIO(xml), set(), extent)
    assert (extent.rows, extent.columns) == (2, 2)
    pieces = list(read._buffers(io.BytesIO(xml)))
    assert b"".join(pieces) == xml and len(pieces) >= 3
    assert all(p.startswith(b"<") for p in pieces)


# -- 2. sizes counted before any range is built -----------------------------------------------

FAR_REACHING = {
    "cells-without-ref.xlsx": (hf.cells_without_ref_xlsx, "1048576 dòng"),
    "repeats.ods": (hf.ods_repeats, "500015 dòng x 100 cột"),
    "cell-at-IV65536.xls": (hf.xls_far_cell, "65536 dòng x 256 cột"),
}


@pytest.mark.parametrize("name", FAR_REACHING)
def test_2_calamine_alone_still_blows_up_on_the_file(name, bare_calamine):
    build, _ = FAR_REACHING[name]
    with pytest.raises(sandbox.WorkerLimit) as stopped:
        bare_calamine(build())
    assert stopped.value.kind in ("memory", "cpu")


@pytest.mark.parametrize("name", FAR_REACHING)
def test_2_a_sheet_that_reaches_too_far_is_refused_before_calamine_builds_it(name):
    build, size = FAR_REACHING[name]
    problem = only_error(load.validate_bytes(build(), name))
    assert problem.code == "too_large"
    assert problem.message.startswith(f"Trang tính '{SHEET}' quá lớn (") and size in problem.message
    assert "tối đa 20000 dòng, 200 cột" in problem.hint


def test_2_a_shared_string_table_claiming_billions_is_refused(bare_calamine):
    data = hf.shared_strings_claim_xlsx()
    with pytest.raises(sandbox.WorkerLimit):
        bare_calamine(data)
    problem = only_error(load.validate_bytes(data, "chuoi.xlsx"))
    assert problem.code == "too_large" and "2000000000 chuỗi" in problem.message


def test_2_cells_without_ref_are_placed_where_calamine_places_them():
    """Within the limits, the scan's positions agree with calamine's rows: a row of
    cells written without `r=` at row 40 reads back at Excel row 40."""
    data = hf.cells_without_ref_xlsx(row=40, columns=3)
    sheet = read.read_sheets(data, "x.xlsx")[0]
    assert len(sheet.rows) == 40 and sheet.rows[39][:3] == [1.0, 1.0, 1.0]


# -- 3. and 4. a damaged .xls -------------------------------------------------------------------

def test_3_a_sector_chain_that_loops_is_refused_as_corrupt(bare_calamine):
    data = hf.xls_sector_loop()
    with pytest.raises(sandbox.WorkerLimit) as stopped:
        bare_calamine(data)          # calamine follows the loop until memory runs out
    assert stopped.value.kind == "memory"
    problem = only_error(load.validate_bytes(data, "vong-lap.xls"))
    assert problem.code == "corrupt" and "hỏng" in problem.message


def test_4_calamine_panics_on_a_truncated_xls(bare_calamine):
    assert bare_calamine(hf.xls_truncated()) == "PanicException"


def test_4_the_panic_is_caught_where_calamine_is_called():
    """In this very process, without the worker: the reader turns the panic into a
    rejection; nothing escapes as a BaseException."""
    with pytest.raises(read.UnreadableFile) as refused:
        read.read_sheets(hf.xls_truncated(), "cut.xls")
    assert refused.value.code == "corrupt"


def test_4_a_valid_file_beside_a_truncated_one_still_validates():
    files = [("tai-ve-do-dang.xls", hf.xls_truncated()), ("vpcn.xls", hf.good_xls())]
    reports = [load.validate_bytes(data, name) for name, data in files]
    assert only_error(reports[0]).code == "corrupt"
    assert reports[1].ok, [p.as_text() for p in reports[1].problems]


# -- 5. one bad file never stops a command --------------------------------------------------------

def test_5_each_bad_file_is_reported_and_the_good_ones_load(tmp_path, db_path, run_cli, query):
    files = {
        "mac.csv": hf.csv_mac("KHKH"),
        "o-qua-dai.csv": hf.csv_long_field(),
        "zip-phien-ban.xlsx": hf.zip_unknown_version(),
        "zip-lech.xlsx": hf.zip_bad_offsets(),
        "vpcn.xlsx": hf.good_xlsx(),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    result = run_cli("load", "--db", db_path, *(tmp_path / name for name in files))
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert "Traceback" not in out + result.stderr
    for name in ("o-qua-dai.csv", "zip-phien-ban.xlsx", "zip-lech.xlsx"):
        assert f"✗ {name}: bị từ chối, không nạp gì (1 lỗi)." in out, out
        assert any(line.strip().startswith(f"LỖI: {name}: ") and " → " in line
                   for line in out.splitlines()), out
    assert "Tệp CSV có một ô dài hơn 131.072 ký tự (dòng 11)" in out
    assert "Tổng: 2/5 tệp đã nạp, 3 tệp bị từ chối." in out
    stored = query(db_path, "SELECT cell_code, file_name, row_count FROM submissions ORDER BY 1")
    assert stored == [("KHKH", "mac.csv", 8), ("VPCN", "vpcn.xlsx", 5)]


def test_5_a_macintosh_csv_is_read_with_its_excel_rows():
    report = load.validate_bytes(hf.csv_mac("KHKH"), "mac.csv")
    assert report.ok, [p.as_text() for p in report.problems]
    rows = report.sheets[0].rows
    assert [(r.task_code, r.excel_row) for r in rows[:2]] == [("NV1.1", 11), ("NV1.2", 12)]
    assert (rows[0].completion_pct, rows[1].activities) == (100.0, 2)


# -- 6. periods bounded to the plan's years --------------------------------------------------------

@pytest.mark.parametrize("text, year", [("Năm 0001", "0001"), ("Năm 9999", "9999"),
                                         ("Tháng 7/2025", "2025"), ("Quý I/2037", "2037")])
def test_6_a_report_outside_the_plan_years_is_refused(text, year):
    problem = only_error(load.validate_bytes(hf.report_for_period(text), "ky.xlsx"))
    assert problem.code == "period_out_of_plan"
    assert (problem.row, problem.value) == (6, text)
    assert f"năm {year} nằm ngoài thời gian của kế hoạch (2026–2036)" in problem.message


@pytest.mark.parametrize("period", ["9999", "0001-07", "2040-Q1", "2025-12"])
def test_6_the_period_option_is_bounded_too(period, db_path, run_cli):
    result = run_cli("load", "--db", db_path, "--period", period, "khong-can.xlsx")
    assert result.returncode == 2
    assert f"--period {period}: " in result.stderr and (
        "nằm ngoài thời gian của kế hoạch" in result.stderr or "năm phải từ 1900" in result.stderr)


def test_6_a_period_key_never_names_a_date_that_overflows():
    for key in ("0001", "9999", "0001-01", "9999-12", "9999-Q4", "0000-H1", "10000"):
        assert not periods.is_key(key)
    for year in (periods.MIN_YEAR, periods.MAX_YEAR):
        for key in (f"{year}-01", f"{year}-12", f"{year}-Q1", f"{year}-Q4", f"{year}-H2", f"{year}"):
            p = periods.from_key(key)
            periods.previous(key), periods.deadline(key), p.label     # none may raise
            p.start - timedelta(days=366), p.end + timedelta(days=366)
            assert periods.key_of(p.end, p.grain) == p.key
    assert periods.from_key("2026-07").start == date(2026, 7, 1)


# -- 7. bad values -------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods", "csv"])
@pytest.mark.parametrize("error", ["#DIV/0!", "#N/A", "#NUM!"])
def test_7_an_excel_error_value_is_refused_with_row_column_and_value(kind, error):
    """The percentage of NV1.1 (status Hoàn thành) failed to compute: it was read as empty
    (or 100% from the status); now it is an error naming the cell."""
    problem = only_error(load.validate_bytes(hf.error_value(kind, error), f"loi.{kind}"))
    assert problem.code == "excel_error"
    assert (problem.row, problem.column, problem.value) == (11, PCT_HEADER, error)
    assert f"giá trị lỗi của Excel ({error})" in problem.message


@pytest.mark.parametrize("error", sorted(hf.ERROR_CODES))
def test_7_every_excel_error_in_an_xls_is_recognised(error):
    problem = only_error(load.validate_bytes(hf.error_value("xls", error), "loi.xls"))
    assert (problem.code, problem.value) == ("excel_error", error)


@pytest.mark.parametrize("pad", range(0, 70, 3))
def test_7_error_values_are_found_wherever_a_read_chunk_ends(pad, monkeypatch):
    """With 64-byte chunks, the error cell and its value fall on every side of a chunk's end."""
    import io

    monkeypatch.setattr(read, "_CHUNK", 64)
    sheet = (b'<row r="1">' + b" " * pad + b'<c r="B1" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>'
             b'<row r="2"><c r="A2" t="e"><v>#N/A</v></c></row>')
    extent = read._Extent("x")
    read._scan_sheet_xml(io.BytesIO(sheet), set(), extent)
    assert extent.errors == {(0, 1): "#DIV/0!", (1, 0): "#N/A"}
    content = (b'<table:table table:name="S"><table:table-row>' + b" " * pad
               + b'<table:table-cell office:value-type="string" calcext:value-type="error">'
                 b'<text:p>#REF!</text:p></table:table-cell></table:table-row></table:table>')
    assert read._scan_ods_xml(io.BytesIO(content))["S"].errors == {(0, 0): "#REF!"}


def test_7_a_space_inside_a_number_is_refused_not_guessed():
    problem = only_error(load.validate_bytes(hf.count_text("8 0"), "so.xlsx"))
    assert (problem.code, problem.row, problem.value) == ("bad_count", 11, "8 0")
    assert "dấu cách xen giữa các chữ số" in problem.message
    assert load.validate_bytes(hf.count_text("8 000"), "so.xlsx").sheets[0].rows[0].activities == 8000


def test_7_a_count_beyond_storage_fails_the_dry_run_and_the_load_alike(tmp_path, db_path,
                                                                         run_cli, query):
    path = tmp_path / "qua-lon.xlsx"
    path.write_bytes(hf.count_text(2**31))
    dry = run_cli("load", "--db", db_path, "--dry-run", path)
    real = run_cli("load", "--db", db_path, path)
    assert dry.returncode == real.returncode == 1, dry.stdout + real.stdout
    error_lines = [[line for line in r.stdout.splitlines() if "LỖI:" in line] for r in (dry, real)]
    assert error_lines[0] == error_lines[1] and len(error_lines[0]) == 1
    assert "dòng 11, cột 'Số hoạt động': Số liệu quá lớn (tối đa 2.147.483.647)" in error_lines[0][0]
    if db_path.exists():
        assert query(db_path, "SELECT count(*) FROM submissions") == [(0,)]
    archive = Store.at(db_path).archive_dir
    assert not archive.exists() or not any(p.is_file() for p in archive.rglob("*"))


# -- 8. a re-submission that lost rows ----------------------------------------------------------------

def test_8_dropped_tasks_are_listed_by_the_library(tmp_path, db_path, run_cli):
    full = tmp_path / "vpcn.xlsx"
    full.write_bytes(hf.good_xlsx())
    assert run_cli("load", "--db", db_path, full).returncode == 0
    cut = load.validate_bytes(hf.truncated_resubmission(), "vpcn-lai.csv")
    assert cut.ok
    [[dropped]] = history.dropped_tasks(Store.at(db_path), [cut])
    assert (dropped.cell_code, dropped.period, dropped.current_id) == ("VPCN", "2026-07", 1)
    assert dropped.task_codes == ("NV1.2", "NV2.3", "NV5.1", "NV5.2")
    assert history.dropped_tasks(Store.at(db_path), [load.validate_bytes(hf.good_xlsx(), "a.xlsx")]) == [[]]


@pytest.mark.parametrize("dry_run", [True, False])
def test_8_the_command_line_warns_about_dropped_tasks(dry_run, tmp_path, db_path, run_cli, query):
    full, cut = tmp_path / "vpcn.xlsx", tmp_path / "vpcn-lai.csv"
    full.write_bytes(hf.good_xlsx())
    cut.write_bytes(hf.truncated_resubmission())
    assert run_cli("load", "--db", db_path, full).returncode == 0
    result = run_cli("load", "--db", db_path, *(["--dry-run"] if dry_run else []), cut)
    assert result.returncode == 0, result.stdout
    warning = [line for line in result.stdout.splitlines() if "Cảnh báo: vpcn-lai.csv" in line]
    assert len(warning) == 1, result.stdout
    assert ("Báo cáo hiện hành #1 của VPCN, Tháng 7/2026 có 4 nhiệm vụ mà tệp này không có "
            "(NV1.2, NV2.3, NV5.1, NV5.2)") in warning[0]
    assert ("khôi phục báo cáo #1" in warning[0]) is not dry_run
    current = query(db_path, "SELECT row_count FROM submissions WHERE state = 'current'")
    assert current == ([(5,)] if dry_run else [(1,)])


# -- 10. the loader's smaller doors ----------------------------------------------------------------

def test_10_a_header_naming_two_different_cells_is_refused():
    problem = only_error(load.validate_bytes(hf.two_cells_in_header(), "hai-chi-bo.xlsx"))
    assert (problem.code, problem.row, problem.value) == ("cell_conflict", 6, "VPCN")
    assert problem.message == ("Phần đầu báo cáo ghi hai chi bộ khác nhau: 'Chi bộ Kế hoạch - "
                               "Khoa học' (dòng 4) và 'VPCN' (dòng 6).")
    same = load.validate_bytes(hf.two_cells_in_header("VPCN"), "cung-chi-bo.xlsx")
    assert same.ok, [p.as_text() for p in same.problems]
