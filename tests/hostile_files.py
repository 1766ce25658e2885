"""Crafted and mutated report files for the loader's safety tests (issue 10).

    python tests/hostile_files.py OUT_DIR      # writes every crafted file, for probing by hand

Each builder returns bytes made from a real report (tests/fixtures/build_fixtures.py)
with one hostile change; `mutants(seed, count)` makes the fuzz test's files. Nothing
here is committed as a binary: the same code builds the same bytes on every run.
"""
from __future__ import annotations

import csv
import functools
import importlib.util
import io
import random
import struct
import sys
import zipfile
from pathlib import Path
from typing import Callable, Iterator

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))


def _fixture_builder():
    if "build_fixtures" in sys.modules:
        return sys.modules["build_fixtures"]
    path = PROJECT_ROOT / "tests" / "fixtures" / "build_fixtures.py"
    spec = importlib.util.spec_from_file_location("build_fixtures", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_fixtures"] = module
    spec.loader.exec_module(module)
    return module


bf = _fixture_builder()
SHEET_XML = "xl/worksheets/sheet1.xml"


# -- good reports, the raw material --------------------------------------------------------

def report(cell: str = "VPCN", period: str = "Tháng 7/2026", rows=None, **options):
    rows = rows if rows is not None else (bf.vpcn_july() if cell == "VPCN" else bf.filled_rows(cell))
    return bf.report(rows, cell=cell, period=period, **options)


def good_xlsx(cell: str = "VPCN", period: str = "Tháng 7/2026", rows=None) -> bytes:
    return bf.xlsx(report(cell, period, rows))


def good_xls(cell: str = "VPCN") -> bytes:
    return bf.write_xls([bf.layout(report(cell))])


def good_ods(cell: str = "VPCN", rows=None) -> bytes:
    _settle_odfpy()
    return bf.write_ods([bf.layout(report(cell, rows=rows))])


@functools.cache
def _settle_odfpy() -> None:
    """odfpy declares more namespaces in every document after its first one: a throw-away
    document first, so every process makes the same bytes."""
    bf.write_ods([bf.layout(report())])


def good_csv(cell: str = "VPCN", line_end: str = "\r\n") -> bytes:
    return _csv(bf.layout(report(cell)).grid, line_end)


def _csv(grid: list[list], line_end: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=line_end)
    for values in grid:
        writer.writerow([bf._csv_text(v, ".") for v in values])
    return out.getvalue().encode("utf-8")


def rezip(data: bytes, change: Callable[[str, bytes], bytes]) -> bytes:
    """The same archive with each member's bytes passed through `change(name, bytes)`."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            member.compress_type = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            zf.writestr(member, change(info.filename, src.read(info.filename)))
    return out.getvalue()


def _in_member(name: str, change: Callable[[bytes], bytes]) -> Callable[[str, bytes], bytes]:
    return lambda member, body: change(body) if member == name else body


# -- 1. a file that made the cell scan backtrack ---------------------------------------------

def quadratic_scan_xlsx(copies: int = 60_000) -> bytes:
    """`<c ` repeated after the sheet's XML: 11 KB that froze the old regular expression."""
    return rezip(good_xlsx(), _in_member(SHEET_XML, lambda body: body + b"<c " * copies))


# -- 2. sheets whose cells reach far without saying so --------------------------------------

def cells_without_ref_xlsx(row: int = 1_048_576, columns: int = 16_384) -> bytes:
    """A last row numbered `row` holding `columns` cells written without `r=`: calamine
    places them one after another and builds a range to the last one."""
    extra = (f'<row r="{row}">'.encode() + b'<c t="n"><v>1</v></c>' * columns + b"</row>")
    return rezip(good_xlsx(), _in_member(SHEET_XML, lambda body: body.replace(
        b"</sheetData>", extra + b"</sheetData>")))


def shared_strings_claim_xlsx(count: int = 2_000_000_000) -> bytes:
    """A shared-string table announcing `count` strings (calamine reserves room for them)."""
    import xlsxwriter

    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out)
    ws = wb.add_worksheet("Báo cáo")
    for r, values in enumerate(bf.layout(report()).grid):
        for c, value in enumerate(values):
            if value is not None:
                ws.write(r, c, value)
    wb.close()
    return rezip(out.getvalue(), _in_member("xl/sharedStrings.xml", lambda body: body.replace(
        b'uniqueCount="', f'uniqueCount="{count}" x="'.encode(), 1)))


