"""Fuzz: a few hundred mutated reports (tests/hostile_files.mutants: byte flips, cuts, XML
and zip damage, huge and sparse dimensions, odd encodings and line endings, extreme and
error values), seeded so every run makes the same files.

Through the library (in the parse worker, under limits): every file gets a verdict,
accepted or rejected with a Vietnamese message; none is "lỗi chương trình" (an exception
in our own code). Through one `python -m etl load` of all of them into a real DuckDB
file: no traceback, exit 0 or 1, one verdict line per file, and the database and the
archive hold exactly the accepted files: a rejected file changed nothing.
"""
from __future__ import annotations

from collections import Counter

import pytest

import hostile_files as hf
from etl import archive, load, read
from etl.store import Store

SEED, COUNT = 20261130, 300
LIMITS = read.Limits(parse_memory_mb=512, parse_cpu_seconds=5, parse_wall_seconds=10)
LIMITS_ENV = {"PROGRESS_PARSE_MEMORY_MB": "512", "PROGRESS_PARSE_CPU_SECONDS": "5",
              "PROGRESS_PARSE_WALL_SECONDS": "10"}


@pytest.fixture(scope="module")
def mutants(tmp_path_factory) -> dict[str, bytes]:
    files = dict(hf.mutants(SEED, COUNT))
    folder = tmp_path_factory.mktemp("mutants")
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return {name: (folder / name) for name in files}


@pytest.fixture(scope="module")
def verdicts(mutants) -> dict[str, load.FileReport]:
    return {name: load.validate_bytes(path.read_bytes(), name, limits=LIMITS)
            for name, path in mutants.items()}


def test_the_same_seed_makes_the_same_files():
    first, again = dict(hf.mutants(SEED, 20)), dict(hf.mutants(SEED, 20))
    assert first == again and len(set(first.values())) > 15


def test_every_mutant_gets_a_verdict_in_words(verdicts):
    codes = Counter()
    for name, report in verdicts.items():
        assert report.ok or report.errors, name
        for problem in report.errors:
            assert problem.code != "internal", (name, problem.as_text())
            assert problem.message and problem.file == name, (name, problem)
            codes[problem.code] += 1
    accepted = sum(r.ok for r in verdicts.values())
    # Mutations that keep a readable report exist (a flipped byte in a text) and so do
    # refusals of each kind: the generator really exercises both sides.
    assert 20 < accepted < COUNT - 100, (accepted, codes)
    assert {"corrupt", "too_large"} <= set(codes), codes


def test_the_command_line_stores_exactly_the_accepted_files(mutants, verdicts, db_path,
                                                             run_cli, query):
    result = run_cli("load", "--db", db_path, *mutants.values(), env=LIMITS_ENV, timeout=600)
    assert result.returncode in (0, 1)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr[-3000:]
    accepted = {name for name, report in verdicts.items() if report.ok}
    for name in mutants:
        lines = [line for line in result.stdout.splitlines()
                 if line[:2] in ("✓ ", "✗ ", "= ") and line[2:].startswith(f"{name}: ")]
        assert lines, name
        assert all(line.startswith("✗") for line in lines) is (name not in accepted), lines
    assert f"Tổng: {len(accepted)}/{COUNT} tệp đã nạp" in result.stdout

    stored = {name for (name,) in query(db_path, "SELECT DISTINCT file_name FROM submissions")}
    unchanged = {line[2:].split(":")[0] for line in result.stdout.splitlines() if line[:2] == "= "}
    assert stored | unchanged == accepted
    found = archive.check(Store.at(db_path))
    assert found.clean and found.referenced == len(
        query(db_path, "SELECT DISTINCT archive_path FROM submissions"))
