"""The headline figures (KPI tiles) of a scope, shared by the overview page and the pack.

Pure: query rows in, tiles out (label, value, change, a note under the figure, how it is
computed), and the sentences that go under the tiles when a figure needs more than a
note: what a quarter's figure is, which cells a change compares, who is left out.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard import fmt
from dashboard.definitions import DEFINITIONS, HELP_COMPLETION
from dashboard.scope import Scope
from etl import periods as P
from etl.vocab import Grain

# What the task tiles count: one task assigned to one cell (the plan's 13 tasks are
# assigned 30 times), so "8/30" never reads as 30 tasks. "lượt" comes first: a narrow
# tile cuts the note's end, and the sentence under the tiles says it in full.
TASK_PAIRS = "lượt chi bộ × nhiệm vụ"
END_OF_PERIOD = "cuối kỳ"


@dataclass(frozen=True)
class Tile:
    label: str
    value: str
    delta: str | int | None = None     # st.metric's delta: "+3,5 điểm %", 0, or None
    help: str = ""
    note: str = ""                     # under the figure (st.metric's delta_description)


def _count(value) -> str:
    return fmt.number(0 if pd.isna(value) else value)


def _is_month(scope: Scope) -> bool:
    return Grain(scope.grain) is Grain.MONTH


def completion_change(comparison: dict) -> str | int | None:
    """The change in completion against the previous period, in points, over the cells
    with figures in both periods (queries.comparison); None when there are none."""
    now, before = comparison["completion_now"], comparison["completion_before"]
    if now is None or before is None:
        return None
    change = now - before
    return fmt.signed_pct_points(change) if round(change, 1) else 0


def sets_differ(comparison: dict) -> bool:
    return bool(comparison["only_now"] or comparison["only_before"])


def change_note(comparison: dict) -> str:
    """Under the change, in a few words (a tile is narrow; the sentence under the tiles
    says it in full): on which cells, when the two periods' differ."""
    if comparison["cells_in_both"] == 0:
        return "không so sánh được" if comparison["only_before"] else ""
    return f"cùng {comparison['cells_in_both']} chi bộ" if sets_differ(comparison) else ""


def latest_source(now: pd.Series) -> str | None:
    """The latest period whose reports the figures come from (a quarter's: a month)."""
    keys = now.get("source_periods")
    if not pd.api.types.is_list_like(keys) or not len(keys):
        return None
    return max((str(k) for k in keys), key=lambda k: (P.from_key(k).end, P.from_key(k).start))


def stock_note(now: pd.Series, scope: Scope, short: bool = False) -> str:
    """For a quarter, half-year or year: the figure is the end-of-period state (`short`:
    without the month, for a narrow tile)."""
    if _is_month(scope):
        return ""
    latest = latest_source(now)
    return END_OF_PERIOD if short or not latest else f"{END_OF_PERIOD}, đến {fmt.period(latest)}"


def overview_tiles(now: pd.Series, comparison: dict, open_obstacles: int,
                   scope: Scope) -> list[Tile]:
    """The five tiles on top of Tổng quan (a row of queries.overall for the period, and
    queries.comparison against the period before)."""
    previous = fmt.period(scope.previous())
    note = " · ".join(n for n in (stock_note(now, scope, short=True), change_note(comparison)) if n)
    return [
        Tile("Tỷ lệ hoàn thành", fmt.pct_or_no_report(now["completion"]),
             completion_change(comparison),
             f"{HELP_COMPLETION}\n\nSo với {previous}: {DEFINITIONS['change']}", note),
        Tile("Nhiệm vụ hoàn thành", f"{_count(now['tasks_done'])}/{_count(now['tasks_assigned'])}",
             help=DEFINITIONS["task_pairs"], note=TASK_PAIRS),
        Tile("Chi bộ đã báo cáo", f"{_count(now['cells_reported'])}/{_count(now['cells_total'])}",
             help=DEFINITIONS["cells_reported"]),
        Tile("Nhiệm vụ chậm tiến độ", _count(now["tasks_delayed"]),
             help=DEFINITIONS["task_pairs"], note=TASK_PAIRS),
        Tile("Khó khăn chưa giải quyết", fmt.number(open_obstacles),
             help=DEFINITIONS["open_obstacle"]),
    ]


