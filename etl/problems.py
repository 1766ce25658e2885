"""One shape for everything the loader has to say about a file.

Errors reject the file; warnings are shown and do not. `kind` keeps "this is not
our template / not a readable file" (schema) apart from "these rows are wrong"
(data): the fixes differ.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

ERROR, WARNING = "error", "warning"
SCHEMA, DATA = "schema", "data"


@dataclass(frozen=True)
class Problem:
    severity: str          # ERROR | WARNING
    kind: str              # SCHEMA | DATA
    file: str
    message: str           # what is wrong, in Vietnamese
    hint: str = ""         # how to fix it, in Vietnamese
    sheet: str = ""
    row: int | None = None  # the row number as Excel shows it
    column: str = ""       # the column's header text (or letter)
    value: str = ""
    code: str = ""         # machine-readable reason, e.g. "missing_cell", "missing_period"
    field: str = ""        # the report column (etl.fields key) whose cell is wrong, if one

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def where(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"trang tính '{self.sheet}'")
        if self.row is not None:
            parts.append(f"dòng {self.row}")
        if self.column:
            parts.append(f"cột '{self.column}'")
        return ", ".join(parts)

    def as_text(self) -> str:
        label = "LỖI" if self.is_error else "Cảnh báo"
        value = f" (giá trị: '{self.value}')" if self.value != "" else ""
        hint = f" → {self.hint}" if self.hint else ""
        return f"{label}: {self.where()}: {self.message}{value}{hint}"

    def as_row(self) -> dict:
        """For a table: sheet, row, column, value, what is wrong, how to fix it."""
        d = asdict(self)
        return {"Mức độ": "Lỗi" if self.is_error else "Cảnh báo", "Tệp": d["file"],
                "Trang tính": d["sheet"], "Dòng": d["row"], "Cột": d["column"],
                "Giá trị": d["value"], "Vấn đề": d["message"], "Cách sửa": d["hint"]}
