"""Realistic sample progress reports: 4 cells, monthly from 2026-06 to 2026-11.

Built from the real template, then filled with openpyxl. Deterministic: a fixed
seed per cell and task, no dependence on today's date, fixed workbook metadata and
zip timestamps, so regenerating gives byte-identical files.

The story the numbers tell: completion grows month by month (a stock), counts are
what happened in the month (a flow), a few tasks stall with specific obstacles,
some reports arrive after the deadline, TTKHCN sends nothing for 2026-09 and CDS
re-sends 2026-10 with a few corrected figures.
"""
from __future__ import annotations

import io
import random
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import openpyxl
from openpyxl.writer.excel import ExcelWriter

from etl.catalog import Catalog, Cell, get_catalog
from etl.periods import deadline, from_key
from etl.template import FIXED_CREATED, GUIDE_SHEET, LABEL_AUTHOR, REPORT_SHEET, layout, template_bytes
from etl.vocab import Role, Status

SEED = 606
MONTHS = tuple(f"2026-{m:02d}" for m in range(6, 12))
SAMPLE_MARK = "DỮ LIỆU MẪU"
MISSING = {("TTKHCN", "2026-09")}            # a cell that did not report
RESUBMITTED = ("CDS", "2026-10")             # sent twice; the second corrects figures
# Days after the deadline for the reports that came in late.
LATE_DAYS = {("CDS", "2026-07"): 2, ("KHKH", "2026-08"): 3, ("TTKHCN", "2026-10"): 5,
             ("VPCN", "2026-09"): 1, ("KHKH", "2026-06"): 4}
# The set is current as of late November 2026: that month's reports are the quick ones
# cells send before the month ends (dated 20-26/11), never dated in the future.
QUICK_MONTH, QUICK_DAYS = "2026-11", (20, 26)
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


# -- the script: how each task unfolds -------------------------------------------------

@dataclass(frozen=True)
class TaskScript:
    curve: tuple[float, ...]          # typical completion % at the end of each month
    activities: tuple[int, int]       # per month while in progress
    audience: tuple[int, int] | None  # participants per activity; None: the cell's members
    posts: tuple[int, int]
    results: tuple[str, ...]          # in progress, by stage; {n} {p} {b} are the counts
    done_result: str
    evidence: str                     # {m}: month number


@dataclass(frozen=True)
class Delay:
    months: tuple[str, ...]
    result: str
    obstacle: str
    proposal: str


@dataclass(frozen=True)
class CellProfile:
    members: int
    prepared_by: str


_MEETING = "Biên bản sinh hoạt chi bộ tháng {m}/2026"

