"""Every tolerance DOMAIN.md promises: the file loads (exit 0) and v_progress holds
exactly the canonical values, whatever shape the report came in."""
from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from etl.catalog import get_catalog

PERIOD = "2026-07"
FIELDS = "cell_code, period, task_code, status, completion_pct, activities, participants, posts"

# The canonical VPCN report for July 2026 (tests/fixtures/build_fixtures.py: vpcn_july),
# restated here as v_progress must hold it.
VPCN_JULY = [
    ("VPCN", PERIOD, "NV1.1", "done", 100.0, 2, 45, 3),
    ("VPCN", PERIOD, "NV1.2", "in_progress", 62.5, 1, 12, 0),
    ("VPCN", PERIOD, "NV2.3", "delayed", 30.0, 1, 20, 2),
    ("VPCN", PERIOD, "NV5.1", "not_started", 0.0, 0, 0, 0),
    ("VPCN", PERIOD, "NV5.2", "in_progress", 50.0, None, None, None),
]
VPCN_JULY_TEXTS = [
    ("NV1.1", "Đã tổ chức hội nghị quán triệt Chỉ thị cho toàn thể đảng viên", None, None,
     "Biên bản số 12-BB/CB"),
    ("NV1.2", "Đã đưa vào chương trình sinh hoạt chuyên đề quý III", None, None, None),
    ("NV2.3", None, "Thiếu kinh phí in tài liệu tuyên truyền", "Đề nghị Đảng ủy hỗ trợ kinh phí",
     None),
    ("NV5.1", None, None, None, None),
    ("NV5.2", None, None, None, None),
]

SAME_AS_CANONICAL = [
    "good-canonical.xlsx",
    "merged-title-rows.xlsx",
    "header-row-25.xlsx",
    "columns-shuffled-extra.xlsx",
    "headers-no-diacritics-upper.xlsx",
    "headers-variants.xlsx",
    "nfd-text.xlsx",
    "label-value-one-cell.xlsx",
    "blank-rows-totals-signature.xlsx",
    "title-only-rows.xlsx",
    "report-date-excel-date.xlsx",
    "good.xls",
    "good.ods",
    "good-utf8.csv",
    "good-utf8-bom.csv",
    "good-semicolon.csv",
]


