"""The loader's safety limits (etl/read.py) on real files: an upload over the size limit,
zip bombs refused before they are inflated, sheets with too many rows or columns, and a
Vietnamese file name that goes in, is archived and comes back out unchanged.

Each limit is checked through the library (etl.load.validate_bytes) and through the CLI
(`python -m etl load`: exit 1, a line naming the file, the problem and what to do).
Memory is measured in a fresh subprocess (peak RSS with resource.getrusage, Python
allocations with tracemalloc), since calamine allocates outside Python's heap.
"""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
import unicodedata
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

import build_fixtures as bf
from etl import history, load, read, usecases
from etl.store import Store
from etl.users import User

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024
SHEET = "Báo cáo"
VIETNAMESE_NAME = "Báo cáo tháng 7 - Chi bộ Văn phòng.xlsx"
OPERATOR = User.system("kiem-thu")
# Refusing a file must cost about as much as the file, not as much as what it claims to hold.
MEMORY_ALLOWANCE_MB = 64


# -- helpers -------------------------------------------------------------------------------

def good_xlsx() -> bytes:
    return bf.xlsx(bf.report())


def errors_of(report: load.FileReport):
    return [p for p in report.errors]


def only_error(report: load.FileReport):
    assert not report.ok
    errs = errors_of(report)
    assert len(errs) == 1, [p.as_text() for p in errs]
    return errs[0]


def cli_lines(stdout: str, file_name: str) -> list[str]:
    return [line.strip() for line in stdout.splitlines()
            if line.strip().startswith(f"LỖI: {file_name}")]


def assert_cli_rejected(result, file_name: str, *words: str) -> str:
    """Exit 1; the file is named as rejected; its error line says what and what to do."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"✗ {file_name}: bị từ chối, không nạp gì" in result.stdout, result.stdout
    lines = cli_lines(result.stdout, file_name)
    assert len(lines) == 1, result.stdout
    line = lines[0]
    for word in words:
        assert word in line, line
    assert " → " in line and "gửi lại" in line.split(" → ", 1)[1], line  # how to fix it
    assert "Tổng: 0/1 tệp đã nạp, 1 tệp bị từ chối." in result.stdout, result.stdout
    return line


def assert_nothing_stored(db_path: Path, query) -> None:
    if db_path.exists():
        assert query(db_path, "SELECT count(*) FROM submissions") == [(0,)]
    archive = Store.at(db_path).archive_dir
    assert not archive.exists() or not any(p.is_file() for p in archive.rglob("*"))


def with_member(workbook: bytes, name: str, write) -> bytes:
    """`workbook` with one more (or one replaced) zip member, streamed by `write(fh)`:
    a member can inflate to hundreds of MB without that much ever being in memory."""
    src = zipfile.ZipFile(io.BytesIO(workbook))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for info in src.infolist():
            if info.filename != name:
                zf.writestr(info, src.read(info.filename))
        member = zipfile.ZipInfo(name, date_time=(2026, 8, 5, 8, 0, 0))
        member.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(member, "w", force_zip64=True) as fh:
            write(fh)
    return out.getvalue()


def sheet_bomb(inflated_mb: int) -> bytes:
    """A real report whose sheet XML is padded with whitespace: still valid XML, so a
    reader that inflated it would parse all of it. Streamed 1 MB at a time."""
    def write(fh):
        fh.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns='
                 b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
        chunk = b" " * MB
        for _ in range(inflated_mb):
            fh.write(chunk)
        fh.write(b"</sheetData></worksheet>")
    return with_member(good_xlsx(), "xl/worksheets/sheet1.xml", write)


def zeros_member_bomb(inflated_mb: int) -> bytes:
    """A real report with an extra member of zeros ("an image"), zlib ratio ~1000:1."""
    def write(fh):
        chunk = bytes(MB)
        for _ in range(inflated_mb):
            fh.write(chunk)
    return with_member(good_xlsx(), "xl/media/image1.png", write)


def unzipped_and_ratio(data: bytes) -> tuple[int, float]:
    infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    unzipped = sum(i.file_size for i in infos)
    return unzipped, unzipped / sum(i.compress_size for i in infos)


MEASURE = textwrap.dedent("""
    import json, resource, sys, tracemalloc
    sys.path.insert(0, sys.argv[1])
    from etl import load
    warm = open(sys.argv[2], "rb").read()
    assert load.validate_bytes(warm, "warm.xlsx").ok   # lazy imports, caches: not the file's cost
    data = open(sys.argv[3], "rb").read()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    report = load.validate_bytes(data, sys.argv[4])
    python_peak = tracemalloc.get_traced_memory()[1]
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rss_growth_mb": (after - before) / 1024, "python_peak_mb": python_peak / 2**20,
                      "ok": report.ok, "codes": [p.code for p in report.errors],
                      "messages": [p.message for p in report.errors]}))