SCRIPTS: dict[str, TaskScript] = {
    "NV1.1": TaskScript(
        (50, 100, 100, 100, 100, 100), (1, 2), None, (0, 1),
        ("Tổ chức hội nghị quán triệt Chỉ thị số 06-CT/TU và Kế hoạch của Đảng ủy Sở cho "
         "{p} lượt đảng viên, công chức, viên chức",),
        "Đã quán triệt đến 100% đảng viên, công chức, viên chức và người lao động",
        "Biên bản hội nghị quán triệt tháng {m}/2026"),
    "NV1.2": TaskScript(
        (30, 70, 100, 100, 100, 100), (1, 1), None, (0, 0),
        ("Đưa nội dung thực hiện Chỉ thị vào nghị quyết sinh hoạt chi bộ định kỳ",
         "Xây dựng chương trình sinh hoạt chuyên đề về văn minh đô thị, trật tự công cộng"),
        "Nội dung thực hiện Chỉ thị đã được đưa vào chương trình công tác năm và sinh hoạt "
        "chuyên đề của chi bộ",
        _MEETING),
    "NV2.1": TaskScript(
        (15, 30, 45, 60, 70, 85), (2, 4), (35, 90), (3, 8),
        ("Tổ chức {n} buổi tuyên truyền, phổ biến pháp luật về trật tự công cộng, bảo vệ môi "
         "trường cho {p} lượt người; đăng {b} tin, bài",
         "Phối hợp với UBND phường Đông Kinh tổ chức {n} buổi nói chuyện chuyên đề về phân loại "
         "rác thải tại nguồn cho {p} lượt người; đăng {b} tin, bài",
         "Tổ chức {n} buổi tuyên truyền lưu động, phát tờ rơi về nếp sống văn minh đô thị "
         "cho {p} lượt người; đăng {b} tin, bài"),
        "Hoàn thành các đợt tuyên truyền theo kế hoạch năm",
        "Báo cáo kết quả tuyên truyền tháng {m}/2026"),
    "NV2.2": TaskScript(
        (20, 35, 50, 65, 75, 85), (0, 1), (10, 25), (8, 15),
        ("Đăng {b} tin, bài về thực hiện Chỉ thị số 06-CT/TU trên Trang thông tin điện tử "
         "của Sở và trang mạng xã hội của Sở",
         "Đăng {b} tin, bài; giới thiệu mô hình \"Khu dân cư sáng - xanh - sạch - đẹp\" ứng dụng "
         "chiếu sáng tiết kiệm năng lượng",
         "Đăng {b} tin, bài; xây dựng chuyên mục \"Văn minh đô thị\" trên Trang thông tin "
         "điện tử của Sở"),
        "Duy trì chuyên mục thường xuyên, hoàn thành chỉ tiêu tin, bài của năm",
        "Danh mục tin, bài đăng tháng {m}/2026"),
    "NV2.3": TaskScript(
        (20, 35, 50, 60, 70, 80), (1, 2), None, (0, 2),
        ("Tổ chức {n} đợt ra quân tổng vệ sinh cơ quan, khuôn viên nơi làm việc với {p} lượt "
         "người tham gia",
         "Ký cam kết thực hiện văn hóa công sở, văn hóa giao thông; tổ chức {n} đợt ra quân "
         "vệ sinh môi trường với {p} lượt người tham gia",
         "Duy trì \"Ngày thứ Sáu xanh\"; {n} đợt ra quân với {p} lượt người tham gia"),
        "Hoàn thành các nội dung vận động theo kế hoạch",
        _MEETING),
    "NV3.1": TaskScript(
        (0, 10, 20, 30, 40, 55), (0, 2), (20, 45), (0, 2),
        ("Rà soát, lựa chọn 03 tiến bộ kỹ thuật về xử lý chất thải hữu cơ để chuyển giao",
         "Tổ chức {n} hội thảo giới thiệu công nghệ ủ phân hữu cơ vi sinh từ phụ phẩm nông "
         "nghiệp cho {p} lượt người",
         "Triển khai chuyển giao mô hình ủ phân hữu cơ vi sinh tại 02 hợp tác xã; {n} buổi "
         "tập huấn cho {p} lượt người"),
        "Hoàn thành chuyển giao mô hình theo kế hoạch",
        "Báo cáo tiến độ chuyển giao tháng {m}/2026"),
    "NV3.2": TaskScript(
        (0, 15, 30, 35, 40, 60), (0, 1), (8, 15), (0, 1),
        ("Tổng hợp 05 đề xuất đặt hàng nhiệm vụ khoa học và công nghệ từ các sở, ngành, "
         "địa phương",
         "Hoàn thiện thuyết minh 02 đề xuất nhiệm vụ về đô thị thông minh và xử lý chất thải "
         "rắn đô thị",
         "Tổ chức họp Hội đồng tư vấn xác định nhiệm vụ khoa học và công nghệ với {p} lượt "
         "thành viên"),
        "Danh mục nhiệm vụ khoa học và công nghệ đã được phê duyệt",
        "Tờ trình đề xuất danh mục nhiệm vụ tháng {m}/2026"),
    "NV3.3": TaskScript(
        (10, 20, 30, 37.5, 50, 62.5), (0, 2), (10, 30), (0, 2),
        ("Hướng dẫn 03 tổ chức, cá nhân hoàn thiện hồ sơ công nhận sáng kiến",
         "Phối hợp nhân rộng mô hình đèn chiếu sáng năng lượng mặt trời tại khu dân cư; "
         "{n} buổi hướng dẫn cho {p} lượt người",
         "Tổng hợp, đánh giá hiệu quả 04 giải pháp kỹ thuật được áp dụng tại cơ sở"),
        "Hoàn thành nhân rộng các kết quả nghiên cứu theo kế hoạch",
        "Báo cáo kết quả ứng dụng tháng {m}/2026"),
    "NV4.1": TaskScript(
        (10, 25, 40, 45, 60, 75), (0, 1), (8, 15), (0, 2),
        ("Triển khai ký số, xử lý văn bản điện tử trên phần mềm quản lý văn bản",
         "Thử nghiệm trợ lý ảo AI hỗ trợ tra cứu văn bản, thủ tục hành chính của Sở",
         "Xây dựng bảng điều khiển số liệu phục vụ lãnh đạo Sở chỉ đạo, điều hành"),
        "Hoàn thành các ứng dụng theo kế hoạch",
        "Báo cáo ứng dụng công nghệ số tháng {m}/2026"),
    "NV4.2": TaskScript(
        (0, 10, 20, 25, 30, 45), (0, 1), (5, 12), (0, 1),
        ("Khảo sát, rà soát các cơ sở dữ liệu chuyên ngành khoa học và công nghệ",
         "Chuẩn hóa dữ liệu tổ chức khoa học và công nghệ, nhiệm vụ KH&CN để chia sẻ",
         "Thử nghiệm kết nối cơ sở dữ liệu nhiệm vụ KH&CN với nền tảng chia sẻ dữ liệu "
         "của tỉnh"),
        "Hoàn thành kết nối, chia sẻ dữ liệu theo kế hoạch",
        "Báo cáo tiến độ kết nối dữ liệu tháng {m}/2026"),
    "NV4.3": TaskScript(
        (10, 20, 35, 50, 60, 70), (1, 2), (15, 35), (0, 2),
        ("Tổ chức {n} lớp tập huấn sử dụng chữ ký số, phần mềm quản lý văn bản cho {p} lượt "
         "cán bộ, công chức",
         "Tổ chức {n} lớp bồi dưỡng kỹ năng số, an toàn thông tin cho {p} lượt cán bộ, "
         "đảng viên",
         "Hướng dẫn khai thác nền tảng học tập trực tuyến; {n} lớp với {p} lượt người tham gia"),
        "Hoàn thành bồi dưỡng năng lực số theo kế hoạch",
        "Danh sách học viên lớp tập huấn tháng {m}/2026"),
    "NV5.1": TaskScript(
        (20, 35, 50, 60, 70, 80), (1, 1), None, (0, 1),
        ("Sinh hoạt chuyên đề học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh "
         "gắn với thực hiện Chỉ thị",
         "Kiểm tra việc chấp hành giờ giấc, văn hóa công vụ; không có trường hợp vi phạm",
         "Đăng ký, cam kết thực hiện văn hóa công vụ của 100% đảng viên"),
        "Hoàn thành các nội dung theo kế hoạch",
        _MEETING),
    "NV5.2": TaskScript(
        (15, 30, 45, 55, 65, 75), (0, 1), None, (0, 0),
        ("100% đảng viên đăng ký, cam kết nêu gương chấp hành quy định về trật tự công cộng "
         "tại nơi cư trú",
         "Không có đảng viên vi phạm quy định về trật tự công cộng, an toàn giao thông",
         "Lấy ý kiến nhận xét của chi ủy nơi cư trú đối với đảng viên"),
        "Hoàn thành các nội dung theo kế hoạch",
        _MEETING),
}

