"""The meeting pack: built from a real database, files reopened with their own readers."""
from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from dashboard import pack, queries
from dashboard.scope import Scope
from dashboard_db import build_db, row, sub
from etl.store import Store
from etl.catalog import get_catalog
from dashboard_db import load_sample_reports

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PERIOD = "2026-Q3"
TODAY = date(2026, 11, 27)
INJECTIONS = {"=HYPERLINK(\"http://x\",\"bấm\")": "obstacles", "+1+2": "proposals",
              "-3+cmd|' /C calc'!A0": "result", "@SUM(A1:A2)": "obstacles"}


# -- a database loaded by the real loader from the project's sample reports ----------------

@pytest.fixture(scope="module")
def sample_db(tmp_path_factory) -> Path:
    return load_sample_reports(tmp_path_factory.mktemp("samples"))


@pytest.fixture(scope="module")
def made(sample_db) -> tuple[pack.PackContent, pack.Pack]:
    return pack.make_pack(Store.at(sample_db), Scope.of(PERIOD), today=TODAY)


@pytest.fixture(scope="module")
def content(made) -> pack.PackContent:
    return made[0]


@pytest.fixture(scope="module")
def built(made) -> pack.Pack:
    return made[1]


def expected_page_count(content: pack.PackContent) -> int:
    # title + KPIs + one per chart + cell tables, obstacles, completeness (long ones continue)
    return 2 + len(content.charts) + len(pack.text_sections(content))


def slide_texts(slide) -> list[str]:
    return [s.text_frame.text for s in slide.shapes if s.has_text_frame]


def table_rows(slide) -> list[list[str]]:
    """The body rows of the slide's table (no header), as the cells' texts."""
    table = next((s for s in slide.shapes if s.has_table), None)
    if table is None:
        return []
    return [[cell.text for cell in row.cells] for row in list(table.table.rows)[1:]]


# -- names ---------------------------------------------------------------------------------

def test_file_names_say_what_and_when(built):
    assert sorted(built.files) == ["hop-2026-Q3-tong-quan.pdf", "hop-2026-Q3-tong-quan.pptx",
                                   "hop-2026-Q3-tong-quan.xlsx"]
    assert pack.pack_basename("2026-07", ["VPCN"], ["NV1"]) == "hop-2026-07-vpcn-nv1"


# -- PowerPoint ------------------------------------------------------------------------------

def test_pptx_has_expected_slides_titles_and_pictures(built, content):
    deck = Presentation(io.BytesIO(built.by_suffix(".pptx")[1]))
    assert deck.slide_width * 9 == deck.slide_height * 16          # 16:9
    slides = list(deck.slides)
    assert len(slides) == expected_page_count(content)

    cover = " ".join(slide_texts(slides[0]))
    assert get_catalog().plan.title in cover
    assert "Quý III/2026" in cover and "27/11/2026" in cover

    kpi = " ".join(slide_texts(slides[1]))
    for tile in content.kpis:
        assert tile.label in kpi and tile.value in kpi and tile.note in kpi

    chart_slides = slides[2:2 + len(content.charts)]
    for slide, chart in zip(chart_slides, content.charts):
        pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1
        assert pictures[0].name == chart.title
        assert (pictures[0].width, pictures[0].height) == (deck.slide_width, deck.slide_height)
        assert Image.open(io.BytesIO(pictures[0].image.blob)).size == (3200, 1800)

    titles = [slide_texts(s)[0] for s in slides[2 + len(content.charts):]]
    for cell in get_catalog().cells:
        assert f"{cell.name}: nhiệm vụ được giao" in titles
    assert "Khó khăn, vướng mắc và đề xuất, kiến nghị" in titles
    assert titles[-1] == "Tình hình gửi báo cáo"


def test_pptx_cell_table_matches_the_assignment_query(built, sample_db):
    deck = Presentation(io.BytesIO(built.by_suffix(".pptx")[1]))
    cell = get_catalog().cell("KHKH")
    title = f"{cell.name}: nhiệm vụ được giao"
    rows = [row for slide in deck.slides if slide_texts(slide)
            and slide_texts(slide)[0] in (title, title + " (tiếp)")
            for row in table_rows(slide)]
    codes = [r[0] for r in rows]
    facts = queries.assignment_facts(Store.at(sample_db), "quarter", periods=[PERIOD], cells=["KHKH"])
    assert codes == list(facts["task_code"])
    shown = {r[0]: r[4] for r in rows}
    for code, pct in zip(facts["task_code"], facts["completion_pct"]):
        expected = "Chưa báo cáo" if pd.isna(pct) else f"{pct:g}".replace(".", ",") + "%"
        assert shown[code] == expected


