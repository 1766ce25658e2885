"""Bytes in, sheets of cell values out: the only module that knows file formats.

Every format becomes `Sheet(name, rows, percent_cells)` where `rows[i]` is Excel's row
i + 1, so messages can name rows as the spreadsheet shows them. Anything that is not
a readable spreadsheet raises `UnreadableFile` with a Vietnamese message.

Files come from strangers, so nothing here trusts what a file says about itself. Before
calamine builds a sheet, one linear pass over the file's own records (xlsx and ods XML
tags, xls BIFF records) finds how far its cells really reach (cells written without a
reference, repeated rows and columns, an .xls cell at IV65536) and refuses a sheet
past the limits; the same pass finds the cells calamine cannot describe (percentage
formats, Excel error values). These checks give the clear message; the hard limits
on memory and time are the parse worker's (etl.sandbox), for whatever they miss.
"""
from __future__ import annotations

import codecs
import csv
import functools
import io
import logging
import re
import struct
import zipfile
from dataclasses import dataclass, field
from typing import Iterator
from xml.etree import ElementTree

import python_calamine

log = logging.getLogger(__name__)

MAX_UNZIPPED_BYTES = 200 * 1024 * 1024   # a zip bomb is refused before it is inflated
MAX_ZIP_RATIO = 200                      # real workbooks compress ~5-20x
MAX_SHEET_ROWS = 20_000                  # a report has a few dozen rows
MAX_SHEET_COLUMNS = 200
MAX_CSV_FIELD_CHARS = 131_072            # the csv module's own limit: refused, not raised
MAX_TAG_BYTES = 64 * 1024                # one XML start tag; real ones are < 200 bytes

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"

# What Excel (and LibreOffice, in its own words) shows in a cell whose formula failed.
EXCEL_ERRORS = frozenset({"#DIV/0!", "#N/A", "#NUM!", "#VALUE!", "#REF!", "#NAME?", "#NULL!",
                          "#SPILL!", "#CALC!", "#GETTING_DATA", "#FIELD!", "#BLOCKED!",
                          "#CONNECT!", "#BUSY!", "#UNKNOWN!"})
_BIFF_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!",
                0x1D: "#NAME?", 0x24: "#NUM!", 0x2A: "#N/A", 0x2B: "#GETTING_DATA"}


@dataclass(frozen=True)
class Limits:
    """What a file may cost before it is refused (etl.settings.Settings.limits).

    The first group is checked by reading the file's structure; the second is enforced
    by the operating system on the worker process that parses it (etl.sandbox)."""
    max_upload_bytes: int = 20 * 1024 * 1024
    max_sheet_rows: int = MAX_SHEET_ROWS
    max_sheet_columns: int = MAX_SHEET_COLUMNS
    parse_memory_mb: int = 1024        # address space of the parse worker
    parse_cpu_seconds: int = 10        # CPU time for one file
    parse_wall_seconds: float = 15.0   # time for one file, waiting included
    parse_workers: int = 2             # worker processes kept ready


class UnreadableFile(ValueError):
    """The file cannot be read as a spreadsheet. `hint` says what to do next."""

    def __init__(self, message: str, hint: str = "", code: str = "unreadable"):
        super().__init__(message)
        self.message, self.hint, self.code = message, hint, code


class CellError(str):
    """An Excel error value (`#DIV/0!`) where calamine gives an empty cell."""


def excel_error(value: object) -> str | None:
    """The Excel error a cell holds (`#DIV/0!`), whether the file stored it as an error
    (xlsx, xls, ods) or as text (a CSV export), else None."""
    if isinstance(value, CellError):
        return str(value)
    if isinstance(value, str) and value.strip().upper() in EXCEL_ERRORS:
        return value.strip().upper()
    return None