""")


def measure_validation(tmp_path: Path, data: bytes, file_name: str) -> dict:
    """validate_bytes(data) in a fresh interpreter: its peak memory growth and verdict."""
    warm, path = tmp_path / "warm.xlsx", tmp_path / "measured.bin"
    warm.write_bytes(good_xlsx())
    path.write_bytes(data)
    done = subprocess.run([sys.executable, "-c", MEASURE, str(PROJECT_ROOT), str(warm), str(path),
                           file_name], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def report_grid(total_rows: int, width: int | None = None) -> list[list]:
    """The canonical VPCN July report, with a note on row `total_rows` (so the sheet has
    exactly that many rows); `width` pads every table row with extra columns."""
    grid = bf.layout(bf.report()).grid
    assert len(grid) < total_rows
    grid = grid + [[] for _ in range(total_rows - len(grid) - 1)]
    grid.append(["Ghi chú: báo cáo gửi kèm công văn số 15-CV/CB"])
    if width is not None:
        header_row = next(i for i, r in enumerate(grid) if bf.HEADERS["code"] in r)
        grid[header_row] = grid[header_row] + [None] * (width - len(grid[header_row]) - 1) + ["Ghi chú"]
    return grid


def xlsx_from_grid(grid: list[list], sheet: str = SHEET) -> bytes:
    """Written with xlsxwriter in constant-memory mode, the way a big export is."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "constant_memory": True})
    ws = wb.add_worksheet(sheet)
    for r, values in enumerate(grid):
        for c, value in enumerate(values):
            if value is not None:
                ws.write(r, c, value)
    wb.close()
    return buf.getvalue()


def filler_xlsx(rows: int, cols: int = 12) -> bytes:
    """A report followed by a long data dump: `rows` rows, `cols` filled columns each."""
    grid = bf.layout(bf.report()).grid
    grid = [list(r) + [None] * (cols - len(r)) for r in grid]
    for i in range(len(grid), rows):
        grid.append([f"Dòng dữ liệu {i + 1}"] + [i] * (cols - 1))
    return xlsx_from_grid(grid)


def csv_with_lines(total_rows: int) -> bytes:
    return bf.write_csv(bf.Sheet(SHEET, report_grid(total_rows)))


# -- upload size ---------------------------------------------------------------------------

def with_picture(workbook: bytes, picture_bytes: int) -> bytes:
    """A report carrying an incompressible "picture": big on disk, harmless inside."""
    blob = os.urandom(picture_bytes)
    return with_member(workbook, "xl/media/image1.png", lambda fh: fh.write(blob))


def test_a_file_over_the_upload_limit_is_refused_and_one_at_the_limit_is_not():
    data = good_xlsx()
    assert load.validate_bytes(data, "tháng 7.xlsx", limits=read.Limits(len(data))).ok

    problem = only_error(load.validate_bytes(data, "tháng 7.xlsx",
                                             limits=read.Limits(len(data) - 1)))
    assert problem.code == "too_large"
    assert problem.file == "tháng 7.xlsx"
    assert problem.message.startswith("Tệp quá lớn (")
    assert "xóa hình ảnh và trang tính thừa rồi gửi lại" in problem.hint


