"""Vietnamese formats: decimal comma, thousands dot, dd/mm/yyyy, period labels."""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from dashboard import fmt


def test_pct():
    assert fmt.pct(85.5) == "85,5%"
    assert fmt.pct(100) == "100%"
    assert fmt.pct(80.0) == "80%"
    assert fmt.pct(2 / 3 * 100) == "66,7%"
    assert fmt.pct(0) == "0%"
    assert fmt.pct(None) == "–" and fmt.pct(float("nan")) == "–"


def test_pct_or_no_report_never_says_zero_for_missing():
    assert fmt.pct_or_no_report(None) == "Chưa báo cáo"
    assert fmt.pct_or_no_report(0) == "0%"


def test_number():
    assert fmt.number(1234) == "1.234"
    assert fmt.number(1234567) == "1.234.567"
    assert fmt.number(1234.5, 1) == "1.234,5"
    assert fmt.number(0) == "0"
    assert fmt.number(pd.NA) == "–"


def test_signed_points():
    assert fmt.signed_pct_points(3.46) == "+3,5 điểm %"
    assert fmt.signed_pct_points(-12) == "-12 điểm %"
    assert fmt.signed_pct_points(None) is None


def test_dates_and_periods():
    assert fmt.date_vn(date(2026, 11, 27)) == "27/11/2026"
    assert fmt.date_vn(datetime(2026, 1, 5, 8, 30)) == "05/01/2026"
    assert fmt.date_vn(pd.Timestamp("2026-07-01")) == "01/07/2026"
    assert fmt.date_vn(None) == "–"
    assert fmt.period("2026-07") == "Tháng 7/2026"
    assert fmt.period("2026-Q3") == "Quý III/2026"
    assert fmt.period("2026-H1") == "6 tháng đầu năm 2026"
    assert fmt.period("2026") == "Năm 2026"
