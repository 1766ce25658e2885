"""What the committee's report says, gathered from the dashboard's own queries.

`gather()` reads one period and scope through `dashboard.queries` (the figures every page
shows: `overall` is Tổng quan's completion) and returns plain dataclasses: no text is
written here (draft.py does that) and nothing here knows about Word. A figure that no
report gives stays None: the draft then says it was not reported, never 0.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Sequence

import pandas as pd

from dashboard import queries
from etl import periods as P
from etl.catalog import Plan
from etl.store import Store
from etl.vocab import ReportTimeliness, Status

log = logging.getLogger(__name__)


# -- what the report is made of ---------------------------------------------------------------

@dataclass(frozen=True)
class CellRef:
    code: str
    name: str           # "Chi bộ Văn phòng - Công nghệ"
    short_name: str     # "Văn phòng - Công nghệ"


@dataclass(frozen=True)
class Totals:
    """The scope's headline figures (queries.overall), and the same period before."""
    completion: float | None
    previous_completion: float | None
    previous_period: str
    tasks_assigned: int
    tasks_reported: int
    tasks_done: int
    tasks_delayed: int
    cells_reported: int
    cells_total: int
    activities: int | None      # None: no report gave the figure
    participants: int | None
    posts: int | None
    # The change against the previous period, like with like (queries.comparison): the
    # completion of the cells with figures in both periods, and how many they are.
    compared_now: float | None = None
    compared_before: float | None = None
    cells_in_both: int = 0
    same_cells: bool = True     # both periods have figures from the same cells
    cells_not_assigned: int = 0   # cells of the scope with no task in it: not counted


@dataclass(frozen=True)
class CellFigures:
    cell: CellRef
    has_report: bool
    completion: float | None
    tasks_assigned: int
    tasks_reported: int
    tasks_done: int = 0
    tasks_delayed: int = 0


@dataclass(frozen=True)
class TaskState:
    """One (cell, task) of the period: assigned, reported, or both."""
    cell: CellRef
    task_code: str
    task_title: str
    area_code: str
    role: str | None            # None: reported without being assigned
    cell_reported: bool         # the cell sent a report in the period
    status: str | None          # None: not reported
    completion: float | None


@dataclass(frozen=True)
class Voice:
    """A sentence the cells wrote, once, with every cell and task that wrote it."""
    text: str
    cells: tuple[CellRef, ...]
    tasks: tuple[str, ...]
    area_code: str
    still_delayed: bool = False   # obstacles: the task is still delayed at the period's end


@dataclass(frozen=True)
class AreaResult:
    code: str
    name: str
    short_name: str
    completion: float | None
    tasks_assigned: int
    tasks_reported: int
    tasks_done: int
    tasks_delayed: int
    activities: int | None
    participants: int | None
    posts: int | None
    cells: tuple[CellFigures, ...]      # the cells with a task in this area
    tasks: tuple[TaskState, ...]
    results: tuple[Voice, ...]


@dataclass(frozen=True)
class ProposalGroup:
    area_code: str
    area_name: str
    items: tuple[Voice, ...]


@dataclass(frozen=True)
class NextTask:
    """A task not done by every cell assigned it: what the next period must carry on."""
    task_code: str
    task_title: str
    area_code: str
    open: tuple[TaskState, ...]


@dataclass(frozen=True)
class MonthlyReport:
    period: str
    state: str                  # ReportTimeliness code
    report_date: date | None
    deadline: date
    date_from_load: bool = False    # the report gave no date: report_date is its load date


@dataclass(frozen=True)
class ReportingRecord:
    cell: CellRef
    months: tuple[MonthlyReport, ...]

    def count(self, state: ReportTimeliness) -> int:
        return sum(1 for m in self.months if m.state == state)

    @property
    def due(self) -> int:
        return sum(1 for m in self.months if m.state != ReportTimeliness.NOT_DUE)