def load_ok(run_cli, db_path, path, *args) -> str:
    result = run_cli("load", "--db", db_path, *args, path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "LỖI" not in result.stdout
    return result.stdout


def progress(query, db_path) -> list[tuple]:
    return query(db_path, f"SELECT {FIELDS} FROM v_progress ORDER BY cell_code, period, task_code")


def warnings(stdout: str) -> list[str]:
    return [line.strip() for line in stdout.splitlines() if line.strip().startswith("Cảnh báo")]


def cycle_rows(cell_code: str) -> list[tuple]:
    """What `filled_rows(cell)` holds: status/% cycle, activities i+1, participants
    10*(i+1), posts i, over the cell's tasks in catalog order."""
    catalog = get_catalog()
    cell = catalog.cell(cell_code)
    tasks = [t.code for t in catalog.tasks if t.code in cell.tasks]
    cycle = [("done", 100.0), ("in_progress", 50.0), ("delayed", 25.0), ("not_started", 0.0)]
    return [(cell_code, PERIOD, code, *cycle[i % 4], i + 1, 10 * (i + 1), i)
            for i, code in enumerate(tasks)]


@pytest.mark.parametrize("name", SAME_AS_CANONICAL)
def test_layout_variant_loads_canonical_values(name, fixtures_dir, db_path, run_cli, query):
    load_ok(run_cli, db_path, fixtures_dir / name)
    assert progress(query, db_path) == VPCN_JULY
    texts = query(db_path, "SELECT task_code, result, obstacles, proposals, evidence "
                           "FROM v_progress ORDER BY task_code")
    assert texts == VPCN_JULY_TEXTS


@pytest.mark.parametrize("name", ["good-canonical.xlsx", "report-date-excel-date.xlsx",
                                  "label-value-one-cell.xlsx", "good.ods", "good-semicolon.csv"])
def test_header_block_date_and_author(name, fixtures_dir, db_path, run_cli, query):
    load_ok(run_cli, db_path, fixtures_dir / name)
    rows = query(db_path, "SELECT report_date, prepared_by, sheet, file_name, row_count "
                          "FROM submissions")
    sheet = "Báo cáo" if not name.endswith(".csv") else rows[0][2]
    assert rows == [(date(2026, 8, 5), "Hoàng Thị Mai", sheet, name, 5)]


def test_nfd_text_is_stored_nfc(fixtures_dir, db_path, run_cli, query):
    load_ok(run_cli, db_path, fixtures_dir / "nfd-text.xlsx")
    texts = query(db_path, "SELECT result, obstacles, proposals, evidence FROM v_progress")
    stored = [t for row in texts for t in row if t]
    assert stored and all(unicodedata.is_normalized("NFC", t) for t in stored)
    prepared_by = query(db_path, "SELECT prepared_by FROM submissions")[0][0]
    assert prepared_by == "Hoàng Thị Mai"


def test_extra_columns_are_named_in_a_warning(fixtures_dir, db_path, run_cli):
    out = load_ok(run_cli, db_path, fixtures_dir / "columns-shuffled-extra.xlsx")
    extra = [w for w in warnings(out) if "Ghi chú" in w and "Đơn vị phối hợp" in w]
    assert len(extra) == 1, out
    assert "columns-shuffled-extra.xlsx" in extra[0]


def test_totals_row_notes_and_signature_are_not_tasks(fixtures_dir, db_path, run_cli, query):
    out = load_ok(run_cli, db_path, fixtures_dir / "blank-rows-totals-signature.xlsx")
    assert query(db_path, "SELECT row_count FROM submissions") == [(5,)]
    # the task rows keep their Excel row numbers across blank rows
    rows = query(db_path, "SELECT task_code, excel_row FROM progress_rows ORDER BY task_code")
    assert rows == [("NV1.1", 11), ("NV1.2", 13), ("NV2.3", 14), ("NV5.1", 17), ("NV5.2", 18)]
    assert not any("Tổng cộng" in w or "BÍ THƯ" in w for w in warnings(out))


def test_cell_by_full_name(fixtures_dir, db_path, run_cli, query):
    load_ok(run_cli, db_path, fixtures_dir / "cell-by-name.xlsx")
    assert progress(query, db_path) == cycle_rows("KHKH")


def test_cell_by_name_without_chi_bo(fixtures_dir, db_path, run_cli, query):
    load_ok(run_cli, db_path, fixtures_dir / "cell-by-short-name.xlsx")
    assert progress(query, db_path) == cycle_rows("TTKHCN")


def test_status_variants(fixtures_dir, db_path, run_cli, query):
    load_ok(run_cli, db_path, fixtures_dir / "status-variants.xlsx")
    got = query(db_path, "SELECT task_code, status, completion_pct FROM v_progress "
                         "WHERE cell_code = 'CDS' AND period = ? ORDER BY task_code", [PERIOD])
    assert got == [
        ("NV1.1", "done", 100.0),          # Đã hoàn thành, no %: done -> 100
        ("NV1.2", "in_progress", 40.0),    # Đang triển khai
        ("NV2.2", "not_started", 0.0),     # Chưa thực hiện, no %: not started -> 0
        ("NV2.3", "delayed", None),        # Quá hạn, no %: stays unknown
        ("NV4.1", "done", 100.0),          # HOÀN THÀNH
        ("NV4.2", "in_progress", None),    # dang thuc hien, no %
        ("NV4.3", "delayed", 20.0),        # CHAM TIEN DO
        ("NV5.1", "done", 100.0),          # '  hoàn   thành '
        ("NV5.2", "not_started", 0.0),     # CHƯA TRIỂN KHAI
    ]


def test_percent_formats_and_status_from_percent(fixtures_dir, db_path, run_cli, query):
    load_ok(run_cli, db_path, fixtures_dir / "percent-formats.xlsx")
    got = query(db_path, "SELECT task_code, status, completion_pct FROM v_progress "
                         "WHERE cell_code = 'KHKH' ORDER BY task_code")
    expected = [
        ("NV1.1", "in_progress", 80.0),    # 80
        ("NV1.2", "in_progress", 80.0),    # "80"
        ("NV2.3", "in_progress", 80.0),    # "80%"
        ("NV3.1", "in_progress", 80.5),    # "80,5 %"
        ("NV3.2", "in_progress", 80.0),    # 0.8 formatted 0%
        ("NV3.3", "done", 100.0),          # 1 formatted 0%: 100 -> done
        ("NV5.1", "in_progress", 25.5),    # 0.255 formatted 0.0%
        ("NV5.2", "not_started", 0.0),     # "0" -> not started
    ]
    assert [(c, s) for c, s, _ in got] == [(c, s) for c, s, _ in expected]
    assert [p for _, _, p in got] == pytest.approx([p for _, _, p in expected], abs=1e-9)


def test_counts_with_dot_thousands(fixtures_dir, db_path, run_cli, query):
    load_ok(run_cli, db_path, fixtures_dir / "counts-dot-thousands.xlsx")
    got = query(db_path, "SELECT task_code, activities, participants, posts FROM v_progress "
                         "WHERE task_code IN ('NV1.1', 'NV1.2') ORDER BY task_code")
    assert got == [("NV1.1", 12, 1234, 3), ("NV1.2", 1, 12500, 1005)]


def test_unfilled_template_rows_are_skipped_with_a_warning(fixtures_dir, db_path, run_cli, query):
    out = load_ok(run_cli, db_path, fixtures_dir / "unfilled-template-rows.xlsx")
    assert progress(query, db_path) == VPCN_JULY[:3]
    # each skipped template row is named by its Excel row and its task
    for row, task in ((14, "NV5.1"), (15, "NV5.2")):
        assert any(f"dòng {row}" in w and task in w for w in warnings(out)), out
    assert query(db_path, "SELECT row_count FROM submissions") == [(3,)]


def test_several_sheets_are_several_submissions(fixtures_dir, db_path, run_cli, query):
    load_ok(run_cli, db_path, fixtures_dir / "several-sheets.xlsx")
    subs = query(db_path, "SELECT sheet, cell_code, period, state, report_date FROM submissions "
                          "ORDER BY period")
    assert subs == [("Tháng 7", "VPCN", "2026-07", "current", date(2026, 8, 5)),
                    ("Tháng 8", "VPCN", "2026-08", "current", date(2026, 9, 4))]
    july = [r for r in progress(query, db_path) if r[1] == "2026-07"]
    august = query(db_path, "SELECT task_code, status, completion_pct, activities FROM v_progress "
                            "WHERE period = '2026-08' ORDER BY task_code")
    assert july == VPCN_JULY
    assert august == [("NV1.1", "done", 100.0, 2), ("NV1.2", "done", 100.0, 2),
                      ("NV2.3", "in_progress", 70.0, 1), ("NV5.1", "not_started", 0.0, 0),
                      ("NV5.2", "in_progress", 50.0, None)]


def test_view_joins_catalog_columns(fixtures_dir, db_path, run_cli, query):
    load_ok(run_cli, db_path, fixtures_dir / "good-canonical.xlsx")
    catalog = get_catalog()
    got = query(db_path, "SELECT task_code, area_code, role, cell_name FROM v_progress "
                         "ORDER BY task_code")
    cell = catalog.cell("VPCN")
    assert got == [(t, catalog.task(t).area, cell.role(t), cell.name)
                   for t in ("NV1.1", "NV1.2", "NV2.3", "NV5.1", "NV5.2")]


def test_a_period_not_started_yet_is_accepted_with_a_warning():
    import build_fixtures as bf
    from etl.load import validate_bytes

    data = bf.xlsx(bf.report(bf.vpcn_july(), period="Tháng 12/2026"))
    early = validate_bytes(data, "bao-cao-t12.xlsx", today=date(2026, 11, 20))
    assert early.ok                                   # a warning, not an error
    warned = [p.as_text() for p in early.warnings if p.code == "period_not_started"]
    assert warned == ["Cảnh báo: bao-cao-t12.xlsx, trang tính 'Báo cáo': Kỳ báo cáo Tháng "
                      "12/2026 chưa bắt đầu (hôm nay là 20/11/2026); báo cáo vẫn được nhận. → "
                      "Nếu ghi nhầm kỳ, sửa ô 'Kỳ báo cáo' trong tệp (hoặc chọn lại kỳ) rồi "
                      "nạp lại."]
    started = validate_bytes(data, "bao-cao-t12.xlsx", today=date(2026, 12, 1))
    assert not [p for p in started.warnings if p.code == "period_not_started"]
