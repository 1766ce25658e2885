"""The schema's contracts, in SQL: the CHECK lists hold exactly the vocabulary's codes,
the progress_rows columns are the field table's, and the roll-up macro period_bucket
(migration 003) puts each report in the periods that wholly contain it."""
from __future__ import annotations

import re

import pytest

from etl import periods as P
from etl.fields import VALUE_FIELDS
from etl.store import migration_files
from etl.vocab import ACCOUNT_ROLES, Role, Status, SubmissionState

SCHEMA_SQL = "\n".join(f.read_text(encoding="utf-8") for _, f in migration_files())


def check_list(column: str) -> set[str]:
    """The codes of `CHECK (column IN ('a', 'b', ...))` in the migrations."""
    match = re.search(rf"CHECK \({column} IN \(([^)]*)\)\)", SCHEMA_SQL)
    assert match, f"no CHECK list for {column}"
    return set(re.findall(r"'([^']*)'", match[1]))


@pytest.mark.parametrize("column, codes", [
    ("status", Status.codes()),
    ("state", SubmissionState.codes()),
    ("role", Role.codes()),
])
def test_check_lists_are_the_vocabulary(column, codes):
    assert check_list(column) == set(codes)


def test_the_users_role_check_is_the_account_roles():
    match = re.search(r"role\s+VARCHAR NOT NULL CHECK \(role IN \(([^)]*)\)\)",
                      SCHEMA_SQL.split("CREATE TABLE users")[1])
    assert set(re.findall(r"'([^']*)'", match[1])) == {r.value for r in ACCOUNT_ROLES}


def test_progress_rows_columns_are_the_field_tables(store):
    store.ensure()
    with store.read() as con:
        columns = con.execute("SELECT column_name, data_type FROM information_schema.columns "
                              "WHERE table_name = 'progress_rows' ORDER BY ordinal_position").fetchall()
    stored = [(name, kind) for name, kind in columns
              if name not in ("submission_id", "task_code", "excel_row")]
    assert stored == [(f.key, f.sql_type) for f in VALUE_FIELDS]


@pytest.mark.parametrize("key, grain, expected", [
    ("2026-07", "month", "2026-07"),
    ("2026-07", "quarter", "2026-Q3"),
    ("2026-06", "quarter", "2026-Q2"),
    ("2026-07", "half", "2026-H2"),
    ("2026-06", "half", "2026-H1"),
    ("2026-07", "year", "2026"),
    ("2026-Q2", "half", "2026-H1"),
    ("2026-Q3", "year", "2026"),
    ("2026-H2", "year", "2026"),
    ("2026-Q4", "quarter", "2026-Q4"),
    ("2026-12", "quarter", "2026-Q4"),
    # a bigger report has no smaller bucket: a quarter is no month
    ("2026-Q3", "month", None),
    ("2026-H1", "quarter", None),
    ("2026", "half", None),
    ("2026", "month", None),
])
def test_period_bucket_puts_a_report_in_the_periods_that_hold_it(store, key, grain, expected):
    store.ensure()
    p = P.from_key(key)
    with store.read() as con:
        bucket = con.execute("SELECT period_bucket(?, ?, ?, ?)",
                             [grain, p.grain, p.start, p.end]).fetchone()[0]
    assert bucket == expected
    if expected:
        assert P.from_key(expected).contains(p)
