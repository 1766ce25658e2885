"""Báo cáo kết quả: the committee's report, built from a real database and read back with
python-docx (page, fonts, header block, content, tables), and its command line."""
from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from dashboard import fmt, queries, report
from dashboard.report import content as C
from dashboard.report import draft as D
from dashboard.report import template
from dashboard_db import build_db, load_sample_reports, row, sub
from etl.settings import Settings
from etl.store import Store

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 30)
HEADING = report.Heading(number="15", issued_on=date(2026, 11, 30))
PERIODS = {"2026-Q3": "quarter", "2026-09": "month", "2026": "year"}
FONT = "Times New Roman"


# -- a database loaded by the real loader from the project's sample reports -------------------

@pytest.fixture(scope="module")
def sample_store(tmp_path_factory) -> Store:
    return Store.at(load_sample_reports(tmp_path_factory.mktemp("report")))


@pytest.fixture(scope="module")
def made(sample_store) -> dict[str, report.Report]:
    return {key: report.make_report(sample_store, key, heading=HEADING, today=TODAY)
            for key in PERIODS}


def opened(data: bytes):
    return docx.Document(io.BytesIO(data))


def paragraphs(doc) -> list:
    """Every paragraph of the body, table cells included, in order."""
    out = []
    for block in doc.element.body.iterchildren():
        if block.tag == qn("w:p"):
            out.append(docx.text.paragraph.Paragraph(block, doc._body))
        elif block.tag == qn("w:tbl"):
            table = docx.table.Table(block, doc._body)
            for tr in table.rows:
                seen = set()
                for cell in tr.cells:
                    if id(cell._tc) not in seen:
                        seen.add(id(cell._tc))
                        out += cell.paragraphs
    return out


def body_text(doc) -> str:
    return "\n".join(p.text for p in paragraphs(doc))


def header_texts(doc) -> list[str]:
    section = doc.sections[0]
    return ["\n".join(p.text for p in h.paragraphs)
            for h in (section.header, section.first_page_header)]


def style_chain(style):
    while style is not None:
        yield style
        style = style.base_style


def effective(run, paragraph, attr: str):
    """A run's font attribute as Word resolves it: the run, then the paragraph's style
    and the styles it is based on, then the document defaults."""
    value = getattr(run.font, attr)
    if value is not None:
        return value
    for style in style_chain(paragraph.style):
        value = getattr(style.font, attr)
        if value is not None:
            return value
    return None


def doc_default_fonts(doc) -> dict:
    rpr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    return dict(rpr.find(qn("w:rFonts")).attrib)


def text_width(doc) -> int:
    s = doc.sections[0]
    return s.page_width - s.left_margin - s.right_margin


# -- page, fonts, header block --------------------------------------------------------------------

def mm(length) -> float:
    """A length read back, in mm to a tenth (Word stores twips: 15 mm reads 14.993 mm)."""
    return round(length / 36000, 1)


@pytest.mark.parametrize("key", PERIODS)
def test_a4_portrait_with_the_guides_margins(made, key):
    section = opened(made[key].data).sections[0]
    assert section.orientation == WD_ORIENT.PORTRAIT
    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert 20 <= mm(section.top_margin) <= 25
    assert 20 <= mm(section.bottom_margin) <= 25
    assert 30 <= mm(section.left_margin) <= 35
    assert 15 <= mm(section.right_margin) <= 20


@pytest.mark.parametrize("key", PERIODS)
def test_times_new_roman_throughout(made, key):
    doc = opened(made[key].data)
    defaults = doc_default_fonts(doc)
    assert all(defaults.get(qn(f"w:{a}")) == FONT for a in ("ascii", "hAnsi", "eastAsia", "cs"))
    assert not any("Theme" in name or "theme" in name for name in defaults)
    runs = [(r, p) for p in paragraphs(doc) for r in p.runs]
    for section in doc.sections:
        runs += [(r, p) for h in (section.header, section.first_page_header)
                 for p in h.paragraphs for r in p.runs]
    assert len(runs) > 100
    for run, paragraph in runs:
        assert effective(run, paragraph, "name") == FONT, (paragraph.style.name, run.text)


