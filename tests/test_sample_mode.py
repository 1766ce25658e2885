"""Sample data as a mode: load the samples, remove them, load them back, on a real
database beside real reports and accounts (etl.usecases.load_samples / remove_samples,
`python -m etl samples load|remove`)."""
from __future__ import annotations

from pathlib import Path

import pytest

from etl import usecases
from etl.sample_data import sample_files
from etl.store import Store
from etl.users import User
from etl.vocab import AuditAction, UserRole
from ops_support import V_PROGRESS_ORDER, cli, real_report_csv, rows, table

SYSTEM = User.system("kiem-thu")
PASSWORD = "mat-khau-2026-manh"
SAMPLE_FILES = sample_files()


def _load_real(store: Store, tmp_path: Path, cell: str, month: int, year: int = 2026) -> int:
    path = tmp_path / f"that-{cell}-{year}-{month:02d}.csv"
    path.write_bytes(real_report_csv(cell, month, year))
    (outcome,) = usecases.load_reports(store, SYSTEM, [usecases.check_path(store, SYSTEM, path)])
    assert outcome.error is None and outcome.changed
    return outcome.items[0].submission_id


def _sample_rows(store: Store) -> int:
    return rows(store, "SELECT count(*) FROM v_progress v JOIN submissions s USING (submission_id) "
                       "WHERE s.is_sample")[0][0]


def _without_ids(view: list[tuple]) -> list[tuple]:
    """v_progress rows without submission_id and loaded_at, which a reload renews."""
    return sorted(r[:12] + r[13:18] + r[19:] for r in view)


@pytest.fixture
def mixed(tmp_path):
    """Samples, accounts, a real report of its own period and a real report that
    replaced a sample (VPCN 2026-11)."""
    store = Store.at(tmp_path / "progress.duckdb")
    usecases.create_first_admin(store, "quantri", "Quản trị viên", PASSWORD)
    admin = User("quantri", "Quản trị viên", UserRole.ADMIN)
    usecases.add_user(store, admin, "vanphong", "Văn phòng", UserRole.OFFICE, PASSWORD)
    loaded = usecases.load_samples(store, admin)
    assert loaded.skipped == [] and sum(o.changed for o in loaded.outcomes) == len(SAMPLE_FILES)
    own = _load_real(store, tmp_path, "KHKH", 12)
    over_sample = _load_real(store, tmp_path, "VPCN", 11)
    return store, own, over_sample


def test_removing_samples_leaves_real_reports_accounts_and_audit_intact(mixed):
    store, own, over_sample = mixed
    assert _sample_rows(store) > 0
    real_ids = [own, over_sample]
    real_view = rows(store, f"SELECT * FROM v_progress WHERE list_contains(?, submission_id) "
                            f"ORDER BY {V_PROGRESS_ORDER}", [real_ids])
    users_before = table(store, "users", "user_id")
    audit_before = table(store, "audit_log", "audit_id")
    real_originals = [store.archive_dir / p for (p,) in rows(
        store, "SELECT archive_path FROM submissions WHERE NOT is_sample")]
    sample_originals = {store.archive_dir / p for (p,) in rows(
        store, "SELECT archive_path FROM submissions WHERE is_sample")}

    removed = usecases.remove_samples(store, SYSTEM)

    assert len(removed.submission_ids) == len(SAMPLE_FILES)
    assert _sample_rows(store) == 0
    assert rows(store, "SELECT count(*) FROM submissions WHERE is_sample") == [(0,)]
    assert rows(store, "SELECT count(*) FROM progress_rows WHERE NOT list_contains(?, submission_id)",
                [real_ids]) == [(0,)]
    assert rows(store, "SELECT count(*) FROM submission_events WHERE NOT list_contains(?, submission_id)",
                [real_ids]) == [(0,)]
    assert table(store, "v_progress", V_PROGRESS_ORDER) == real_view
    assert table(store, "users", "user_id") == users_before
    audit_after = table(store, "audit_log", "audit_id")
    assert audit_after[:len(audit_before)] == audit_before
    assert [(r[2], r[3]) for r in audit_after[len(audit_before):]] == [
        ("cli:kiem-thu", AuditAction.SAMPLES_REMOVE)]
    assert all(p.is_file() for p in real_originals)
    assert not any(p.exists() for p in sample_originals)
    # The real report that had replaced a sample no longer points at it.
    assert rows(store, "SELECT replaces_id, state FROM submissions WHERE submission_id = ?",
                [over_sample]) == [(None, "current")]