@dataclass
class Sheet:
    name: str
    rows: list[list[object]]
    # (row index, column index) of numeric cells shown as a percentage (0.8 shown 80%).
    percent_cells: set[tuple[int, int]] | None = None
    # Filled lazily for xls, where reading formats costs a second parse.
    _percent_loader: object = field(default=None, repr=False)

    def is_percent(self, row: int, col: int) -> bool:
        """Whether a numeric cell is shown as a percentage. Reading formats costs a
        second parse of the file, so callers ask only about ambiguous values (0 < v <= 1)."""
        if self.percent_cells is None and self._percent_loader is not None:
            self.percent_cells = self._percent_loader()
        return (row, col) in (self.percent_cells or set())


@dataclass
class _Extent:
    """What the structural pass learned about one sheet."""
    name: str
    rows: int = 0
    columns: int = 0
    percent: set[tuple[int, int]] = field(default_factory=set)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)

    def reach(self, row: int, column: int) -> None:
        """A value at (row, column), 0-based."""
        self.rows, self.columns = max(self.rows, row + 1), max(self.columns, column + 1)

    def check(self, limits: Limits) -> None:
        if self.rows > limits.max_sheet_rows or self.columns > limits.max_sheet_columns:
            where = f"Trang tính '{self.name}'" if self.name else "Một trang tính trong tệp"
            raise _too_large_sheet(where, limits, self.rows, self.columns)


def detect_format(data: bytes, file_name: str) -> str:
    """'xlsx' | 'ods' | 'xls' | 'csv', from the bytes first and the name second."""
    if not data:
        raise UnreadableFile("Tệp rỗng (0 byte).",
                             "Mở tệp gốc trong Excel, kiểm tra có dữ liệu, lưu lại rồi gửi lại.",
                             code="empty")
    if data.startswith(ZIP_MAGIC):
        return _zip_kind(data)
    if data.startswith(OLE_MAGIC):
        if _ole_is_encrypted(data):
            raise UnreadableFile(
                "Tệp được đặt mật khẩu (mã hóa), không đọc được.",
                "Mở tệp bằng mật khẩu, vào File > Info > Protect Workbook > Encrypt with Password, "
                "xóa mật khẩu, lưu lại rồi gửi lại.", code="encrypted")
        return "xls"
    if file_name.lower().endswith(".csv") or _looks_like_text_table(data):
        return "csv"
    raise UnreadableFile(
        "Tệp không phải là bảng tính (chấp nhận .xlsx, .xls, .ods, .csv).",
        "Gửi báo cáo dưới dạng bảng tính Excel (.xlsx) theo mẫu báo cáo tiến độ.",
        code="not_spreadsheet")


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            mime = next((i for i in infos if i.filename == "mimetype"), None)
            mimetype = zf.read(mime) if mime is not None and mime.file_size < 1024 else b""
    except Exception as exc:  # zipfile raises many types for damaged archives
        raise _corrupt() from exc
    unzipped = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if unzipped > MAX_UNZIPPED_BYTES or unzipped / packed > MAX_ZIP_RATIO * 10 or (
            unzipped > 20 * 1024 * 1024 and unzipped / packed > MAX_ZIP_RATIO):
        raise UnreadableFile(
            f"Tệp giải nén ra quá lớn ({unzipped // (1024 * 1024)} MB): không giống một báo cáo tiến độ.",
            "Kiểm tra lại tệp: báo cáo chỉ gồm một bảng vài chục dòng. Xóa các trang tính, "
            "hình ảnh không cần thiết rồi gửi lại.", code="too_large")
    if mimetype.strip().startswith(ODS_MIME):
        return "ods"
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        return "xlsx"
    raise UnreadableFile("Tệp nén không phải là bảng tính Excel hay LibreOffice.",
                         "Gửi báo cáo dưới dạng .xlsx, .xls, .ods hoặc .csv.", code="not_spreadsheet")


def _corrupt() -> UnreadableFile:
    return UnreadableFile(
        "Tệp bị hỏng hoặc không đầy đủ (có thể tải về chưa hết), không đọc được.",
        "Mở tệp gốc trong Excel; nếu mở được, lưu lại thành .xlsx rồi gửi lại; "
        "nếu không, đề nghị chi bộ gửi lại tệp.", code="corrupt")


