"""Reporting periods: parse the Vietnamese text of a report, name a key, roll up.

Keys: `2026-07` (month), `2026-Q3` (quarter), `2026-H1`/`2026-H2` (half-year), `2026` (year).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from etl.textnorm import fold
from etl.vocab import Grain

MONTH, QUARTER, HALF, YEAR = Grain.MONTH, Grain.QUARTER, Grain.HALF, Grain.YEAR
# Years a key may name at all: far from `date`'s limits (1..9999), so a period's start,
# end, neighbours and deadline never overflow. The plan's own years are narrower
# (etl.catalog.Plan.years).
MIN_YEAR, MAX_YEAR = 1900, 2999
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_ROMAN_OUT = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date
    key: str
    grain: str

    @property
    def label(self) -> str:
        return period_label(self.key)

    def contains(self, other: "Period") -> bool:
        return self.start <= other.start and other.end <= self.end


def _month_end(year: int, month: int) -> date:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def from_key(key: str) -> Period:
    """Period for a key; ValueError for anything else (a year outside MIN_YEAR..MAX_YEAR too)."""
    key = str(key).strip().upper()
    year = re.match(r"(\d{4})(?:-|$)", key)
    if year and not MIN_YEAR <= int(year[1]) <= MAX_YEAR:
        raise ValueError(f"Mã kỳ báo cáo không hợp lệ: {key!r} (năm phải từ {MIN_YEAR} đến {MAX_YEAR})")
    if m := re.fullmatch(r"(\d{4})-(\d{2})", key):
        y, mo = int(m[1]), int(m[2])
        if 1 <= mo <= 12:
            return Period(date(y, mo, 1), _month_end(y, mo), f"{y}-{mo:02d}", MONTH)
    elif m := re.fullmatch(r"(\d{4})-Q([1-4])", key):
        y, q = int(m[1]), int(m[2])
        return Period(date(y, 3 * q - 2, 1), _month_end(y, 3 * q), f"{y}-Q{q}", QUARTER)
    elif m := re.fullmatch(r"(\d{4})-H([12])", key):
        y, h = int(m[1]), int(m[2])
        return Period(date(y, 6 * h - 5, 1), _month_end(y, 6 * h), f"{y}-H{h}", HALF)
    elif m := re.fullmatch(r"(\d{4})", key):
        y = int(m[1])
        return Period(date(y, 1, 1), date(y, 12, 31), f"{y}", YEAR)
    raise ValueError(f"Mã kỳ báo cáo không hợp lệ: {key!r} (ví dụ: 2026-07, 2026-Q3, 2026-H1, 2026)")


def is_key(text: str) -> bool:
    try:
        from_key(text)
        return True
    except ValueError:
        return False


def parse_period_text(text: object) -> str | None:
    """The key a report's period text names, or None.

    Accepts `Tháng 7/2026`, `tháng 07 năm 2026`, `07/2026`, `Quý III/2026`, `Quý 3 năm 2026`,
    `6 tháng đầu năm 2026`, `Năm 2026`, and the keys themselves. Case, diacritics, spacing
    and leading zeros do not matter.
    """
    s = fold(text)
    if not s:
        return None
    if is_key(s):
        return from_key(s).key
    s = s.replace("nam", " nam ").replace("/", " / ").replace("-", " - ")
    s = re.sub(r"\s+", " ", s).strip()
    year = r"(\d{4})"
    sep = r"\s*(?:/|-|nam)\s*"
    patterns = [
        (rf"^6 thang dau nam {year}$", lambda m: f"{m[1]}-H1"),
        (rf"^6 thang cuoi nam {year}$", lambda m: f"{m[1]}-H2"),
        (rf"^(?:sau|06) thang dau nam {year}$", lambda m: f"{m[1]}-H1"),
        (rf"^(?:sau|06) thang cuoi nam {year}$", lambda m: f"{m[1]}-H2"),
        (rf"^quy (iv|iii|ii|i|[1-4]){sep}{year}$",
         lambda m: f"{m[2]}-Q{_ROMAN.get(m[1], m[1])}"),
        (rf"^thang 0*(\d{{1,2}}){sep}{year}$", lambda m: _month_key(m[2], m[1])),
        (rf"^0*(\d{{1,2}}){sep}{year}$", lambda m: _month_key(m[2], m[1])),
        (rf"^nam {year}$", lambda m: m[1]),
    ]
    for pattern, build in patterns:
        if m := re.match(pattern, s):
            key = build(m)
            return key if key and is_key(key) else None
    return None


def year_named(text: object) -> int | None:
    """The year a period text names (`Năm 0001` -> 1), even one no key may have: to say
    why a text is refused."""
    m = re.search(r"(?<!\d)(\d{4})(?!\d)", fold(text))
    return int(m[1]) if m else None


def _month_key(year: str, month: str) -> str | None:
    mo = int(month)
    return f"{year}-{mo:02d}" if 1 <= mo <= 12 else None


def period_label(key: str) -> str:
    """`Tháng 7/2026`, `Quý III/2026`, `6 tháng đầu năm 2026`, `Năm 2026`."""
    p = from_key(key)
    y = p.start.year
    if p.grain == MONTH:
        return f"Tháng {p.start.month}/{y}"
    if p.grain == QUARTER:
        return f"Quý {_ROMAN_OUT[(p.start.month + 2) // 3]}/{y}"
    if p.grain == HALF:
        return f"6 tháng {'đầu' if p.start.month == 1 else 'cuối'} năm {y}"
    return f"Năm {y}"


def key_of(day: date, grain: str) -> str:
    """The key of the `grain` period a day falls in (`2026-08-15`, quarter -> `2026-Q3`).
    Which bigger period holds a whole report is the database's rule (macro
    period_bucket, migration 003), not this one's."""
    y, mo = day.year, day.month
    return {MONTH: f"{y}-{mo:02d}", QUARTER: f"{y}-Q{(mo - 1) // 3 + 1}",
            HALF: f"{y}-H{1 if mo <= 6 else 2}", YEAR: f"{y}"}[Grain(grain)]


def previous(key: str) -> str:
    """The period of the same grain just before `key`."""
    p = from_key(key)
    return key_of(p.start - timedelta(days=1), p.grain)


def deadline(key: str, deadline_day: int = 5) -> date:
    """A report for `key` is due on `deadline_day` of the month after the period ends."""
    end = from_key(key).end
    nxt = end + timedelta(days=1)
    return date(nxt.year, nxt.month, min(deadline_day, 28))