def test_the_cli_refuses_a_file_over_PROGRESS_MAX_UPLOAD_MB(tmp_path, db_path, run_cli, query):
    data = with_picture(good_xlsx(), int(1.5 * MB))
    size_text = f"{len(data) / MB:.1f}".replace(".", ",")
    assert 1 * MB < len(data) < 20 * MB
    path = tmp_path / "báo cáo có ảnh.xlsx"
    path.write_bytes(data)

    # the same file is a good report under the default limit: only its size is at fault
    fine = run_cli("load", "--dry-run", "--db", db_path, path)
    assert fine.returncode == 0, fine.stdout

    refused = run_cli("load", "--db", db_path, path, env={"PROGRESS_MAX_UPLOAD_MB": "1"})
    line = assert_cli_rejected(refused, path.name, f"Tệp quá lớn ({size_text} MB; tối đa 1 MB)")
    assert "xóa hình ảnh" in line
    assert_nothing_stored(db_path, query)


# -- zip bombs -------------------------------------------------------------------------------

BOMBS = {
    # over MAX_UNZIPPED_BYTES whatever the ratio
    "sheet-300MB": (lambda: sheet_bomb(300), 300),
    # under MAX_UNZIPPED_BYTES, but over 20 MB at an absurd ratio
    "zeros-60MB": (lambda: zeros_member_bomb(60), 60),
}


@pytest.fixture(scope="module")
def bombs() -> dict[str, bytes]:
    return {name: make() for name, (make, _) in BOMBS.items()}


@pytest.mark.parametrize("name", BOMBS)
def test_a_zip_bomb_is_refused_by_validate_bytes(bombs, name):
    data = bombs[name]
    unzipped, ratio = unzipped_and_ratio(data)
    assert len(data) < 1 * MB and unzipped >= BOMBS[name][1] * MB   # small file, huge inside
    if name == "zeros-60MB":  # the ratio rule, not the absolute cap, must catch this one
        assert unzipped < read.MAX_UNZIPPED_BYTES and ratio > read.MAX_ZIP_RATIO
    problem = only_error(load.validate_bytes(data, "bom.xlsx"))
    assert problem.code == "too_large"
    assert problem.message.startswith(f"Tệp giải nén ra quá lớn ({unzipped // MB} MB)")
    assert "gửi lại" in problem.hint


def test_a_zip_bomb_is_refused_before_it_is_inflated(bombs, tmp_path):
    """300 MB inside a 0.3 MB file: refusing it must not cost anything like 300 MB.
    (With the guard switched off, reading this file grows the process by ~300 MB.)"""
    measured = measure_validation(tmp_path, bombs["sheet-300MB"], "bom.xlsx")
    assert measured["codes"] == ["too_large"], measured
    assert measured["rss_growth_mb"] < MEMORY_ALLOWANCE_MB, measured
    assert measured["python_peak_mb"] < MEMORY_ALLOWANCE_MB, measured


def _lie_about_size(data: bytes, member: str, claimed: int) -> bytes:
    """Rewrite the member's uncompressed size in its local and central headers."""
    import struct

    data = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(member)
    assert data[info.header_offset:info.header_offset + 4] == b"PK\x03\x04"
    struct.pack_into("<I", data, info.header_offset + 22, claimed)
    at = data.find(b"PK\x01\x02")
    while at != -1:
        n = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46:at + 46 + n] == member.encode():
            struct.pack_into("<I", data, at + 24, claimed)
            break
        at = data.find(b"PK\x01\x02", at + 4)
    else:
        raise AssertionError("member not found in the central directory")
    return bytes(data)