def _ole_is_encrypted(data: bytes) -> bool:
    # Encrypted OOXML is an OLE2 container holding an "EncryptionInfo" stream;
    # encrypted .xls carries a FILEPASS record, which xlrd reports when opening.
    return "EncryptionInfo".encode("utf-16-le") in data[:1_000_000] or \
        "EncryptedPackage".encode("utf-16-le") in data[:1_000_000]


def _looks_like_text_table(data: bytes) -> bool:
    head = data[:4096]
    if b"\x00" in head:
        return head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    try:  # final=False: a character cut at 4096 bytes is not an error
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return any(sep in text for sep in (",", ";", "\t"))


def read_sheets(data: bytes, file_name: str, limits: Limits = Limits()) -> list[Sheet]:
    """All sheets of a spreadsheet file, in workbook order."""
    if len(data) > limits.max_upload_bytes:
        raise too_large_file(len(data), limits)
    kind = detect_format(data, file_name)
    if kind == "csv":
        return [_read_csv(data, file_name, limits)]
    return _read_workbook(data, kind, limits)


def too_large_file(size: int, limits: Limits) -> UnreadableFile:
    return UnreadableFile(
        f"Tệp quá lớn ({_megabytes(size)} MB; tối đa {_megabytes(limits.max_upload_bytes)} MB).",
        "Báo cáo tiến độ chỉ cần một bảng; xóa hình ảnh và trang tính thừa rồi gửi lại.",
        code="too_large")


def _megabytes(n: int) -> str:
    """1,5 / 20 / 0,5: Vietnamese decimal comma, no trailing zeros."""
    return f"{n / 1024 / 1024:.1f}".rstrip("0").rstrip(".").replace(".", ",")


def _too_large_sheet(where: str, limits: Limits, rows: int, columns: int | None = None
                     ) -> UnreadableFile:
    size = f"{rows} dòng" + (f" x {columns} cột" if columns is not None else "")
    return UnreadableFile(
        f"{where} quá lớn ({size}).",
        f"Báo cáo chỉ gồm vài chục dòng; xóa dữ liệu thừa (tối đa {limits.max_sheet_rows} dòng, "
        f"{limits.max_sheet_columns} cột) rồi gửi lại.", code="too_large")


# -- linear passes over XML tags ---------------------------------------------------------
#
# Not an XML parser: calamine (quick-xml) forgives what a strict parser refuses (control
# characters, junk after the root), and the passes must see every tag calamine acts on.
# A tag cannot contain '<' or '>', so each pattern stops at the next one: linear time,
# whatever the bytes (the old `<c\s([^>]*?)(?<!/)>` backtracked quadratically). Only
# the tags that matter are matched, so a sheet of a million cells takes about a second.

_CHUNK = 1 << 20


def _attr(attrs: bytes, name: bytes) -> bytes | None:
    """The value of attribute `name`, or None. A plain name matches any namespace
    prefix (`value-type`: `office:` or `calcext:`); a prefixed one only itself."""
    m = _attr_pattern(name).search(attrs)
    return None if m is None else (m[1] if m[1] is not None else m[2])