def test_body_is_13_to_14_pt_justified_with_a_first_line_indent(made):
    doc = opened(made["2026-Q3"].data)
    body = [p for p in doc.paragraphs if p.style.name == template.STYLE_NAMES["body"]]
    assert len(body) > 10
    style = doc.styles[template.STYLE_NAMES["body"]]
    assert Pt(13) <= style.font.size <= Pt(14)
    assert style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert style.paragraph_format.first_line_indent >= Mm(10)
    for p in body:
        for run in p.runs:
            assert Pt(13) <= effective(run, p, "size") <= Pt(14)


def test_header_block_is_a_borderless_two_column_table(made):
    doc = opened(made["2026-Q3"].data)
    table = doc.tables[0]
    assert len(table.columns) == 2
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    assert {e.get(qn("w:val")) for e in borders} == {"nil"}
    left = [p for r in table.rows for p in r.cells[0].paragraphs]
    right = [p for r in table.rows for p in r.cells[1].paragraphs]
    assert [p.text for p in left] == ["ĐẢNG BỘ ...", "ĐẢNG ỦY SỞ KHOA HỌC VÀ CÔNG NGHỆ", "*",
                                      "Số 15-BC/ĐU"]
    assert [p.text for p in right] == ["ĐẢNG CỘNG SẢN VIỆT NAM",
                                       "Lạng Sơn, ngày 30 tháng 11 năm 2026"]
    issuer, party, dateline = left[1], right[0], right[1]
    assert effective(issuer.runs[0], issuer, "bold")
    assert effective(party.runs[0], party, "bold") and effective(party.runs[0], party, "underline")
    assert effective(dateline.runs[0], dateline, "italic")
    assert body_text(doc).index("ĐẢNG BỘ") < body_text(doc).index("BÁO CÁO")


def test_document_type_summary_and_rule(made):
    doc = opened(made["2026-Q3"].data)
    texts = [p.text for p in doc.paragraphs]
    i = texts.index("BÁO CÁO")
    title = doc.paragraphs[i]
    assert title.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert effective(title.runs[0], title, "bold")
    assert texts[i + 1] == "Kết quả thực hiện Kế hoạch thực hiện Chỉ thị số 06-CT/TU, Quý III/2026"
    assert texts[i + 2] == "-----"


def test_page_numbers_from_the_second_page(made):
    doc = opened(made["2026-Q3"].data)
    section = doc.sections[0]
    assert section.different_first_page_header_footer
    fields = section.header._element.findall(".//" + qn("w:fldSimple"))
    assert [f.get(qn("w:instr")).strip() for f in fields] == ["PAGE"]
    assert not section.first_page_header._element.findall(".//" + qn("w:fldSimple"))


# -- what it says ---------------------------------------------------------------------------------

@pytest.mark.parametrize("key", PERIODS)
def test_every_area_and_every_cell_is_named(made, sample_store, key):
    text = body_text(opened(made[key].data)).casefold()
    catalog = sample_store.catalog
    for area in catalog.areas:
        assert area.name.casefold() in text, area.code
    for cell in catalog.cells:
        assert cell.name.casefold() in text, cell.code


@pytest.mark.parametrize("key,grain", PERIODS.items())
def test_committee_completion_is_the_overview_figure(made, sample_store, key, grain):
    value = queries.overall(sample_store, grain, [key]).iloc[0]["completion"]
    shown = fmt.pct_or_no_report(value)          # what Tổng quan prints
    assert re.fullmatch(r"\d+(,\d)?%", shown)
    text = body_text(opened(made[key].data))
    assert f"Tỷ lệ hoàn thành bình quân các nhiệm vụ đạt {shown}" in text


