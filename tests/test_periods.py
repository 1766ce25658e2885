"""etl/periods.py against DOMAIN.md's period table: texts, keys, labels, roll-ups."""
from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from etl.periods import (HALF, MONTH, QUARTER, YEAR, deadline, from_key, is_key,
                         parse_period_text, period_label, previous)

# Every example of DOMAIN.md's table, then variants of case, diacritics, spacing, zeros.
TEXTS = [
    ("Tháng 7/2026", "2026-07"),
    ("Tháng 07/2026", "2026-07"),
    ("tháng 7 năm 2026", "2026-07"),
    ("07/2026", "2026-07"),
    ("Quý III/2026", "2026-Q3"),
    ("Quý 3/2026", "2026-Q3"),
    ("Quý III năm 2026", "2026-Q3"),
    ("6 tháng đầu năm 2026", "2026-H1"),
    ("6 tháng cuối năm 2026", "2026-H2"),
    ("Năm 2026", "2026"),
    ("THÁNG 12/2026", "2026-12"),
    ("thang 1 nam 2027", "2027-01"),
    ("  Tháng   7 / 2026 ", "2026-07"),
    ("Tháng\n7/2026", "2026-07"),
    ("7/2026", "2026-07"),
    ("quy iv/2026", "2026-Q4"),
    ("QUY I NAM 2026", "2026-Q1"),
    ("Quý 2 năm 2026", "2026-Q2"),
    ("6 THANG DAU NAM 2026", "2026-H1"),
    ("nam 2026", "2026"),
    ("2026-07", "2026-07"),
    ("2026-q3", "2026-Q3"),
    ("2026-H2", "2026-H2"),
    ("2026", "2026"),
]

NOT_PERIODS = [None, "", "   ", "abc", "Tháng 13/2026", "Tháng 0/2026", "Quý V/2026",
               "Quý 0/2026", "Tháng 7", "6 tháng năm 2026", "2026-13", "2026-Q5"]


@pytest.mark.parametrize("text, key", TEXTS)
def test_text_names_its_key(text, key):
    assert parse_period_text(text) == key


@pytest.mark.parametrize("text, key", TEXTS)
def test_nfd_text_names_the_same_key(text, key):
    assert parse_period_text(unicodedata.normalize("NFD", text)) == key


@pytest.mark.parametrize("text", NOT_PERIODS)
def test_text_that_names_no_period(text):
    assert parse_period_text(text) is None


@pytest.mark.parametrize("key, start, end, grain", [
    ("2026-07", date(2026, 7, 1), date(2026, 7, 31), MONTH),
    ("2026-02", date(2026, 2, 1), date(2026, 2, 28), MONTH),
    ("2028-02", date(2028, 2, 1), date(2028, 2, 29), MONTH),
    ("2026-12", date(2026, 12, 1), date(2026, 12, 31), MONTH),
    ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30), QUARTER),
    ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31), QUARTER),
    ("2026-H1", date(2026, 1, 1), date(2026, 6, 30), HALF),
    ("2026-H2", date(2026, 7, 1), date(2026, 12, 31), HALF),
    ("2026", date(2026, 1, 1), date(2026, 12, 31), YEAR),
])
def test_from_key(key, start, end, grain):
    p = from_key(key)
    assert (p.key, p.start, p.end, p.grain) == (key, start, end, grain)


@pytest.mark.parametrize("key", ["2026-13", "2026-00", "2026-Q0", "2026-Q5", "2026-H3", "26",
                                 "Tháng 7/2026", ""])
def test_bad_key_raises(key):
    with pytest.raises(ValueError):
        from_key(key)
    assert not is_key(key)


def test_key_is_normalized():
    assert from_key(" 2026-q3 ").key == "2026-Q3"


@pytest.mark.parametrize("key, label", [
    ("2026-07", "Tháng 7/2026"),
    ("2026-01", "Tháng 1/2026"),
    ("2026-Q1", "Quý I/2026"),
    ("2026-Q3", "Quý III/2026"),
    ("2026-Q4", "Quý IV/2026"),
    ("2026-H1", "6 tháng đầu năm 2026"),
    ("2026-H2", "6 tháng cuối năm 2026"),
    ("2026", "Năm 2026"),
])
def test_label_and_round_trip(key, label):
    assert period_label(key) == label
    assert from_key(key).label == label
    assert parse_period_text(label) == key


@pytest.mark.parametrize("key, expected", [
    ("2026-07", "2026-06"),
    ("2026-01", "2025-12"),
    ("2026-Q3", "2026-Q2"),
    ("2026-Q1", "2025-Q4"),
    ("2026-H2", "2026-H1"),
    ("2026-H1", "2025-H2"),
    ("2026", "2025"),
])
def test_previous(key, expected):
    assert previous(key) == expected


@pytest.mark.parametrize("key, day, expected", [
    ("2026-07", 5, date(2026, 8, 5)),
    ("2026-12", 5, date(2027, 1, 5)),
    ("2026-Q3", 5, date(2026, 10, 5)),
    ("2026-Q3", 10, date(2026, 10, 10)),
    ("2026-H1", 5, date(2026, 7, 5)),
    ("2026", 5, date(2027, 1, 5)),
])
def test_deadline_is_a_day_of_the_month_after_the_period(key, day, expected):
    assert deadline(key, day) == expected


def test_deadline_default_day_is_five():
    assert deadline("2026-07") == date(2026, 8, 5)


def test_contains():
    assert from_key("2026").contains(from_key("2026-Q3"))
    assert from_key("2026-Q3").contains(from_key("2026-09"))
    assert not from_key("2026-Q3").contains(from_key("2026-06"))
    assert not from_key("2026-07").contains(from_key("2026-Q3"))
