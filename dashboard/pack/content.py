"""What a meeting pack holds, and how it is collected from the dashboard's queries and
chart builders (the same figures the pages show)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from dashboard.scope import Scope
from etl.store import Store


@dataclass(frozen=True)
class ChartPart:
    sheet: str            # Excel sheet name (<= 31 characters)
    title: str
    figure: object        # plotly Figure
    data: pd.DataFrame    # the figures behind the chart


@dataclass(frozen=True)
class TablePart:
    title: str
    frame: pd.DataFrame   # display-ready: Vietnamese headers, formatted values


@dataclass
class PackContent:
    plan_title: str
    organization: str
    period_key: str
    period_label: str
    scope_text: str
    data_date: object
    made_on: date
    kpis: list[tuple[str, str]]
    charts: list[ChartPart]
    cell_tables: list[TablePart]
    issues: TablePart
    completeness: TablePart
    progress: pd.DataFrame            # the v_progress rows in scope
    cells: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()


def text_sections(content: PackContent) -> list[TablePart]:
    """The table slides/pages in deck order: one per cell, obstacles, completeness."""
    parts = [*content.cell_tables, content.issues, content.completeness]
    return [page for part in parts for page in _paged(part)]


ROWS_PER_SLIDE = 9   # the largest cell (9 tasks) on one slide


# Characters shown on a slide (so 8 rows fit one projected slide); Excel keeps it all.
TEXT_LIMIT, TITLE_LIMIT = 110, 90


@dataclass(frozen=True)
class Source:
    """Where a pack's figures come from: the store, the scope, and "today" for deadlines."""
    store: Store
    scope: Scope
    today: date | None = None    # for "late / not yet due"; None = the real today


def header_of(source: Source) -> dict:
    """The pack's fixed texts: plan, organization, period, scope, data date, date made."""
    from dashboard import queries
    catalog = source.store.catalog
    scope = source.scope
    return dict(plan_title=catalog.plan.title, organization=catalog.plan.organization,
                period_key=scope.period, period_label=scope.label,
                scope_text=scope.describe(catalog),
                data_date=queries.data_status(source.store)["data_date"],
                made_on=source.today or date.today(), cells=scope.cells or (),
                areas=scope.areas or ())


def content_for(source: Source, header: dict, charts: list[ChartPart]) -> PackContent:
    return PackContent(**header, kpis=kpi_tiles(source), charts=charts,
                       cell_tables=cell_tables(source), issues=issues_table(source),
                       completeness=completeness_table(source),
                       progress=progress_rows(source))


def kpi_tiles(source: Source) -> list[tuple[str, str]]:
    from dashboard import kpis, queries
    scope = source.scope
    df = queries.overall(source.store, scope.grain, **scope.query_args())
    return [(t.label, t.value) for t in kpis.pack_tiles(df.iloc[0] if len(df) else None)]


def progress_rows(source: Source) -> pd.DataFrame:
    """The v_progress rows (current submissions) whose period lies inside the chosen one."""
    from dashboard import queries
    from etl.periods import from_key
    scope = source.scope
    p = from_key(scope.period)
    return queries.progress_rows_within(source.store, p.start, p.end, scope.cell_list,
                                        scope.area_list)


def cell_tables(source: Source) -> list[TablePart]:
    """One table per cell in scope: its assigned tasks with role, status, completion."""
    from dashboard import fmt, queries
    from etl.fields import label
    scope = source.scope
    df = queries.assignment_facts(source.store, scope.grain, **scope.query_args())
    parts = []
    for cell in source.store.catalog.cells:
        if scope.cells and cell.code not in scope.cells:
            continue
        rows = df[df["cell_code"] == cell.code]
        frame = pd.DataFrame({
            label("task_code"): rows["task_code"],
            label("task_title"): rows["task_title"].map(lambda t: _clip(t, TITLE_LIMIT)),
            label("role"): rows["role"].map(fmt.role),
            label("status"): rows["status"].map(fmt.status),
            label("completion_pct"): rows["completion_pct"].map(fmt.pct_or_no_report),
            label("result"): rows["result"].map(_clip),
        })
        parts.append(TablePart(f"{cell.name}: nhiệm vụ được giao", frame.reset_index(drop=True)))
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
        label("obstacles"): log["obstacles"].map(_clip),
        label("proposals"): log["proposals"].map(_clip),
        "Kỳ": log["period"].map(_period_label),
    })
    return TablePart("Khó khăn, vướng mắc và đề xuất, kiến nghị", frame.reset_index(drop=True))


