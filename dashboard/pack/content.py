"""What a meeting pack holds, and how it is collected from the dashboard's queries and
chart builders (the same figures the pages show).

Text is kept whole: a person's words (obstacles, proposals, results) and task titles are
never shortened here; layout.py fits them by wrapping, font size and continuation slides.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from dashboard.scope import Scope
from etl.store import Store

# Kinds of a workbook column: how its values are written and formatted.
TEXT, PERCENT, INTEGER, DAY = "text", "percent", "integer", "date"


@dataclass(frozen=True)
class ChartPart:
    sheet: str            # Excel sheet name (<= 31 characters)
    title: str
    figure: object        # plotly Figure
    data: pd.DataFrame    # the figures behind the chart: Vietnamese headers, labels
    kinds: dict = field(default_factory=dict)   # header -> TEXT | PERCENT | INTEGER | DAY


@dataclass(frozen=True)
class TablePart:
    title: str
    frame: pd.DataFrame   # display-ready: Vietnamese headers, formatted values, whole texts
    key_columns: int = 1  # leading columns that name a row: repeated when a row continues
    empty_text: str = "Không có nội dung trong phạm vi đã chọn."


@dataclass
class PackContent:
    plan_title: str
    organization: str
    period_key: str
    period_label: str
    scope_text: str
    data_date: object     # the "số liệu đến" text (fmt.data_date)
    made_on: date
    kpis: list            # dashboard.kpis.Tile
    charts: list[ChartPart]
    cell_tables: list[TablePart]
    issues: TablePart
    completeness: TablePart
    progress: pd.DataFrame            # the v_progress rows in scope
    cells: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    kpi_notes: list[str] = field(default_factory=list)
    is_sample: bool = False           # a sample report is in scope: every file says so


@dataclass(frozen=True)
class Source:
    """Where a pack's figures come from: the store, the scope, and "today" for deadlines."""
    store: Store
    scope: Scope
    today: date | None = None    # for "late / not yet due"; None = the real today


def header_of(source: Source) -> dict:
    """The pack's fixed texts: plan, organization, period, scope, data date, date made,
    and whether a sample report is in scope (its period and the months it charts)."""
    from dashboard import fmt, queries
    from etl.periods import from_key
    catalog = source.store.catalog
    scope = source.scope
    first = submission_months(source)[:1] or [scope.period]
    start, end = from_key(first[0]).start, from_key(scope.period).end
    return dict(plan_title=catalog.plan.title, organization=catalog.plan.organization,
                period_key=scope.period, period_label=scope.label,
                scope_text=scope.describe(catalog),
                data_date=fmt.data_date(queries.data_status(source.store)),
                made_on=source.today or date.today(), cells=scope.cells or (),
                areas=scope.areas or (),
                is_sample=queries.sample_within(source.store, min(start, from_key(scope.period).start),
                                                end, scope.cell_list))


def content_for(source: Source, header: dict, charts: list[ChartPart]) -> PackContent:
    tiles, notes = kpi_tiles(source)
    return PackContent(**header, kpis=tiles, kpi_notes=notes, charts=charts,
                       cell_tables=cell_tables(source), issues=issues_table(source),
                       completeness=completeness_table(source),
                       progress=progress_rows(source))


def kpi_tiles(source: Source) -> tuple[list, list[str]]:
    """The overview slide's tiles, and the sentences under them (the page's own)."""
    from dashboard import kpis, queries
    scope = source.scope
    df = queries.overall(source.store, scope.grain, **scope.query_args())
    now = df.iloc[0] if len(df) else None
    compared = queries.comparison(source.store, scope.grain, scope.period, scope.previous(),
                                  scope.cell_list, scope.area_list)
    return kpis.pack_tiles(now, scope), kpis.explanations(now, compared, scope)


def progress_rows(source: Source) -> pd.DataFrame:
    """The v_progress rows (current submissions) whose period lies inside the chosen one."""
    from dashboard import queries
    from etl.periods import from_key
    scope = source.scope
    p = from_key(scope.period)
    return queries.progress_rows_within(source.store, p.start, p.end, scope.cell_list,
                                        scope.area_list)


