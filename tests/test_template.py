"""The report template: what a cell receives, read back as Excel would read it."""
from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from etl.catalog import get_catalog, load_catalog
from etl.vocab import Role
from etl.load import validate_bytes
from etl.store import Store
from etl.usecases import load_reports
from etl.users import User
from etl.template import GUIDE_SHEET, REPORT_SHEET, layout, template_bytes

CATALOG = get_catalog()
EXPECTED_HEADERS = [
    "STT", "Mã nhiệm vụ", "Nội dung nhiệm vụ", "Vai trò", "Trạng thái",
    "Tỷ lệ hoàn thành (%)", "Số hoạt động", "Số lượt người tham gia", "Số tin, bài",
    "Kết quả đạt được", "Khó khăn, vướng mắc", "Đề xuất, kiến nghị", "Minh chứng",
]
STATUSES = ["Chưa triển khai", "Đang thực hiện", "Hoàn thành", "Chậm tiến độ"]


def open_sheet(data: bytes, name: str = REPORT_SHEET):
    return openpyxl.load_workbook(io.BytesIO(data))[name]


def find_row(ws, first_value: str) -> int:
    """The row whose column A holds `first_value` (as Excel numbers rows)."""
    return next(c.row for c in ws["A"] if c.value == first_value)


def task_rows(ws) -> list[tuple]:
    header = find_row(ws, "STT")
    rows = []
    for r in range(header + 1, ws.max_row + 1):
        code = ws.cell(r, 2).value
        if not code:
            break
        rows.append((r, code, ws.cell(r, 3).value, ws.cell(r, 4).value))
    return rows


def test_title_rows_name_the_organization_cell_plan_and_period():
    ws = open_sheet(template_bytes("KHKH", "2026-Q3"))
    titles = [ws.cell(r, 1).value for r in range(1, 6)]
    assert titles[0] == "ĐẢNG ỦY SỞ KHOA HỌC VÀ CÔNG NGHỆ"
    assert titles[1] == "CHI BỘ KẾ HOẠCH - KHOA HỌC"
    assert titles[3] == "BÁO CÁO TIẾN ĐỘ THỰC HIỆN CHỈ THỊ SỐ 06-CT/TU"
    assert titles[4] == "Quý III/2026"
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert {"A1:M1", "A2:M2", "A4:M4", "A5:M5"} <= merged


def test_header_block_labels_in_column_a_values_in_column_b():
    ws = open_sheet(template_bytes("TTKHCN", "2026-07", report_date=date(2026, 8, 4)))
    block = {ws.cell(r, 1).value: ws.cell(r, 2) for r in range(1, find_row(ws, "STT"))}
    assert block["Chi bộ:"].value == "Chi bộ Trung tâm Khoa học và Công nghệ Lạng Sơn"
    assert block["Kỳ báo cáo:"].value == "Tháng 7/2026"
    assert block["Ngày báo cáo:"].value == datetime(2026, 8, 4)
    assert block["Ngày báo cáo:"].number_format == "dd/mm/yyyy"
    assert block["Người lập:"].value is None


def test_report_date_is_blank_when_not_given():
    ws = open_sheet(template_bytes("CDS", "2026-H2"))
    assert ws.cell(find_row(ws, "Ngày báo cáo:"), 2).value is None
    assert ws.cell(find_row(ws, "Kỳ báo cáo:"), 2).value == "6 tháng cuối năm 2026"


def test_table_header_has_exactly_the_contract_columns_in_order():
    ws = open_sheet(template_bytes("VPCN", "2026-07"))
    header = find_row(ws, "STT")
    row = [ws.cell(header, c).value for c in range(1, ws.max_column + 2)]
    assert row == EXPECTED_HEADERS + [None]


@pytest.mark.parametrize("cell", [c.code for c in CATALOG.cells])
def test_one_row_per_assigned_task_in_catalog_order_with_role(cell):
    catalog_cell = CATALOG.cell(cell)
    ws = open_sheet(template_bytes(cell, "2026-07"))
    rows = task_rows(ws)
    expected = [t for t in CATALOG.tasks if catalog_cell.role(t.code)]
    assert [code for _, code, _, _ in rows] == [t.code for t in expected]
    assert [title for _, _, title, _ in rows] == [t.title for t in expected]
    assert [role for _, _, _, role in rows] == [catalog_cell.role(t.code).label
                                                for t in expected]
    assert [ws.cell(r, 1).value for r, *_ in rows] == list(range(1, len(rows) + 1))


