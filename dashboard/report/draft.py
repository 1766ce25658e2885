"""The report's text: Vietnamese sentences written from a `ReportContent`, deterministically.

Every sentence says a figure the content holds or quotes the cells' own words; where
the content has no figure (a cell that did not report, a flow nobody gave) the text says
so rather than guessing. Numbers, dates and periods are written the Vietnamese way
(63,2%; 1.790; ngày 6 tháng 10 năm 2026; Quý III/2026) with the dashboard's own
formatters, so the report and the pages print the same figure.

The result is a `Draft`: the document's parts as plain strings, blocks and tables.
docx.py lays it out; `plain_text()` is the page's preview.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from dashboard import fmt
from dashboard.report.content import (AreaResult, CellRef, MonthlyReport, ReportContent, TaskState,
                                      Voice)
from etl import periods as P
from etl.vocab import NO_REPORT, NOT_ASSIGNED, UNASSIGNED_ROLE, ReportTimeliness, Role, Status

BLANK = "..."                    # a blank the office fills in by hand
TITLE = "BÁO CÁO"
PARTY = "ĐẢNG CỘNG SẢN VIỆT NAM"
ON_BEHALF = "T/M ĐẢNG ỦY"
RECIPIENTS_LABEL = "Nơi nhận:"
SAMPLE_MARK = "DỮ LIỆU MẪU"
SAMPLE_NOTE = (f"{SAMPLE_MARK}: văn bản này được lập từ báo cáo mẫu, không phải số liệu thật; "
               "không dùng để ban hành.")
_ROMAN_DIGITS = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                 (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
TASK_UNIT = "lượt nhiệm vụ"      # one task assigned to one cell, as the dashboard counts


# -- the document's parts -----------------------------------------------------------------------

@dataclass(frozen=True)
class Para:
    text: str
    style: str = "body"          # body | heading1 | heading2 | item | note | centered


@dataclass(frozen=True)
class Column:
    header: str
    share: float                 # relative width: docx.py scales the shares to the text width
    align: str = "left"          # left | center


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    group: bool = False          # one merged row naming the group that follows


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Heading:
    """What the person drafting fills in (the page's form, the command line's flags).
    None: the catalog's value; an empty string: a dotted blank."""
    number: str = ""
    issued_on: date | None = None
    signer: str | None = None
    recipients: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Draft:
    superior: str
    issuer: str
    number_line: str
    place_date: str
    summary: str
    sample_note: str | None
    body: tuple
    recipients: tuple[str, ...]
    signer_title: str
    signer: str
    annex: tuple
    file_name: str
    on_behalf: str = ON_BEHALF
    title: str = TITLE
    party: str = PARTY
    recipients_label: str = RECIPIENTS_LABEL
    sample_mark: str | None = field(default=None)


# -- formats ---------------------------------------------------------------------------------------

def pct(value) -> str:
    """The dashboard's percentage (63,2%), or "chưa báo cáo" when there is none."""
    return fmt.pct_or_no_report(value)


def count(value) -> str:
    return fmt.number(value)


def roman(n: int) -> str:
    """4 -> `IV`: the numbering of sections and of the annex's cell groups."""
    out = ""
    for value, digits in _ROMAN_DIGITS:
        count_, n = divmod(n, value)
        out += digits * count_
    return out


def long_date(day: date) -> str:
    """`ngày 6 tháng 10 năm 2026`, for running text."""
    return f"ngày {day.day} tháng {day.month} năm {day.year}"


def dateline_date(day: date | None) -> str:
    """The date line of a Party document: days under 10 and months 1, 2 with a
    leading zero (Hướng dẫn 36-HD/VPTW); blanks when the date is not set yet."""
    if day is None:
        return f"ngày {BLANK} tháng {BLANK} năm {BLANK}"
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def period_text(key: str) -> str:
    """The period inside a sentence: `tháng 9/2026`, `Quý III/2026`, `năm 2026`."""
    label = P.period_label(key)
    return label[0].lower() + label[1:] if label.startswith(("Tháng", "Năm")) else label