def pack_tiles(now: pd.Series | None, scope: Scope) -> list[Tile]:
    """The six tiles of the pack's overview slide (a row of queries.overall)."""
    if now is None:
        return [Tile("Tỷ lệ hoàn thành bình quân", fmt.pct_or_no_report(None))]
    stock = stock_note(now, scope)
    return [
        Tile("Tỷ lệ hoàn thành bình quân", fmt.pct_or_no_report(now["completion"]), note=stock),
        Tile("Nhiệm vụ hoàn thành / được giao",
             f"{_count(now['tasks_done'])}/{_count(now['tasks_assigned'])}",
             note=" · ".join(n for n in (TASK_PAIRS, stock) if n)),
        Tile("Chi bộ đã báo cáo", f"{_count(now['cells_reported'])}/{_count(now['cells_total'])}"),
        Tile("Nhiệm vụ chậm tiến độ", _count(now["tasks_delayed"]),
             note=" · ".join(n for n in (TASK_PAIRS, stock) if n)),
        Tile("Hoạt động đã tổ chức", _count(now["activities"]),
             note="" if _is_month(scope) else "cộng các báo cáo trong kỳ"),
        Tile("Lượt người tham gia", _count(now["participants"]),
             note="" if _is_month(scope) else "cộng các báo cáo trong kỳ"),
    ]


def explanations(now: pd.Series | None, comparison: dict | None, scope: Scope) -> list[str]:
    """The sentences under the tiles: what a period's figure is made of, what the
    change compares, and which cells the figures leave out."""
    if now is None:
        return []
    lines = [_pairs_sentence(now)]
    if not _is_month(scope):
        latest = latest_source(now)
        newest = f" (mới nhất: {fmt.period(latest)})" if latest else ""
        lines.append(f"Số liệu {scope.label} là số liệu cuối kỳ: tỷ lệ hoàn thành và trạng thái "
                     f"nhiệm vụ lấy theo báo cáo mới nhất của từng chi bộ trong kỳ{newest}, "
                     "không phải cộng hay trung bình các tháng; số hoạt động, lượt người tham "
                     "gia, tin bài được cộng dồn.")
    if comparison is not None and sets_differ(comparison) and (
            comparison["cells_in_both"] or comparison["only_before"]):
        lines.append(_comparison_sentence(comparison, scope))
    idle = int(0 if pd.isna(now.get("cells_not_assigned")) else now.get("cells_not_assigned", 0))
    if idle:
        lines.append(f"{idle} chi bộ không được giao nhiệm vụ nào trong phạm vi đã chọn: không "
                     "tính vào số chi bộ đã báo cáo, không phải chưa báo cáo.")
    return lines


def _pairs_sentence(now: pd.Series) -> str:
    return (f"Nhiệm vụ được tính theo {TASK_PAIRS}: {_count(now.get('plan_tasks'))} nhiệm vụ của "
            f"Kế hoạch trong phạm vi được giao thành {_count(now['tasks_assigned'])} lượt.")


def _comparison_sentence(comparison: dict, scope: Scope) -> str:
    previous = fmt.period(scope.previous())
    parts = []
    if comparison["only_now"]:
        parts.append(f"chỉ có số liệu {scope.label}: {', '.join(comparison['only_now'])}")
    if comparison["only_before"]:
        parts.append(f"chỉ có số liệu {previous}: {', '.join(comparison['only_before'])}")
    if comparison["cells_in_both"] == 0:
        return (f"Không so sánh với {previous}: không chi bộ nào có số liệu ở cả hai kỳ ("
                + "; ".join(parts) + ").")
    return (f"Thay đổi so với {previous} chỉ tính {comparison['cells_in_both']} chi bộ có số liệu "
            "ở cả hai kỳ, vì hai kỳ khác nhau về chi bộ (" + "; ".join(parts) + ").")