@dataclass(frozen=True)
class ReportContent:
    plan: Plan
    period: str
    cells: tuple[CellRef, ...]          # the cells in scope, catalog order
    cells_filtered: bool                # the scope is narrower than every cell
    areas_filtered: bool
    totals: Totals
    cell_figures: tuple[CellFigures, ...]
    areas: tuple[AreaResult, ...]       # the task areas in scope, catalog order
    obstacles: tuple[Voice, ...]
    proposals: tuple[ProposalGroup, ...]
    next_tasks: tuple[NextTask, ...]
    annex: tuple[TaskState, ...]        # cell x task, cell order then task order
    months: tuple[str, ...]             # the monthly reports the period expects
    reporting: tuple[ReportingRecord, ...]
    is_sample: bool
    data_date: date | None
    made_on: date
    area_names: dict[str, str] = field(default_factory=dict)

    @property
    def has_reports(self) -> bool:
        """Any cell of the scope sent a report in the period (on any task area)."""
        return self.totals.cells_reported > 0 or any(c.has_report for c in self.cell_figures)


# -- gathering ------------------------------------------------------------------------------------

def gather(store: Store, period_key: str, cells: Sequence[str] | None = None,
           areas: Sequence[str] | None = None, today: date | None = None) -> ReportContent:
    """Everything the report states for a period and scope (None: every cell, area)."""
    period = P.from_key(period_key)
    cells, areas = _codes(cells), _codes(areas)
    catalog = store.catalog
    scope = dict(periods=[period.key], cells=cells, areas=areas)
    grain = period.grain
    today = today or date.today()
    months = expected_months(store, period.key)

    cell_refs = tuple(CellRef(c.code, c.name, c.short_name) for c in catalog.cells
                      if cells is None or c.code in cells)
    by_code = {c.code: c for c in cell_refs}
    area_names = {a.code: a.name for a in catalog.areas}

    annex = _task_states(queries.assignment_facts(store, grain, **scope), by_code)
    rows = _catalog_order(queries.progress_rows_within(store, period.start, period.end,
                                                       cells, areas), catalog)
    obstacle_log = _obstacles_in(queries.obstacle_log(store, cells=cells, areas=areas,
                                                      as_of=period.end), period)
    return ReportContent(
        plan=catalog.plan, period=period.key, cells=cell_refs,
        cells_filtered=cells is not None, areas_filtered=areas is not None,
        totals=_totals(store, grain, period.key, cells, areas),
        cell_figures=_cell_figures(queries.cell_summary(store, grain, **scope), by_code),
        areas=_areas(store, grain, scope, by_code, annex, rows),
        obstacles=_voices(obstacle_log, "obstacles", by_code, open_col="is_open"),
        proposals=_proposal_groups(obstacle_log, by_code, area_names),
        next_tasks=_next_tasks(annex, [t.code for t in catalog.tasks]),
        annex=annex,
        months=months,
        reporting=_reporting(store, months, cells, by_code, today),
        is_sample=queries.sample_within(store, period.start, period.end, cells),
        data_date=queries.data_status(store)["data_date"],
        made_on=today, area_names=area_names)


def _codes(values: Sequence[str] | None) -> list[str] | None:
    values = [str(v).strip() for v in (values or ()) if str(v).strip()]
    return values or None