def test_lead_rows_are_bold_and_filled_participation_rows_are_not():
    cds = CATALOG.cell("CDS")
    ws = open_sheet(template_bytes("CDS", "2026-07"))
    for r, code, _, _ in task_rows(ws):
        code_cell, title_cell = ws.cell(r, 2), ws.cell(r, 3)
        if cds.role(code) == Role.LEAD:
            assert code_cell.font.b and title_cell.font.b, code
            assert title_cell.fill.fgColor.rgb not in (None, "00000000"), code
        else:
            assert not code_cell.font.b and not title_cell.font.b, code
            assert title_cell.fill.fill_type is None, code


def test_layout_points_at_the_rows_the_sheet_really_has():
    ws = open_sheet(template_bytes("KHKH", "2026-07"))
    where = layout("KHKH")
    assert where.header_row == find_row(ws, "STT")
    for r, code, _, _ in task_rows(ws):
        assert where.task_rows[code] == r
        assert ws[where.ref(code, "task_code")].value == code
    assert ws[where.value_ref("Kỳ báo cáo:")].value == "Tháng 7/2026"


def _validations(ws) -> dict[str, object]:
    """{column letter: validation} for the task rows."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            out[rng.coord[0]] = (dv, rng)
    return out


def test_data_validations_on_status_percentage_and_counts():
    ws = open_sheet(template_bytes("VPCN", "2026-07"))
    rows = task_rows(ws)
    first, last = rows[0][0], rows[-1][0]
    found = _validations(ws)

    status, rng = found["E"]
    assert status.type == "list"
    assert status.formula1 == '"' + ",".join(STATUSES) + '"'
    assert (rng.min_row, rng.max_row) == (first, last)

    pct, rng = found["F"]
    assert (pct.type, pct.operator or "between") == ("decimal", "between")
    assert (pct.formula1, pct.formula2) == ("0", "100")
    assert "0 đến 100" in pct.error
    assert (rng.min_row, rng.max_row) == (first, last)

    for letter in "GHI":
        count, rng = found[letter]
        assert (count.type, count.operator, count.formula1) == ("whole", "greaterThanOrEqual", "0")
        assert "số nguyên" in count.error
        assert (rng.min_row, rng.max_row) == (first, last)

    for dv, _ in found.values():
        assert dv.showInputMessage and dv.prompt and dv.promptTitle
        assert dv.showErrorMessage and dv.error and dv.errorTitle


def test_print_setup_a4_landscape_one_page_wide_header_repeated():
    ws = open_sheet(template_bytes("VPCN", "2026-07"))
    header = find_row(ws, "STT")
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == "9"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1)      # 1 is Excel's default, left out
    assert ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == f"${header}:${header}"
    assert ws.freeze_panes == f"A{header + 1}"


def test_widths_and_wrapping_make_the_title_column_readable():
    ws = open_sheet(template_bytes("VPCN", "2026-07"))
    assert ws.column_dimensions["C"].width > 40
    r = task_rows(ws)[0][0]
    assert ws.cell(r, 3).alignment.wrap_text
    assert ws.cell(r, 3).border.left.style == "thin"


def test_signature_block_under_the_table():
    ws = open_sheet(template_bytes("TTKHCN", "2026-07"))
    last = task_rows(ws)[-1][0]
    below = [c.value for row in ws.iter_rows(min_row=last + 1) for c in row if c.value]
    assert "NGƯỜI LẬP" in below and "T/M CHI BỘ" in below and "BÍ THƯ" in below


def test_guide_sheet_explains_every_column_statuses_range_and_sending():
    ws = open_sheet(template_bytes("CDS", "2026-07"), GUIDE_SHEET)
    rows = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    for header in EXPECTED_HEADERS:
        assert rows.get(header), header
    assert all(s in rows["Trạng thái"] for s in STATUSES)
    assert "0 đến 100" in rows["Tỷ lệ hoàn thành (%)"]
    for header in ("Số hoạt động", "Số lượt người tham gia", "Số tin, bài"):
        assert "trong kỳ" in rows[header]
    text = " ".join(str(ws.cell(r, 1).value or "") for r in range(1, ws.max_row + 1))
    assert "Gửi báo cáo" in text and "05/08/2026" in text   # the month's deadline


def test_same_arguments_give_identical_bytes_and_a_different_date_does_not():
    one = template_bytes("KHKH", "2026-07", report_date=date(2026, 8, 3))
    assert one == template_bytes("KHKH", "2026-07", report_date=date(2026, 8, 3))
    assert one != template_bytes("KHKH", "2026-07", report_date=date(2026, 8, 4))
    props = openpyxl.load_workbook(io.BytesIO(one)).properties
    assert props.created == datetime(2026, 1, 1)


def test_unknown_cell_and_bad_period_are_refused():
    with pytest.raises(ValueError, match="XYZ"):
        template_bytes("XYZ", "2026-07")
    with pytest.raises(ValueError):
        template_bytes("VPCN", "2026-13")


def test_template_follows_an_edited_catalog(tmp_path: Path):
    source = Path(__file__).resolve().parent.parent / "data" / "catalog.toml"
    old = CATALOG.task("NV4.3").title
    edited = tmp_path / "catalog.toml"
    edited.write_text(source.read_text(encoding="utf-8").replace(old, "Bồi dưỡng kỹ năng số"),
                      encoding="utf-8")
    catalog = load_catalog(edited)
    ws = open_sheet(template_bytes("CDS", "2026-07", catalog=catalog))
    titles = {code: title for _, code, title, _ in task_rows(ws)}
    assert titles["NV4.3"] == "Bồi dưỡng kỹ năng số"


# -- round trip: template -> filled by a person -> loader -> database ------------------------

def fill(data: bytes, values: dict[str, tuple], prepared_by: str = "Hoàng Thị Lan") -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[REPORT_SHEET]
    where = layout("VPCN")
    ws[where.value_ref("Người lập:")] = prepared_by
    headers = ["status", "completion_pct", "activities", "participants", "posts", "result",
               "obstacles", "proposals"]
    for code, row in values.items():
        for header, value in zip(headers, row):
            if value is not None:
                ws[where.ref(code, header)] = value
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_round_trip_filled_template_validates_stores_and_reads_back(db_path, query):
    values = {
        "NV1.1": ("Hoàn thành", 100, 2, 45, 1, "Quán triệt đến 100% đảng viên", None, None),
        "NV2.3": ("Đang thực hiện", 62.5, 3, 60, 2, "Ra quân vệ sinh", None, None),
        "NV5.1": ("Chậm tiến độ", 40, 1, 20, None, None, "Thiếu kinh phí", "Bổ sung kinh phí"),
    }
    data = fill(template_bytes("VPCN", "2026-07", report_date=date(2026, 8, 4)), values)

    report = validate_bytes(data, "2026-07_VPCN.xlsx")
    assert report.ok, [p.as_text() for p in report.errors]
    [sheet] = report.sheets
    assert (sheet.cell_code, sheet.period) == ("VPCN", "2026-07")
    assert sheet.report_date == date(2026, 8, 4)
    assert sheet.prepared_by == "Hoàng Thị Lan" and not sheet.is_sample
    got = {r.task_code: (r.status, r.completion_pct, r.activities, r.participants, r.posts)
           for r in sheet.rows}
    assert got == {"NV1.1": ("done", 100.0, 2, 45, 1),
                   "NV2.3": ("in_progress", 62.5, 3, 60, 2),
                   "NV5.1": ("delayed", 40.0, 1, 20, None)}
    # The rows nobody filled are reported as skipped, not as errors.
    skipped = {p.row for p in report.warnings}
    where = layout("VPCN")
    assert {where.task_rows[c] for c in where.task_rows if c not in values} <= skipped

    load_reports(Store.at(db_path), User.system("test"), [(report, data)])
    rows = query(db_path, "SELECT task_code, area_code, status, completion_pct, activities, "
                          "participants, posts, obstacles, proposals, role FROM v_progress "
                          "WHERE cell_code = 'VPCN' AND period = '2026-07' ORDER BY task_code")
    assert rows == [
        ("NV1.1", "NV1", "done", 100.0, 2, 45, 1, None, None, "thuc_hien"),
        ("NV2.3", "NV2", "in_progress", 62.5, 3, 60, 2, None, None, "chu_tri"),
        ("NV5.1", "NV5", "delayed", 40.0, 1, 20, None, "Thiếu kinh phí", "Bổ sung kinh phí",
         "chu_tri"),
    ]
