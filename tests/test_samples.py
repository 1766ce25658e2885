"""The committed sample reports: reproducible, complete, and clean to load."""
from __future__ import annotations

import io
import subprocess
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from etl.catalog import get_catalog
from etl.load import validate_bytes
from etl.store import Store
from etl.usecases import load_reports
from etl.users import User
from etl.periods import deadline
from etl.samples import QUICK_MONTH, write_samples

COMMITTED = Path(__file__).resolve().parent.parent / "data" / "samples"
MONTHS = ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
CATALOG = get_catalog()


def expected_names() -> set[str]:
    names = {f"{m}_{c.code}.xlsx" for c in CATALOG.cells for m in MONTHS}
    names.discard("2026-09_TTKHCN.xlsx")          # the cell that did not report
    return names | {"2026-10_CDS_lan-2.xlsx"}      # the re-submission


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("samples")
    result = subprocess.run([sys.executable, "-m", "etl", "samples", "build", "--out", str(out)],
                            cwd=Path(__file__).resolve().parent.parent, capture_output=True,
                            text=True, encoding="utf-8", timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


@pytest.fixture(scope="module")
def reports():
    return {p.name: (validate_bytes(p.read_bytes(), p.name), p.read_bytes())
            for p in sorted(COMMITTED.glob("*.xlsx"))}


def test_regenerating_gives_the_committed_bytes(regenerated):
    fresh = sorted(p.name for p in regenerated.glob("*.xlsx"))
    assert fresh == sorted(p.name for p in COMMITTED.glob("*.xlsx"))
    for name in fresh:
        assert (regenerated / name).read_bytes() == (COMMITTED / name).read_bytes(), name
    readme = "README.md"
    assert (regenerated / readme).read_bytes() == (COMMITTED / readme).read_bytes()


def test_write_samples_returns_the_report_paths(tmp_path):
    paths = write_samples(tmp_path)
    assert [p.name for p in paths] == sorted(expected_names())
    assert all(p.exists() for p in paths)


def test_four_cells_six_months_minus_one_missing_plus_one_resubmission():
    names = {p.name for p in COMMITTED.glob("*.xlsx")}
    assert names == expected_names()
    assert len(names) == 4 * 6 - 1 + 1
    assert sorted(n for n in names if n.startswith("2026-10_CDS")) == [
        "2026-10_CDS.xlsx", "2026-10_CDS_lan-2.xlsx"]      # name order = sending order


def test_every_file_loads_cleanly_as_sample_data_for_its_cell_and_period(reports):
    for name, (report, _) in reports.items():
        assert report.ok and not report.problems, (name, [p.as_text() for p in report.problems])
        [sheet] = report.sheets
        period, cell = name.removesuffix(".xlsx").split("_")[:2]
        assert (sheet.cell_code, sheet.period) == (cell, period), name
        assert sheet.is_sample, name
        assigned = [t.code for t in CATALOG.tasks if CATALOG.cell(cell).role(t.code)]
        assert [r.task_code for r in sheet.rows] == assigned, name
        assert sheet.prepared_by, name


def test_every_sheet_says_it_is_sample_data():
    for path in COMMITTED.glob("*.xlsx"):
        wb = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))
        for ws in wb.worksheets:
            assert str(ws["A1"].value).startswith("DỮ LIỆU MẪU - "), (path.name, ws.title)


def test_the_story_is_realistic(reports):
    rows = defaultdict(dict)          # (cell, task) -> {period: row}
    dates = {}
    for name, (report, _) in reports.items():
        if "_lan-" in name:
            continue
        sheet = report.sheets[0]
        dates[(sheet.cell_code, sheet.period)] = sheet.report_date
        for r in sheet.rows:
            rows[(sheet.cell_code, r.task_code)][sheet.period] = r

    # Completion is a stock: it never goes down, and reaches 100 only as "done".
    for key, by_period in rows.items():
        pcts = [by_period[p].completion_pct for p in sorted(by_period)]
        known = [x for x in pcts if x is not None]
        assert known == sorted(known), key
        assert all(r.status == "done" for r in by_period.values() if r.completion_pct == 100)
    assert any(by_period["2026-06"].status == "not_started" for by_period in rows.values())
    assert max(r.completion_pct or 0 for b in rows.values() for r in b.values()) == 100

    delayed = [r for b in rows.values() for r in b.values() if r.status == "delayed"]
    assert 3 <= len(delayed) <= 12
    assert all(r.obstacles and r.proposals for r in delayed)
    assert len({r.obstacles for r in delayed}) >= 3          # specific to the task, not one text

    late = [k for k, d in dates.items() if d > deadline(k[1], CATALOG.plan.report_deadline_day)]
    assert 2 <= len(late) <= 8
    # Reported after the month, except the current one (quick reports, never in the future).
    assert all(d.month != int(k[1][5:]) for k, d in dates.items() if k[1] != QUICK_MONTH)
    quick = [d for k, d in dates.items() if k[1] == QUICK_MONTH]
    assert len(quick) == 4 and all(date(2026, 11, 20) <= d <= date(2026, 11, 26) for d in quick)

    # Counts are flows: present month by month while work goes on, never negative.
    counts = [r.activities for b in rows.values() for r in b.values() if r.activities is not None]
    assert counts and min(counts) >= 0 and len(set(counts)) > 1
    assert sum(1 for b in rows.values() for r in b.values() if r.result) > len(counts) // 2


def test_resubmission_corrects_a_few_figures(reports):
    first = {r.task_code: r for r in reports["2026-10_CDS.xlsx"][0].sheets[0].rows}
    second = {r.task_code: r for r in reports["2026-10_CDS_lan-2.xlsx"][0].sheets[0].rows}
    assert first.keys() == second.keys()
    changed = [code for code in first if not first[code].same_values(second[code])]
    assert 1 <= len(changed) <= 4


def test_loading_all_in_name_order_keeps_the_second_cds_report(reports, db_path, query):
    for name, (report, data) in sorted(reports.items()):
        load_reports(Store.at(db_path), User.system("test"), [(report, data)])
    combos = query(db_path, "SELECT count(DISTINCT (cell_code, period)) FROM v_progress")[0][0]
    assert combos == 4 * 6 - 1
    states = query(db_path, "SELECT file_name, state, is_sample FROM submissions "
                            "WHERE cell_code = 'CDS' AND period = '2026-10' ORDER BY submission_id")
    assert states == [("2026-10_CDS.xlsx", "superseded", True),
                      ("2026-10_CDS_lan-2.xlsx", "current", True)]
    second = {r.task_code: (r.completion_pct, r.participants, r.posts)
              for r in reports["2026-10_CDS_lan-2.xlsx"][0].sheets[0].rows}
    shown = query(db_path, "SELECT task_code, completion_pct, participants, posts FROM v_progress "
                           "WHERE cell_code = 'CDS' AND period = '2026-10'")
    assert {t: (p, n, b) for t, p, n, b in shown} == second
    missing = query(db_path, "SELECT count(*) FROM v_progress "
                             "WHERE cell_code = 'TTKHCN' AND period = '2026-09'")[0][0]
    assert missing == 0
