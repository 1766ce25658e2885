"""The view in the address: what a page shows, as query parameters. Pure (no Streamlit).

`/by_cell?grain=quarter&period=2026-Q3&from=2026-Q1&cells=CDS,VPCN&areas=NV1&cell=CDS`
is "Theo chi bộ, Quý III/2026, trend from Quý I, cells CDS and VPCN, area NV1, the CDS
cell's page". The page is the address's path; the scope (grain, period, trend start,
cells, areas) is read by every page; each page may add its own choice (`cell`, `area`,
`q`, `report`). Codes, not labels, so a link stays short and means the same tomorrow.

Reading never fails: a value that is not one of the options falls back to the default
with a short Vietnamese notice. Charts name what a click on a mark opens with a drill
key in the mark's customdata (`drill_key`); `drill_target` turns it into an address.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

from etl import periods as P
from etl.vocab import Grain

GRAIN, PERIOD, FROM, CELLS, AREAS = "grain", "period", "from", "cells", "areas"
SCOPE_PARAMS = (GRAIN, PERIOD, FROM, CELLS, AREAS)
CELL, AREA, SEARCH, REPORT = "cell", "area", "q", "report"
# Streamlit's own query parameters: never ours to judge.
STREAMLIT_PARAMS = frozenset({"embed", "embed_options"})
TREND_LENGTH = 12
SEARCH_CHARS = 200

# What a click on a chart's mark opens (charts put `kind:codes` in the mark's customdata).
CELL_BAR, AREA_BAR, CELL_AREA, PERIOD_POINT, REPORT_SQUARE = (
    "cell", "area", "cellarea", "period", "report")
BY_CELL, BY_AREA, HISTORY = "by_cell", "by_area", "history"


@dataclass(frozen=True)
class Available:
    """What a link may name: period keys per grain (any order), cell and area codes."""
    keys_by_grain: Mapping[str, Sequence[str]]
    cells: Sequence[str]
    areas: Sequence[str]

    def grains(self) -> list[str]:
        """Grains with data, in the vocabulary's order."""
        return [g.value for g in Grain if self.keys_by_grain.get(g.value)]

    def keys(self, grain: str) -> list[str]:
        """The grain's keys, oldest first."""
        return sorted(self.keys_by_grain.get(grain, ()), key=_start)


@dataclass(frozen=True)
class ScopeView:
    grain: str
    period: str
    start: str                      # the trend's first period
    cells: tuple[str, ...] = ()     # () = every cell
    areas: tuple[str, ...] = ()     # () = every area

    def history(self, available: Available) -> tuple[str, ...]:
        """The trend's periods, oldest first, from `start` to `period`."""
        first, last = _start(self.start), _start(self.period)
        return tuple(k for k in available.keys(self.grain) if first <= _start(k) <= last)

    def params(self) -> dict[str, str]:
        """The address's scope parameters: always grain, period and trend start (a link
        keeps its period when newer reports arrive), cells and areas when chosen."""
        out = {GRAIN: self.grain, PERIOD: self.period, FROM: self.start}
        if self.cells:
            out[CELLS] = ",".join(self.cells)
        if self.areas:
            out[AREAS] = ",".join(self.areas)
        return out


@dataclass
class Reading:
    """A parsed address: the view and what could not be used, in words."""
    view: ScopeView
    notices: list[str] = field(default_factory=list)


def default_start(available: Available, grain: str, period: str) -> str:
    """TREND_LENGTH periods back from `period` (fewer when there are fewer)."""
    older = [k for k in available.keys(grain) if _start(k) <= _start(period)]
    return older[-min(len(older), TREND_LENGTH)]


def default_view(available: Available, grain: str | None = None) -> ScopeView:
    """The latest period of `grain` (by default the first grain with data), all cells and areas."""
    grain = grain if grain in available.grains() else available.grains()[0]
    period = available.keys(grain)[-1]
    return ScopeView(grain, period, default_start(available, grain, period))


def has_scope(params: Mapping[str, str]) -> bool:
    return any(params.get(name) for name in SCOPE_PARAMS)


def read_scope(params: Mapping[str, str], available: Available) -> Reading:
    """The scope an address names. A value that is not available falls back to the
    default, with a notice; a parameter left out takes its default silently."""
    notices: list[str] = []
    grain = _grain(params, available, notices)
    keys = available.keys(grain)
    period = params.get(PERIOD)
    if period and period not in keys:
        notices.append(f"Liên kết có kỳ “{_shown(period)}” không có số liệu "
                       f"{Grain(grain).label.lower()}: đang xem kỳ mới nhất.")
    period = period if period in keys else keys[-1]
    start = params.get(FROM)
    if start and (start not in keys or _start(start) > _start(period)):
        notices.append(f"Liên kết có kỳ bắt đầu xu hướng “{_shown(start)}” không dùng được: "
                       f"đang xem {TREND_LENGTH} kỳ gần nhất.")
        start = None
    start = start or default_start(available, grain, period)
    cells = _codes(params.get(CELLS), available.cells, "chi bộ", notices)
    areas = _codes(params.get(AREAS), available.areas, "nhiệm vụ trọng tâm", notices)
    return Reading(ScopeView(grain, period, start, cells, areas), notices)