def completeness_table(source: Source) -> TablePart:
    """Per cell: tasks reported of those assigned, and each month's report on time or not."""
    from dashboard import fmt, queries
    scope = source.scope
    months = _months_of(scope.period)
    summary = queries.cell_summary(source.store, scope.grain, **scope.query_args())
    matrix = queries.submission_matrix(source.store, months, scope.cell_list, today=source.today)
    frame = pd.DataFrame({
        "Chi bộ": summary["short_name"],
        "Nhiệm vụ đã báo cáo": [f"{fmt.number(r)}/{fmt.number(a)}" for r, a in
                                zip(summary["tasks_reported"], summary["tasks_assigned"])],
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
    return f"{text} ({fmt.date_vn(row['report_date'])})" if row["report_date"] else text


def _months_of(period_key: str) -> list[str]:
    from etl.periods import from_key
    p = from_key(period_key)
    return [f"{p.start.year}-{m:02d}" for m in range(p.start.month, p.end.month + 1)]


def _period_label(key) -> str:
    from etl.periods import period_label
    try:
        return period_label(key)
    except (ValueError, TypeError):
        return str(key)


def _clip(text, limit: int = TEXT_LIMIT) -> str:
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _paged(part: TablePart) -> list[TablePart]:
    """A long table continues on further slides rather than running off the slide."""
    frame = part.frame.reset_index(drop=True)
    if len(frame) <= ROWS_PER_SLIDE:
        return [TablePart(part.title, frame)]
    chunks = [frame.iloc[i:i + ROWS_PER_SLIDE] for i in range(0, len(frame), ROWS_PER_SLIDE)]
    return [TablePart(part.title if i == 0 else f"{part.title} (tiếp)", chunk.reset_index(drop=True))
            for i, chunk in enumerate(chunks)]


def iter_chart_parts(source: Source):
    """Yields each chart as soon as its query returns, so rendering can start."""
    from dashboard import charts, queries
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
        yield ChartPart("Diễn biến theo tháng", title, charts.trend_by_cell(monthly, title),
                        sheet_frame(monthly))
    matrix = queries.submission_matrix(db, months, scope.cell_list, today=source.today)
    title = f"Tình hình gửi báo cáo hằng tháng - {label}"
    yield ChartPart("Gửi báo cáo", title, charts.submission_matrix(matrix, title),
                    sheet_frame(matrix))


def _part(sheet: str, title: str, builder, frame: pd.DataFrame, period_label: str) -> ChartPart:
    return ChartPart(sheet, title, builder(frame, title, period_label), sheet_frame(frame))


# The figures behind a chart, for the secretary: Vietnamese headings, no drawing columns.
SHEET_COLUMNS = {
    "period": "Kỳ", "cell_code": "Mã chi bộ", "cell_name": "Chi bộ",
    "short_name": "Tên ngắn", "cell_short": "Chi bộ (tên ngắn)", "area_code": "Mã NVTT",
    "area_name": "Nhiệm vụ trọng tâm", "area_short": "NVTT (tên ngắn)",
    "has_report": "Đã báo cáo", "completion": "Tỷ lệ hoàn thành (%)",
    "tasks_reported": "Nhiệm vụ đã báo cáo", "tasks_assigned": "Nhiệm vụ được giao",
    "tasks_done": "Nhiệm vụ hoàn thành", "tasks_delayed": "Nhiệm vụ chậm tiến độ",
    "status": "Trạng thái", "tasks": "Số lượt nhiệm vụ", "report_date": "Ngày báo cáo",
    "deadline": "Hạn nộp", "state": "Tình trạng gửi báo cáo", "submission_id": "Mã lần nộp",
}


def sheet_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The query's rows as they are (same numbers), with readable headings and labels."""
    from dashboard import fmt
    from dashboard.fmt import date_vn
    from etl.vocab import ReportTimeliness
    out = frame[[c for c in frame.columns if c in SHEET_COLUMNS]].copy()
    if "period" in out:
        out["period"] = out["period"].map(_period_label)
    if "status" in out:
        out["status"] = out["status"].map(fmt.status)
    if "state" in out:
        out["state"] = out["state"].map(lambda s: ReportTimeliness.label_of(s, s))
    if "has_report" in out:
        out["has_report"] = out["has_report"].map({True: "Có", False: "Chưa"})
    for column in ("report_date", "deadline"):
        if column in out:
            out[column] = out[column].map(lambda d: "" if d is None or pd.isna(d) else date_vn(d))
    return out.rename(columns=SHEET_COLUMNS).reset_index(drop=True)