@pytest.mark.parametrize("key", PERIODS)
def test_obstacles_and_proposals_are_quoted_from_the_reports(made, sample_store, key):
    period = report.gather(sample_store, key, today=TODAY)
    start, end = queries.P.from_key(key).start, queries.P.from_key(key).end
    log = queries.obstacle_log(sample_store, as_of=end)
    log = log[[d >= start for d in log["period_end"].dt.date]]
    obstacles = [t for t in log["obstacles"].dropna() if t.strip()]
    proposals = [t for t in log["proposals"].dropna() if t.strip()]
    assert obstacles and proposals and period.has_reports
    text = body_text(opened(made[key].data))
    for written in obstacles + proposals:
        assert written.strip().rstrip(".") in text


def test_the_same_sentence_from_several_cells_is_said_once(made):
    text = body_text(opened(made["2026-Q3"].data))
    sentence = "Đã quán triệt đến 100% đảng viên, công chức, viên chức và người lao động"
    assert text.count(sentence) == 1
    line = next(line for line in text.splitlines() if sentence in line)
    assert "Văn phòng - Công nghệ" in line and "Chuyển đổi số" in line


def test_a_cell_that_did_not_report_is_said_to_have_not_reported(made):
    doc = opened(made["2026-09"].data)   # the sample's Trung tâm KH&CN skipped September
    text = body_text(doc)
    assert ("Chi bộ Trung tâm Khoa học và Công nghệ Lạng Sơn chưa gửi báo cáo trong "
            "tháng 9/2026") in text
    annex = doc.tables[2]
    rows = [[c.text for c in r.cells] for r in annex.rows]
    start = next(i for i, r in enumerate(rows) if r[0].startswith("III. Chi bộ Trung tâm"))
    assert "chưa báo cáo trong kỳ" in rows[start][0]
    for r in rows[start + 1:start + 9]:
        assert r[3] == "Chưa báo cáo" and r[4] == fmt.MISSING


def test_recipients_and_signature(made, sample_store):
    doc = opened(made["2026-Q3"].data)
    signature = doc.tables[1]
    left, right = signature.rows[0].cells
    label = left.paragraphs[0]
    assert label.text == "Nơi nhận:" and effective(label.runs[0], label, "underline")
    plan = sample_store.catalog.plan
    assert [p.text for p in left.paragraphs[1:]] == (
        [f"- {r}," for r in plan.recipients[:-1]] + [f"- {plan.recipients[-1]}."])
    assert [p.text for p in right.paragraphs] == ["T/M ĐẢNG ỦY", "BÍ THƯ", plan.signer]


@pytest.mark.parametrize("key", PERIODS)
def test_no_none_nan_or_template_markers(made, key):
    doc = opened(made[key].data)
    text = body_text(doc) + "\n".join(header_texts(doc))
    assert not re.search(r"\b(None|nan|NaN|NaT|null)\b", text)
    assert not re.search(r"\{\{|\}\}|\{%|%\}|\{#", text)
    assert "None" not in D.plain_text(made[key].draft)


@pytest.mark.parametrize("key", PERIODS)
def test_every_table_fits_the_text_width(made, key):
    doc = opened(made[key].data)
    width = text_width(doc)
    assert len(doc.tables) == 4     # header block, signature, annex tasks, reporting record
    for table in doc.tables:
        grid = [int(c.width) for c in table.columns]
        assert all(grid) and sum(grid) <= width
        for tr in table._tbl.tr_lst:
            assert sum(int(tc.width) for tc in tr.tc_lst) <= width


def test_sample_data_is_marked_on_every_page(made):
    doc = opened(made["2026-Q3"].data)
    assert D.SAMPLE_NOTE in body_text(doc)
    assert all(D.SAMPLE_MARK in h for h in header_texts(doc))


def test_real_data_is_not_marked(tmp_path):
    store = Store.at(build_db(tmp_path / "real.duckdb", [
        sub("VPCN", "2026-07", [row("NV2.3", "in_progress", 40)], is_sample=False)]))
    doc = opened(report.make_report(store, "2026-07", today=TODAY).data)
    assert D.SAMPLE_MARK not in body_text(doc) + "".join(header_texts(doc))


