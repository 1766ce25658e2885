"""What loading does to the database: supersede, no-op on identical bytes, archive,
dry run, all-or-nothing, cell and period from the command line, db path precedence,
and the CLI's exit codes."""
from __future__ import annotations

import hashlib

import pytest

from etl.store import Store

TABLES = ("submissions", "progress_rows", "submission_events")


def load(run_cli, db_path, *paths, expect=0, **kwargs):
    result = run_cli("load", "--db", db_path, *paths, **kwargs)
    assert result.returncode == expect, result.stdout + result.stderr
    return result.stdout


def snapshot(query, db_path) -> dict[str, list[tuple]]:
    """Full contents of the raw tables and the view, for before/after comparisons."""
    tables = {t: query(db_path, f"SELECT * FROM {t} ORDER BY ALL") for t in TABLES}
    tables["v_progress"] = query(db_path, "SELECT * FROM v_progress ORDER BY ALL")
    return tables


def archived_files(db_path) -> list:
    folder = Store.at(db_path).archive_dir
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_resubmission_supersedes(fixtures_dir, db_path, run_cli, query):
    load(run_cli, db_path, fixtures_dir / "good-canonical.xlsx")
    # the same cell and period with new figures (participants 1.234 on NV1.1)
    load(run_cli, db_path, fixtures_dir / "counts-dot-thousands.xlsx")
    subs = query(db_path, "SELECT submission_id, file_name, state, replaces_id FROM submissions "
                          "ORDER BY submission_id")
    (old_id, old_name, old_state, _), (new_id, new_name, new_state, replaces) = subs
    assert (old_name, old_state) == ("good-canonical.xlsx", "superseded")
    assert (new_name, new_state, replaces) == ("counts-dot-thousands.xlsx", "current", old_id)
    assert query(db_path, "SELECT DISTINCT submission_id FROM v_progress") == [(new_id,)]
    assert query(db_path, "SELECT participants FROM v_progress WHERE task_code = 'NV1.1'") == [
        (1234,)]
    # the superseded rows are kept, not deleted
    assert query(db_path, "SELECT count(*) FROM progress_rows WHERE submission_id = ?",
                 [old_id]) == [(5,)]
    actions = query(db_path, "SELECT submission_id, action FROM submission_events "
                             "WHERE action = 'superseded'")
    assert actions == [(old_id, "superseded")]


def test_identical_reload_changes_nothing(fixtures_dir, db_path, run_cli, query):
    path = fixtures_dir / "good-canonical.xlsx"
    load(run_cli, db_path, path)
    before = snapshot(query, db_path)
    out = load(run_cli, db_path, path)
    assert "không thay đổi" in out
    assert snapshot(query, db_path) == before
    assert query(db_path, "SELECT count(*) FROM submissions") == [(1,)]


def test_original_is_archived_with_its_sha256(fixtures_dir, db_path, run_cli, query):
    path = fixtures_dir / "good-canonical.xlsx"
    load(run_cli, db_path, path)
    digest = sha256(path)
    (stored_sha, archive_path), = query(db_path, "SELECT sha256, archive_path FROM submissions")
    assert stored_sha == digest
    kept = Store.at(db_path).archive_dir / archive_path
    assert kept.is_file() and sha256(kept) == digest
    assert archived_files(db_path) == [kept]


def test_dry_run_writes_nothing(fixtures_dir, db_path, run_cli, query):
    load(run_cli, db_path, "--dry-run", fixtures_dir / "good-canonical.xlsx")
    if db_path.exists():
        assert query(db_path, "SELECT count(*) FROM submissions") == [(0,)]
    assert archived_files(db_path) == []
    load(run_cli, db_path, "--dry-run", fixtures_dir / "bad-percent-150.xlsx", expect=1)


def test_dry_run_on_a_loaded_database_changes_nothing(fixtures_dir, db_path, run_cli, query):
    load(run_cli, db_path, fixtures_dir / "good-canonical.xlsx")
    before = snapshot(query, db_path), archived_files(db_path)
    load(run_cli, db_path, "--dry-run", fixtures_dir / "counts-dot-thousands.xlsx")
    assert (snapshot(query, db_path), archived_files(db_path)) == before


