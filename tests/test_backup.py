"""Backup while a load runs, restore into an empty place, and refusals (etl.backup,
etl.usecases.backup / restore_backup, `python -m etl backup|restore`)."""
from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from etl import usecases
from etl.backup import MANIFEST, BackupError
from etl.store import Store
from etl.users import User
from etl.vocab import AuditAction, UserRole
from ops_support import (V_PROGRESS_ORDER, catalog_from, cli, cli_background, real_report_csv,
                         rows, table)

CELLS = ("VPCN", "KHKH", "TTKHCN", "CDS")
YEARS = range(1990, 2026)          # 4 cells x 12 months x 36 years = 1,728 reports
FIRST_YEAR = YEARS[0]              # the test's plan starts then (the real one: 2026)
SYSTEM = User.system("kiem-thu")


def _write_reports(folder: Path) -> list[Path]:
    folder.mkdir()
    paths = []
    for year in YEARS:
        for month in range(1, 13):
            for cell in CELLS:
                path = folder / f"{year}-{month:02d}_{cell}.csv"
                path.write_bytes(real_report_csv(cell, month, year))
                paths.append(path)
    return paths


def _count(store: Store) -> int:
    return rows(store, "SELECT count(*) FROM submissions")[0][0]


def _wait_for_first_commit(store: Store, load) -> None:
    """Until the load has committed something (the backup must come during the load)."""
    deadline = time.monotonic() + 120
    while _count(store) == 0:
        assert load.poll() is None, f"the load ended before committing: {load.communicate()}"
        assert time.monotonic() < deadline, "the load committed nothing in 120 s"
        time.sleep(0.05)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_backup_during_a_cli_load_restores_the_same_v_progress(tmp_path):
    files = _write_reports(tmp_path / "reports")
    env = catalog_from(FIRST_YEAR, tmp_path)
    live = Store.at(tmp_path / "live" / "progress.duckdb")
    assert cli("init", "--db", live.path, env=env).returncode == 0
    load = cli_background("load", "--quiet", "--db", live.path, *files, env=env)
    try:
        _wait_for_first_commit(live, load)
        backup = cli("backup", tmp_path / "sao-luu.tar.gz", "--db", live.path, env=env)
        assert backup.returncode == 0, backup.stderr
        out, err = load.communicate(timeout=600)
    finally:
        load.kill()
    assert load.returncode == 0, out[-2000:] + err[-2000:]
    assert "Đã sao lưu vào" in backup.stdout

    restored = Store.at(tmp_path / "restored" / "progress.duckdb")
    result = cli("restore", tmp_path / "sao-luu.tar.gz", "--db", restored.path, env=env)
    assert result.returncode == 0, result.stderr
    assert "mọi mã kiểm tra sha256 đều khớp" in result.stdout

    # Taken during the load: part of it, in whole transactions.
    taken = _count(restored)
    assert 0 < taken < len(files), f"the backup saw {taken} of {len(files)} reports"
    assert rows(restored, "SELECT count(*) FROM submissions s WHERE row_count <> "
                          "(SELECT count(*) FROM progress_rows r WHERE r.submission_id = s.submission_id)"
                ) == [(0,)]
    # The same v_progress as the live database had for those reports (every row, every column).
    ids = [r[0] for r in rows(restored, "SELECT submission_id FROM submissions")]
    restored_view = table(restored, "v_progress", V_PROGRESS_ORDER)
    live_view = rows(live, f"SELECT * FROM v_progress WHERE list_contains(?, submission_id) "
                           f"ORDER BY {V_PROGRESS_ORDER}", [ids])
    assert restored_view == live_view and len(restored_view) > 0
    # Every archived original back, byte for byte.
    for archive_path, sha256 in rows(restored, "SELECT archive_path, sha256 FROM submissions"):
        original = restored.archive_dir / archive_path
        assert original.is_file(), archive_path
        assert _sha256(original) == sha256
    # Both operations are in the audit trail: the backup in the live database, the
    # restore in the restored one.
    assert rows(live, "SELECT count(*) FROM audit_log WHERE action = ?", [AuditAction.BACKUP]) == [(1,)]
    assert rows(restored, "SELECT username FROM audit_log WHERE action = ?",
                [AuditAction.RESTORE_BACKUP]) == [("cli:" + _login(),)]


