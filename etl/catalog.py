"""The plan's catalog (cells, task areas, tasks, assignments), read from data/catalog.toml.

This is the one place the catalog is read; every layer asks it rather than
retyping a code or a name.
"""
from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from etl.periods import MAX_YEAR, MIN_YEAR
from etl.settings import DEFAULT_CATALOG
from etl.textnorm import fold_loose
from etl.vocab import Role

# Okabe-Ito then Tableau-like extras: used only for cells whose color the file leaves out.
_FALLBACK_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
                    "#F0E442", "#000000", "#8C564B", "#7F7F7F", "#17BECF", "#BCBD22"]


@dataclass(frozen=True)
class Cell:
    code: str
    name: str
    short_name: str
    color: str
    supervisor: str
    lead: tuple[str, ...]
    participate: tuple[str, ...]

    @property
    def tasks(self) -> tuple[str, ...]:
        return self.lead + tuple(t for t in self.participate if t not in self.lead)

    def role(self, task_code: str) -> Role | None:
        if task_code in self.lead:
            return Role.LEAD
        if task_code in self.participate:
            return Role.PARTICIPATE
        return None


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    short_name: str


@dataclass(frozen=True)
class Task:
    code: str
    area: str
    title: str


@dataclass(frozen=True)
class Plan:
    code: str
    number: str
    issued_on: str
    title: str
    short_title: str
    organization: str
    report_deadline_day: int
    # The committee's written report (dashboard.report): blank = a dotted blank to fill in.
    superior_organization: str = ""
    place: str = ""
    recipients: tuple[str, ...] = ()
    signer: str = ""
    signer_title: str = "Bí thư"
    report_symbol: str = "BC/ĐU"
    first_year: int | None = None   # [plan] first_year: reports before it are refused
    last_year: int | None = None    # [plan] last_year, default first_year + 10

    @property
    def years(self) -> range:
        """The years a report may be for."""
        return range(self.first_year or MIN_YEAR, (self.last_year or MAX_YEAR) + 1)

    def check_year(self, year: int) -> None:
        """ValueError (Vietnamese) for a year outside the plan."""
        if year not in self.years:
            raise ValueError(f"năm {year:04d} nằm ngoài thời gian của kế hoạch "
                             f"({self.years[0]}–{self.years[-1]})")


@dataclass(frozen=True)
class Catalog:
    plan: Plan
    cells: tuple[Cell, ...]
    areas: tuple[Area, ...]
    tasks: tuple[Task, ...]
    digest: str = field(default="", compare=False)

    # -- lookups -----------------------------------------------------------
    def cell(self, code: str) -> Cell:
        return next(c for c in self.cells if c.code == code)

    def task(self, code: str) -> Task:
        return next(t for t in self.tasks if t.code == code)

    def area(self, code: str) -> Area:
        return next(a for a in self.areas if a.code == code)

    def assignments(self) -> list[tuple[str, str, str]]:
        """(cell_code, task_code, role) for every assignment, catalog order."""
        rows = []
        for c in self.cells:
            for t in self.tasks:
                role = c.role(t.code)
                if role:
                    rows.append((c.code, t.code, role))
        return rows

    def cell_colors(self) -> dict[str, str]:
        return {c.code: c.color for c in self.cells}

    # -- matching what people type -------------------------------------------
    def find_cell(self, text: object) -> Cell | None:
        """A cell from its code, its full name, or its name without `Chi bộ`."""
        key = fold_loose(text)
        if not key:
            return None
        for c in self.cells:
            names = {fold_loose(c.code), fold_loose(c.name), fold_loose(c.short_name),
                     fold_loose(_strip_prefix(c.name))}
            if key in names or _strip_prefix_folded(key) in names:
                return c
        return None

    def find_task_code(self, text: object) -> str | None:
        key = fold_loose(text).replace(" ", "")
        for t in self.tasks:
            if fold_loose(t.code).replace(" ", "") == key:
                return t.code
        return None

    def find_task_by_title(self, text: object) -> str | None:
        key = fold_loose(text)
        if not key:
            return None
        for t in self.tasks:
            if fold_loose(t.title) == key:
                return t.code
        return None