GENERIC_SCRIPT = TaskScript(
    (10, 25, 40, 55, 70, 80), (0, 1), None, (0, 1),
    ("Triển khai thực hiện theo kế hoạch của chi bộ",),
    "Hoàn thành theo kế hoạch", _MEETING)

DELAYS: dict[tuple[str, str], Delay] = {
    ("KHKH", "NV3.2"): Delay(
        ("2026-09", "2026-10"),
        "Đã hoàn thiện hồ sơ 02 đề xuất nhiệm vụ; đang chờ bố trí kinh phí để họp Hội đồng "
        "tư vấn",
        "Chưa bố trí được kinh phí sự nghiệp khoa học và công nghệ năm 2026 cho 02 đề xuất "
        "nhiệm vụ về đô thị thông minh và xử lý chất thải rắn đô thị; họp Hội đồng tư vấn xác "
        "định nhiệm vụ phải lùi lịch.",
        "Đề nghị Đảng ủy Sở chỉ đạo cơ quan chuyên môn báo cáo UBND tỉnh bổ sung kinh phí sự "
        "nghiệp KH&CN, ưu tiên các nhiệm vụ phục vụ thực hiện Chỉ thị số 06-CT/TU."),
    ("CDS", "NV4.2"): Delay(
        ("2026-09", "2026-10"),
        "Đã chuẩn hóa dữ liệu nhiệm vụ KH&CN; việc kết nối với nền tảng của tỉnh đang tạm dừng",
        "Nền tảng tích hợp, chia sẻ dữ liệu (LGSP) của tỉnh chưa kết nối được với cơ sở dữ "
        "liệu chuyên ngành KH&CN của Sở; chưa có hướng dẫn kỹ thuật về chuẩn dữ liệu dùng chung.",
        "Đề nghị Đảng ủy Sở kiến nghị đơn vị quản lý nền tảng LGSP của tỉnh sớm cấp tài khoản "
        "kết nối và ban hành hướng dẫn chuẩn dữ liệu."),
    ("CDS", "NV4.1"): Delay(
        ("2026-09",),
        "Duy trì các ứng dụng đã triển khai; lùi thời gian thử nghiệm trợ lý ảo AI",
        "Thiếu công chức có kỹ năng số chuyên sâu (phân tích dữ liệu, vận hành trợ lý ảo AI); "
        "01 công chức phụ trách đang đi học dài hạn.",
        "Đề nghị cử 02 công chức tham gia lớp bồi dưỡng kỹ năng số chuyên sâu; bổ sung nhân "
        "lực chuyên trách công nghệ thông tin."),
    ("TTKHCN", "NV3.1"): Delay(
        ("2026-10", "2026-11"),
        "Hoàn thành khảo sát, tập huấn tại 01 hợp tác xã; chưa triển khai được tại hợp tác xã "
        "thứ hai",
        "Hợp tác xã tiếp nhận chưa bố trí được kinh phí đối ứng; mưa kéo dài làm chậm lịch "
        "chuyển giao mô hình ủ phân hữu cơ vi sinh.",
        "Đề nghị điều chỉnh tiến độ chuyển giao sang quý I/2027 và hỗ trợ một phần kinh phí "
        "từ nguồn sự nghiệp KH&CN."),
}

