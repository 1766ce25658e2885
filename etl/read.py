"""Bytes in, sheets of cell values out: the only module that knows file formats.

Every format becomes `Sheet(name, rows, percent_cells)` where `rows[i]` is Excel's row
i + 1, so messages can name rows as the spreadsheet shows them. Anything that is not
a readable spreadsheet raises `UnreadableFile` with a Vietnamese message; size limits
are checked before anything is decompressed or parsed.
"""
from __future__ import annotations

import csv
import io
import itertools
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from xml.etree import ElementTree

import python_calamine

MAX_UNZIPPED_BYTES = 200 * 1024 * 1024   # a zip bomb is refused before it is inflated
MAX_ZIP_RATIO = 200                      # real workbooks compress ~5-20x
MAX_SHEET_ROWS = 20_000                  # a report has a few dozen rows
MAX_SHEET_COLUMNS = 200

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


@dataclass(frozen=True)
class Limits:
    """What a file may cost before it is refused (etl.settings.Settings.limits)."""
    max_upload_bytes: int = 20 * 1024 * 1024


class UnreadableFile(ValueError):
    """The file cannot be read as a spreadsheet. `hint` says what to do next."""

    def __init__(self, message: str, hint: str = "", code: str = "unreadable"):
        super().__init__(message)
        self.message, self.hint, self.code = message, hint, code


@dataclass
class Sheet:
    name: str
    rows: list[list[object]]
    # (row index, column index) of numeric cells shown as a percentage (0.8 shown 80%).
    percent_cells: set[tuple[int, int]] | None = None
    # Filled lazily for xls and ods, where reading formats costs a second parse (xlsx: at read).
    _percent_loader: object = field(default=None, repr=False)

    def is_percent(self, row: int, col: int) -> bool:
        """Whether a numeric cell is shown as a percentage. Reading formats costs a
        second parse of the file, so callers ask only about ambiguous values (0 < v <= 1)."""
        if self.percent_cells is None and self._percent_loader is not None:
            self.percent_cells = self._percent_loader()
        return (row, col) in (self.percent_cells or set())


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
            names = set(zf.namelist())
            infos = zf.infolist()
            mimetype = zf.read("mimetype") if "mimetype" in names else b""
    except (zipfile.BadZipFile, EOFError, OSError, KeyError) as exc:
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
        return False
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return any(sep in text for sep in (",", ";", "\t"))


def read_sheets(data: bytes, file_name: str, limits: Limits = Limits()) -> list[Sheet]:
    """All sheets of a spreadsheet file, in workbook order."""
    if len(data) > limits.max_upload_bytes:
        raise UnreadableFile(
            f"Tệp quá lớn ({_megabytes(len(data))} MB; tối đa "
            f"{_megabytes(limits.max_upload_bytes)} MB).",
            "Báo cáo tiến độ chỉ cần một bảng; xóa hình ảnh và trang tính thừa rồi gửi lại.",
            code="too_large")
    kind = detect_format(data, file_name)
    if kind == "csv":
        return [_read_csv(data, file_name)]
    return _read_workbook(data, kind)


def _megabytes(n: int) -> str:
    """1,5 / 20 / 0,5: Vietnamese decimal comma, no trailing zeros."""
    return f"{n / 1024 / 1024:.1f}".rstrip("0").rstrip(".").replace(".", ",")


def _too_large_sheet(where: str, rows: int, columns: int | None = None) -> UnreadableFile:
    size = f"{rows} dòng" + (f" x {columns} cột" if columns is not None else "")
    return UnreadableFile(
        f"{where} quá lớn ({size}).",
        f"Báo cáo chỉ gồm vài chục dòng; xóa dữ liệu thừa (tối đa {MAX_SHEET_ROWS} dòng, "
        f"{MAX_SHEET_COLUMNS} cột) rồi gửi lại.", code="too_large")