def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _count(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _totals(store: Store, grain: str, period: str, cells, areas) -> Totals:
    previous = P.previous(period)
    now = queries.overall(store, grain, [period], cells, areas).iloc[0]
    before = queries.overall(store, grain, [previous], cells, areas).iloc[0]
    compared = queries.comparison(store, grain, period, previous, cells, areas)
    return Totals(
        completion=_number(now["completion"]), previous_completion=_number(before["completion"]),
        previous_period=previous,
        tasks_assigned=_count(now["tasks_assigned"]) or 0,
        tasks_reported=_count(now["tasks_reported"]) or 0,
        tasks_done=_count(now["tasks_done"]) or 0, tasks_delayed=_count(now["tasks_delayed"]) or 0,
        cells_reported=_count(now["cells_reported"]) or 0,
        cells_total=_count(now["cells_total"]) or 0,
        activities=_count(now["activities"]), participants=_count(now["participants"]),
        posts=_count(now["posts"]), compared_now=compared["completion_now"],
        compared_before=compared["completion_before"], cells_in_both=compared["cells_in_both"],
        same_cells=not (compared["only_now"] or compared["only_before"]),
        cells_not_assigned=_count(now["cells_not_assigned"]) or 0)


def _cell_figures(df: pd.DataFrame, by_code: dict[str, CellRef]) -> tuple[CellFigures, ...]:
    return tuple(
        CellFigures(by_code[r.cell_code], bool(r.has_report), _number(r.completion),
                    int(r.tasks_assigned), int(r.tasks_reported), int(r.tasks_done),
                    int(r.tasks_delayed))
        for r in df.itertuples() if r.cell_code in by_code)


def _task_states(df: pd.DataFrame, by_code: dict[str, CellRef]) -> tuple[TaskState, ...]:
    return tuple(
        TaskState(by_code[r.cell_code], r.task_code, r.task_title, r.area_code,
                  None if pd.isna(r.role) else str(r.role), bool(r.has_report),
                  None if pd.isna(r.status) else str(r.status), _number(r.completion_pct))
        for r in df.itertuples() if r.cell_code in by_code)


def _areas(store: Store, grain: str, scope: dict, by_code: dict[str, CellRef],
           annex: tuple[TaskState, ...], rows: pd.DataFrame) -> tuple[AreaResult, ...]:
    summary = queries.area_summary(store, grain, **scope)
    per_cell = queries.cell_area_summary(store, grain, **scope)
    flows = queries.facts(store, grain, **scope)
    results = _voices(rows, "result", by_code)
    areas = []
    for r in summary.itertuples():
        cell_rows = per_cell[(per_cell["area_code"] == r.area_code)
                             & (per_cell["tasks_assigned"] > 0)]
        area_flows = flows[flows["area_code"] == r.area_code]
        areas.append(AreaResult(
            code=r.area_code, name=r.area_name, short_name=r.short_name,
            completion=_number(r.completion), tasks_assigned=int(r.tasks_assigned),
            tasks_reported=int(r.tasks_reported), tasks_done=int(r.tasks_done),
            tasks_delayed=int(r.tasks_delayed),
            activities=_sum(area_flows["activities"]),
            participants=_sum(area_flows["participants"]), posts=_sum(area_flows["posts"]),
            cells=tuple(CellFigures(by_code[c.cell_code], bool(c.has_report),
                                    _number(c.completion), int(c.tasks_assigned),
                                    int(c.tasks_reported))
                        for c in cell_rows.itertuples() if c.cell_code in by_code),
            tasks=tuple(t for t in annex if t.area_code == r.area_code),
            results=tuple(v for v in results if v.area_code == r.area_code)))
    return tuple(areas)


def _catalog_order(rows: pd.DataFrame, catalog) -> pd.DataFrame:
    """Task by task, cell by cell, oldest report first: the order results are told in."""
    task_rank = {t.code: i for i, t in enumerate(catalog.tasks)}
    cell_rank = {c.code: i for i, c in enumerate(catalog.cells)}
    ranked = rows.assign(_task=rows["task_code"].map(task_rank),
                         _cell=rows["cell_code"].map(cell_rank))
    return ranked.sort_values(["_task", "_cell", "period_start"], kind="stable")


def _sum(values: pd.Series) -> int | None:
    """A flow's total; None when no report gave it (not reported is not zero)."""
    values = values.dropna()
    return int(values.sum()) if len(values) else None


def _obstacles_in(log_df: pd.DataFrame, period: P.Period) -> pd.DataFrame:
    """The obstacle log's rows reported for a part of the period (as of its end)."""
    ends = pd.to_datetime(log_df["period_end"]).dt.date
    # The log is newest first; the report reads oldest first.
    return log_df[ends >= period.start].iloc[::-1].reset_index(drop=True)


# -- the cells' own words ---------------------------------------------------------------------

_STOP = re.compile(r"[.!?…]\s+")
_ABBREVIATIONS = {"tp", "tx", "ts", "ths", "pgs", "gs", "bs", "ks", "th.s", "v.v"}
_BULLET = re.compile(r"^[-–•+*]\s+")


def sentences(text: object) -> list[str]:
    """A cell's text as its sentences (one per line, or per full stop before a capital
    letter), spaces tidied, list dashes and the final full stop dropped."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return []
    text = unicodedata.normalize("NFC", str(text))
    out = []
    for line in text.splitlines():
        out += _split_line(" ".join(line.split()))
    return [s for s in (_tidy(s) for s in out) if any(ch.isalnum() for ch in s)]


def _split_line(line: str) -> list[str]:
    parts, start = [], 0
    for stop in _STOP.finditer(line):
        nxt = line[stop.end():stop.end() + 1]
        last_word = line[start:stop.start()].rsplit(" ", 1)[-1].casefold()
        if nxt.isupper() and last_word not in _ABBREVIATIONS:
            parts.append(line[start:stop.start() + 1])
            start = stop.end()
    parts.append(line[start:])
    return parts


def _tidy(sentence: str) -> str:
    sentence = _BULLET.sub("", sentence.strip()).rstrip(" ;,:")
    if sentence.endswith(".") and not sentence.endswith(".."):
        sentence = sentence[:-1].rstrip()
    return sentence


def sentence_key(text: str) -> str:
    """Two sentences are the same when they differ only in case, spacing or final stop."""
    return " ".join(text.casefold().split()).rstrip(".;,:!? ")


def _voices(df: pd.DataFrame, column: str, by_code: dict[str, CellRef],
            open_col: str | None = None) -> tuple[Voice, ...]:
    """Each distinct sentence of `column` once, in first-seen order, with the cells and
    tasks that wrote it."""
    found: dict[str, dict] = {}
    for r in df.to_dict("records"):
        cell = by_code.get(r["cell_code"])
        if cell is None:
            continue
        for text in sentences(r.get(column)):
            key = (r["area_code"], sentence_key(text))
            entry = found.setdefault(key, {"text": text, "cells": [], "tasks": [],
                                           "area": r["area_code"], "open": False})
            _add(entry["cells"], cell)
            _add(entry["tasks"], r["task_code"])
            if open_col and bool(r.get(open_col)):
                entry["open"] = True
    return tuple(Voice(e["text"], tuple(e["cells"]), tuple(e["tasks"]), e["area"], e["open"])
                 for e in found.values())


def _add(items: list, item) -> None:
    if item not in items:
        items.append(item)


def _proposal_groups(log_df: pd.DataFrame, by_code: dict[str, CellRef],
                     area_names: dict[str, str]) -> tuple[ProposalGroup, ...]:
    voices = _voices(log_df, "proposals", by_code)
    return tuple(ProposalGroup(code, name, tuple(v for v in voices if v.area_code == code))
                 for code, name in area_names.items()
                 if any(v.area_code == code for v in voices))


# -- what is left to do, and how the cells reported -------------------------------------------

def _next_tasks(annex: Iterable[TaskState], task_order: list[str]) -> tuple[NextTask, ...]:
    """Assigned tasks some cell has not finished (delayed, under way, not started or not
    reported), task order as in the catalog."""
    tasks: dict[str, list[TaskState]] = {code: [] for code in task_order}
    for t in annex:
        if t.role is not None and t.status != Status.DONE:
            tasks.setdefault(t.task_code, []).append(t)
    return tuple(NextTask(code, states[0].task_title, states[0].area_code, tuple(states))
                 for code, states in tasks.items() if states)


def months_of(period_key: str) -> list[str]:
    """The month keys a period spans: the monthly reports it expects."""
    p = P.from_key(period_key)
    return [f"{p.start.year}-{m:02d}" for m in range(p.start.month, p.end.month + 1)]


def expected_months(store: Store, period_key: str) -> tuple[str, ...]:
    """The months of the period a monthly report is expected for: from the first month
    any cell reported on (before it the plan was not being reported on, and a month then
    is not a missing report)."""
    loaded = queries.period_keys(store, "month")
    return tuple(m for m in months_of(period_key) if loaded and m >= loaded[0])


def _reporting(store: Store, months: tuple[str, ...], cells, by_code: dict[str, CellRef],
               today: date) -> tuple[ReportingRecord, ...]:
    """Each cell's monthly reports: on time, late, missing or not yet due."""
    if not months:
        return tuple(ReportingRecord(cell, ()) for cell in by_code.values())
    matrix = queries.submission_matrix(store, list(months), cells, today=today)
    records = []
    for code, cell in by_code.items():
        rows = matrix[matrix["cell_code"] == code]
        records.append(ReportingRecord(cell, tuple(
            MonthlyReport(r.period, str(r.state), r.report_date, r.deadline, bool(r.date_from_load))
            for r in rows.itertuples())))
    return tuple(records)