# Obstacles noted without the task being late.
NOTES: dict[tuple[str, str, str], str] = {
    ("VPCN", "NV2.3", "2026-08"): "Một số đảng viên ở xa cơ quan, khó bố trí thời gian ra quân "
                                  "ngoài giờ hành chính.",
    ("CDS", "NV4.3", "2026-07"): "Phòng máy tập huấn còn thiếu, phải tổ chức thành nhiều ca.",
}

PROFILES: dict[str, CellProfile] = {
    "VPCN": CellProfile(21, "Hoàng Thị Lan"),
    "KHKH": CellProfile(13, "Nông Văn Dũng"),
    "TTKHCN": CellProfile(27, "Lương Thị Hà"),
    "CDS": CellProfile(11, "Vi Đức Minh"),
}
DEFAULT_PROFILE = CellProfile(15, "Nguyễn Văn An")


# -- the figures -------------------------------------------------------------------------

@dataclass
class Entry:
    """One task row of one sample report."""
    status: str                     # canonical code
    pct: float | None
    activities: int | None = None
    participants: int | None = None
    posts: int | None = None
    result: str | None = None       # may hold {n} {p} {b}: see result_text()
    obstacles: str | None = None
    proposals: str | None = None
    evidence: str | None = None

    def result_text(self) -> str | None:
        if self.result is None:
            return None
        return self.result.format(n=self.activities or 0, p=self.participants or 0,
                                  b=self.posts or 0)