@functools.cache
def _attr_pattern(name: bytes) -> re.Pattern:
    prefix = rb"" if b":" in name else rb"(?:[\w.\-]+:)?"
    return re.compile(rb"(?:^|\s)" + prefix + re.escape(name)
                      + rb"\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


def _int_attr(attrs: bytes, name: bytes, default: int) -> int:
    value = _attr(attrs, name)
    if value is None:
        return default
    m = re.fullmatch(rb"\s*(\d{1,12})\s*", value)
    return int(m[1]) if m else default


# -- xlsx ------------------------------------------------------------------------------

# The `r` attribute of a cell: its column letters and row number.
_CELL_REF = re.compile(rb"""(?:^|\s)r\s*=\s*["']\s*([A-Za-z]{1,4})(\d{1,9})\s*["']""")
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _scan_xlsx(data: bytes, limits: Limits) -> dict[str, _Extent]:
    """One streamed pass over each sheet's XML, before calamine builds anything.
    Returns {sheet name: its extent, percentage cells and error cells}."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = _xlsx_sheet_names(zf)
            _check_shared_strings(zf, limits)
            percent_styles = _xlsx_percent_styles(zf)
            found = {}
            for info in zf.infolist():
                if not re.fullmatch(r"xl/worksheets/[^/]+\.xml", info.filename):
                    continue
                extent = _Extent(names.get(info.filename, ""))
                with zf.open(info) as stream:
                    _scan_sheet_xml(stream, percent_styles, extent)
                extent.check(limits)   # after the whole sheet: the message gives its real size
                found[extent.name] = extent
            return found
    except UnreadableFile:
        raise
    except Exception as exc:  # zipfile, zlib, ElementTree: a damaged part
        raise _corrupt() from exc


_SST_TAG = re.compile(rb"<(?:[\w.\-]+:)?sst(\s[^<>]*)?>")


def _too_many_strings(announced: int) -> UnreadableFile:
    return UnreadableFile(
        f"Tệp khai báo {announced} chuỗi ký tự: quá lớn đối với một báo cáo.",
        "Mở tệp trong Excel, chép bảng báo cáo sang tệp mới theo mẫu, lưu lại rồi gửi lại.",
        code="too_large")


def _check_shared_strings(zf: zipfile.ZipFile, limits: Limits) -> None:
    """calamine reserves room for the count the shared-string table announces: a
    claimed 2 billion strings would cost gigabytes before the first one is read."""
    try:
        stream = zf.open("xl/sharedStrings.xml")
    except KeyError:
        return
    with stream:
        for buffer in _buffers(stream):
            if table := _SST_TAG.search(buffer):
                attrs = table[1] or b""
                announced = max(_int_attr(attrs, b"uniqueCount", 0), _int_attr(attrs, b"count", 0))
                if announced > limits.max_sheet_rows * limits.max_sheet_columns:
                    raise _too_many_strings(announced)
                return


_SHEET_TAG = re.compile(rb"<(/?)(?:[\w.\-]+:)?(row|c)(?=[\s/>])([^<>]*?)(/?)>")
_ERROR_VALUE = re.compile(rb"\s*(?:<(?:[\w.\-]+:)?f[\s>/][^<]*(?:</(?:[\w.\-]+:)?f>)?\s*)?"
                          rb"<(?:[\w.\-]+:)?v>([^<]{0,64})<")


def _scan_sheet_xml(stream, percent_styles: set[int], extent: _Extent) -> None:
    """Cell positions exactly as calamine assigns them: `<row r>` sets the row and
    `</row>` moves to the next; `<c r>` sets the column, a cell without `r` takes the
    next one; a self-closing `<c/>` holds nothing and is skipped. Only row and cell
    tags are looked at, with as little work per cell as possible: a sheet of a million
    cells takes about a second."""
    row = column = last_row = last_column = 0
    pending = None   # (error cell, what follows its tag) when the buffer ended before its value
    for buffer in _buffers(stream):
        if pending is not None:
            _note_error(extent, pending[0], _ERROR_VALUE.match(pending[1] + buffer[:4096]))
            pending = None
        for m in _SHEET_TAG.finditer(buffer):
            is_end, name, attrs, closing = m.groups()
            if name == b"row":
                if is_end:
                    row, column = row + 1, 0
                elif not closing:
                    row = _int_attr(attrs, b"r", row + 1) - 1
                continue
            if is_end or closing:
                continue
            ref = _CELL_REF.search(attrs)
            at = (int(ref[2]) - 1, _column_index(ref[1])) if ref else (row, column)
            last_row, last_column = max(last_row, at[0] + 1), max(last_column, at[1] + 1)
            if percent_styles and _int_attr(attrs, b"s", -1) in percent_styles:
                extent.percent.add(at)
            if b"t" in attrs and _attr(attrs, b"t") == b"e" and not _note_error(
                    extent, at, _ERROR_VALUE.match(buffer, m.end())):
                pending = at, buffer[m.end():]
            column = at[1] + 1
    extent.rows, extent.columns = last_row, last_column


@functools.cache
def _column_index(letters: bytes) -> int:
    """0 for A, 25 for Z, 26 for AA."""
    return _column_number(letters.upper()) - 1


def _buffers(stream) -> Iterator[bytes]:
    """The stream in pieces that end where a tag starts: no tag is cut in two."""
    tail = b""
    while chunk := stream.read(_CHUNK):
        buffer = tail + chunk
        cut = buffer.rfind(b"<")
        cut = len(buffer) if cut < 0 else cut
        if len(buffer) - cut > MAX_TAG_BYTES:
            if buffer.find(b">", cut) < 0:
                raise _corrupt()   # a "tag" longer than any real one
            cut = len(buffer)      # a complete tag followed by long text: nothing to carry
        tail = buffer[cut:]
        yield buffer[:cut]
    if tail:
        yield tail


def _note_error(extent: _Extent, at: tuple[int, int], value: re.Match | None) -> bool:
    """Record the error value that follows an error cell's tag; False if the buffer
    ended before it (the caller then tries again with the next buffer)."""
    if value is None:
        return False
    extent.errors[at] = _error_text(value[1])
    return True


def _error_text(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace").strip()[:20]
    return text if text.upper() in EXCEL_ERRORS else "#N/A" if not text else text


def _xlsx_percent_styles(zf: zipfile.ZipFile) -> set[int]:
    """Indexes of the cell formats (cellXfs) that show a number as a percentage."""
    try:
        root = ElementTree.fromstring(zf.read("xl/styles.xml"))
    except KeyError:
        return set()
    custom = {int(f.get("numFmtId", "0")): f.get("formatCode", "") for f in root.iter(_MAIN_NS + "numFmt")}
    # 9 and 10 are Excel's built-in 0% and 0.00%; a quoted or escaped % is literal text.
    percent_ids = {9, 10} | {i for i, code in custom.items()
                             if "%" in re.sub(r'"[^"]*"|\\.', "", code)}
    xfs = root.find(_MAIN_NS + "cellXfs")
    return {i for i, xf in enumerate(xfs if xfs is not None else [])
            if int(xf.get("numFmtId", "0")) in percent_ids}


def _xlsx_sheet_names(zf: zipfile.ZipFile) -> dict[str, str]:
    """{'xl/worksheets/sheet1.xml': 'Báo cáo', ...} from the workbook and its relations."""
    ns_main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    ns_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    try:
        workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except KeyError:
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    paths = {}
    for sheet in workbook.iter(ns_main + "sheet"):
        target = targets.get(sheet.get(ns_rel + "id"), "").lstrip("/")
        paths[target if target.startswith("xl/") else "xl/" + target] = sheet.get("name")
    return paths


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


# -- ods -------------------------------------------------------------------------------

def _scan_ods(data: bytes, limits: Limits) -> dict[str, _Extent]:
    """One pass over content.xml: a cell or row repeated a million times is counted a
    million times (calamine expands the repeats of a value), an empty repeat is not."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf, zf.open("content.xml") as stream:
            found = _scan_ods_xml(stream)
    except Exception as exc:
        raise _corrupt() from exc
    for extent in found.values():
        extent.check(limits)
    return found


_ODS_TAG = re.compile(rb"<(/?)(?:[\w.\-]+:)?(table|table-row|table-cell|covered-table-cell)"
                      rb"(?=[\s/>])([^<>]*?)(/?)>")
_ODS_ERROR_VALUE = re.compile(rb"\s*<(?:[\w.\-]+:)?p(?:\s[^<>]*)?>([^<]{0,64})<")


def _scan_ods_xml(stream) -> dict[str, _Extent]:
    found: dict[str, _Extent] = {}
    extent = None
    row = column = row_repeat = 0
    row_has_value = False
    pending = None   # (error cell, what follows its tag) when the buffer ended before its text
    for buffer in _buffers(stream):
        if pending is not None:
            _note_error(extent, pending[0], _ODS_ERROR_VALUE.match(pending[1] + buffer[:4096]))
            pending = None
        for m in _ODS_TAG.finditer(buffer):
            is_end, name, attrs, closing = m.groups()
            if name == b"table":
                if not is_end and not closing:
                    extent = _Extent((_attr(attrs, b"name") or b"").decode("utf-8", "replace"))
                    found[extent.name] = extent
                    row = 0
            elif extent is None:
                continue
            elif name == b"table-row" and not is_end:
                row_repeat, column, row_has_value = _int_attr(attrs, b"number-rows-repeated", 1), 0, False
                if closing:
                    row += row_repeat
            elif name == b"table-row":
                if row_has_value:
                    extent.reach(row + row_repeat - 1, extent.columns - 1)
                row += row_repeat
            elif not is_end:
                repeat = _int_attr(attrs, b"number-columns-repeated", 1)
                if not closing or _attr(attrs, b"value-type") is not None:
                    row_has_value = True
                    extent.reach(row, column + repeat - 1)
                    if _attr(attrs, b"office:value-type") == b"percentage":
                        extent.percent.update((row + dr, column + dc) for dr in range(min(row_repeat, 100))
                                              for dc in range(min(repeat, 100)))
                    if _attr(attrs, b"calcext:value-type") == b"error" and not _note_error(
                            extent, (row, column), _ODS_ERROR_VALUE.match(buffer, m.end())):
                        pending = (row, column), buffer[m.end():]
                column += repeat
    return found


# -- xls -------------------------------------------------------------------------------

# BIFF records that hold a cell value: (row, column) are their first two 16-bit words.
_BIFF_CELLS = {0x0006, 0x00FD, 0x0203, 0x0204, 0x0205, 0x027E, 0x00D6}
_BIFF_MULRK, _BIFF_BOUNDSHEET, _BIFF_EOF, _BIFF_SST = 0x00BD, 0x0085, 0x000A, 0x00FC
_BIFF_DIMENSIONS = 0x0200


def _scan_xls(data: bytes, limits: Limits) -> dict[str, _Extent]:
    """The cells of each sheet, from the BIFF records themselves: calamine builds a range
    to the farthest cell, and reserves room for the area the DIMENSIONS record claims
    (a first row after the last one wraps around to billions). The compound file is
    opened by xlrd, which refuses a sector chain that loops (calamine follows it while
    memory lasts)."""
    import xlrd.compdoc

    try:
        doc = xlrd.compdoc.CompDoc(data, logfile=io.StringIO())
        stream = doc.get_named_stream("Workbook") or doc.get_named_stream("Book")
    except Exception as exc:  # CompDocError, IndexError, AssertionError on damage
        raise _corrupt() from exc
    if stream is None:
        raise _corrupt()
    found = {}
    for name, offset in _xls_sheets(stream, limits):
        extent = _Extent(name)
        _scan_biff_sheet(stream, offset, extent, limits)
        found[name] = extent
    return found


def _biff_records(stream: bytes, pos: int) -> Iterator[tuple[int, bytes]]:
    while pos + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, pos)
        yield kind, stream[pos + 4:pos + 4 + length]
        if kind == _BIFF_EOF:
            return
        pos += 4 + length


