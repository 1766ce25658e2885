"""Vietnamese formats for what users read: 85,5%; 1.234; 27/11/2026; Quý III/2026."""
from __future__ import annotations

import math

import pandas as pd

from etl.periods import period_label
from etl.vocab import NO_REPORT, Role, Status, UNASSIGNED_ROLE

MISSING = "–"


def _is_missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def number(value, decimals: int = 0) -> str:
    """1234 -> "1.234"; 1234.5 with decimals=1 -> "1.234,5"; None -> "–"."""
    if _is_missing(value):
        return MISSING
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def pct(value, decimals: int = 1) -> str:
    """85.5 -> "85,5%"; 100 -> "100%"; None -> "–". Trailing ",0" is dropped."""
    if _is_missing(value):
        return MISSING
    text = number(round(float(value), decimals), decimals)
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    return f"{text}%"


def pct_or_no_report(value) -> str:
    """For a scope with no report: "Chưa báo cáo", never 0%."""
    return NO_REPORT if _is_missing(value) else pct(value)


def status(code) -> str:
    """A status code as its label; "Chưa báo cáo" for a task with no report."""
    return Status.label_of(code, NO_REPORT)


def role(code, lead_mark: str = "") -> str:
    """A cell's role on a task; `lead_mark` (e.g. "★ ") flags the tasks it leads."""
    if code == Role.LEAD:
        return lead_mark + Role.LEAD.label
    return Role.label_of(code, UNASSIGNED_ROLE)


def signed_pct_points(value, decimals: int = 1) -> str | None:
    """A change in percentage points for st.metric deltas: "+3,5 điểm %"; None when unknown."""
    if _is_missing(value):
        return None
    sign = "+" if value > 0 else ("-" if value < 0 else "")
    return f"{sign}{pct(abs(value), decimals)[:-1]} điểm %"


def date_vn(value) -> str:
    """date(2026, 11, 27) -> "27/11/2026"; None, NaT, NaN -> "–"."""
    return _strftime(value, "%d/%m/%Y")


def _strftime(value, pattern: str) -> str:
    """A date, datetime or pandas Timestamp in `pattern`; None, NaT, NaN -> "–"."""
    if _is_missing(value):   # before isinstance: pandas' NaT is a datetime
        return MISSING
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    return value.strftime(pattern)


LOAD_DATE_NOTE = "ngày nạp"


def report_date(value, from_load: bool = False) -> str:
    """A report's date; a report that gives none is dated by its load, and says so:
    "03/10/2026 (ngày nạp)"."""
    text = date_vn(value)
    return f"{text} ({LOAD_DATE_NOTE})" if from_load and text != MISSING else text


def data_date(status: dict) -> str:
    """The "số liệu đến" date of queries.data_status, marked when it is a load date."""
    return report_date(status.get("data_date"), bool(status.get("data_date_from_load")))


def period(key: str) -> str:
    """Period key -> its Vietnamese label (`2026-Q3` -> `Quý III/2026`)."""
    return period_label(key)


def datetime_vn(value) -> str:
    """datetime(2026, 11, 27, 8, 5) -> "08:05 27/11/2026"; None, NaT -> "–"."""
    return _strftime(value, "%H:%M %d/%m/%Y")


_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
             ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
            ("Windows", "Windows"), ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def browser(user_agent) -> str:
    """A browser's User-Agent in words: "Chrome · Windows"; "–" when unknown."""
    text = user_agent if isinstance(user_agent, str) else ""
    name = next((n for mark, n in _BROWSERS if mark in text), None)
    system = next((s for mark, s in _SYSTEMS if mark in text), None)
    return " · ".join(filter(None, [name, system])) or (text[:40] or MISSING)