def _login() -> str:
    from etl.load import login_name
    return login_name()


@pytest.fixture
def backed_up(tmp_path) -> tuple[Store, Path]:
    """A database with three real reports, and a backup of it."""
    store = Store.at(tmp_path / "live" / "progress.duckdb")
    reports = tmp_path / "reports"
    reports.mkdir()
    checked = []
    for month in (7, 8, 9):
        path = reports / f"2026-{month:02d}_VPCN.csv"
        path.write_bytes(real_report_csv("VPCN", month, 2026))
        checked.append(usecases.check_path(store, SYSTEM, path))
    usecases.load_reports(store, SYSTEM, checked)
    archive = usecases.backup(store, SYSTEM, tmp_path / "backup.tar.gz").path
    return store, archive


def test_restore_into_an_empty_place_round_trips(backed_up, tmp_path):
    store, archive = backed_up
    target = Store.at(tmp_path / "empty" / "progress.duckdb")
    result = usecases.restore_backup(target, SYSTEM, archive)
    assert result.counts["submissions"] == 3 and result.originals == 3
    assert table(target, "v_progress", V_PROGRESS_ORDER) == table(store, "v_progress", V_PROGRESS_ORDER)
    assert table(target, "submissions", "submission_id") == table(store, "submissions", "submission_id")
    assert result.catalog_copy is None
    assert [p.name for p in target.path.parent.iterdir() if p.name.startswith(".")] == []


def _rewrite(archive: Path, out: Path, change) -> Path:
    """A copy of `archive` with `change(name, data) -> data | None` applied to each member
    (None drops it); extra members come from change("", b"") as a dict."""
    with tarfile.open(archive, "r:gz") as src, tarfile.open(out, "w:gz") as dst:
        for member in src.getmembers():
            data = change(member.name, src.extractfile(member).read())
            if data is not None:
                _add(dst, member.name, data)
        for name, data in (change("", b"") or {}).items():
            _add(dst, name, data)
    return out


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def _tamper_original(name: str, data: bytes):
    if name == "":
        return None
    return data + b"\n" if name.startswith("originals/") and name.endswith(".csv") else data


def _tamper_database(name: str, data: bytes):
    if name == "":
        return None
    return data[:-1] + bytes([data[-1] ^ 1]) if name.startswith("database/") else data


def _extra_member(name: str, data: bytes):
    return {"originals/../../ngoai.txt": b"x"} if name == "" else data


def _drop_an_original(name: str, data: bytes):
    if name == "":
        return None
    return None if name.startswith("originals/") and name.endswith("2026-08_VPCN.csv") else data


def _path_outside_in_the_manifest(name: str, data: bytes):
    """A manifest (checksums and all) that sends an original outside the data folder."""
    if name != MANIFEST:
        return None if name == "" else data
    manifest = json.loads(data)
    manifest["originals"][0]["path"] = "../../ngoai.txt"
    return json.dumps(manifest).encode()


@pytest.mark.parametrize("change, message", [
    (_path_outside_in_the_manifest, "đường dẫn không hợp lệ"),
    (_tamper_original, "không khớp mã kiểm tra sha256"),
    (_tamper_database, "không khớp mã kiểm tra sha256"),
    (_extra_member, "mục lạ"),
    (_drop_an_original, "thiếu 1 mục"),
])
def test_a_tampered_archive_is_refused_and_nothing_is_restored(backed_up, tmp_path, change, message):
    _, archive = backed_up
    bad = _rewrite(archive, tmp_path / "bad.tar.gz", change)
    target = Store.at(tmp_path / "empty" / "progress.duckdb")
    with pytest.raises(BackupError, match=message):
        usecases.restore_backup(target, SYSTEM, bad)
    assert list(target.path.parent.iterdir()) == []
    assert not (tmp_path / "ngoai.txt").exists()