def _xls_sheets(stream: bytes, limits: Limits) -> list[tuple[str, int]]:
    """(name, offset of its BOF) of each worksheet, from the workbook globals."""
    sheets = []
    for kind, body in _biff_records(stream, 0):
        if kind == _BIFF_BOUNDSHEET and len(body) >= 8 and body[5] == 0:  # 0: a worksheet
            offset, length, flags = struct.unpack_from("<I", body)[0], body[6], body[7]
            raw = body[8:8 + length * (2 if flags & 1 else 1)]
            sheets.append((raw.decode("utf-16-le" if flags & 1 else "latin-1", "replace"), offset))
        elif kind == _BIFF_SST and len(body) >= 8:
            announced = max(struct.unpack_from("<II", body))
            if announced > limits.max_sheet_rows * limits.max_sheet_columns:
                raise _too_many_strings(announced)
    return sheets


def _scan_biff_sheet(stream: bytes, offset: int, extent: _Extent, limits: Limits) -> None:
    if offset >= len(stream):
        raise _corrupt()
    for kind, body in _biff_records(stream, offset):
        if kind == _BIFF_DIMENSIONS:
            _check_biff_dimensions(body, extent, limits)
            continue
        if len(body) < 4 or (kind not in _BIFF_CELLS and kind != _BIFF_MULRK):
            continue
        row, column = struct.unpack_from("<HH", body)
        last = column + max(0, (len(body) - 6) // 6 - 1) if kind == _BIFF_MULRK else column
        extent.reach(row, last)
        if kind == 0x0205 and len(body) >= 8 and body[7] == 1:           # BOOLERR, an error
            extent.errors[(row, column)] = _BIFF_ERRORS.get(body[6], "#N/A")
        elif kind == 0x0006 and len(body) >= 14 and body[6] == 2 and body[12:14] == b"\xff\xff":
            extent.errors[(row, column)] = _BIFF_ERRORS.get(body[8], "#N/A")   # FORMULA
    extent.check(limits)


def _check_biff_dimensions(body: bytes, extent: _Extent, limits: Limits) -> None:
    """The area calamine reserves: rows first..last-1, columns first..last-1."""
    if len(body) == 14:
        first_row, last_row, first_col, last_col = struct.unpack_from("<IIHH", body)
    elif len(body) == 10:
        first_row, last_row, first_col, last_col = struct.unpack_from("<HHHH", body)
    else:
        return
    if last_row < 1 or last_col < 1:
        return
    if first_row >= last_row or first_col >= last_col:
        raise _corrupt()
    rows, columns = last_row - first_row, last_col - first_col
    if rows > limits.max_sheet_rows or columns > limits.max_sheet_columns:
        raise _too_large_sheet(f"Trang tính '{extent.name}'", limits, rows, columns)


# -- reading ---------------------------------------------------------------------------

_SCANS = {"xlsx": _scan_xlsx, "ods": _scan_ods, "xls": _scan_xls}


def _read_workbook(data: bytes, kind: str, limits: Limits) -> list[Sheet]:
    extents = _SCANS[kind](data, limits)
    wb = _calamine(lambda: python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)))
    sheets = []
    for meta in _calamine(lambda: wb.sheets_metadata):
        if str(meta.typ) != str(python_calamine.SheetTypeEnum.WorkSheet):
            continue
        extent = extents.get(meta.name) or _Extent(meta.name)
        sheet = _read_calamine_sheet(wb, meta.name, limits)
        _put_errors(sheet.rows, extent.errors)
        if kind == "xls":
            sheet._percent_loader = lambda name=meta.name: _xls_percent_cells(data, name)
        else:
            sheet.percent_cells = extent.percent
        sheets.append(sheet)
    return sheets