def lower_first(text: str) -> str:
    """`Quán triệt, ...` -> `quán triệt, ...`; an acronym (`UBND ...`) stays as it is."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def join_vn(items: list[str]) -> str:
    """`A`, `A và B`, `A, B và C`."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " và " + items[-1]


def sentence(text: str) -> str:
    """Capital first letter, one final full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?", "…", ":")) else text + "."


def cells_text(cells: tuple[CellRef, ...] | list[CellRef]) -> str:
    """`Chi bộ Văn phòng - Công nghệ`, or `các chi bộ: Văn phòng - Công nghệ, Kế hoạch -
    Khoa học` (short names after one `các chi bộ`)."""
    cells = list(cells)
    if len(cells) == 1:
        return cells[0].name
    return "các chi bộ: " + ", ".join(c.short_name for c in cells)


def _document_number(number: str, symbol: str) -> str:
    """`12` or `12-BC/ĐU` or `Số 12-BC/ĐU` -> `Số 12-BC/ĐU`; blank -> `Số ...-BC/ĐU`."""
    number = " ".join((number or "").split())
    if number.casefold().startswith("số"):
        number = number[2:].lstrip(" :")
    if not number:
        return f"Số {BLANK}-{symbol}"
    return f"Số {number}" if "/" in number else f"Số {number}-{symbol}"


def scope_text(content: ReportContent) -> str:
    """`Quý III/2026 · Chi bộ: tất cả · Nhiệm vụ trọng tâm: tất cả`, as the pack says it
    (the charts' subtitle, the audit trail)."""
    cells = ", ".join(c.short_name for c in content.cells) if content.cells_filtered else "tất cả"
    areas = ", ".join(a.short_name for a in content.areas) if content.areas_filtered else "tất cả"
    return f"{P.period_label(content.period)} · Chi bộ: {cells} · Nhiệm vụ trọng tâm: {areas}"


def next_period(key: str) -> str:
    p = P.from_key(key)
    return P.key_of(p.end + timedelta(days=1), p.grain)


# -- the draft ------------------------------------------------------------------------------------

def compose(content: ReportContent, heading: Heading | None = None) -> Draft:
    """The whole document's text for the content and the drafter's fields."""
    heading = heading or Heading()
    plan = content.plan
    symbol = plan.report_symbol
    recipients = heading.recipients if heading.recipients is not None else plan.recipients
    signer = heading.signer if heading.signer is not None else plan.signer
    superior = " ".join(plan.superior_organization.split()).upper() or f"ĐẢNG BỘ {BLANK}"
    place = plan.place or BLANK
    number_line = _document_number(heading.number, symbol)
    body = _body(content) if content.has_reports else _empty_body(content)
    return Draft(
        superior=superior, issuer=plan.organization.upper(), number_line=number_line,
        place_date=f"{place}, {dateline_date(heading.issued_on)}",
        summary=_summary(content),
        sample_note=SAMPLE_NOTE if content.is_sample else None,
        sample_mark=SAMPLE_MARK if content.is_sample else None,
        body=tuple(body), recipients=_recipient_lines(recipients),
        signer_title=(plan.signer_title or "Bí thư").upper(), signer=signer.strip() or BLANK,
        annex=tuple(_annex(content, number_line, heading.issued_on)) if content.has_reports else (),
        file_name=file_name(content.period, content.cells if content.cells_filtered else (),
                            [a.code for a in content.areas] if content.areas_filtered else ()))


def file_name(period_key: str, cells=(), areas=()) -> str:
    """`bao-cao-ket-qua-2026-Q3.docx`, or `bao-cao-ket-qua-2026-Q3-vpcn-nv1.docx`."""
    scope = [getattr(c, "code", c).lower() for c in cells] + [a.lower() for a in areas]
    suffix = ("-" + "-".join(scope).replace(".", "")) if scope else ""
    return f"bao-cao-ket-qua-{period_key}{suffix}.docx"


def _recipient_lines(recipients) -> tuple[str, ...]:
    """`- Đảng ủy UBND tỉnh (báo cáo),` ... `- Lưu VT.`; a dotted line when none is set."""
    names = [" ".join(r.split()).lstrip("- ").rstrip(",.;") for r in recipients if r.strip()]
    names = names or [BLANK]
    return tuple(f"- {n}{'.' if i == len(names) - 1 else ','}" for i, n in enumerate(names))


def _summary(content: ReportContent) -> str:
    """`Kết quả thực hiện Kế hoạch thực hiện Chỉ thị số 06-CT/TU, Quý III/2026`."""
    plan = content.plan
    number = f" số {plan.number}" if plan.number else ""
    return (f"Kết quả thực hiện Kế hoạch{number} {lower_first(plan.short_title)}, "
            f"{period_text(content.period)}")


def _plan_reference(content: ReportContent) -> str:
    """The plan as the opening cites it: number and date when the catalog has them."""
    plan = content.plan
    rest = plan.title[len("Kế hoạch "):] if plan.title.startswith("Kế hoạch ") else plan.title
    number = f" số {plan.number}" if plan.number else ""
    issued = f", ngày {plan.issued_on}" if plan.issued_on else ""
    return f"Kế hoạch{number}{issued} của {plan.organization} {lower_first(rest)}"


def _opening(content: ReportContent) -> list[Para]:
    paras = [Para(f"Thực hiện {_plan_reference(content)}, {content.plan.organization} báo cáo "
                  f"kết quả thực hiện trong {period_text(content.period)} như sau:")]
    if content.cells_filtered or content.areas_filtered:
        cells = join_vn([c.name for c in content.cells]) if content.cells_filtered else "tất cả các chi bộ"
        areas = (join_vn([f"“{a.name}”" for a in content.areas]) if content.areas_filtered
                 else "tất cả")
        paras.append(Para(f"Phạm vi báo cáo: {cells}; nhiệm vụ trọng tâm: {areas}.", "note"))
    return paras


def _empty_body(content: ReportContent) -> list[Para]:
    period = period_text(content.period)
    return _opening(content) + [
        Para(f"Trong {period}, chưa có chi bộ nào gửi báo cáo tiến độ thực hiện Kế hoạch, nên "
             "chưa có số liệu để tổng hợp, đánh giá kết quả."),
        Para(sentence(f"Các chi bộ chưa báo cáo: {join_vn([c.name for c in content.cells])}")),
    ]


def _body(content: ReportContent) -> list[Para]:
    sections: list[tuple[str, list]] = []
    areas = list(content.areas)
    if areas and _is_first_area(content, areas[0]):
        sections.append(("CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO, QUÁN TRIỆT, TRIỂN KHAI THỰC HIỆN",
                         _area_paras(content, areas.pop(0), lead_in=True)))
    results = [Para("1. Kết quả chung", "heading2"), *_overall_paras(content)]
    for i, area in enumerate(areas, start=2):
        results += [Para(f"{i}. {area.name}", "heading2"), *_area_paras(content, area)]
    sections.append(("KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ TRỌNG TÂM", results))
    sections.append(("ĐÁNH GIÁ CHUNG", _assessment(content)))
    nxt = P.period_label(next_period(content.period)).upper()
    sections.append((f"PHƯƠNG HƯỚNG, NHIỆM VỤ {nxt}", _next_paras(content)))
    sections.append(("ĐỀ XUẤT, KIẾN NGHỊ", _proposal_paras(content)))
    body = _opening(content)
    for i, (title, paras) in enumerate(sections, start=1):
        body += [Para(f"{roman(i)}. {title}", "heading1"), *paras]
    return body


def _is_first_area(content: ReportContent, area: AreaResult) -> bool:
    """Section I is the plan's first task area (leadership and dissemination), when the
    scope holds it."""
    return next(iter(content.area_names), None) == area.code


# -- section II: figures and the cells' words, area by area ----------------------------------------

def _completion_change(content: ReportContent) -> str:
    """Against the previous period, like with like: only the cells with figures in both."""
    t = content.totals
    if t.compared_now is None or t.compared_before is None:
        return ""
    change = round(t.compared_now - t.compared_before, 1)
    before = period_text(t.previous_period)
    on = "" if t.same_cells else \
        f" (so sánh trên {t.cells_in_both} chi bộ có số liệu ở cả hai kỳ)"
    if not change:
        return f", không thay đổi so với {before}{on}"
    word = "tăng" if change > 0 else "giảm"
    return f", {word} {fmt.pct(abs(change))[:-1]} điểm phần trăm so với {before}{on}"


def _overall_paras(content: ReportContent) -> list[Para]:
    t = content.totals
    period = period_text(content.period)
    if t.cells_total:
        cells = f"{t.cells_reported}/{t.cells_total} chi bộ đã gửi báo cáo"
        if t.cells_not_assigned:
            cells += (f" ({t.cells_not_assigned} chi bộ {NOT_ASSIGNED.lower()} nhiệm vụ trong "
                      "phạm vi báo cáo, không tính)")
    else:
        cells = f"các chi bộ trong phạm vi báo cáo {NOT_ASSIGNED.lower()} nhiệm vụ nào"
    tasks = (f"; {t.tasks_reported}/{t.tasks_assigned} {TASK_UNIT} được giao đã được báo cáo "
             "(mỗi lượt là một nhiệm vụ được giao cho một chi bộ)") if t.tasks_assigned else ""
    paras = [Para(
        f"Trong {period}, {cells}{tasks}. {_completion_text(content)}; "
        f"{_done_text(t.tasks_done)}; {_delayed_count_text(t.tasks_delayed)}.")]
    flows = _flows_text(t.activities, t.participants, t.posts)
    if flows:
        paras.append(Para(sentence(f"Các chi bộ đã {flows}")))
    return paras


def _completion_text(content: ReportContent) -> str:
    t = content.totals
    if t.completion is None:
        return "Chưa có tỷ lệ hoàn thành vì chưa có nhiệm vụ nào được báo cáo"
    return (f"Tỷ lệ hoàn thành bình quân các nhiệm vụ đạt {pct(t.completion)}"
            f"{_completion_change(content)}")


def _done_text(done: int) -> str:
    return f"{done} {TASK_UNIT} đã hoàn thành" if done else f"chưa có {TASK_UNIT} nào hoàn thành"


def _delayed_count_text(delayed: int) -> str:
    return f"{delayed} {TASK_UNIT} chậm tiến độ" if delayed else f"không có {TASK_UNIT} nào chậm tiến độ"


def _flows_text(activities, participants, posts) -> str:
    """`tổ chức 80 hoạt động, thu hút 1.790 lượt người tham gia; đăng 91 tin, bài`: only
    the figures the reports gave (and not zero)."""
    held = []
    if activities:
        held.append(f"tổ chức {count(activities)} hoạt động")
    if participants:
        held.append(f"thu hút {count(participants)} lượt người tham gia")
    parts = [", ".join(held)] if held else []
    if posts:
        parts.append(f"đăng {count(posts)} tin, bài")
    return "; ".join(parts)


def _tasks_by_cell(states: list[TaskState]) -> str:
    """`NV4.1, NV4.2 của Chi bộ Chuyển đổi số và Công nghệ số; NV3.2 của ...`."""
    by_cell: dict[CellRef, list[str]] = {}
    for s in states:
        by_cell.setdefault(s.cell, []).append(s.task_code)
    return "; ".join(f"{', '.join(codes)} của {cell.name}" for cell, codes in by_cell.items())


def _area_paras(content: ReportContent, area: AreaResult, lead_in: bool = False) -> list[Para]:
    """The area's figures, each cell's figure where they differ, who did not report, and
    what the cells wrote they achieved."""
    subject = area.cells[0].cell.name if len(area.cells) == 1 else "các chi bộ"
    prefix = f"Về {lower_first(area.name)}, " if lead_in else ""
    if area.tasks_reported == 0:
        return [Para(sentence(f"{prefix}chưa có báo cáo kết quả thực hiện các nhiệm vụ này "
                              f"trong {period_text(content.period)}")),
                *_not_reported_paras(content, area)]
    delayed = [t for t in area.tasks if t.status == Status.DELAYED]
    delayed_text = _delayed_count_text(area.tasks_delayed)
    if delayed:
        delayed_text += f" ({_tasks_by_cell(delayed)})"
    paras = [Para(sentence(
        f"{prefix}{subject} đã báo cáo {area.tasks_reported}/{area.tasks_assigned} {TASK_UNIT} "
        f"được giao; tỷ lệ hoàn thành bình quân đạt {pct(area.completion)}; "
        f"{_done_text(area.tasks_done)}; {delayed_text}"))]
    flows = _flows_text(area.activities, area.participants, area.posts)
    if flows:
        paras.append(Para(sentence(f"Trong kỳ, {subject} đã {flows}")))
    by_cell = _by_cell_text(area)
    if by_cell:
        paras.append(Para(by_cell))
    paras += _not_reported_paras(content, area)
    paras += _voice_paras(area.results, "Kết quả cụ thể theo báo cáo")
    return paras


def _by_cell_text(area: AreaResult) -> str:
    """Each reporting cell's completion in the area when they differ (said once when they
    agree); the cells that did not report are named in their own sentence."""
    shown = [(c.cell, pct(c.completion)) for c in area.cells
             if c.has_report and c.tasks_reported]
    if len(shown) < 2:
        return ""
    if len({value for _, value in shown}) == 1:
        return f"Các chi bộ đã báo cáo đều đạt tỷ lệ hoàn thành {shown[0][1]}." \
            if len(shown) < len(area.cells) else f"Các chi bộ đều đạt tỷ lệ hoàn thành {shown[0][1]}."
    parts = [f"{cell.short_name} {value}" for cell, value in shown]
    return f"Tỷ lệ hoàn thành theo chi bộ: {'; '.join(parts)}."


def _not_reported_paras(content: ReportContent, area: AreaResult) -> list[Para]:
    """Cells with tasks here that sent nothing in the period, and assigned tasks a cell
    that did report left out."""
    silent = [c.cell for c in area.cells if not c.has_report]
    paras = []
    if silent:
        paras.append(Para(sentence(f"{join_vn([c.name for c in silent])} chưa gửi báo cáo "
                                   f"trong {period_text(content.period)}")))
    skipped = [t for t in area.tasks if t.role and t.cell_reported and t.status is None]
    if skipped:
        paras.append(Para(sentence(f"Chưa báo cáo nhiệm vụ {_tasks_by_cell(skipped)}")))
    return paras


def _voice_paras(voices: tuple[Voice, ...], intro: str, show_tasks: bool = False) -> list[Para]:
    """An introducing line, then one item per distinct sentence with who wrote it. When a
    single cell wrote them all, it is named once in the introduction."""
    if not voices:
        return []
    writers = {v.cells for v in voices}
    one_writer = len(writers) == 1 and len(next(iter(writers))) == 1
    if one_writer:
        intro = f"{intro} của {voices[0].cells[0].name}:"
    else:
        intro = f"{intro} của các chi bộ:"
    items = []
    for v in voices:
        notes = [] if one_writer else [cells_text(v.cells)]
        if show_tasks:
            notes.append(f"nhiệm vụ {', '.join(v.tasks)}")
        if v.still_delayed:
            notes.append("nhiệm vụ còn chậm tiến độ")
        suffix = f" ({'; '.join(notes)})" if notes else ""
        items.append(Para(sentence(f"- {_quote_text(v.text)}{suffix}"), "item"))
    return [Para(intro), *items]


def _quote_text(text: str) -> str:
    """The cell's sentence as written; only a first lower-case letter is raised."""
    return text[0].upper() + text[1:] if text else text


# -- section III: assessment --------------------------------------------------------------------

def _assessment(content: ReportContent) -> list[Para]:
    strengths = _strengths(content)
    weaknesses = _weaknesses(content)
    paras = [Para("1. Ưu điểm", "heading2")]
    paras += [Para(sentence(f"- {s}"), "item") for s in strengths] or [
        Para("Số liệu báo cáo trong kỳ chưa thể hiện ưu điểm nổi bật.")]
    paras.append(Para("2. Hạn chế, khó khăn, vướng mắc", "heading2"))
    paras += [Para(sentence(f"- {w}"), "item") for w in weaknesses]
    obstacles = _voice_paras(content.obstacles, "Khó khăn, vướng mắc nêu trong báo cáo",
                             show_tasks=True)
    if obstacles:
        paras += obstacles
    else:
        paras.append(Para(sentence(f"Trong {period_text(content.period)}, báo cáo của các chi bộ "
                                   "không nêu khó khăn, vướng mắc")))
    return paras


def _completion_ranking(items: list[tuple[str, float | None]]) -> tuple[tuple, tuple] | None:
    """(highest, lowest) of named figures, when at least two differ once formatted."""
    known = [(name, v) for name, v in items if v is not None]
    if len(known) < 2 or len({pct(v) for _, v in known}) < 2:
        return None
    ordered = sorted(known, key=lambda item: item[1])
    return ordered[-1], ordered[0]


def _strengths(content: ReportContent) -> list[str]:
    t = content.totals
    out = []
    change = _completion_change(content)
    if " tăng " in f" {change}":
        out.append(f"Tỷ lệ hoàn thành bình quân các nhiệm vụ đạt {pct(t.completion)}{change}")
    for area in content.areas:
        if area.tasks_assigned and area.tasks_done == area.tasks_assigned:
            out.append(f"Nhiệm vụ trọng tâm “{area.name}” đã hoàn thành "
                       f"({area.tasks_done}/{area.tasks_assigned} {TASK_UNIT})")
    reported = [c for c in content.cell_figures if c.has_report]
    ranking = _completion_ranking([(c.cell.name, c.completion) for c in reported])
    if ranking:
        (best, value), _ = ranking
        among = "" if len(reported) == len(content.cell_figures) else " trong các chi bộ đã báo cáo"
        out.append(f"{best} có tỷ lệ hoàn thành cao nhất{among} ({pct(value)})")
    if t.tasks_assigned and t.cells_reported == t.cells_total \
            and t.tasks_reported == t.tasks_assigned:
        out.append(f"{t.cells_reported}/{t.cells_total} chi bộ đã gửi báo cáo, đủ "
                   f"{t.tasks_reported}/{t.tasks_assigned} {TASK_UNIT} được giao")
    for record in content.reporting:
        due, on_time = record.due, record.count(ReportTimeliness.ON_TIME)
        if due and on_time == due:
            out.append(f"{record.cell.name} gửi đầy đủ, đúng hạn {on_time}/{due} báo cáo tháng")
    return out


def _weaknesses(content: ReportContent) -> list[str]:
    t = content.totals
    out = []
    change = _completion_change(content)
    if " giảm " in f" {change}":
        out.append(f"Tỷ lệ hoàn thành bình quân các nhiệm vụ ở mức {pct(t.completion)}{change}")
    delayed = [s for s in content.annex if s.status == Status.DELAYED]
    if delayed:
        out.append(f"Còn {len(delayed)} {TASK_UNIT} chậm tiến độ: {_tasks_by_cell(delayed)}")
    ranking = _completion_ranking([(f"Nhiệm vụ trọng tâm “{a.name}”", a.completion)
                                   for a in content.areas if a.tasks_reported])
    if ranking:
        _, (worst, value) = ranking
        out.append(f"{worst} có tỷ lệ hoàn thành thấp nhất ({pct(value)})")
    silent = [c.cell.name for c in content.cell_figures if not c.has_report]
    if silent:
        out.append(f"{join_vn(silent)} chưa gửi báo cáo trong {period_text(content.period)}")
    if t.tasks_reported < t.tasks_assigned:
        out.append(f"Mới có {t.tasks_reported}/{t.tasks_assigned} {TASK_UNIT} được giao được báo "
                   f"cáo; còn {t.tasks_assigned - t.tasks_reported} lượt chưa báo cáo")
    out += _late_or_missing(content)
    return out


def _sent_on(month: MonthlyReport) -> str:
    """When a late report came: its date, or its load date when it gives none."""
    when = long_date(month.report_date)
    return f"nạp {when}, báo cáo không ghi ngày" if month.date_from_load else when


def _late_or_missing(content: ReportContent) -> list[str]:
    """Each cell's late or missing monthly reports, with the dates."""
    out = []
    for record in content.reporting:
        late = [m for m in record.months if m.state == ReportTimeliness.LATE]
        missing = [m for m in record.months if m.state == ReportTimeliness.MISSING]
        parts = [f"báo cáo {period_text(m.period)} gửi trễ hạn ({_sent_on(m)}; hạn "
                 f"{long_date(m.deadline)})" for m in late]
        parts += [f"chưa gửi báo cáo {period_text(m.period)} (hạn {long_date(m.deadline)})"
                  for m in missing]
        if parts:
            out.append(f"{record.cell.name}: {'; '.join(parts)}")
    return out


# -- sections IV and V ------------------------------------------------------------------------------

def _next_paras(content: ReportContent) -> list[Para]:
    delayed, ongoing, unreported = [], [], []
    for task in content.next_tasks:
        for state in task.open:
            if state.status == Status.DELAYED:
                delayed.append(state)
            elif state.status is None:
                unreported.append(state)
        under_way = [s for s in task.open if s.status in (Status.IN_PROGRESS, Status.NOT_STARTED)]
        if under_way:
            ongoing.append((task, under_way))
    paras, n = [], 0
    if delayed:
        n += 1
        paras.append(Para(f"{n}. Tập trung tháo gỡ khó khăn, đẩy nhanh tiến độ các nhiệm vụ "
                          "đang chậm:"))
        paras += [Para(sentence(f"- {s.task_code}. {s.task_title} ({s.cell.name}, đạt "
                                f"{pct(s.completion)})"), "item") for s in delayed]
    if ongoing:
        n += 1
        paras.append(Para(f"{n}. Tiếp tục thực hiện các nhiệm vụ chưa hoàn thành:"))
        for task, states in ongoing:
            where = "; ".join(f"{s.cell.short_name} {pct(s.completion)}" for s in states)
            paras.append(Para(sentence(f"- {task.task_code}. {task.task_title} ({where})"), "item"))
    if unreported:
        n += 1
        paras.append(Para(sentence(f"{n}. Báo cáo đầy đủ kết quả các nhiệm vụ chưa báo cáo trong "
                                   f"kỳ: {_tasks_by_cell(unreported)}")))
    if _late_or_missing(content):
        n += 1
        paras.append(Para(sentence(
            f"{n}. Các chi bộ gửi báo cáo tiến độ hằng tháng đúng hạn (chậm nhất ngày "
            f"{content.plan.report_deadline_day} của tháng sau)")))
    if not paras:
        paras.append(Para("Các nhiệm vụ được giao đã hoàn thành; các chi bộ tiếp tục duy trì "
                          "kết quả đạt được."))
    return paras


def _proposal_paras(content: ReportContent) -> list[Para]:
    if not content.proposals:
        return [Para(sentence(f"Trong {period_text(content.period)}, báo cáo của các chi bộ "
                              "không nêu đề xuất, kiến nghị"))]
    paras = []
    for i, group in enumerate(content.proposals, start=1):
        paras.append(Para(f"{i}. Về {lower_first(group.area_name)}:"))
        for v in group.items:
            paras.append(Para(sentence(f"- {_quote_text(v.text)} ({cells_text(v.cells)})"), "item"))
    return paras


# -- annex -------------------------------------------------------------------------------------------

TASK_COLUMNS = (Column("STT", 0.8, "center"), Column("Nhiệm vụ", 4.6),
                Column("Vai trò", 1.5, "center"), Column("Trạng thái", 1.6, "center"),
                Column("Tỷ lệ hoàn thành", 1.3, "center"))
RECORD_COLUMNS = (Column("Chi bộ", 2.6), Column("Báo cáo tháng đến hạn", 1.2, "center"),
                  Column(ReportTimeliness.ON_TIME.label, 1.0, "center"),
                  Column(ReportTimeliness.LATE.label, 1.0, "center"),
                  Column("Chưa gửi", 1.0, "center"), Column("Ghi chú", 3.0))


def _annex(content: ReportContent, number_line: str, issued_on: date | None) -> list:
    issued = f"{issued_on.day}/{issued_on.month}/{issued_on.year}" if issued_on else \
        f"{BLANK}/{BLANK}/{BLANK}"
    attached = (f"(Kèm theo Báo cáo {number_line[0].lower()}{number_line[1:]}, ngày {issued} "
                f"của {content.plan.organization})")
    period = P.period_label(content.period)
    return [
        Para("PHỤ LỤC", "annex_title"),
        Para(f"Kết quả thực hiện nhiệm vụ của các chi bộ, {period_text(content.period)}", "annex_subtitle"),
        Para(attached, "annex_note"),
        Para(f"1. Nhiệm vụ được giao: trạng thái và tỷ lệ hoàn thành ({period})", "table_title"),
        _task_table(content),
        Para(f"2. Tình hình gửi báo cáo tháng ({period})", "table_title"),
        _record_table(content),
        Para(_source_note(content), "source"),
    ]


def _task_table(content: ReportContent) -> Table:
    rows = []
    reported = {c.cell for c in content.cell_figures if c.has_report}
    for i, cell in enumerate(content.cells, start=1):
        states = [s for s in content.annex if s.cell == cell]
        note = "" if cell in reported else f" ({NO_REPORT.lower()} trong kỳ)"
        if not states:
            note += f" ({NOT_ASSIGNED.lower()} nhiệm vụ trong phạm vi báo cáo)"
        rows.append(Row((f"{roman(i)}. {cell.name}{note}",), group=True))
        for i, s in enumerate(states, start=1):
            role = Role.label_of(s.role, UNASSIGNED_ROLE)
            status = Status.label_of(s.status, NO_REPORT)
            value = fmt.pct(s.completion) if s.completion is not None else fmt.MISSING
            rows.append(Row((str(i), f"{s.task_code}. {s.task_title}", role, status, value)))
    return Table(TASK_COLUMNS, tuple(rows))


def _record_table(content: ReportContent) -> Table:
    rows = []
    for record in content.reporting:
        notes = []
        for m in record.months:
            label = P.period_label(m.period)
            if m.state == ReportTimeliness.LATE:
                notes.append(f"{label}: trễ hạn (gửi {fmt.report_date(m.report_date, m.date_from_load)})")
            elif m.state == ReportTimeliness.MISSING:
                notes.append(f"{label}: chưa gửi")
            elif m.state == ReportTimeliness.NOT_DUE:
                notes.append(f"{label}: chưa đến hạn ({fmt.date_vn(m.deadline)})")
        rows.append(Row((record.cell.name, str(record.due),
                         str(record.count(ReportTimeliness.ON_TIME)),
                         str(record.count(ReportTimeliness.LATE)),
                         str(record.count(ReportTimeliness.MISSING)), "; ".join(notes))))
    return Table(RECORD_COLUMNS, tuple(rows))


def _source_note(content: ReportContent) -> str:
    months = content.months
    span = ""
    if months:
        span = f" ({period_text(months[0])})" if len(months) == 1 else \
            f" ({period_text(months[0])} đến {period_text(months[-1])})"
    data = f"; số liệu cập nhật đến {long_date(content.data_date)}" if content.data_date else ""
    return (f"Nguồn: báo cáo tiến độ của các chi bộ{span}{data}. Hạn gửi báo cáo tháng: ngày "
            f"{content.plan.report_deadline_day} của tháng sau.")


# -- preview ---------------------------------------------------------------------------------------------

def plain_text(d: Draft) -> str:
    """The whole document as plain text, in reading order: the page's preview."""
    lines = [d.superior, d.issuer, "*", d.number_line, "", d.party, d.place_date, "",
             d.title, d.summary, "-----"]
    if d.sample_note:
        lines += ["", d.sample_note]
    lines.append("")
    lines += [_block_text(b) for b in d.body]
    lines += ["", d.on_behalf, d.signer_title, "", d.signer, "", d.recipients_label, *d.recipients]
    if d.annex:
        lines += ["", *[_block_text(b) for b in d.annex]]
    return "\n".join(lines)


def _block_text(block) -> str:
    if isinstance(block, Table):
        rows = [" | ".join(c.header for c in block.columns)]
        rows += [" | ".join(r.cells) for r in block.rows]
        return "\n".join(rows)
    return block.text