@dataclass
class Report:
    cell_code: str
    period: str
    report_date: date
    prepared_by: str
    entries: dict[str, Entry] = field(default_factory=dict)


def cell_series(cell: Cell, task_code: str) -> dict[str, Entry]:
    """The six monthly rows of one cell for one task."""
    rng = random.Random(f"{SEED}:{cell.code}:{task_code}")
    script = SCRIPTS.get(task_code, GENERIC_SCRIPT)
    pcts = _curve(script.curve, rng, lead=cell.role(task_code) == Role.LEAD)
    delay = DELAYS.get((cell.code, task_code))
    members = PROFILES.get(cell.code, DEFAULT_PROFILE).members
    series, stage = {}, 0
    for i, month in enumerate(MONTHS):
        delayed = bool(delay and month in delay.months)
        if delayed and i:
            pcts[i] = min(pcts[i], pcts[i - 1] + 5)   # a delayed task barely moves
        pct = pcts[i]
        status = _status(pct, delayed)
        entry = Entry(status, pct)
        if status in ("in_progress", "delayed"):
            text = delay.result if delayed else script.results[min(stage, len(script.results) - 1)]
            _fill_counts(entry, script, rng, members, needs=text)
            entry.result = text
            if rng.random() < 0.7:          # not every row cites evidence
                entry.evidence = script.evidence.format(m=int(month[5:]))
            stage += 1
        elif status == "done":
            just_done = i == 0 or pcts[i - 1] < 100
            if just_done:
                _fill_counts(entry, script, rng, members)
                entry.evidence = script.evidence.format(m=int(month[5:]))
            entry.result = script.done_result
            entry.pct = 100 if just_done or rng.random() < 0.5 else None  # status alone is enough
        if delayed:
            entry.obstacles, entry.proposals = delay.obstacle, delay.proposal
        entry.obstacles = NOTES.get((cell.code, task_code, month), entry.obstacles)
        series[month] = entry
    return series


def _curve(base: tuple[float, ...], rng: random.Random, lead: bool) -> list[float]:
    """The typical curve, shifted per cell: leads a bit ahead or behind, others scattered."""
    shift = rng.choice((-5, 5, 10)) if lead else rng.choice((-10, -5, 0, 0, 5))
    out, previous = [], 0.0
    for value in base:
        if value in (0, 100):
            moved = value                       # not started stays 0, done stays done
        else:
            moved = min(95.0, max(5.0, value + shift))
        moved = max(moved, previous)            # a stock never goes down
        out.append(moved)
        previous = moved
    return out


def _status(pct: float, delayed: bool) -> str:
    if pct >= 100:
        return "done"
    if delayed:
        return "delayed"
    return "not_started" if pct == 0 else "in_progress"


def _fill_counts(entry: Entry, script: TaskScript, rng: random.Random, members: int,
                 needs: str = "") -> None:
    """The month's flows; at least what the result text quotes ({n}, {p}, {b})."""
    n = rng.randint(*script.activities)
    if n == 0 and ("{n}" in needs or "{p}" in needs):
        n = 1
    entry.activities = n
    if script.audience is None:
        entry.participants = sum(members - rng.randint(0, 2) for _ in range(n)) if n else None
    else:
        entry.participants = sum(rng.randint(*script.audience) for _ in range(n)) if n else None
    entry.posts = rng.randint(*script.posts) or None
    if entry.posts is None and "{b}" in needs:
        entry.posts = max(1, script.posts[0])