def ods_repeats(rows: int = 500_000, columns: int = 100) -> bytes:
    """One value repeated over `rows` x `columns` cells by two attributes."""
    extra = (f'<table:table-row table:number-rows-repeated="{rows}"><table:table-cell '
             f'table:number-columns-repeated="{columns}" office:value-type="float" '
             f'office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>').encode()
    return rezip(good_ods(), _in_member("content.xml", lambda body: body.replace(
        b"</table:table>", extra + b"</table:table>", 1)))


def xls_far_cell(row: int = 65_535, column: int = 255) -> bytes:
    """A real report plus one value at IV65536: calamine builds the range to it."""
    return _xls(bf.layout(report()).grid, extra=[(row, column, 1)])


def _xls(grid: list[list], extra=(), errors=()) -> bytes:
    """An .xls of `grid`, plus values at (row, column, value) and error cells at
    (row, column, BIFF error code)."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Báo cáo")
    for r, values in enumerate(grid):
        for c, value in enumerate(values):
            if value is not None:
                ws.write(r, c, value.value if isinstance(value, bf.Fmt) else value)
    for r, c, value in extra:
        ws.write(r, c, value)
    for r, c, code in errors:
        ws.row(r).set_cell_error(c, code)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# -- 3. and 4. a damaged .xls --------------------------------------------------------------

def xls_sector_loop() -> bytes:
    """One 4-byte change: the directory's sector chain points to itself."""
    data = bytearray(good_xls())
    sector = 1 << struct.unpack_from("<H", data, 0x1E)[0]
    directory = struct.unpack_from("<I", data, 0x30)[0]
    first_fat = struct.unpack_from("<I", data, 0x4C)[0]
    struct.pack_into("<I", data, (first_fat + 1) * sector + directory * 4, directory)
    return bytes(data)