def _calamine(call):
    """Every call into calamine goes through here: its Rust panics arrive as
    `PanicException`, a BaseException, which `except Exception` does not catch."""
    try:
        return call()
    except python_calamine.PasswordError as exc:
        raise _encrypted() from exc
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as exc:  # CalamineError, XmlError, ZipError, PanicException...
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise _encrypted() from exc
        log.info("calamine refused a file: %s: %s", type(exc).__name__, exc)
        raise _corrupt() from exc


def _encrypted() -> UnreadableFile:
    return UnreadableFile("Tệp được đặt mật khẩu, không đọc được.",
                          "Bỏ mật khẩu của tệp, lưu lại rồi gửi lại.", code="encrypted")


def _read_calamine_sheet(wb, name: str, limits: Limits) -> Sheet:
    ws = _calamine(lambda: wb.get_sheet_by_name(name))
    # total_height/width are the last row/column index (from 0), not counts.
    rows, columns = ws.total_height + 1, ws.total_width + 1
    if rows > limits.max_sheet_rows or columns > limits.max_sheet_columns:
        raise _too_large_sheet(f"Trang tính '{name}'", limits, rows, columns)
    values = _calamine(lambda: ws.to_python(skip_empty_area=False))
    return Sheet(name=name, rows=[list(r) for r in values])