@pytest.mark.parametrize("key", ["2026-12", "2025"])
def test_a_period_with_no_reports_gives_a_short_document_saying_so(sample_store, key):
    made = report.make_report(sample_store, key, heading=HEADING, today=TODAY)
    doc = opened(made.data)
    text = body_text(doc)
    assert "chưa có chi bộ nào gửi báo cáo" in text
    assert "PHỤ LỤC" not in text and "Nơi nhận:" in text and "T/M ĐẢNG ỦY" in text
    assert len(doc.tables) == 2
    assert len(doc.paragraphs) < 20


def test_blanks_stay_dotted(sample_store):
    made = report.make_report(sample_store, "2026-Q3", heading=report.Heading(signer=""),
                              today=TODAY)
    doc = opened(made.data)
    left = [p.text for r in doc.tables[0].rows for p in r.cells[0].paragraphs]
    right = [p.text for r in doc.tables[0].rows for p in r.cells[1].paragraphs]
    assert left[0] == "ĐẢNG BỘ ..." and left[-1] == "Số ...-BC/ĐU"
    assert right[-1] == "Lạng Sơn, ngày ... tháng ... năm ..."
    assert doc.tables[1].rows[0].cells[1].paragraphs[-1].text == "..."
    assert "(Kèm theo Báo cáo số ...-BC/ĐU, ngày .../.../... của" in body_text(doc)


def test_a_narrower_scope_says_so_and_keeps_to_it(sample_store):
    made = report.make_report(sample_store, "2026-Q3", ["VPCN"], ["NV2"], HEADING, today=TODAY)
    assert made.file_name == "bao-cao-ket-qua-2026-Q3-vpcn-nv2.docx"
    doc = opened(made.data)
    text = body_text(doc)
    assert "Phạm vi báo cáo: Chi bộ Văn phòng - Công nghệ; nhiệm vụ trọng tâm: “Tuyên truyền" in text
    value = queries.overall(sample_store, "quarter", ["2026-Q3"], ["VPCN"], ["NV2"]).iloc[0]
    assert f"đạt {fmt.pct(value['completion'])}" in text
    assert "Chi bộ Kế hoạch - Khoa học" not in text
    tasks = [r.cells[1].text for r in doc.tables[2].rows[2:]]
    assert tasks and all(t.startswith("NV2.") for t in tasks)


# -- small databases with hand-made texts ---------------------------------------------------------

def test_cells_words_are_printed_as_written_never_interpreted(tmp_path):
    tricky = "**Đậm** <b>thẻ</b> [liên kết](http://x) =HYPERLINK(\"x\") {{ biến }}"
    store = Store.at(build_db(tmp_path / "t.duckdb", [
        sub("VPCN", "2026-07", [row("NV2.3", "in_progress", 40, result=tricky,
                                    obstacles="Thiếu kinh phí.", proposals="Cấp thêm kinh phí.")]),
    ]))
    made = report.make_report(store, "2026-07", today=TODAY)
    assert tricky in D.plain_text(made.draft)
    assert tricky in body_text(opened(made.data))


def test_only_what_the_reports_give_is_counted(tmp_path):
    """No activity figure reported: none is claimed (no '0 hoạt động')."""
    store = Store.at(build_db(tmp_path / "t.duckdb", [
        sub("VPCN", "2026-07", [row("NV2.3", "in_progress", 40)]),
        sub("KHKH", "2026-07", [row("NV2.3", "in_progress", 60)]),
    ]))
    text = D.plain_text(report.make_report(store, "2026-07", today=TODAY).draft)
    assert not re.search(r"\d+ (hoạt động|lượt người|tin, bài)", text)
    assert "Chi bộ Trung tâm Khoa học và Công nghệ Lạng Sơn và Chi bộ Chuyển đổi số và " \
           "Công nghệ số chưa gửi báo cáo trong tháng 7/2026" in text
    assert "Tỷ lệ hoàn thành theo chi bộ: Văn phòng - Công nghệ 40%; Kế hoạch - Khoa học 60%" in text
    assert "Chi bộ Kế hoạch - Khoa học có tỷ lệ hoàn thành cao nhất trong các chi bộ đã báo " \
           "cáo (60%)" in text