def _strip_prefix(name: str) -> str:
    return name[len("Chi bộ "):] if name.startswith("Chi bộ ") else name


def _strip_prefix_folded(key: str) -> str:
    return key[len("chi bo "):] if key.startswith("chi bo ") else key


def load_catalog(path: Path | str = DEFAULT_CATALOG) -> Catalog:
    path = Path(path)
    raw = path.read_bytes()
    data = tomllib.loads(raw.decode("utf-8"))
    p = data["plan"]
    plan = Plan(code=p["code"], number=p.get("number", ""), issued_on=p.get("issued_on", ""),
                title=p["title"], short_title=p.get("short_title", p["title"]),
                organization=p.get("organization", ""),
                report_deadline_day=int(p.get("report_deadline_day", 5)),
                superior_organization=p.get("superior_organization", ""),
                place=p.get("place", ""), recipients=tuple(p.get("recipients", ())),
                signer=p.get("signer", ""), signer_title=p.get("signer_title") or "Bí thư",
                report_symbol=p.get("report_symbol") or "BC/ĐU",
                first_year=p.get("first_year"),
                last_year=p.get("last_year", p["first_year"] + 10 if "first_year" in p else None))
    cells = tuple(
        Cell(code=c["code"], name=c["name"], short_name=c.get("short_name", c["name"]),
             color=c.get("color") or _FALLBACK_COLORS[i % len(_FALLBACK_COLORS)],
             supervisor=c.get("supervisor", ""),
             lead=tuple(c.get("chu_tri", [])), participate=tuple(c.get("thuc_hien", [])))
        for i, c in enumerate(data["cells"]))
    areas = tuple(Area(code=a["code"], name=a["name"], short_name=a.get("short_name", a["name"]))
                  for a in data["areas"])
    tasks = tuple(Task(code=t["code"], area=t["area"], title=t["title"]) for t in data["tasks"])
    catalog = Catalog(plan, cells, areas, tasks, digest=hashlib.sha256(raw).hexdigest())
    _check(catalog, path)
    return catalog


@lru_cache(maxsize=4)
def _cached(path: str, mtime: float) -> Catalog:
    return load_catalog(path)


def get_catalog(path: Path | str = DEFAULT_CATALOG) -> Catalog:
    """The catalog, re-read when the file changes. The app and the command lines ask
    their Store (`store.catalog`), which knows the configured file."""
    path = Path(path)
    return _cached(str(path), path.stat().st_mtime)


class CatalogError(ValueError):
    pass


def _check(catalog: Catalog, path: Path) -> None:
    task_codes = {t.code for t in catalog.tasks}
    area_codes = {a.code for a in catalog.areas}
    problems = [f"nhiệm vụ {t.code}: nhiệm vụ trọng tâm {t.area} không có trong danh mục"
                for t in catalog.tasks if t.area not in area_codes]
    plan = catalog.plan
    if not all(isinstance(y, int) and MIN_YEAR <= y <= MAX_YEAR
               for y in (plan.first_year, plan.last_year) if y is not None) or not plan.years:
        problems.append(f"[plan] first_year/last_year phải là năm từ {MIN_YEAR} đến {MAX_YEAR}, "
                        "first_year không sau last_year")
    for c in catalog.cells:
        problems += [f"chi bộ {c.code}: nhiệm vụ {code} không có trong danh mục"
                     for code in c.lead + c.participate if code not in task_codes]
    for kind, codes in (("chi bộ", [c.code for c in catalog.cells]),
                        ("nhiệm vụ", [t.code for t in catalog.tasks])):
        dupes = {x for x in codes if codes.count(x) > 1}
        problems += [f"mã {kind} {d} bị trùng" for d in sorted(dupes)]
    if problems:
        raise CatalogError(f"Danh mục {path} không hợp lệ: " + "; ".join(problems))