def test_kpis_match_the_dashboard_query(content, sample_db):
    now = queries.overall(Store.at(sample_db), "quarter", periods=[PERIOD]).iloc[0]
    tiles = {t.label: t.value for t in content.kpis}
    assert tiles["Nhiệm vụ hoàn thành / được giao"] == \
        f"{int(now['tasks_done'])}/{int(now['tasks_assigned'])}"
    assert tiles["Chi bộ đã báo cáo"] == f"{int(now['cells_reported'])}/{int(now['cells_total'])}"
    shown = float(tiles["Tỷ lệ hoàn thành bình quân"].rstrip("%").replace(",", "."))
    assert shown == pytest.approx(now["completion"], abs=0.05)


# -- PDF ----------------------------------------------------------------------------------------

def test_pdf_has_one_page_per_slide(built, content):
    data = built.by_suffix(".pdf")[1]
    assert data.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page\b", data))
    assert pages == expected_page_count(content)
    assert b"+DejaVuSans" in data    # the Vietnamese-capable font is embedded


# -- Excel ---------------------------------------------------------------------------------------

def test_xlsx_has_a_sheet_per_chart_and_the_progress_rows(built, content, sample_db):
    book = openpyxl.load_workbook(io.BytesIO(built.by_suffix(".xlsx")[1]))
    assert book.sheetnames == ["Thông tin", *[c.sheet for c in content.charts],
                               "Các dòng báo cáo", "Dữ liệu gốc (v_progress)"]
    sheet = book["Dữ liệu gốc (v_progress)"]     # the contract, as analysts know it
    header = [c.value for c in sheet[1]]
    assert header[:13] == ["cell_code", "period", "task_code", "area_code", "status",
                           "completion_pct", "activities", "participants", "posts", "result",
                           "obstacles", "proposals", "submission_id"]
    with Store.at(sample_db).read() as con:
        expected = con.execute("SELECT count(*) FROM v_progress WHERE period IN "
                               "('2026-07', '2026-08', '2026-09', '2026-Q3')").fetchone()[0]
    assert sheet.max_row - 1 == expected > 0
    assert book["Các dòng báo cáo"].max_row - 1 == expected


def test_xlsx_chart_figures_match_the_queries(built, sample_db):
    book = openpyxl.load_workbook(io.BytesIO(built.by_suffix(".xlsx")[1]))
    rows = list(book["Theo chi bộ"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    by_cell = queries.cell_summary(Store.at(sample_db), "quarter", periods=[PERIOD])
    col = header.index("Tỷ lệ hoàn thành")
    name = header.index("Mã chi bộ")
    got = {r[name]: r[col] for r in body}
    assert set(got) == set(by_cell["cell_code"])
    for code, value in zip(by_cell["cell_code"], by_cell["completion"]):   # 75,9% is 0.759
        assert (got[code] is None) if pd.isna(value) else got[code] == pytest.approx(value / 100)

    rows = list(book["Theo nhiệm vụ trọng tâm"].iter_rows(values_only=True))
    by_area = queries.area_summary(Store.at(sample_db), "quarter", periods=[PERIOD])
    col = rows[0].index("Lượt nhiệm vụ được giao")
    assert [r[col] for r in rows[1:]] == list(by_area["tasks_assigned"])


# -- formula injection -------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@A1"])
def test_escape_formula_prefixes_a_quote(text):
    assert pack.escape_formula(text) == "'" + text


@pytest.mark.parametrize("value", ["Đã họp 2 lần", "", "a=b", -1, 3.5, None])
def test_escape_formula_leaves_other_values_alone(value):
    assert pack.escape_formula(value) == value


@pytest.fixture
def injected_db(tmp_path) -> Path:
    rows = [row("NV2.3", "in_progress", 40, **{column: text}) for text, column in
            list(INJECTIONS.items())[:1]]
    rows += [row("NV5.1", "delayed", 10, proposals="+1+2", result="-3+cmd|' /C calc'!A0",
                 obstacles="@SUM(A1:A2)")]
    return build_db(tmp_path / "t.duckdb",
                    [sub("VPCN", "2026-07", rows, report_date=date(2026, 8, 3))])


def test_report_text_is_escaped_in_the_workbook(injected_db):
    content, made = pack.make_pack(Store.at(injected_db), Scope.of("2026-07"), today=TODAY)
    book = openpyxl.load_workbook(io.BytesIO(made.by_suffix(".xlsx")[1]))
    cells = [c for sheet in book.worksheets for r in sheet.iter_rows() for c in r]
    assert not [c.coordinate for c in cells if c.data_type == "f"], "a formula slipped through"
    values = {c.value for c in cells if isinstance(c.value, str)}
    for text in INJECTIONS:
        assert "'" + text in values
        assert text not in values


def test_escape_frame_covers_every_text_column():
    frame = pd.DataFrame({"a": ["=x", "ok"], "b": [1, -2], "=c": ["-y", None]})
    out = pack.escape_frame(frame)
    assert list(out["a"]) == ["'=x", "ok"]
    assert list(out["b"]) == [1, -2]
    assert list(out.columns) == ["a", "b", "'=c"]
    assert out["'=c"].iloc[0] == "'-y"
    assert frame["a"].iloc[0] == "=x"    # the caller's frame is untouched


# -- command line ------------------------------------------------------------------------------

def run_pack(*args, env_extra=None, timeout=180):
    env = {k: v for k, v in os.environ.items() if k != "PROGRESS_DB"}
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "dashboard", "pack", *map(str, args)],
                          cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=timeout)


