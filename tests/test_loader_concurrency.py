"""A dashboard process reading while the CLI loads: neither side sees a lock error."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

READER = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    sys.path.insert(0, sys.argv[3])
    from etl.store import Store

    db, stop = Path(sys.argv[1]), Path(sys.argv[2])
    reads, errors, counts = 0, [], set()
    deadline = time.monotonic() + 60          # never outlive a broken test
    while not stop.exists() and time.monotonic() < deadline:
        try:
            with Store.at(db).read() as con:
                counts.add(con.execute("SELECT count(*) FROM v_progress").fetchone()[0])
            reads += 1
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        if reads == 1:
            print("ready", flush=True)
        time.sleep(0.01)
    print(json.dumps({"reads": reads, "errors": errors, "counts": sorted(counts)}), flush=True)
""")

LOADS = ["cell-by-name.xlsx", "cell-by-short-name.xlsx", "status-variants.xlsx",
         "several-sheets.xlsx", "counts-dot-thousands.xlsx", "merged-title-rows.xlsx"]


def test_reader_and_loader_run_side_by_side(fixtures_dir, db_path, tmp_path, run_cli, query):
    first = run_cli("load", "--db", db_path, fixtures_dir / "good-canonical.xlsx")
    assert first.returncode == 0, first.stdout
    stop = tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(db_path), str(stop),
                               str(PROJECT_ROOT)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "ready"
        started = time.monotonic()
        results = [run_cli("load", "--db", db_path, fixtures_dir / name) for name in LOADS]
        # two rounds: the second supersedes what the first loaded, more writes
        results += [run_cli("load", "--db", db_path, fixtures_dir / "good-canonical.xlsx"),
                    run_cli("load", "--db", db_path, fixtures_dir / "counts-dot-thousands.xlsx")]
        loading_took = time.monotonic() - started
    finally:
        stop.touch()
        out, err = reader.communicate(timeout=90)
    for result in results:
        assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(out.strip().splitlines()[-1])
    assert report["errors"] == [], report["errors"]
    assert reader.returncode == 0, err
    assert report["reads"] > 5, (report, loading_took)
    # the reader saw the view grow while loads committed (5 rows at first, 35 at the end)
    final = query(db_path, "SELECT count(*) FROM v_progress")[0][0]
    assert final == 5 + 8 + 8 + 9 + 5   # VPCN Jul + KHKH + TTKHCN + CDS + VPCN Aug
    assert report["counts"][0] == 5 and len(report["counts"]) > 1, report