def xls_truncated() -> bytes:
    """A good .xls cut two sectors short, like an interrupted download: calamine panics."""
    data = good_xls()
    return data[:(len(data) // 512 - 2) * 512]


# -- 5. files that stopped a whole command --------------------------------------------------

def csv_mac(cell: str = "KHKH") -> bytes:
    """A good report saved as "CSV (Macintosh)": lines end with a lone CR."""
    return good_csv(cell, line_end="\r")


def csv_long_field(chars: int = 140_000) -> bytes:
    """A good report with one note longer than the csv module's field limit."""
    rows = bf.with_row(bf.filled_rows("TTKHCN"), bf.cell_tasks("TTKHCN")[0], result="x" * chars)
    return _csv(bf.layout(report("TTKHCN", rows=rows)).grid, "\r\n")


def zip_unknown_version(version: int = 99) -> bytes:
    """A good .xlsx whose sheet entry needs "version 9.9" of the zip format to extract."""
    data = bytearray(good_xlsx("CDS"))
    at = _central_entry(data, SHEET_XML)
    struct.pack_into("<H", data, at + 6, version)
    return bytes(data)


def zip_bad_offsets() -> bytes:
    """A good .xlsx whose central directory points the sheet entry past the file's end."""
    data = bytearray(good_xlsx("CDS"))
    at = _central_entry(data, SHEET_XML)
    struct.pack_into("<I", data, at + 42, len(data) + 12345)
    return bytes(data)


def _central_entry(data: bytearray, name: str) -> int:
    at = data.find(b"PK\x01\x02")
    while at != -1:
        length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46:at + 46 + length] == name.encode():
            return at
        at = data.find(b"PK\x01\x02", at + 4)
    raise ValueError(f"{name} not in the central directory")


# -- 6. periods outside the plan ------------------------------------------------------------

def report_for_period(period_text: str) -> bytes:
    return good_xlsx(period=period_text)


# -- 7. bad values ----------------------------------------------------------------------------

PERCENT_COLUMN = bf.COLUMNS.index("pct")          # 0-based column of the percentage
FIRST_TASK_ROW = 10                               # 0-based row of the first task (Excel 11)
ERROR_CODES = {"#DIV/0!": 0x07, "#N/A": 0x2A, "#NUM!": 0x24, "#VALUE!": 0x0F, "#REF!": 0x17,
               "#NAME?": 0x1D, "#NULL!": 0x00}


def error_value(kind: str, error: str = "#DIV/0!") -> bytes:
    """The VPCN report with `error` in the percentage of its first task (NV1.1, status
    Hoàn thành), stored as the format stores a formula that failed."""
    rows = bf.with_row(bf.vpcn_july(), "NV1.1", pct=error)
    if kind == "xlsx":   # openpyxl writes an error code string as a t="e" cell
        return bf.xlsx(report(rows=rows))
    if kind == "csv":
        return _csv(bf.layout(report(rows=rows)).grid, "\r\n")
    if kind == "xls":
        grid = bf.layout(report(rows=rows)).grid
        grid[FIRST_TASK_ROW][PERCENT_COLUMN] = None
        return _xls(grid, errors=[(FIRST_TASK_ROW, PERCENT_COLUMN, ERROR_CODES[error])])
    if kind == "ods":
        text = f'<table:table-cell office:value-type="string"><text:p>{error}</text:p>'.encode()
        as_error = (f'<table:table-cell office:value-type="string" office:string-value="" '
                    f'calcext:value-type="error"><text:p>{error}</text:p>').encode()
        return rezip(good_ods(rows=rows),
                     _in_member("content.xml", lambda body: body.replace(text, as_error)))
    raise ValueError(kind)


def count_text(value: object) -> bytes:
    """The VPCN report with `value` as the activities of NV1.1 (e.g. "8 0", 2**31)."""
    return bf.xlsx(report(rows=bf.with_row(bf.vpcn_july(), "NV1.1", activities=value)))


# -- 8. a re-submission that lost rows -------------------------------------------------------

def truncated_resubmission() -> bytes:
    """The VPCN July report as a CSV cut after its first task row (an interrupted copy)."""
    lines = good_csv().split(b"\r\n")
    return b"\r\n".join(lines[:FIRST_TASK_ROW + 1]) + b"\r\n"


# -- 10. smaller doors -------------------------------------------------------------------------

def two_cells_in_header(second: str = "Chi bộ Kế hoạch - Khoa học") -> bytes:
    """The VPCN report with a second `Chi bộ:` line above the table naming `second`."""
    titles, _ = bf.default_titles()
    return bf.xlsx(report(titles=titles + [["Chi bộ:", second]]))


# -- 9. report text that Markdown would draw --------------------------------------------------

MARKDOWN_TEXT = ("Khó khăn lớn\n===\n# Tiêu đề\n- mục một\n> trích dẫn\n[bấm vào](https://x.vn) "
                 "https://vi.wikipedia.org www.example.com :smile: :material/warning: "
                 "<b>đậm</b> $x^2$ *nghiêng* `mã` | a | b |")


# -- what calamine alone does with a file (run it in a sandbox worker, never in the test) ----

def calamine_outcome(data: bytes) -> str:
    """Read every sheet with python-calamine and nothing else: "ok", or the name of what
    it raised (`PanicException` is a BaseException)."""
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except BaseException as exc:  # noqa: BLE001 - reporting exactly what escaped is the point
        return type(exc).__name__
    return "ok"


# -- the fuzz test's files ---------------------------------------------------------------------

def base_files() -> dict[str, bytes]:
    """One good report per format: the fuzz test mutates these."""
    return {"xlsx": good_xlsx(), "xls": good_xls(), "ods": good_ods(), "csv": good_csv()}


def mutants(seed: int, count: int) -> Iterator[tuple[str, bytes]]:
    """`count` (name, bytes) files, each a good report with one random hostile change.
    The same seed gives the same files."""
    rng = random.Random(seed)
    bases = base_files()
    kinds = sorted(bases)
    for i in range(count):
        kind = kinds[i % len(kinds)]
        mutation = rng.choice(_MUTATIONS[kind] + _ANY)
        yield f"{i:03d}-{mutation.__name__.strip('_')}.{kind}", mutation(bases[kind], rng)


def _flip_bytes(data: bytes, rng: random.Random) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    return bytes(data)


def _overwrite_word(data: bytes, rng: random.Random) -> bytes:
    data = bytearray(data)
    at = rng.randrange(len(data) - 4)
    struct.pack_into("<I", data, at, rng.choice([0, 0xFFFFFFFF, 0xFFFFFFFE, 0x7FFFFFFF, at // 512]))
    return bytes(data)


def _truncate(data: bytes, rng: random.Random) -> bytes:
    return data[:rng.randrange(1, len(data))]


def _junk_tail(data: bytes, rng: random.Random) -> bytes:
    return data + rng.randbytes(rng.randint(1, 4096))


_ANY = [_flip_bytes, _overwrite_word, _truncate, _junk_tail]


def _xml_damage(data: bytes, rng: random.Random) -> bytes:
    member = "content.xml" if b"mimetype" in data[:100] else SHEET_XML
    damage = rng.choice([
        lambda b: b[:rng.randrange(len(b))],                                 # cut
        lambda b: b.replace(b">", b"", rng.randint(1, 50)),                  # unclosed tags
        lambda b: b.replace(b"</row>", b"", 3).replace(b"</table:table-row>", b"", 3),
        lambda b: b + b"<c " * rng.randint(1000, 30000),                     # the slow scan
        lambda b: b.replace(b' r="', b' x="'),                               # no references
        lambda b: b.replace(b"<v>", b"<v>9" * rng.randint(1, 5), 5),         # long numbers
        lambda b: b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>' + b,
        lambda b: b.replace(b"<t>", b"<t>\x01\x0b\x1f", 5),                  # control characters
    ])
    return rezip(data, _in_member(member, damage))


def _huge_dimensions(data: bytes, rng: random.Random) -> bytes:
    if b"mimetype" in data[:100]:
        return rezip(data, _in_member("content.xml", lambda b: b.replace(
            b"<table:table-row>", rng.choice([
                b'<table:table-row table:number-rows-repeated="1048576">',
                b'<table:table-row table:number-rows-repeated="30000">',
                b'<table:table-row><table:table-cell table:number-columns-repeated="16384" '
                b'office:value-type="float" office:value="1"/>']), 1)))
    row = rng.choice([20_001, 65_536, 1_048_576, 4_000_000_000])
    column = rng.choice(["A", "GS", "XFD", "ZZZZ"])
    sparse = f'<row r="{row}"><c r="{column}{row}" t="n"><v>1</v></c></row>'.encode()
    return rezip(data, _in_member(SHEET_XML, lambda b: b.replace(
        b"</sheetData>", sparse + b"</sheetData>")))


def _zip_damage(data: bytes, rng: random.Random) -> bytes:
    data = bytearray(data)
    at = data.find(b"PK\x01\x02", rng.randrange(len(data) // 2))
    if at == -1:
        at = data.find(b"PK\x01\x02")
    field, size = rng.choice([(6, "<H"), (10, "<H"), (20, "<I"), (24, "<I"), (28, "<H"), (42, "<I")])
    struct.pack_into(size, data, at + field, rng.choice([0, 1, 99, 0xFFFF, len(data) * 3]) & (
        0xFFFF if size == "<H" else 0xFFFFFFFF))
    return bytes(data)


def _xls_far_cells(data: bytes, rng: random.Random) -> bytes:
    return xls_far_cell(rng.choice([20_000, 65_535]), rng.choice([10, 200, 255]))


def _xls_sector_damage(data: bytes, rng: random.Random) -> bytes:
    return xls_sector_loop() if rng.random() < 0.5 else _overwrite_word(data, rng)


def _csv_encoding(data: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8")
    return rng.choice([
        lambda: text.encode("utf-16"),
        lambda: text.encode("cp1258", "replace"),
        lambda: b"\xef\xbb\xbf" + data.replace(b"\r\n", b"\r"),
        lambda: data.replace(b"\r\n", b"\n\r"),
        lambda: data.replace(b",", b"\x00", 3),
        lambda: data.replace(b'"', b"", 1) + b'"' + b"x" * 150_000,
    ])()


def _extreme_values(data: bytes, rng: random.Random) -> bytes:
    value = rng.choice(["1e308", "-0", "2147483648", "99999999999999999999", "NaN", "inf",
                        "#DIV/0!", "#N/A", "8 0", "１００", "0x50", "=1/0", "=HYPERLINK(\"x\")",
                        "\u202e08", "", "100.0000001"])
    text = data.decode("utf-8")
    return text.replace(",100,", f",{value},", 1).replace(",50\r\n", f",{value}\r\n", 1).encode()


_MUTATIONS: dict[str, list[Callable[[bytes, random.Random], bytes]]] = {
    "xlsx": [_xml_damage, _xml_damage, _huge_dimensions, _zip_damage],
    "ods": [_xml_damage, _huge_dimensions, _zip_damage],
    "xls": [_xls_far_cells, _xls_sector_damage, _flip_bytes],
    "csv": [_csv_encoding, _extreme_values, _extreme_values],
}


# -- crafted files by name (the tests and `main` use these) ------------------------------------

CRAFTED: dict[str, Callable[[], bytes]] = {
    "1-quadratic-scan.xlsx": quadratic_scan_xlsx,
    "2-cells-without-ref.xlsx": cells_without_ref_xlsx,
    "2-shared-strings-claim.xlsx": shared_strings_claim_xlsx,
    "2-repeats.ods": ods_repeats,
    "2-cell-at-IV65536.xls": xls_far_cell,
    "3-sector-loop.xls": xls_sector_loop,
    "4-truncated.xls": xls_truncated,
    "5-macintosh.csv": csv_mac,
    "5-long-field.csv": csv_long_field,
    "5-zip-version-9.9.xlsx": zip_unknown_version,
    "5-zip-bad-offsets.xlsx": zip_bad_offsets,
    "6-nam-0001.xlsx": lambda: report_for_period("Năm 0001"),
    "6-nam-9999.xlsx": lambda: report_for_period("Năm 9999"),
    "7-div0.xlsx": lambda: error_value("xlsx"),
    "7-div0.xls": lambda: error_value("xls"),
    "7-div0.ods": lambda: error_value("ods"),
    "7-div0.csv": lambda: error_value("csv"),
    "7-space-in-number.xlsx": lambda: count_text("8 0"),
    "7-count-2-31.xlsx": lambda: count_text(2**31),
    "8-truncated-resubmission.csv": truncated_resubmission,
    "10-two-cells-in-header.xlsx": two_cells_in_header,
}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("Cách dùng: python tests/hostile_files.py THƯ_MỤC_ĐÍCH", file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    for name, build in CRAFTED.items():
        (out / name).write_bytes(build())
    print(f"Đã tạo {len(CRAFTED)} tệp trong {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
