"""The report's columns, once: header and synonyms, parser, range, storage, label, template.

The parser (etl.parse), the template (etl.template), the store (progress_rows), the
upload preview, the diff of two submissions, the task tables and the pack's sheets all
read this table. To add a column to the report, add a `Field` here and a migration for
its storage column.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, make_dataclass
from typing import Callable

from etl.textnorm import fold_loose, nfc
from etl.vocab import STATUS_SYNONYMS, Status

# Kinds of column: how a value is read and stored.
KEY, TITLE, STATUS, PERCENT, COUNT, TEXT, INFO = (
    "key", "title", "status", "percent", "count", "text", "info")
SQL_TYPES = {KEY: "VARCHAR", STATUS: "VARCHAR", PERCENT: "DOUBLE", COUNT: "INTEGER",
             TEXT: "VARCHAR"}
COUNT_MAX = 2**31 - 1          # an INTEGER column: a larger count cannot be stored


# -- value parsers: what people type -> the canonical value (ValueError in Vietnamese) ----

# Spaces people put around a number, or between its thousands (Excel's own grouping
# uses a no-break or narrow no-break space).
_SPACES = "\u00a0\u202f\u2009 "
_GROUPED = re.compile(r"-?\d{1,3}(?:([.,\u00a0\u202f\u2009 ])\d{3})(?:\1\d{3})*")


def parse_percentage(value: object, shown_as_percent: bool = False) -> float:
    """0..100 from 80, '80', '80%', '80,5 %', or 0.8 formatted as a percentage.
    A space inside the digits ('8 0') is refused, not guessed."""
    if isinstance(value, bool):
        raise ValueError("không phải là số")
    if isinstance(value, (int, float)):
        number = float(value) * (100 if shown_as_percent else 1)
    else:
        text = nfc(value).strip(_SPACES)
        if text.endswith("%"):
            text = text[:-1].rstrip(_SPACES)
        text = text.replace(",", ".")
        if not re.fullmatch(r"-?\d+(\.\d+)?", text):
            raise ValueError(_not_a_number(text))
        number = float(text)
    if math.isnan(number):
        raise ValueError("không phải là số")
    number = round(number, 6)
    if not 0 <= number <= 100:
        raise ValueError("phải nằm trong khoảng 0 đến 100")
    return number


def parse_count(value: object) -> int:
    """A whole number >= 0 from 12, 12.0, '1.234' (dot thousands) or '1 234'. A space
    that is not a thousands separator ('8 0') is refused, not read as 80."""
    if isinstance(value, bool):
        raise ValueError("không phải là số")
    if isinstance(value, (int, float)):
        if not math.isfinite(value) or not float(value).is_integer():
            raise ValueError("phải là số nguyên")
        number = int(value)
    else:
        text = nfc(value).strip(_SPACES)
        if _GROUPED.fullmatch(text):
            text = re.sub(r"[^\d-]", "", text)
        if not re.fullmatch(r"-?\d+", text):
            raise ValueError(_not_a_number(text, "số nguyên"))
        number = int(text)
    if number < 0:
        raise ValueError("không được là số âm")
    if number > COUNT_MAX:
        raise ValueError(f"quá lớn (tối đa {COUNT_MAX:,})".replace(",", "."))
    return number


def _not_a_number(text: str, what: str = "số") -> str:
    if re.search(rf"\d[{_SPACES}]+\d", text):
        return f"không phải là {what}: có dấu cách xen giữa các chữ số, không rõ là số nào"
    return f"không phải là {what}"


_STATUS_BY_TEXT: dict[str, Status] = {}
for _status in Status:
    for _text in (_status.label, _status.value, *STATUS_SYNONYMS[_status]):
        _STATUS_BY_TEXT[fold_loose(_text)] = _status


def parse_status(value: object) -> Status:
    status = _STATUS_BY_TEXT.get(fold_loose(value))
    if status is None:
        raise ValueError("trạng thái không hợp lệ")
    return status


def is_status_text(value: object) -> bool:
    return fold_loose(value) in _STATUS_BY_TEXT


def parse_text(value: object) -> str | None:
    return nfc(value) or None


# -- the table ------------------------------------------------------------------------

@dataclass(frozen=True)
class Field:
    key: str                      # the attribute, storage column and contract name
    header: str                   # the template's header, also the long label
    label: str                    # the short label of a table column on screen
    kind: str
    width: float                  # the template's column width
    guide: str                    # one line of the template's "Hướng dẫn" sheet
    synonyms: tuple[str, ...] = ()  # other headers people write
    stored: bool = False          # a value column of progress_rows
    parser: Callable | None = None
    unit: str = ""                # "%" for a percentage

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.kind]

    @property
    def header_keys(self) -> frozenset[str]:
        """The header and its synonyms, folded the way headers are compared."""
        return frozenset(fold_loose(t).replace("%", "").strip()
                         for t in (self.header, *self.synonyms))


FIELDS: tuple[Field, ...] = (
    Field("stt", "STT", "STT", INFO, 14, "Số thứ tự, đã ghi sẵn.", ("Số thứ tự", "TT")),
    Field("task_code", "Mã nhiệm vụ", "Mã", KEY, 10,
          "Mã nhiệm vụ theo Kế hoạch (ví dụ NV3.2), đã ghi sẵn; không sửa, không xóa dòng.",
          ("Mã NV", "Mã số nhiệm vụ", "Mã")),
    Field("task_title", "Nội dung nhiệm vụ", "Nhiệm vụ", TITLE, 46,
          "Nội dung nhiệm vụ theo Kế hoạch, đã ghi sẵn.",
          ("Tên nhiệm vụ", "Nhiệm vụ", "Nội dung")),
    Field("role", "Vai trò", "Vai trò", INFO, 12,
          "Vai trò của chi bộ: Chủ trì hoặc Phối hợp thực hiện, đã ghi sẵn. Dòng chữ đậm, tô "
          "màu là nhiệm vụ chi bộ chủ trì.", ("Vai trò của chi bộ",)),
    Field("status", "Trạng thái", "Trạng thái", STATUS, 16,
          "Chọn trong danh sách một trong bốn trạng thái: "
          + ", ".join(Status.labels().values()) + ".",
          ("Tình trạng", "Trạng thái thực hiện", "Tình trạng thực hiện"), True, parse_status),
    Field("completion_pct", "Tỷ lệ hoàn thành (%)", "Tỷ lệ hoàn thành", PERCENT, 12,
          "Số từ 0 đến 100, là mức hoàn thành tính đến hết kỳ báo cáo (lũy kế từ đầu); ghi "
          "số, ví dụ 80 hoặc 85,5. Mỗi dòng cần ít nhất Trạng thái hoặc Tỷ lệ hoàn thành.",
          ("Tỷ lệ hoàn thành", "Tỷ lệ (%)", "% hoàn thành", "Mức độ hoàn thành", "Tiến độ (%)"),
          True, parse_percentage, "%"),
    Field("activities", "Số hoạt động", "Số hoạt động", COUNT, 11,
          "Số hội nghị, buổi sinh hoạt, đợt ra quân... tổ chức trong kỳ; chỉ tính trong kỳ, "
          "không cộng dồn; số nguyên, không âm.",
          ("Số hoạt động đã tổ chức", "Số cuộc, hoạt động"), True, parse_count),
    Field("participants", "Số lượt người tham gia", "Lượt người tham gia", COUNT, 12,
          "Số lượt người tham gia các hoạt động trong kỳ; chỉ tính trong kỳ, không cộng dồn.",
          ("Số lượt tham gia", "Số người tham gia", "Lượt người tham gia"), True, parse_count),
    Field("posts", "Số tin, bài", "Tin, bài", COUNT, 10,
          "Số tin, bài đã đăng trong kỳ trên Trang thông tin điện tử và các nền tảng số; chỉ "
          "tính trong kỳ, không cộng dồn.", ("Số tin bài", "Tin, bài"), True, parse_count),
    Field("result", "Kết quả đạt được", "Kết quả đạt được", TEXT, 36,
          "Tóm tắt kết quả nổi bật đạt được trong kỳ.", ("Kết quả", "Kết quả thực hiện"),
          True, parse_text),
    Field("obstacles", "Khó khăn, vướng mắc", "Khó khăn, vướng mắc", TEXT, 30,
          "Khó khăn, vướng mắc cụ thể (nếu có); nêu rõ khi nhiệm vụ Chậm tiến độ.",
          ("Khó khăn", "Vướng mắc"), True, parse_text),
    Field("proposals", "Đề xuất, kiến nghị", "Đề xuất, kiến nghị", TEXT, 30,
          "Đề xuất, kiến nghị với Đảng ủy Sở để tháo gỡ (nếu có).", ("Đề xuất", "Kiến nghị"),
          True, parse_text),
    Field("evidence", "Minh chứng", "Minh chứng", TEXT, 22,
          "Số, ký hiệu văn bản hoặc đường liên kết đến tài liệu minh chứng.",
          ("Tài liệu minh chứng", "Văn bản minh chứng"), True, parse_text),
)

BY_KEY: dict[str, Field] = {f.key: f for f in FIELDS}
VALUE_FIELDS: tuple[Field, ...] = tuple(f for f in FIELDS if f.stored)
VALUE_KEYS: tuple[str, ...] = tuple(f.key for f in VALUE_FIELDS)
COUNT_KEYS: tuple[str, ...] = tuple(f.key for f in FIELDS if f.kind == COUNT)
TEXT_KEYS: tuple[str, ...] = tuple(f.key for f in FIELDS if f.kind == TEXT)
# Recognised in a report, not loaded, and not worth a warning.
INFO_KEYS: frozenset[str] = frozenset(f.key for f in FIELDS if f.kind == INFO)


def header(key: str) -> str:
    return BY_KEY[key].header


def label(key: str) -> str:
    return BY_KEY[key].label


def _same_values(self, other) -> bool:
    return all(getattr(self, k) == getattr(other, k) for k in VALUE_KEYS)


# One task row of a report, in canonical values: task_code, excel_row, then every stored
# field of the table (in table order), as the store's progress_rows holds them.
TaskRow = make_dataclass(
    "TaskRow",
    [("task_code", str), ("excel_row", int),
     *[(f.key, object, field(default=None)) for f in VALUE_FIELDS]],
    namespace={"same_values": _same_values,
               "__doc__": "A report's task row: task_code, excel_row and the stored fields."})
TaskRow.__module__ = __name__   # pickled by reference (etl.fields.TaskRow)
ROW_COLUMNS: tuple[str, ...] = ("task_code", "excel_row", *VALUE_KEYS)