def _put_errors(rows: list[list[object]], errors: dict[tuple[int, int], str]) -> None:
    """calamine reads an error cell as an empty string: put the error back."""
    for (r, c), text in errors.items():
        if r < len(rows) and c < len(rows[r]) and rows[r][c] in ("", None):
            rows[r][c] = CellError(text)


def _read_csv(data: bytes, file_name: str, limits: Limits) -> Sheet:
    text = _decode_csv(data)
    sample = text[:4096].replace("\r\n", "\n").replace("\r", "\n")
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
    # Count lines before building rows: millions of tiny lines would cost gigabytes.
    # "\r" alone ends a line too (Excel's "CSV (Macintosh)").
    breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
    lines = breaks + (not text.endswith(("\n", "\r")))
    if lines > limits.max_sheet_rows:
        raise _too_large_csv(lines)
    # newline="": the csv module itself recognises \n, \r\n and a lone \r.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        for row in reader:
            rows.append(row)
            if len(rows) > limits.max_sheet_rows:
                raise _too_large_csv(len(rows))
    except csv.Error as exc:
        raise _bad_csv(exc, reader.line_num) from exc
    name = re.sub(r"\.csv$", "", file_name.rsplit("/", 1)[-1], flags=re.I)
    return Sheet(name=name, rows=rows, percent_cells=set())