def build_reports(catalog: Catalog | None = None) -> list[Report]:
    """Every sample report, in the order their files are named."""
    catalog = catalog or get_catalog()
    reports = []
    for cell in catalog.cells:
        series = {code: cell_series(cell, code) for code in _tasks_of(cell, catalog)}
        profile = PROFILES.get(cell.code, DEFAULT_PROFILE)
        for month in MONTHS:
            if (cell.code, month) in MISSING:
                continue
            report = Report(cell.code, month, _report_date(cell.code, month, catalog),
                            profile.prepared_by,
                            {code: s[month] for code, s in series.items()})
            reports.append(report)
            if (cell.code, month) == RESUBMITTED:
                reports.append(_corrected(report, series))
    return reports


def _report_date(cell_code: str, month: str, catalog: Catalog) -> date:
    """On time (between the 1st and the deadline) unless listed in LATE_DAYS."""
    rng = random.Random(f"{SEED}:{cell_code}:{month}")
    if month == QUICK_MONTH:
        return from_key(month).start.replace(day=rng.randint(*QUICK_DAYS))
    due = deadline(month, catalog.plan.report_deadline_day)
    late = LATE_DAYS.get((cell_code, month))
    if late:
        return due.replace(day=due.day + late)
    return due.replace(day=rng.randint(1, due.day))


def _tasks_of(cell: Cell, catalog: Catalog) -> list[str]:
    return [t.code for t in catalog.tasks if cell.role(t.code)]


def _corrected(original: Report, series: dict[str, dict[str, Entry]]) -> Report:
    """The second sending, dated a week later: one post count, one participant count
    and one completion % corrected (never above the next month's figure)."""
    months = list(MONTHS)
    after = months[months.index(original.period) + 1] if original.period != MONTHS[-1] else None
    entries = {code: Entry(**vars(e)) for code, e in original.entries.items()}
    fixes = [("posts", 3), ("participants", 6), ("pct", 5)]
    for code, entry in entries.items():
        for name, step in list(fixes):
            value = getattr(entry, name)
            if not value or (name == "pct" and value >= 100):
                continue
            if name == "pct":
                ceiling = (series[code][after].pct if after else None) or 100
                if value + step > ceiling:
                    continue
            setattr(entry, name, value + step)
            fixes.remove((name, step))
            break
    return Report(original.cell_code, original.period,
                  original.report_date.replace(day=original.report_date.day + 7),
                  original.prepared_by, entries)


# -- the files ------------------------------------------------------------------------------

def file_name(report: Report, attempt: int = 1) -> str:
    suffix = f"_lan-{attempt}" if attempt > 1 else ""
    return f"{report.period}_{report.cell_code}{suffix}.xlsx"


def report_bytes(report: Report, catalog: Catalog | None = None) -> bytes:
    catalog = catalog or get_catalog()
    wb = openpyxl.load_workbook(io.BytesIO(
        template_bytes(report.cell_code, report.period, catalog, report.report_date)))
    ws = wb[REPORT_SHEET]
    _mark_sample(wb)
    where = layout(report.cell_code, catalog)
    ws[where.value_ref(LABEL_AUTHOR)] = report.prepared_by
    for code, entry in report.entries.items():
        values = {
            "status": Status(entry.status).label, "completion_pct": _number(entry.pct),
            "activities": entry.activities, "participants": entry.participants,
            "posts": entry.posts, "result": entry.result_text(), "obstacles": entry.obstacles,
            "proposals": entry.proposals, "evidence": entry.evidence,
        }
        for header, value in values.items():
            if value is not None:
                ws[where.ref(code, header)] = value
    return _deterministic_bytes(wb)


