"""A newer release opens a database file written by an older one: the missing migrations
are applied and no data is lost."""
from __future__ import annotations

import duckdb

from etl import store as dbmod
from etl import usecases
from etl.catalog import get_catalog
from etl.store import Store
from etl.users import User
from etl.vocab import UserRole


def _old_release_database(path) -> list[tuple]:
    """What release 1 (schema version 1 only) left on disk: the catalog and a loaded
    report, written as release 1 wrote them. Returns its v_progress rows."""
    con = duckdb.connect(str(path))
    try:
        con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR, "
                    "applied_at TIMESTAMP)")
        con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        version, first = dbmod.migration_files()[0]
        con.execute(first.read_text(encoding="utf-8"))
        con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [version, first.name])
        dbmod.sync_catalog(con, get_catalog())
        con.execute("""INSERT INTO submissions (plan_code, cell_code, period, period_grain,
            period_start, period_end, file_name, sheet, sha256, archive_path, loaded_at, loaded_by,
            state, row_count) VALUES (?, 'VPCN', '2026-07', 'month', DATE '2026-07-01',
            DATE '2026-07-31', 'thang-7.xlsx', 'Báo cáo', 'abc', 'ab/abc/thang-7.xlsx', now(),
            'phien-ban-1', 'current', 2)""", [get_catalog().plan.code])
        con.execute("""INSERT INTO progress_rows (submission_id, task_code, status, completion_pct,
            activities, obstacles) VALUES (1, 'NV1.1', 'done', 100, 2, NULL),
            (1, 'NV2.3', 'delayed', 30, 1, 'Thiếu kinh phí')""")
        assert con.execute("SELECT max(version) FROM schema_migrations").fetchone() == (1,)
        return con.execute("SELECT * FROM v_progress ORDER BY task_code").fetchall()
    finally:
        con.close()


def test_an_old_database_is_upgraded_in_place_without_losing_data(db_path, query):
    before = _old_release_database(db_path)
    assert len(before) == 2

    with Store.at(db_path).write() as con:
        version = dbmod.schema_version(con)
    assert version == dbmod.migration_files()[-1][0]
    assert query(db_path, "SELECT * FROM v_progress ORDER BY task_code") == before
    usecases.add_user(Store.at(db_path), User.system("kiem-thu"), "quantri", "Quản trị",
                      UserRole.ADMIN, "quan-tri-2026")
    assert query(db_path, "SELECT count(*) FROM users") == [(1,)]


def test_migrations_apply_once_and_in_order(db_path, query):
    Store.at(db_path).ensure()
    Store.at(db_path).ensure()
    versions = [v for (v,) in query(db_path, "SELECT version FROM schema_migrations ORDER BY 1")]
    assert versions == [v for v, _ in dbmod.migration_files()]
