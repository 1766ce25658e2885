"""The store under load: a batch that fails falls back to one file at a time, a locked
database says it is busy (and changes nothing), and the CLI stores in batches."""
from __future__ import annotations

import dataclasses
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import build_fixtures as bf
from etl import cli, usecases
from etl.load import validate_bytes
from etl.settings import Settings
from etl.store import DatabaseBusy, Store
from etl.users import User

PROJECT_ROOT = Path(__file__).resolve().parent.parent
OPERATOR = User.system("kiem-thu")


def checked(data: bytes, name: str):
    report = validate_bytes(data, name)
    assert report.ok, [p.as_text() for p in report.problems]
    return report, data


def poisoned(data: bytes, name: str):
    """A file the checks passed whose row the database refuses (a CHECK constraint): what a
    loader bug would look like at the store."""
    report, data = checked(data, name)
    sheet = report.sheets[0]
    sheet.rows[0] = dataclasses.replace(sheet.rows[0], completion_pct=150.0)
    return report, data


def test_a_failing_batch_is_retried_file_by_file_and_only_the_bad_file_is_lost(store, db_path,
                                                                                 query):
    july = checked(bf.xlsx(bf.report()), "vpcn-thang-7.xlsx")
    bad = poisoned(bf.xlsx(bf.report(cell="CDS", rows=bf.filled_rows("CDS"))), "cds-thang-7.xlsx")
    august = checked(bf.xlsx(bf.report(period="Tháng 8/2026")), "vpcn-thang-8.xlsx")

    outcomes = usecases.load_reports(store, OPERATOR, [july, bad, august])

    assert [o.file_name for o in outcomes] == ["vpcn-thang-7.xlsx", "cds-thang-7.xlsx",
                                               "vpcn-thang-8.xlsx"]
    assert [bool(o.error) for o in outcomes] == [False, True, False]
    assert "không có gì thay đổi" in outcomes[1].error
    assert query(db_path, "SELECT cell_code, period FROM submissions ORDER BY 1, 2") == [
        ("VPCN", "2026-07"), ("VPCN", "2026-08")]
    assert query(db_path, "SELECT target FROM audit_log ORDER BY audit_id") == [
        ("vpcn-thang-7.xlsx",), ("vpcn-thang-8.xlsx",)]


HOLDER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, sys.argv[2])
    from etl.store import Store
    with Store.at(sys.argv[1]).write():
        print("holding", flush=True)
        time.sleep(float(sys.argv[3]))
""")


@pytest.fixture
def locked(store, db_path):
    """Another process holds the database's write lock for a few seconds."""
    store.ensure()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db_path), str(PROJECT_ROOT), "8"],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "holding"
    yield db_path
    holder.kill()
    holder.wait()


def test_a_locked_database_is_busy_for_readers_and_writers_and_nothing_changes(locked, query):
    impatient = Store(Settings.from_env(db_path=locked, lock_wait_seconds=0.5))
    started = time.monotonic()
    with pytest.raises(DatabaseBusy, match="đang bận"):
        with impatient.read():
            pass
    assert time.monotonic() - started < 5
    with pytest.raises(DatabaseBusy, match="Vui lòng thử lại"):
        usecases.load_reports(impatient, OPERATOR, [checked(bf.xlsx(bf.report()), "a.xlsx")])


def test_the_cli_says_the_database_is_busy_and_exits_1(locked, run_cli, tmp_path, query):
    path = tmp_path / "a.xlsx"
    path.write_bytes(bf.xlsx(bf.report()))
    result = run_cli("load", "--db", locked, path, env={"PROGRESS_DB_LOCK_WAIT": "0.5"})
    assert result.returncode == 1
    assert "đang bận" in result.stdout


def test_cli_chunks_hold_at_most_the_batch_size(tmp_path):
    files = []
    for i in range(5):
        files.append(tmp_path / f"{i}.xlsx")
        files[-1].write_bytes(b"x" * 10)
    assert [len(c) for c in cli._chunks([str(f) for f in files], max_files=2)] == [2, 2, 1]
    assert [len(c) for c in cli._chunks([str(f) for f in files], max_bytes=25)] == [2, 2, 1]
    assert [len(c) for c in cli._chunks(["thieu.xlsx"])] == [1]   # a missing file is its own


def test_the_cli_loads_many_files_in_one_call_and_reports_each(fixtures_dir, db_path, run_cli,
                                                                 query):
    names = ["good-canonical.xlsx", "bad-percent-150.xlsx", "several-sheets.xlsx"]
    result = run_cli("load", "--db", db_path, *[fixtures_dir / n for n in names])
    assert result.returncode == 1
    assert "Tổng: 2/3 tệp đã nạp, 1 tệp bị từ chối." in result.stdout
    loaded = {name for (name,) in query(db_path, "SELECT DISTINCT file_name FROM submissions")}
    assert loaded == {"good-canonical.xlsx", "several-sheets.xlsx"}
    assert len(query(db_path, "SELECT * FROM audit_log WHERE action = 'load'")) == 2