def _number(value: float | None) -> float | int | None:
    """80 rather than 80.0 in the cell, as a person would type it."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _mark_sample(wb: openpyxl.Workbook) -> None:
    for name in (REPORT_SHEET, GUIDE_SHEET):
        ws = wb[name]
        ws["A1"] = f"{SAMPLE_MARK} - {ws['A1'].value}"
    wb.properties.title = f"{SAMPLE_MARK} - {wb.properties.title}"


class _FixedTimeZip(zipfile.ZipFile):
    """A ZipFile whose entries all carry one fixed timestamp."""

    def writestr(self, zinfo_or_arcname, data, *args, **kwargs):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname = zipfile.ZipInfo(zinfo_or_arcname, _FIXED_ZIP_TIME)
            zinfo_or_arcname.compress_type = self.compression
        return super().writestr(zinfo_or_arcname, data, *args, **kwargs)

    def write(self, filename, arcname=None, *args, **kwargs):
        # openpyxl streams worksheets through temp files, whose mtime would leak in.
        with open(filename, "rb") as f:
            self.writestr(arcname or Path(filename).name, f.read())


def _deterministic_bytes(wb: openpyxl.Workbook) -> bytes:
    """openpyxl's save stamps 'now' on the file and its zip entries; this does not."""
    wb.properties.created = FIXED_CREATED
    wb.properties.modified = FIXED_CREATED
    wb.properties.lastModifiedBy = wb.properties.creator
    buf = io.BytesIO()
    archive = _FixedTimeZip(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(wb, archive).save()   # closes the archive
    return buf.getvalue()


README = """\
# Dữ liệu mẫu / Sample data

**Tiếng Việt.** Các tệp trong thư mục này là báo cáo tiến độ **mẫu** (không phải số liệu
thật) của 4 chi bộ, hằng tháng từ tháng 6/2026 đến tháng 11/2026, lập từ mẫu báo cáo
chuẩn của hệ thống. Chúng dùng để thử chương trình nạp và xem thử bảng điều khiển: có
nhiệm vụ chậm tiến độ kèm khó khăn, đề xuất; có báo cáo nộp trễ hạn; Chi bộ Trung tâm
KH&CN chưa báo cáo tháng 9/2026; Chi bộ Chuyển đổi số gửi lại báo cáo tháng 10/2026
(tệp `_lan-2` sửa một vài số liệu). Mỗi trang tính ghi "DỮ LIỆU MẪU" nên hệ thống đánh
dấu là dữ liệu mẫu. Nạp vào cơ sở dữ liệu bằng `python -m etl samples load`, gỡ bằng
`python -m etl samples remove`; tạo lại bằng `python -m etl samples build` (giống hệt từng byte).

**English.** These files are **sample** progress reports (not real figures) for the 4
party cells, monthly from June to November 2026, generated from the project's report
template. They exist to try the loader and demo the dashboard: a few delayed tasks with
obstacles and proposals, some late reports, TTKHCN missing September 2026, and CDS
re-sending October 2026 (the `_lan-2` file corrects a few figures). Every sheet says
"DỮ LIỆU MẪU", so the loader flags them as sample data. Load them with
`python -m etl samples load`, remove them with `python -m etl samples remove`; regenerate with
`python -m etl samples build` (byte-identical output).
"""


def write_samples(out_dir: Path, catalog: Catalog | None = None) -> list[Path]:
    """Write every sample report (and a README) into out_dir; the report paths, sorted."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    catalog = catalog or get_catalog()
    written, seen = [], set()
    for report in build_reports(catalog):
        key = (report.cell_code, report.period)
        attempt = 2 if key in seen else 1
        seen.add(key)
        path = out_dir / file_name(report, attempt)
        path.write_bytes(report_bytes(report, catalog))
        written.append(path)
    (out_dir / "README.md").write_text(README, encoding="utf-8")
    return sorted(written)
