"""Archive copies are written only for files that commit (etl.archive), and
`python -m etl archive-check` finds and repairs what a kill or an older version left.

A kill is a real one: a child process loads a file and `os._exit`s at the chosen moment
(inside the transaction, or between its commit and the rename)."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import hostile_files as hf
from etl import archive, history, load, usecases
from etl.store import Store
from etl.users import User

PROJECT_ROOT = hf.PROJECT_ROOT

KILLED_LOAD = textwrap.dedent("""
    import os, sys
    from etl import archive, load, usecases
    from etl.store import Store
    from etl.users import User

    db, path, moment = sys.argv[1:4]
    if moment == "in-transaction":        # the rows are written, COMMIT never comes
        write = load._write_batch
        load._write_batch = lambda *a: (write(*a), os._exit(9))
    else:                                 # committed, the copy not yet renamed
        archive.Staged.commit = lambda self: os._exit(9)
    store = Store.at(db)
    data = open(path, "rb").read()
    report = load.validate_bytes(data, os.path.basename(path))
    usecases.load_reports(store, User.system("kiemthu"), [(report, data)])
    os._exit(0)
""")


def kill_during_load(db_path, tmp_path, moment: str) -> None:
    path = tmp_path / "vpcn.xlsx"
    path.write_bytes(hf.good_xlsx())
    done = subprocess.run([sys.executable, "-c", KILLED_LOAD, str(db_path), str(path), moment],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    assert done.returncode == 9, done.stderr


def archive_files(db_path) -> list[str]:
    root = Store.at(db_path).archive_dir
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) \
        if root.exists() else []


def load_good(db_path, cell: str = "VPCN") -> load.FileReport:
    data = hf.good_xlsx(cell)
    report = load.validate_bytes(data, f"{cell}.xlsx")
    [outcome] = usecases.load_reports(Store.at(db_path), User.system("kiemthu"), [(report, data)])
    assert outcome.error is None
    return report


def age(path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


# -- written only for files that commit ----------------------------------------------------

def test_a_committed_file_is_archived_under_its_name(db_path):
    report = load_good(db_path)
    assert archive_files(db_path) == [archive.relative_path(report.sha256, "VPCN.xlsx")]


def test_a_failed_transaction_leaves_no_file(db_path, monkeypatch):
    load_good(db_path, "KHKH")
    before = archive_files(db_path)

    def broken(*args):
        raise RuntimeError("ổ đĩa đầy")
    monkeypatch.setattr(load, "_write_batch", broken)
    data = hf.good_xlsx()
    report = load.validate_bytes(data, "vpcn.xlsx")
    [outcome] = usecases.load_reports(Store.at(db_path), User.system("kiemthu"), [(report, data)])
    assert outcome.error and "không có gì thay đổi" in outcome.error
    assert archive_files(db_path) == before


def test_an_unchanged_file_adds_no_copy(db_path):
    load_good(db_path)
    data = hf.good_xlsx()
    report = load.validate_bytes(data, "ten-khac.xlsx")   # same bytes, another name
    usecases.load_reports(Store.at(db_path), User.system("kiemthu"), [(report, data)])
    assert len(archive_files(db_path)) == 1


def test_a_kill_inside_the_transaction_leaves_only_a_pending_copy(db_path, tmp_path, query):
    kill_during_load(db_path, tmp_path, "in-transaction")
    assert query(db_path, "SELECT count(*) FROM submissions") == [(0,)]
    [left] = archive_files(db_path)
    assert left.endswith(".pending")        # nothing that looks like an original


def test_a_kill_between_commit_and_rename_loses_nothing(db_path, tmp_path, run_cli):
    kill_during_load(db_path, tmp_path, "after-commit")
    store = Store.at(db_path)
    name, data = history.original_bytes(store, 1)      # served from the pending copy
    assert (name, data) == ("vpcn.xlsx", hf.good_xlsx())
    checked = run_cli("archive-check", "--db", db_path)
    assert checked.returncode == 1
    assert "Tệp đã nạp nhưng chưa đổi tên xong: 1 (sẽ hoàn tất)" in checked.stdout
    fixed = run_cli("archive-check", "--db", db_path, "--fix")
    assert fixed.returncode == 0 and "(đã hoàn tất)" in fixed.stdout, fixed.stdout
    assert archive_files(db_path) == [archive.relative_path(
        load.validate_bytes(data, "x.xlsx").sha256, "vpcn.xlsx")]
    assert run_cli("archive-check", "--db", db_path).stdout.endswith("Không có gì cần sửa.\n")


# -- the check finds and removes orphans --------------------------------------------------------

def test_orphans_are_listed_then_removed_with_fix(db_path, run_cli):
    report = load_good(db_path)
    root = Store.at(db_path).archive_dir
    orphan = root / "ab" / ("ab" + "0" * 62) / "bi-bo-lai.xlsx"      # what an old version left
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"du lieu cu")
    stale = root / "cd" / ("cd" + "1" * 62) / f"tam.xlsx.{'2' * 16}.pending"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"dang do")
    fresh = stale.with_name(f"moi.xlsx.{'3' * 16}.pending")   # a load in progress: untouched
    fresh.write_bytes(b"dang nap")
    age(stale, 2 * archive.STALE_PENDING_SECONDS)

    dry = run_cli("archive-check", "--db", db_path)
    assert dry.returncode == 1
    assert "Tệp không thuộc báo cáo nào: 1 (sẽ xóa)" in dry.stdout and str(orphan) in dry.stdout
    assert "Tệp tạm bị bỏ lại: 1 (sẽ xóa)" in dry.stdout and str(stale) in dry.stdout
    assert "Chạy thử: chưa thay đổi gì. Thêm --fix để sửa." in dry.stdout
    assert orphan.exists() and stale.exists()

    fixed = run_cli("archive-check", "--db", db_path, "--fix")
    assert fixed.returncode == 0, fixed.stdout
    assert not orphan.exists() and not orphan.parent.exists() and not stale.exists()
    assert fresh.exists()
    kept = archive.relative_path(report.sha256, "VPCN.xlsx")
    assert sorted(archive_files(db_path)) == sorted([kept, fresh.relative_to(root).as_posix()])


def test_a_missing_original_is_reported_and_not_hidden(db_path, run_cli):
    report = load_good(db_path)
    (Store.at(db_path).archive_dir / archive.relative_path(report.sha256, "VPCN.xlsx")).unlink()
    for args in ([], ["--fix"]):
        result = run_cli("archive-check", "--db", db_path, *args)
        assert result.returncode == 1
        assert "LỖI: thiếu tệp gốc của 1 báo cáo" in result.stdout
