"""The structure the code promises (docs/ARCHITECTURE.md), checked on the source itself:
one vocabulary, pages that only adapt, no environment read outside the settings."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from etl.vocab import ReportTimeliness, Role, Status, SubmissionState, UserRole

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = sorted([ROOT / "app.py", *(ROOT / "etl").rglob("*.py"),
                     *(ROOT / "dashboard").rglob("*.py"), *(ROOT / "pages").glob("*.py")])
VOCABULARY = ROOT / "etl" / "vocab.py"


def string_constants(path: Path) -> list[str]:
    """Every whole string literal of a module (the text pieces of an f-string are words of
    a sentence, not a label standing alone)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    in_fstrings = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr)
                   for part in node.values}
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
            and isinstance(n.value, str) and id(n) not in in_fstrings]


# "Chi bộ" (a role label) is also the plain noun every table heads its cell column with.
LABELS = sorted({m.label for enum in (Status, Role, SubmissionState, ReportTimeliness, UserRole)
                 for m in enum} - {UserRole.CELL.label})


@pytest.mark.parametrize("label", LABELS)
def test_a_label_is_written_in_the_vocabulary_only(label):
    """A status, role or state label appears as a string in exactly one module."""
    folded = label.casefold()
    holders = [p.relative_to(ROOT).as_posix() for p in PRODUCTION
               if any(s.strip().casefold() == folded for s in string_constants(p))]
    assert holders == ["etl/vocab.py"], holders


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
    return found


@pytest.mark.parametrize("page", sorted((ROOT / "pages").glob("*.py")), ids=lambda p: p.name)
def test_pages_do_not_touch_the_database_or_the_audit_trail(page):
    """Pages adapt: scope in, queries or use cases called, drawing out."""
    assert not imported_modules(page) & {"duckdb", "etl.store.transaction", "etl.store.insert_rows"}
    text = page.read_text(encoding="utf-8")
    for call in (".read()", ".write()", ".transaction()", "audit.append", "execute("):
        assert call not in text, call
    assert "SELECT " not in text and "INSERT " not in text and "UPDATE " not in text


def test_only_the_settings_read_the_environment():
    readers = [p.relative_to(ROOT).as_posix() for p in PRODUCTION
               if "os.environ" in p.read_text(encoding="utf-8") or "getenv(" in p.read_text(encoding="utf-8")]
    # render.py honours BROWSER_PATH, kaleido's own variable for where Chrome is.
    assert sorted(readers) == ["dashboard/render.py", "etl/settings.py"]