def test_failed_load_leaves_database_unchanged(fixtures_dir, db_path, run_cli, query):
    load(run_cli, db_path, fixtures_dir / "good-canonical.xlsx")
    before = snapshot(query, db_path), archived_files(db_path)
    load(run_cli, db_path, fixtures_dir / "bad-many-errors.xlsx",
         fixtures_dir / "bad-encrypted.xlsx", fixtures_dir / "bad-truncated.xlsx", expect=1)
    assert (snapshot(query, db_path), archived_files(db_path)) == before


def test_cell_and_period_from_the_command_line(fixtures_dir, db_path, run_cli, query):
    path = fixtures_dir / "no-cell-no-period.xlsx"
    out = load(run_cli, db_path, path, expect=1)
    lines = [line for line in out.splitlines() if "LỖI: no-cell-no-period.xlsx" in line]
    text = " ".join(lines).lower()
    assert "chi bộ" in text and "kỳ báo cáo" in text, out
    load(run_cli, db_path, "--cell", "KHKH", "--period", "2026-07", path)
    got = query(db_path, "SELECT DISTINCT cell_code, period FROM v_progress")
    assert got == [("KHKH", "2026-07")]
    assert query(db_path, "SELECT count(*) FROM v_progress") == [(8,)]


# option, the header line it contradicts (row 5 `Chi bộ:`, row 6 `Kỳ báo cáo:`), both values
@pytest.mark.parametrize("args, row, in_file, given", [
    (("--cell", "KHKH"), 5, "VPCN", "KHKH"),
    (("--period", "2026-08"), 6, "Tháng 7/2026", "Tháng 8/2026"),
])
def test_value_in_file_contradicting_the_command_line_is_an_error(
        args, row, in_file, given, fixtures_dir, db_path, run_cli, query):
    out = load(run_cli, db_path, *args, fixtures_dir / "cell-contradicts.xlsx", expect=1)
    lines = [line for line in out.splitlines() if "LỖI: cell-contradicts.xlsx" in line]
    assert len(lines) == 1, out
    assert f"dòng {row}," in lines[0] and in_file in lines[0] and given in lines[0]
    if db_path.exists():
        assert query(db_path, "SELECT count(*) FROM submissions") == [(0,)]


def test_command_line_agreeing_with_the_file_is_fine(fixtures_dir, db_path, run_cli, query):
    load(run_cli, db_path, "--cell", "VPCN", "--period", "2026-07",
         fixtures_dir / "cell-contradicts.xlsx")
    assert query(db_path, "SELECT DISTINCT cell_code, period FROM v_progress") == [
        ("VPCN", "2026-07")]


def test_progress_db_environment_variable(fixtures_dir, tmp_path, run_cli, query):
    env_db = tmp_path / "from-env.duckdb"
    result = run_cli("load", fixtures_dir / "good-canonical.xlsx",
                     env={"PROGRESS_DB": str(env_db)})
    assert result.returncode == 0, result.stdout
    assert query(env_db, "SELECT count(*) FROM v_progress") == [(5,)]


def test_db_option_overrides_the_environment(fixtures_dir, tmp_path, run_cli, query):
    env_db, cli_db = tmp_path / "from-env.duckdb", tmp_path / "from-cli.duckdb"
    result = run_cli("load", "--db", cli_db, fixtures_dir / "good-canonical.xlsx",
                     env={"PROGRESS_DB": str(env_db)})
    assert result.returncode == 0, result.stdout
    assert query(cli_db, "SELECT count(*) FROM v_progress") == [(5,)]
    assert not env_db.exists()


@pytest.mark.parametrize("args", [
    ("load", "--no-such-option"),
    ("load", "--period", "2026-13"),
    ("load", "--period", "Tháng 7"),
    ("load",),                                    # no file
    ("no-such-command",),
])
def test_bad_usage_exits_2(args, fixtures_dir, db_path, run_cli):
    extra = (fixtures_dir / "good-canonical.xlsx",) if args[0] == "load" and len(args) > 1 else ()
    result = run_cli(*args, "--db", db_path, *extra) if args[0] == "load" else run_cli(*args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert not db_path.exists()