_XLSX_CELL = re.compile(rb"<c\s([^>]*?)(?<!/)>")   # a cell holding something (not <c .../>)
_XLSX_REF = re.compile(rb'\br="([A-Z]{1,3})(\d{1,7})"')
_XLSX_STYLE = re.compile(rb'\bs="(\d+)"')
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _scan_xlsx(data: bytes) -> dict[str, set[tuple[int, int]]]:
    """One streamed pass over each sheet's XML, before calamine builds anything:
    refuses a sheet whose cells reach past the limits (a 5 KB file with one value in
    J1048576 would otherwise cost gigabytes), and finds the cells formatted as a
    percentage (0.8 shown as 80%), which calamine does not report.
    Returns {sheet name: {(row index, column index), ...}}."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = _xlsx_sheet_names(zf)
            percent_styles = _xlsx_percent_styles(zf)
            percent_cells = {}
            for info in zf.infolist():
                if not re.fullmatch(r"xl/worksheets/[^/]+\.xml", info.filename):
                    continue
                name = names.get(info.filename)
                rows, columns, percent = _scan_sheet_xml(zf, info, percent_styles)
                if rows > MAX_SHEET_ROWS or columns > MAX_SHEET_COLUMNS:
                    where = f"Trang tính '{name}'" if name else "Một trang tính trong tệp"
                    raise _too_large_sheet(where, rows, columns)
                percent_cells[name] = percent
            return percent_cells
    except (zipfile.BadZipFile, zlib.error, EOFError, ElementTree.ParseError) as exc:
        raise _corrupt() from exc


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


def _scan_sheet_xml(zf: zipfile.ZipFile, info: zipfile.ZipInfo, percent_styles: set[int]
                    ) -> tuple[int, int, set[tuple[int, int]]]:
    """Last row and column holding a value, and the percent-formatted cells, streamed."""
    rows = columns = 0
    percent: set[tuple[int, int]] = set()
    tail = b""
    with zf.open(info) as stream:
        while chunk := stream.read(1 << 20):
            buffer = tail + chunk
            matched_to = 0
            for match in _XLSX_CELL.finditer(buffer):
                matched_to = match.end()
                ref = _XLSX_REF.search(match[1])
                if ref is None:
                    continue
                row, column = int(ref[2]), _column_number(ref[1])
                rows, columns = max(rows, row), max(columns, column)
                style = _XLSX_STYLE.search(match[1])
                if style and int(style[1]) in percent_styles:
                    percent.add((row - 1, column - 1))
            # A tag cut by the chunk boundary is matched with the next chunk.
            tail = buffer[max(matched_to, len(buffer) - 512):]
    return rows, columns, percent


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


def _read_workbook(data: bytes, kind: str) -> list[Sheet]:
    xlsx_percent_cells = _scan_xlsx(data) if kind == "xlsx" else {}
    try:
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError as exc:
        raise UnreadableFile("Tệp được đặt mật khẩu, không đọc được.",
                             "Bỏ mật khẩu của tệp, lưu lại rồi gửi lại.", code="encrypted") from exc
    except Exception as exc:  # calamine raises several types for damaged files
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise UnreadableFile("Tệp được đặt mật khẩu, không đọc được.",
                                 "Bỏ mật khẩu của tệp, lưu lại rồi gửi lại.", code="encrypted") from exc
        raise _corrupt() from exc
    sheets = []
    for meta in wb.sheets_metadata:
        if str(meta.typ) != str(python_calamine.SheetTypeEnum.WorkSheet):
            continue
        sheet = _read_calamine_sheet(wb, meta.name, data, kind)
        if kind == "xlsx":
            sheet.percent_cells = xlsx_percent_cells.get(meta.name, set())
        sheets.append(sheet)
    return sheets


def _read_calamine_sheet(wb, name: str, data: bytes, kind: str) -> Sheet:
    try:
        ws = wb.get_sheet_by_name(name)
    except Exception as exc:
        raise _corrupt() from exc
    # total_height/width are the last row/column index (from 0), not counts.
    rows, columns = ws.total_height + 1, ws.total_width + 1
    if rows > MAX_SHEET_ROWS or columns > MAX_SHEET_COLUMNS:
        raise _too_large_sheet(f"Trang tính '{name}'", rows, columns)
    rows = ws.to_python(skip_empty_area=False)
    rows = [list(r) for r in rows]
    loader = {"xls": lambda: _xls_percent_cells(data, name),
              "ods": lambda: _ods_percent_cells(data, name)}.get(kind)
    return Sheet(name=name, rows=rows, _percent_loader=loader)


def _read_csv(data: bytes, file_name: str) -> Sheet:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            "Tệp CSV không dùng mã hóa UTF-8 nên chữ tiếng Việt sẽ bị sai.",
            "Trong Excel chọn File > Save As > 'CSV UTF-8 (Comma delimited)', "
            "hoặc gửi tệp .xlsx.", code="encoding") from exc
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
    # Count lines before building rows: millions of tiny lines would cost gigabytes.
    lines = text.count("\n") + (not text.endswith("\n"))
    if lines > MAX_SHEET_ROWS:
        raise UnreadableFile(f"Tệp CSV quá lớn ({lines} dòng).",
                             "Báo cáo chỉ gồm vài chục dòng; xóa dữ liệu thừa rồi gửi lại.",
                             code="too_large")
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = [list(r) for r in itertools.islice(reader, MAX_SHEET_ROWS + 1)]
    if len(rows) > MAX_SHEET_ROWS:  # line breaks other than \n (old Mac files)
        raise UnreadableFile(f"Tệp CSV quá lớn (hơn {MAX_SHEET_ROWS} dòng).",
                             "Báo cáo chỉ gồm vài chục dòng; xóa dữ liệu thừa rồi gửi lại.",
                             code="too_large")
    name = re.sub(r"\.csv$", "", file_name.rsplit("/", 1)[-1], flags=re.I)
    return Sheet(name=name, rows=rows, percent_cells=set())


# -- number formats (calamine gives values only) ---------------------------------

def _xls_percent_cells(data: bytes, sheet_name: str) -> set[tuple[int, int]]:
    import xlrd

    book = xlrd.open_workbook(file_contents=data, formatting_info=True)
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


_ODS = {"table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
        "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0"}


def _ods_percent_cells(data: bytes, sheet_name: str) -> set[tuple[int, int]]:
    t, o = "{%s}" % _ODS["table"], "{%s}" % _ODS["office"]
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        root = ElementTree.fromstring(zf.read("content.xml"))
    found = set()
    for table in root.iter(t + "table"):
        if table.get(t + "name") != sheet_name:
            continue
        r = 0
        for row in table.iter(t + "table-row"):
            rows_rep = int(row.get(t + "number-rows-repeated", "1"))
            c = 0
            for cell in row:
                if cell.tag not in (t + "table-cell", t + "covered-table-cell"):
                    continue
                cols_rep = int(cell.get(t + "number-columns-repeated", "1"))
                if cell.get(o + "value-type") == "percentage":
                    for dr in range(min(rows_rep, 100)):
                        for dc in range(min(cols_rep, 100)):
                            found.add((r + dr, c + dc))
                c += cols_rep
            r += rows_rep
    return found