# -- the template ---------------------------------------------------------------------------------

def test_a_restyled_template_is_used(tmp_path, sample_store):
    doc = template.build_default()
    doc.sections[0].left_margin = Mm(35)
    doc.styles[template.STYLE_NAMES["body"]].font.size = Pt(13)
    doc.add_paragraph("Nội dung mẫu của văn phòng, không được in vào báo cáo")
    path = tmp_path / "mau.docx"
    doc.save(path)
    store = Store(Settings.from_env(db_path=sample_store.path, report_template_path=path))
    out = opened(report.make_report(store, "2026-Q3", today=TODAY).data)
    assert mm(out.sections[0].left_margin) == 35
    assert out.styles[template.STYLE_NAMES["body"]].font.size == Pt(13)
    assert "Nội dung mẫu của văn phòng" not in body_text(out)
    for table in out.tables:
        assert sum(int(c.width) for c in table.columns) <= text_width(out)


def test_a_template_missing_a_style_is_refused(tmp_path, sample_store):
    doc = template.build_default()
    doc.styles[template.STYLE_NAMES["heading1"]].delete()
    path = tmp_path / "mau.docx"
    doc.save(path)
    store = Store(Settings.from_env(db_path=sample_store.path, report_template_path=path))
    with pytest.raises(report.TemplateError, match="BC Đề mục I"):
        report.make_report(store, "2026-Q3", today=TODAY)


# -- charts -------------------------------------------------------------------------------------------

def test_charts_switch_adds_the_overview_charts_to_the_annex(sample_store):
    made = report.make_report(sample_store, "2026-Q3", charts=True, today=TODAY)
    doc = opened(made.data)
    pictures = doc.inline_shapes
    assert len(pictures) == 4
    assert all(p.width <= text_width(doc) for p in pictures)
    text = body_text(doc)
    assert "Hình 1. Tỷ lệ hoàn thành theo chi bộ - Quý III/2026" in text
    assert "Hình 4. Trạng thái các nhiệm vụ - Quý III/2026" in text


# -- the text, unit by unit ---------------------------------------------------------------------------

def test_vietnamese_formats():
    assert D.long_date(date(2026, 10, 6)) == "ngày 6 tháng 10 năm 2026"
    assert D.dateline_date(date(2027, 1, 5)) == "ngày 05 tháng 01 năm 2027"
    assert D.dateline_date(date(2026, 11, 30)) == "ngày 30 tháng 11 năm 2026"
    assert D.dateline_date(None) == "ngày ... tháng ... năm ..."
    assert D.period_text("2026-09") == "tháng 9/2026"
    assert D.period_text("2026-Q3") == "Quý III/2026"
    assert D.period_text("2026") == "năm 2026"
    assert D.period_text("2026-H1") == "6 tháng đầu năm 2026"
    assert D.join_vn(["A", "B", "C"]) == "A, B và C"
    assert D.next_period("2026-Q4") == "2027-Q1"
    assert [D.roman(n) for n in (1, 4, 9, 12, 14, 40)] == ["I", "IV", "IX", "XII", "XIV", "XL"]


@pytest.mark.parametrize("typed,shown", [("15", "Số 15-BC/ĐU"), ("15-BC/ĐU", "Số 15-BC/ĐU"),
                                         ("Số 15-BC/ĐU", "Số 15-BC/ĐU"), ("", "Số ...-BC/ĐU"),
                                         ("  ", "Số ...-BC/ĐU")])
def test_document_number(typed, shown):
    assert D._document_number(typed, "BC/ĐU") == shown