def whole(text) -> str:
    """A report's text as written, spaces tidied, line breaks kept; "" for nothing."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    lines = (" ".join(line.split()) for line in str(text).splitlines())
    return "\n".join(line for line in lines if line)


def cell_tables(source: Source) -> list[TablePart]:
    """One table per cell in scope: its assigned tasks with role, status, completion."""
    from dashboard import fmt, queries
    from etl.fields import label
    from etl.vocab import NOT_ASSIGNED
    scope = source.scope
    df = queries.assignment_facts(source.store, scope.grain, **scope.query_args())
    parts = []
    for cell in source.store.catalog.cells:
        if scope.cells and cell.code not in scope.cells:
            continue
        rows = df[df["cell_code"] == cell.code]
        frame = pd.DataFrame({
            label("task_code"): rows["task_code"],
            label("task_title"): rows["task_title"].map(whole),
            label("role"): rows["role"].map(fmt.role),
            label("status"): rows["status"].map(fmt.status),
            label("completion_pct"): rows["completion_pct"].map(fmt.pct_or_no_report),
            label("result"): rows["result"].map(whole),
        })
        parts.append(TablePart(f"{cell.name}: nhiệm vụ được giao", frame.reset_index(drop=True),
                               empty_text=f"{NOT_ASSIGNED} nhiệm vụ nào trong phạm vi đã chọn."))
    return parts


def issues_table(source: Source) -> TablePart:
    """Obstacles and proposals the cells raised in the period (latest first)."""
    from dashboard import queries
    from etl.fields import label
    from etl.periods import from_key
    scope = source.scope
    p = from_key(scope.period)
    log = queries.obstacle_log(source.store, cells=scope.cell_list, areas=scope.area_list,
                               as_of=p.end)
    log = log[pd.to_datetime(log["period_end"]).dt.date >= p.start]
    frame = pd.DataFrame({
        "Chi bộ": log["cell_short"], "Nhiệm vụ": log["task_code"],
        label("obstacles"): log["obstacles"].map(whole),
        label("proposals"): log["proposals"].map(whole),
        "Kỳ": log["period"].map(_period_label),
    })
    return TablePart("Khó khăn, vướng mắc và đề xuất, kiến nghị", frame.reset_index(drop=True),
                     key_columns=2)


def completeness_table(source: Source) -> TablePart:
    """Per cell: tasks reported of those assigned, and each month's report on time or not."""
    from dashboard import fmt, queries
    from etl.vocab import NOT_ASSIGNED
    scope = source.scope
    months = _months_of(scope.period)
    summary = queries.cell_summary(source.store, scope.grain, **scope.query_args())
    matrix = queries.submission_matrix(source.store, months, scope.cell_list, today=source.today)
    frame = pd.DataFrame({
        "Chi bộ": summary["short_name"],
        "Nhiệm vụ đã báo cáo": [NOT_ASSIGNED if idle else f"{fmt.number(r)}/{fmt.number(a)}"
                                for r, a, idle in zip(summary["tasks_reported"],
                                                      summary["tasks_assigned"],
                                                      summary["not_assigned"])],
    })
    for month in months:
        states = matrix[matrix["period"] == month].set_index("cell_code")
        frame[_period_label(month)] = [_report_state_text(states, c) for c in summary["cell_code"]]
    return TablePart("Tình hình gửi báo cáo", frame)


def _report_state_text(states: pd.DataFrame, cell_code: str) -> str:
    from dashboard import fmt
    from etl.vocab import ReportTimeliness
    if cell_code not in states.index:
        return ""
    row = states.loc[cell_code]
    text = ReportTimeliness.label_of(row["state"], str(row["state"]))
    if row["report_date"] is None:
        return text
    return f"{text} ({fmt.report_date(row['report_date'], bool(row['date_from_load']))})"


def _months_of(period_key: str) -> list[str]:
    from etl.periods import from_key
    p = from_key(period_key)
    return [f"{p.start.year}-{m:02d}" for m in range(p.start.month, p.end.month + 1)]


SUBMISSION_WINDOW = 3   # months on a month's submission chart: it and the two before


def submission_months(source: Source) -> list[str]:
    """The months the submission chart shows: the period's months, or for a month the
    last three up to it (one month alone is one block of color, not a picture of who
    reports on time); never months before the first month any cell reported on."""
    from dashboard import queries
    from etl import periods as P
    scope = source.scope
    months = _months_of(scope.period)
    if len(months) == 1:
        months = [scope.period]
        while len(months) < SUBMISSION_WINDOW:
            months.insert(0, P.previous(months[0]))
    loaded = queries.period_keys(source.store, "month")
    return [m for m in months if loaded and m >= loaded[0]]


def _period_label(key) -> str:
    from etl.periods import period_label
    try:
        return period_label(key)
    except (ValueError, TypeError):
        return str(key)