def _decode_csv(data: bytes) -> str:
    try:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16")   # Excel's "Unicode Text"
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            "Tệp CSV không dùng mã hóa UTF-8 nên chữ tiếng Việt sẽ bị sai.",
            "Trong Excel chọn File > Save As > 'CSV UTF-8 (Comma delimited)', "
            "hoặc gửi tệp .xlsx.", code="encoding") from exc


def _too_large_csv(lines: int) -> UnreadableFile:
    return UnreadableFile(f"Tệp CSV quá lớn ({lines} dòng).",
                          "Báo cáo chỉ gồm vài chục dòng; xóa dữ liệu thừa rồi gửi lại.",
                          code="too_large")


def _bad_csv(exc: csv.Error, line: int) -> UnreadableFile:
    if "field larger than field limit" in str(exc):
        return UnreadableFile(
            f"Tệp CSV có một ô dài hơn {MAX_CSV_FIELD_CHARS:,} ký tự (dòng {line}).".replace(",", "."),
            "Rút gọn nội dung ô đó (hoặc kiểm tra dấu ngoặc kép bị thiếu), lưu lại rồi gửi lại.",
            code="too_large")
    return UnreadableFile(
        f"Tệp CSV sai định dạng ở dòng {line}, không đọc được.",
        "Mở tệp trong Excel, lưu lại dạng 'CSV UTF-8 (Comma delimited)' hoặc .xlsx rồi gửi lại.",
        code="corrupt")


# -- number formats (calamine gives values only) ---------------------------------

def _xls_percent_cells(data: bytes, sheet_name: str) -> set[tuple[int, int]]:
    import xlrd

    book = xlrd.open_workbook(file_contents=data, formatting_info=True, logfile=io.StringIO())
    sh = book.sheet_by_name(sheet_name)
    found = set()
    for r in range(sh.nrows):
        for c in range(sh.ncols):
            if sh.cell_type(r, c) != xlrd.XL_CELL_NUMBER:
                continue
            xf = book.xf_list[sh.cell_xf_index(r, c)]
            fmt = book.format_map.get(xf.format_key)
            if fmt is not None and "%" in fmt.format_str:
                found.add((r, c))
    return found