def test_a_file_that_is_not_a_backup_is_refused(tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tar file")
    with pytest.raises(BackupError, match="Không đọc được tệp sao lưu"):
        usecases.restore_backup(Store.at(tmp_path / "empty" / "progress.duckdb"), SYSTEM, junk)


def test_the_manifest_lists_checksums_and_counts(backed_up):
    store, archive = backed_up
    with tarfile.open(archive, "r:gz") as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile(MANIFEST).read())
        db_bytes = tar.extractfile(manifest["database"]["member"]).read()
    assert names[0] == MANIFEST
    assert hashlib.sha256(db_bytes).hexdigest() == manifest["database"]["sha256"]
    assert manifest["counts"]["submissions"] == 3 and manifest["counts"]["v_progress"] > 0
    assert {o["sha256"] for o in manifest["originals"]} == {
        r[0] for r in rows(store, "SELECT sha256 FROM submissions")}
    assert archive.stat().st_mode & 0o077 == 0          # it holds password hashes


def test_restoring_over_existing_data_is_refused(backed_up, tmp_path):
    store, archive = backed_up
    before = table(store, "submissions", "submission_id")
    result = cli("restore", archive, "--db", store.path)
    assert result.returncode == 1
    assert "Nơi khôi phục không trống" in result.stderr
    assert table(store, "submissions", "submission_id") == before
    # Archived originals alone are data too.
    other = Store.at(tmp_path / "other" / "progress.duckdb")
    (other.archive_dir / "ab").mkdir(parents=True)
    with pytest.raises(BackupError, match="Nơi khôi phục không trống"):
        usecases.restore_backup(other, SYSTEM, archive)
    assert not other.path.exists()


def test_backup_refuses_to_overwrite_and_needs_a_database(backed_up, tmp_path):
    store, archive = backed_up
    with pytest.raises(BackupError, match="đã có"):
        usecases.backup(store, SYSTEM, archive)
    with pytest.raises(BackupError, match="Chưa có cơ sở dữ liệu"):
        usecases.backup(Store.at(tmp_path / "none" / "progress.duckdb"), SYSTEM, tmp_path / "x.tar.gz")
    named = usecases.backup(store, SYSTEM, tmp_path).path       # a folder: a dated name in it
    assert named.parent == tmp_path and named.name.startswith("sao-luu-")


def test_only_the_administrator_and_the_command_line_may_back_up(backed_up, tmp_path):
    store, _ = backed_up
    admin = User("quantri", "Quản trị", UserRole.ADMIN)
    assert usecases.backup(store, admin, tmp_path / "a.tar.gz").path.exists()
    for role in (UserRole.LEADERSHIP, UserRole.OFFICE, UserRole.CELL):
        with pytest.raises(usecases.PermissionDenied):
            usecases.backup(store, User("ai-do", "Ai đó", role, "CDS"), tmp_path / f"{role}.tar.gz")
        assert not (tmp_path / f"{role}.tar.gz").exists()


def test_what_a_killed_writer_left_in_the_write_ahead_log_is_in_the_backup(backed_up, tmp_path):
    """A process that died before its checkpoint leaves committed rows only in the .wal:
    the backup must hold them (it checkpoints under the write connection first)."""
    store, _ = backed_up
    script = ("import duckdb, os, sys\n"
              "con = duckdb.connect(sys.argv[1])\n"
              "con.execute(\"INSERT INTO audit_log (acted_at, username, action) "
              "VALUES (now(), 'truoc-khi-chet', 'export')\")\n"
              "os._exit(0)\n")
    subprocess.run([sys.executable, "-c", script, str(store.path)], check=True, timeout=60)
    assert store.path.with_name(store.path.name + ".wal").stat().st_size > 0
    archive = usecases.backup(store, SYSTEM, tmp_path / "after-crash.tar.gz").path
    target = Store.at(tmp_path / "empty" / "progress.duckdb")
    usecases.restore_backup(target, SYSTEM, archive)
    assert rows(target, "SELECT count(*) FROM audit_log WHERE username = 'truoc-khi-chet'") == [(1,)]