def iter_chart_parts(source: Source):
    """Yields each chart as soon as its query returns, so rendering can start."""
    from dashboard import charts, fmt, queries
    scope = source.scope
    label = scope.label
    db, grain, args = source.store, scope.grain, scope.query_args()
    yield _part("Theo chi bộ", f"Tỷ lệ hoàn thành theo chi bộ - {label}",
                charts.completion_by_cell, queries.cell_summary(db, grain, **args), label)
    yield _part("Theo nhiệm vụ trọng tâm", f"Tỷ lệ hoàn thành theo nhiệm vụ trọng tâm - {label}",
                charts.completion_by_area, queries.area_summary(db, grain, **args), label)
    yield _part("Chi bộ x nhiệm vụ trọng tâm", f"Chi bộ × nhiệm vụ trọng tâm - {label}",
                charts.cell_area_heatmap, queries.cell_area_summary(db, grain, **args), label)
    yield _part("Tình trạng nhiệm vụ", f"Trạng thái các nhiệm vụ - {label}",
                charts.status_distribution, queries.status_counts(db, grain, **args), label)
    months = _months_of(scope.period)
    if len(months) > 1:
        monthly = queries.cell_summary(db, "month", periods=months, cells=scope.cell_list,
                                       areas=scope.area_list)
        title = f"Diễn biến tỷ lệ hoàn thành theo tháng - {label}"
        yield _chart("Diễn biến theo tháng", title, charts.trend_by_cell(monthly, title), monthly)
    shown = submission_months(source)
    if len(shown) > 1:
        matrix = queries.submission_matrix(db, shown, scope.cell_list, today=source.today)
        span = f"{fmt.period(shown[0])} đến {fmt.period(shown[-1])}"
        title = f"Tình hình gửi báo cáo hằng tháng - {span}"
        yield _chart("Gửi báo cáo", title, charts.submission_matrix(matrix, title), matrix)


def _part(sheet: str, title: str, builder, frame: pd.DataFrame, period_label: str) -> ChartPart:
    return _chart(sheet, title, builder(frame, title, period_label), frame)


def _chart(sheet: str, title: str, figure, frame: pd.DataFrame) -> ChartPart:
    data, kinds = sheet_frame(frame)
    return ChartPart(sheet, title, figure, data, kinds)


# The figures behind a chart, for the secretary: Vietnamese headings, labels instead of
# codes, no drawing columns (colors, sort orders, short names).
SHEET_COLUMNS = {
    "period": ("Kỳ", TEXT), "cell_code": ("Mã chi bộ", TEXT), "cell_name": ("Chi bộ", TEXT),
    "area_code": ("Mã nhiệm vụ trọng tâm", TEXT), "area_name": ("Nhiệm vụ trọng tâm", TEXT),
    "has_report": ("Đã báo cáo", TEXT), "completion": ("Tỷ lệ hoàn thành", PERCENT),
    "tasks_reported": ("Lượt nhiệm vụ đã báo cáo", INTEGER),
    "tasks_assigned": ("Lượt nhiệm vụ được giao", INTEGER),
    "tasks_done": ("Lượt nhiệm vụ hoàn thành", INTEGER),
    "tasks_delayed": ("Lượt nhiệm vụ chậm tiến độ", INTEGER),
    "status": ("Trạng thái", TEXT), "tasks": ("Số lượt nhiệm vụ", INTEGER),
    "state": ("Tình trạng gửi báo cáo", TEXT), "report_date": ("Ngày báo cáo", DAY),
    "date_from_load": ("Ghi chú ngày báo cáo", TEXT), "deadline": ("Hạn nộp", DAY),
    "submission_id": ("Mã lần nộp", INTEGER),
}
LOAD_DATE_REMARK = "báo cáo không ghi ngày: dùng ngày nạp"


def sheet_frame(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """The query's rows (same numbers) with Vietnamese headings and labels, and each
    heading's kind for the workbook's number formats."""
    from dashboard import fmt
    from etl.vocab import NOT_ASSIGNED, ReportTimeliness
    out = frame[[c for c in frame.columns if c in SHEET_COLUMNS]].copy()
    if "period" in out:
        out["period"] = out["period"].map(_period_label)
    if "status" in out:
        out["status"] = out["status"].map(fmt.status)
    if "state" in out:
        out["state"] = out["state"].map(lambda s: ReportTimeliness.label_of(s, s))
    if "has_report" in out:
        out["has_report"] = [NOT_ASSIGNED if idle else ("Có" if has else "Chưa")
                             for has, idle in zip(out["has_report"], _idle(frame))]
    if "date_from_load" in out:
        out["date_from_load"] = out["date_from_load"].map(
            lambda f: LOAD_DATE_REMARK if bool(f) else "")
    for column in ("report_date", "deadline"):
        if column in out:
            out[column] = out[column].map(lambda d: None if d is None or pd.isna(d) else d)
    kinds = {SHEET_COLUMNS[c][0]: SHEET_COLUMNS[c][1] for c in out.columns}
    return out.rename(columns={c: SHEET_COLUMNS[c][0] for c in out.columns}).reset_index(
        drop=True), kinds


def _idle(frame: pd.DataFrame) -> list[bool]:
    """Rows of a cell (or pair) with nothing assigned in the scope: "Không được giao"."""
    if "not_assigned" in frame:
        return [bool(v) for v in frame["not_assigned"]]
    if "tasks_assigned" in frame and "tasks_reported" in frame:
        return [int(a) == 0 and int(r) == 0
                for a, r in zip(frame["tasks_assigned"], frame["tasks_reported"])]
    return [False] * len(frame)
