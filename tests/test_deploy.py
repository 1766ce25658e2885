"""The deployment files: the systemd unit passes `systemd-analyze verify` and keeps its
sandbox; the Dockerfile and compose file keep their promises; `make` installs for
running what running needs and nothing of the tests'."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "deploy" / "progress-dashboard.service"
INSTALL_DIR = "/opt/progress-dashboard"
DATA_DIR = "/var/lib/progress-dashboard"


def unit_settings(text: str) -> dict[str, list[str]]:
    """key -> every value it is given (a key may repeat), continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", text)
    settings: dict[str, list[str]] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";", "[")):
            continue
        key, _, value = line.partition("=")
        settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def test_the_unit_passes_systemd_analyze_verify(tmp_path):
    """Verified as installed in this checkout: `systemd-analyze verify` requires the
    ExecStart binary to exist, so the install folder becomes this checkout and the
    interpreter the one running these tests. Any warning fails too."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.fail("systemd-analyze is missing: install systemd (Debian: apt-get install systemd)")
    text = UNIT.read_text(encoding="utf-8")
    assert f"ExecStart={INSTALL_DIR}/.venv/bin/python " in text
    here = (text.replace(f"{INSTALL_DIR}/.venv/bin/python", sys.executable)
                .replace(INSTALL_DIR, str(ROOT)))
    copy = tmp_path / UNIT.name
    copy.write_text(here, encoding="utf-8")
    result = subprocess.run([analyze, "verify", str(copy)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert (result.stdout + result.stderr).strip() == ""


def test_the_unit_restarts_runs_sandboxed_and_writes_only_its_data():
    s = unit_settings(UNIT.read_text(encoding="utf-8"))
    assert s["Restart"] == ["on-failure"]
    assert s["User"] == ["progress-dashboard"] and s["User"] != ["root"]
    for hardening in ("NoNewPrivileges", "PrivateTmp", "ProtectHome", "PrivateDevices"):
        assert s[hardening] == ["yes"], hardening
    assert s["ProtectSystem"] == ["strict"]
    assert s["ReadWritePaths"] == [DATA_DIR]
    assert s["CapabilityBoundingSet"] == [""]
    assert f"PROGRESS_DB={DATA_DIR}/progress.duckdb" in s["Environment"]
    exec_start = s["ExecStart"][0]
    assert "--server.address 127.0.0.1" in exec_start and "streamlit run server.py" in exec_start
    assert s["WantedBy"] == ["multi-user.target"]


def test_the_image_runs_as_a_user_keeps_data_in_a_volume_and_checks_its_health():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim$", text, re.M)
    assert re.search(r"apt-get install .*chromium .*fonts-dejavu-core", text)
    assert re.search(r"^USER progress$", text, re.M)
    assert 'VOLUME ["/data"]' in text and "PROGRESS_DB=/data/progress.duckdb" in text
    assert re.search(r"^HEALTHCHECK .*", text, re.M) and "/_stcore/health" in text
    assert "pip install -r requirements.txt" in text and "requirements-dev" not in text
    assert '"streamlit", "run", "server.py"' in text   # the sign-in routes and the gate
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for secret_or_data in (".venv", "data/*.duckdb", "data/*_archive", ".streamlit/secrets.toml"):
        assert secret_or_data in ignored
    compose = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    assert '"127.0.0.1:8501:8501"' in compose and "progress-data:/data" in compose


def _make_plan(*args: str) -> str:
    """What make would run, every target considered out of date; nothing runs."""
    result = subprocess.run(["make", "-n", "-B", *args, "DB=/nonexistent/progress.duckdb", "UV="],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_run_installs_for_running_and_make_test_adds_the_test_tools():
    run = _make_plan("run")
    assert "-r requirements.txt" in run and "requirements-dev.txt" not in run
    assert "install-system-deps.sh --optional" in run
    assert "etl samples load" in run
    test = _make_plan("test")
    assert "-r requirements-dev.txt" in test and "pytest" in test
    assert re.search(r"install-system-deps\.sh\s*$", test, re.M)      # strict: tests need Chromium
    empty = _make_plan("run", "DATA=empty")
    assert "etl init" in empty and "samples load" not in empty


def test_ci_runs_exactly_make_test():
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert lines[-1] == "make test"
    assert not any("pytest" in line for line in lines)


def test_every_way_of_starting_the_app_goes_through_server_py():
    """app.py alone has no sign-in routes: it refuses to run (dashboard.web.SERVED)."""
    starters = {"Makefile": ROOT / "Makefile", "unit": UNIT, "Dockerfile": ROOT / "Dockerfile",
                "browser tests and benchmark": ROOT / "tests" / "app_server.py"}
    for name, path in starters.items():
        text = path.read_text(encoding="utf-8")
        assert "server.py" in text, name
        assert not re.search(r"streamlit.{0,10}run.{0,6}app\.py", text), name