def test_cli_writes_the_pack(sample_db, tmp_path):
    done = run_pack("--period", "2026-Q3", "--out", tmp_path / "out", "--db", sample_db,
                    "--cells", "VPCN", "KHKH", "--areas", "NV1")
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["hop-2026-Q3-vpcn-khkh-nv1.pdf", "hop-2026-Q3-vpcn-khkh-nv1.pptx",
                     "hop-2026-Q3-vpcn-khkh-nv1.xlsx"]
    deck = Presentation(tmp_path / "out" / "hop-2026-Q3-vpcn-khkh-nv1.pptx")
    cover = " ".join(slide_texts(deck.slides[0]))
    assert "Văn phòng - Công nghệ, Kế hoạch - Khoa học" in cover
    assert "Đã tạo bộ báo cáo họp" in done.stdout


@pytest.mark.parametrize("args", [["--period", "2026-Q5"], ["--period", "2026-Q3", "--cells", "XYZ"],
                                  ["--period", "2026-Q3", "--areas", "NV9"]])
def test_cli_bad_usage_exits_2(args, tmp_path):
    done = run_pack(*args, "--out", tmp_path, timeout=60)
    assert done.returncode == 2
    assert "Lỗi cú pháp lệnh" in done.stderr


def test_cli_missing_database_exits_1(tmp_path):
    done = run_pack("--period", "2026-Q3", "--out", tmp_path / "o", "--db", tmp_path / "no.duckdb",
                    timeout=60)
    assert done.returncode == 1
    assert "Chưa có cơ sở dữ liệu" in done.stderr


def test_cli_without_browser_exits_1_quickly(sample_db, tmp_path):
    started = time.perf_counter()
    done = run_pack("--period", "2026-Q3", "--out", tmp_path / "o", "--db", sample_db,
                    env_extra={"BROWSER_PATH": "/nonexistent/chromium"}, timeout=60)
    assert done.returncode == 1
    assert time.perf_counter() - started < 20
    assert "apt-get install chromium" in done.stderr
    assert not (tmp_path / "o").exists()


def test_each_chart_picture_is_on_its_own_slide_and_page(made):
    """Pictures arrive from the renderer while the rest is built: each lands on its slide."""
    made_content, made = made
    deck = Presentation(io.BytesIO(made.by_suffix(".pptx")[1]))
    slides = list(deck.slides)
    assert len(slides) == expected_page_count(made_content)
    for slide, chart in zip(slides[2:], made_content.charts):
        pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert [p.name for p in pictures] == [chart.title]
    data = made.by_suffix(".pdf")[1]
    assert len(re.findall(rb"/Type\s*/Page\b", data)) == expected_page_count(made_content)
    assert len(re.findall(rb"/Subtype\s*/Image", data)) == len(made_content.charts)
    assert made.by_suffix(".xlsx")[1][:2] == b"PK"