def test_sentences_split_on_full_stops_and_lines_only():
    text = "- Đã tổ chức 2 buổi. Thu hút 50 lượt người;\nĐăng 3 tin, bài TP. Lạng Sơn.  "
    assert C.sentences(text) == ["Đã tổ chức 2 buổi", "Thu hút 50 lượt người",
                                 "Đăng 3 tin, bài TP. Lạng Sơn"]
    assert C.sentences(None) == [] and C.sentences(float("nan")) == [] and C.sentences(" - ") == []
    assert C.sentence_key("Đã xong.") == C.sentence_key("đã  XONG")


# -- command line -------------------------------------------------------------------------------------

def run_report(*args, env_extra=None, timeout=180):
    env = {k: v for k, v in os.environ.items() if k != "PROGRESS_DB"}
    env.update({"PYTHONIOENCODING": "utf-8", **(env_extra or {})})
    return subprocess.run([sys.executable, "-m", "dashboard", "report", *map(str, args)],
                          cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=timeout)


def test_cli_writes_the_report_and_records_the_export(sample_store, tmp_path):
    done = run_report("--period", "2026-Q3", "--out", tmp_path / "out", "--db", sample_store.path,
                      "--number", "15", "--date", "30/11/2026", "--signer", "Nguyễn Văn A")
    assert done.returncode == 0, done.stderr
    path = tmp_path / "out" / "bao-cao-ket-qua-2026-Q3.docx"
    doc = opened(path.read_bytes())
    text = body_text(doc)
    assert "Số 15-BC/ĐU" in text and "Lạng Sơn, ngày 30 tháng 11 năm 2026" in text
    assert "Nguyễn Văn A" in text
    assert "Đã tạo báo cáo kết quả" in done.stdout
    with sample_store.read() as con:
        rows = con.execute("SELECT username, target FROM audit_log WHERE action = 'export' "
                           "ORDER BY audit_id DESC LIMIT 1").fetchall()
    assert rows and rows[0][0].startswith("cli:") and rows[0][1] == path.name


@pytest.mark.parametrize("args", [["--period", "2026-Q5"], ["--period", "2026-Q3", "--cells", "XYZ"],
                                  ["--period", "2026-Q3", "--areas", "NV9"],
                                  ["--period", "2026-Q3", "--date", "31/11/2026"],
                                  ["--period", "2026-Q3", "--date", "2026-11-30"]])
def test_cli_bad_usage_exits_2(args, tmp_path):
    done = run_report(*args, "--out", tmp_path, timeout=60)
    assert done.returncode == 2
    assert "Lỗi cú pháp lệnh" in done.stderr


def test_cli_missing_database_exits_1(tmp_path):
    done = run_report("--period", "2026-Q3", "--out", tmp_path / "o", "--db",
                      tmp_path / "no.duckdb", timeout=60)
    assert done.returncode == 1
    assert "Chưa có cơ sở dữ liệu" in done.stderr
    assert not list(tmp_path.rglob("*.docx"))


def test_cli_charts_without_a_browser_exits_1_and_writes_nothing(sample_store, tmp_path):
    done = run_report("--period", "2026-Q3", "--out", tmp_path / "o", "--db", sample_store.path,
                      "--charts", env_extra={"BROWSER_PATH": "/nonexistent/chromium"}, timeout=60)
    assert done.returncode == 1
    assert "Chromium" in done.stderr
    assert not (tmp_path / "o").exists()


def test_a_scope_where_nothing_is_assigned_reads_correctly(sample_store):
    """The digital cell has no task in area NV3: nothing to rate, nothing invented."""
    made = report.make_report(sample_store, "2026-Q3", ["CDS"], ["NV3"], today=TODAY)
    text = D.plain_text(made.draft)
    assert "Chưa có tỷ lệ hoàn thành vì chưa có nhiệm vụ nào được báo cáo" in text
    assert "đạt chưa báo cáo" not in text and "0/0 lượt nhiệm vụ được giao." not in text
    assert "(không được giao nhiệm vụ trong phạm vi báo cáo)" in text
    assert "chưa báo cáo trong kỳ" not in text          # the cell did report, on other areas