def test_loading_samples_again_brings_them_back_beside_the_real_reports(mixed):
    store, _, _ = mixed
    view_before = table(store, "v_progress", V_PROGRESS_ORDER)
    usecases.remove_samples(store, SYSTEM)

    again = usecases.load_samples(store, SYSTEM)

    # Every sample but the one whose cell and period now holds a real report.
    assert [name for name, _ in again.skipped] == ["2026-11_VPCN.xlsx"]
    assert _without_ids(table(store, "v_progress", V_PROGRESS_ORDER)) == _without_ids(view_before)
    assert rows(store, "SELECT count(*) FROM submissions WHERE is_sample AND cell_code = 'VPCN' "
                       "AND period = '2026-11'") == [(0,)]
    # Loading twice adds nothing (the re-sent CDS report would otherwise supersede its correction).
    view = table(store, "v_progress", V_PROGRESS_ORDER)
    twice = usecases.load_samples(store, SYSTEM)
    assert twice.already_loaded == len(SAMPLE_FILES) - 1 and not any(o.changed for o in twice.outcomes)
    assert table(store, "v_progress", V_PROGRESS_ORDER) == view


def test_a_real_report_a_sample_had_displaced_is_current_again(tmp_path):
    """A database from before samples stayed out of real reports' way: a sample loaded
    over a real report. Removing the samples brings the real report back."""
    store = Store.at(tmp_path / "progress.duckdb")
    real_id = _load_real(store, tmp_path, "CDS", 6)
    sample = next(p for p in SAMPLE_FILES if p.name == "2026-06_CDS.xlsx")
    usecases.load_reports(store, SYSTEM, [usecases.check_path(store, SYSTEM, sample)])
    assert rows(store, "SELECT state FROM submissions WHERE submission_id = ?", [real_id]) == [("superseded",)]

    removed = usecases.remove_samples(store, SYSTEM)

    assert removed.reinstated == (real_id,)
    assert rows(store, "SELECT DISTINCT submission_id FROM v_progress") == [(real_id,)]


def test_who_may_load_and_remove_samples(tmp_path):
    store = Store.at(tmp_path / "progress.duckdb")
    for role in (UserRole.LEADERSHIP, UserRole.CELL):
        someone = User("ai-do", "Ai đó", role, "CDS")
        with pytest.raises(usecases.PermissionDenied):
            usecases.load_samples(store, someone)
        with pytest.raises(usecases.PermissionDenied):
            usecases.remove_samples(store, someone)
    assert not store.exists()
    office = User("vanphong", "Văn phòng", UserRole.OFFICE)
    assert sum(o.changed for o in usecases.load_samples(store, office).outcomes) == len(SAMPLE_FILES)
    assert rows(store, "SELECT DISTINCT loaded_by FROM submissions") == [("vanphong",)]


def test_only_marked_sample_files_load_as_samples(tmp_path):
    folder = tmp_path / "samples"
    folder.mkdir()
    (folder / "2026-07_VPCN.xlsx").write_bytes(SAMPLE_FILES[0].read_bytes())
    (folder / "that.xlsx").write_bytes(real_report_csv("VPCN", 7, 2026))   # not even xlsx
    store = Store.at(tmp_path / "progress.duckdb")
    loaded = usecases.load_samples(store, SYSTEM, folder)
    assert [name for name, _ in loaded.skipped] == ["that.xlsx"]
    assert rows(store, "SELECT bool_and(is_sample), count(*) FROM submissions") == [(True, 1)]


def test_the_command_line_removes_and_loads_samples(tmp_path):
    db = tmp_path / "progress.duckdb"
    loaded = cli("samples", "load", "--db", db)
    assert loaded.returncode == 0, loaded.stderr
    assert f"Đã nạp {len(SAMPLE_FILES)} tệp mẫu" in loaded.stdout
    removed = cli("samples", "remove", "--db", db)
    assert removed.returncode == 0, removed.stderr
    assert f"Đã gỡ {len(SAMPLE_FILES)} báo cáo mẫu" in removed.stdout
    store = Store.at(db)
    assert rows(store, "SELECT count(*) FROM submissions") == [(0,)]
    assert [r[0] for r in rows(store, "SELECT action FROM audit_log ORDER BY audit_id")][-1] == \
        AuditAction.SAMPLES_REMOVE