def test_a_zip_bomb_that_lies_about_its_size_is_not_inflated_either(tmp_path):
    """The guard sums the sizes the zip headers declare; a bomb can declare 4 KB. The
    reader behind the guard must still stop instead of inflating 300 MB."""
    member = "xl/worksheets/sheet1.xml"
    honest = with_member(good_xlsx(), member, lambda fh: [fh.write(b" " * MB) for _ in range(300)])
    liar = _lie_about_size(_without_zip64(honest, member), member, 4000)
    assert unzipped_and_ratio(liar)[0] < read.MAX_UNZIPPED_BYTES   # the guard cannot see it
    measured = measure_validation(tmp_path, liar, "bom.xlsx")
    assert not measured["ok"], measured
    assert measured["rss_growth_mb"] < MEMORY_ALLOWANCE_MB, measured


def _without_zip64(data: bytes, member: str) -> bytes:
    """The same archive with plain 32-bit size fields (what _lie_about_size rewrites)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for info in src.infolist():
            if info.filename != member:
                zf.writestr(info, src.read(info.filename))
        target = zipfile.ZipInfo(member, date_time=(2026, 8, 5, 8, 0, 0))
        target.compress_type = zipfile.ZIP_DEFLATED
        with src.open(member) as fin, zf.open(target, "w") as fout:
            while chunk := fin.read(MB):
                fout.write(chunk)
    return out.getvalue()


def test_the_cli_refuses_a_zip_bomb(bombs, tmp_path, db_path, run_cli, query):
    path = tmp_path / "bao-cao-VPCN.xlsx"
    path.write_bytes(bombs["sheet-300MB"])
    result = run_cli("load", "--db", db_path, path)
    assert_cli_rejected(result, path.name, "Tệp giải nén ra quá lớn (300 MB)")
    assert_nothing_stored(db_path, query)


# -- enormous sheets -----------------------------------------------------------------------

def test_a_csv_of_25000_lines_is_refused_with_its_line_count():
    data = csv_with_lines(25_000)
    problem = only_error(load.validate_bytes(data, "bao-cao.csv"))
    assert problem.code == "too_large"
    assert problem.message == "Tệp CSV quá lớn (25000 dòng)."
    assert "xóa dữ liệu thừa rồi gửi lại" in problem.hint


def test_an_xlsx_of_25000_rows_is_refused():
    problem = only_error(load.validate_bytes(filler_xlsx(25_000), "bao-cao.xlsx"))
    assert problem.code == "too_large"
    assert problem.message.startswith(f"Trang tính '{SHEET}' quá lớn (")
    assert f"tối đa {read.MAX_SHEET_ROWS} dòng" in problem.hint
    assert "gửi lại" in problem.hint


def test_the_too_large_sheet_message_states_the_sheets_real_size():
    """25,000 rows x 12 columns, as Excel shows it."""
    problem = only_error(load.validate_bytes(filler_xlsx(25_000, cols=12), "bao-cao.xlsx"))
    assert problem.message == f"Trang tính '{SHEET}' quá lớn (25000 dòng x 12 cột)."


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_report_of_exactly_max_sheet_rows_rows_is_accepted(kind):
    grid = report_grid(read.MAX_SHEET_ROWS)
    data = bf.write_csv(bf.Sheet(SHEET, grid)) if kind == "csv" else xlsx_from_grid(grid)
    report = load.validate_bytes(data, f"bao-cao.{kind}")
    assert report.ok, [p.as_text() for p in report.errors]
    assert [r.task_code for r in report.sheets[0].rows] == [r.code for r in bf.vpcn_july()]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_report_one_row_over_max_sheet_rows_is_refused(kind):
    grid = report_grid(read.MAX_SHEET_ROWS + 1)
    data = bf.write_csv(bf.Sheet(SHEET, grid)) if kind == "csv" else xlsx_from_grid(grid)
    problem = only_error(load.validate_bytes(data, f"bao-cao.{kind}"))
    assert problem.code == "too_large"


def test_a_report_one_column_over_max_sheet_columns_is_refused():
    grid = report_grid(40, width=read.MAX_SHEET_COLUMNS + 1)
    assert max(len(r) for r in grid) == read.MAX_SHEET_COLUMNS + 1
    problem = only_error(load.validate_bytes(xlsx_from_grid(grid), "bao-cao.xlsx"))
    assert problem.code == "too_large"


def test_a_csv_of_millions_of_short_lines_is_refused_without_holding_them(tmp_path):
    """8 MB of 'a' lines (4 million rows, well under the upload limit): the row limit
    must stop the reading, not be checked after every line is in memory."""
    data = b"a\n" * (4 * MB)
    assert len(data) < read.Limits().max_upload_bytes
    measured = measure_validation(tmp_path, data, "bao-cao.csv")
    assert measured["codes"] == ["too_large"], measured
    assert measured["python_peak_mb"] < MEMORY_ALLOWANCE_MB, measured
    assert measured["rss_growth_mb"] < MEMORY_ALLOWANCE_MB, measured


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_cli_refuses_an_enormous_sheet(kind, tmp_path, db_path, run_cli, query):
    path = tmp_path / f"bao-cao-qua-lon.{kind}"
    path.write_bytes(csv_with_lines(25_000) if kind == "csv" else filler_xlsx(25_000))
    result = run_cli("load", "--db", db_path, path)
    words = ["Tệp CSV quá lớn (25000 dòng)"] if kind == "csv" else [f"Trang tính '{SHEET}' quá lớn"]
    assert_cli_rejected(result, path.name, *words, "xóa dữ liệu thừa")
    assert_nothing_stored(db_path, query)


# -- a Vietnamese file name ----------------------------------------------------------------

FORMS = ["NFC", "NFD"]


def assert_archived_and_downloadable(db_path: Path, query, data: bytes) -> None:
    expected = unicodedata.normalize("NFC", VIETNAMESE_NAME)
    (sid, file_name, archive_path), = query(
        db_path, "SELECT submission_id, file_name, archive_path FROM submissions")
    assert file_name == expected
    archived = Store.at(db_path).archive_dir / archive_path
    assert archived.name == expected                 # kept under its name, beside the database
    assert archived.read_bytes() == data
    assert history.original_bytes(Store.at(db_path), sid) == (expected, data)


@pytest.mark.parametrize("form", FORMS)
def test_a_vietnamese_file_name_loads_through_the_library(form, db_path, query):
    name = unicodedata.normalize(form, VIETNAMESE_NAME)
    data = good_xlsx()
    report = load.validate_bytes(data, name)
    assert report.ok, [p.as_text() for p in report.errors]
    assert report.file_name == unicodedata.normalize("NFC", VIETNAMESE_NAME)
    outcome, = usecases.load_reports(Store.at(db_path), OPERATOR, [(report, data)])
    assert [i.action for i in outcome.items] == ["added"]
    assert_archived_and_downloadable(db_path, query, data)


@pytest.mark.parametrize("form", FORMS)
def test_a_vietnamese_file_name_loads_through_the_cli(form, tmp_path, db_path, run_cli, query):
    path = tmp_path / unicodedata.normalize(form, VIETNAMESE_NAME)
    data = good_xlsx()
    path.write_bytes(data)
    assert os.listdir(tmp_path) == [path.name]     # the name is on disk in that form
    result = run_cli("load", "--db", db_path, path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"✓ {unicodedata.normalize('NFC', VIETNAMESE_NAME)}: VPCN" in result.stdout, result.stdout
    assert_archived_and_downloadable(db_path, query, data)


def test_a_rejected_file_with_a_vietnamese_name_is_named_in_nfc(tmp_path, db_path, run_cli, query):
    """A person searching their folder for the name in the message must find it."""
    path = tmp_path / unicodedata.normalize("NFD", VIETNAMESE_NAME)
    path.write_bytes(sheet_bomb(250))
    result = run_cli("load", "--db", db_path, path)
    assert_cli_rejected(result, unicodedata.normalize("NFC", VIETNAMESE_NAME),
                        "Tệp giải nén ra quá lớn (250 MB)")
    assert_nothing_stored(db_path, query)