def unknown_params(params: Mapping[str, str], page_params: Sequence[str]) -> list[str]:
    """Parameter names this page does not use (a mistyped or foreign link)."""
    known = {*SCOPE_PARAMS, *page_params, *STREAMLIT_PARAMS}
    return sorted(name for name in params if name not in known)


def unknown_notice(names: Sequence[str]) -> str:
    return ("Liên kết có tham số không dùng được: " + ", ".join(_shown(n) for n in names)
            + " (đã bỏ qua).")


def read_choice(value: str | None, options: Sequence[str], what: str) -> tuple[str | None, str | None]:
    """A page's own choice among `options` (a cell, an area, a report): (the value or
    None, a notice when the address named something else)."""
    if value is None or value == "":
        return None, None
    if value in options:
        return value, None
    return None, f"Liên kết có {what} “{_shown(value)}” không có trong phạm vi đang xem: đang xem mặc định."


def read_search(value: str | None) -> str:
    """Search text from an address: any text, trimmed to a sane length."""
    return (value or "").strip()[:SEARCH_CHARS]


# -- drill-down ----------------------------------------------------------------------------

def drill_key(kind: str, *codes: object) -> str:
    """What a chart puts last in a mark's customdata: `cell:CDS`, `cellarea:CDS|NV1`."""
    return f"{kind}:" + "|".join(str(c) for c in codes)


@dataclass(frozen=True)
class Target:
    page: str | None              # a page's url path; None: the page being shown
    params: dict[str, str]


def drill_target(key: object, view: ScopeView) -> Target | None:
    """Where a click on a mark with drill key `key` leads, keeping the scope `view`; None
    for a mark that leads nowhere (no key, or a key of no known kind)."""
    if not isinstance(key, str) or ":" not in key:
        return None
    kind, _, codes = key.partition(":")
    parts = codes.split("|")
    scope = view.params()
    if kind == CELL_BAR and parts[0]:
        return Target(BY_CELL, {**scope, CELL: parts[0]})
    if kind == AREA_BAR and parts[0]:
        return Target(BY_AREA, {**scope, AREA: parts[0]})
    if kind == CELL_AREA and len(parts) == 2 and all(parts):
        return Target(BY_CELL, {**scope, AREAS: parts[1], CELL: parts[0]})
    if kind == PERIOD_POINT and P.is_key(parts[0]):
        return Target(None, {**scope, PERIOD: parts[0]})
    if kind == REPORT_SQUARE and parts[0].isdigit():
        return Target(HISTORY, {**scope, REPORT: parts[0]})
    return None


def clicked_key(point: Mapping) -> str | None:
    """The drill key of a selected plotly point: the last customdata item."""
    data = point.get("customdata")
    if isinstance(data, (list, tuple)) and data:
        data = data[-1]
    return data if isinstance(data, str) else None


# -- helpers -------------------------------------------------------------------------------

def _grain(params: Mapping[str, str], available: Available, notices: list[str]) -> str:
    grains = available.grains()
    asked = params.get(GRAIN)
    if asked in grains:
        return asked
    period = params.get(PERIOD)
    implied = P.from_key(period).grain if period and P.is_key(period) else None
    if asked:
        notices.append(f"Liên kết có cách chia kỳ “{_shown(asked)}” không dùng được: "
                       f"đang xem theo {Grain(implied if implied in grains else grains[0]).label.lower()}.")
    return implied if implied in grains else grains[0]


def _codes(text: str | None, options: Sequence[str], noun: str, notices: list[str]) -> tuple[str, ...]:
    asked = [c.strip() for c in (text or "").split(",") if c.strip()]
    unknown = [c for c in asked if c not in options]
    if unknown:
        notices.append(f"Liên kết có mã {noun} không có: "
                       + ", ".join(_shown(c) for c in unknown) + " (đã bỏ qua).")
    return tuple(dict.fromkeys(c for c in asked if c in options))


def _shown(value: str) -> str:
    """A value from the address, safe to print in Markdown: letters, digits, - . _ and
    space (the underscore escaped)."""
    text = "".join(ch for ch in str(value) if ch.isalnum() or ch in "-._ ")[:30]
    return text.replace("_", "\\_") or "?"


def _start(key: str):
    return P.from_key(key).start
