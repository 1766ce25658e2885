"""Settings, read once from the environment: where the data lives and the limits.

Nothing else reads `os.environ` for a setting: a `Settings` is built at start-up (the
app, each command line) and handed down, so a test or a second database is a
different `Settings`, not a patched environment variable.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Mapping

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = PROJECT_ROOT / "data" / "progress.duckdb"
DEFAULT_CATALOG = PROJECT_ROOT / "data" / "catalog.toml"
# The office's restyled Word template for the committee's report; the built-in one when absent.
DEFAULT_REPORT_TEMPLATE = PROJECT_ROOT / "data" / "mau-bao-cao-ket-qua.docx"


@dataclass(frozen=True)
class Settings:
    db_path: Path = DEFAULT_DB
    catalog_path: Path = DEFAULT_CATALOG
    max_upload_mb: float = 20.0        # PROGRESS_MAX_UPLOAD_MB; .streamlit/config.toml too
    lock_wait_seconds: float = 30.0    # how long a connection waits for another process
    idle_minutes: float = 30.0         # a signed-in session ends after this much idleness
    log_path: Path | None = None       # the app's log file; default: beside the database
    report_template_path: Path = DEFAULT_REPORT_TEMPLATE   # used when the file exists
    # Reading an uploaded file (etl.read.Limits, docs/limits.md): what a file may hold, and
    # what the worker process that parses it may use before it is stopped.
    max_sheet_rows: int = 20_000       # PROGRESS_MAX_SHEET_ROWS
    max_sheet_columns: int = 200       # PROGRESS_MAX_SHEET_COLUMNS
    parse_memory_mb: int = 1024        # PROGRESS_PARSE_MEMORY_MB: address space of the worker
    parse_cpu_seconds: int = 10        # PROGRESS_PARSE_CPU_SECONDS: CPU time per file
    parse_wall_seconds: float = 15.0   # PROGRESS_PARSE_WALL_SECONDS: time per file
    parse_workers: int = 2             # PROGRESS_PARSE_WORKERS: worker processes kept ready

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides) -> "Settings":
        """Defaults, then the environment (`PROGRESS_*`), then `overrides` (a `None`
        override keeps what the environment says: `--db` not given)."""
        env = os.environ if env is None else env
        read = {
            "db_path": ("PROGRESS_DB", Path),
            "catalog_path": ("PROGRESS_CATALOG", Path),
            "max_upload_mb": ("PROGRESS_MAX_UPLOAD_MB", float),
            "lock_wait_seconds": ("PROGRESS_DB_LOCK_WAIT", float),
            "idle_minutes": ("PROGRESS_IDLE_MINUTES", float),
            "log_path": ("PROGRESS_LOG", Path),
            "report_template_path": ("PROGRESS_REPORT_TEMPLATE", Path),
            "max_sheet_rows": ("PROGRESS_MAX_SHEET_ROWS", int),
            "max_sheet_columns": ("PROGRESS_MAX_SHEET_COLUMNS", int),
            "parse_memory_mb": ("PROGRESS_PARSE_MEMORY_MB", int),
            "parse_cpu_seconds": ("PROGRESS_PARSE_CPU_SECONDS", int),
            "parse_wall_seconds": ("PROGRESS_PARSE_WALL_SECONDS", float),
            "parse_workers": ("PROGRESS_PARSE_WORKERS", int),
        }
        values = {name: kind(env[var]) for name, (var, kind) in read.items() if env.get(var)}
        values.update({k: (Path(v) if k.endswith("_path") else v)
                       for k, v in overrides.items() if v is not None})
        return cls(**values)

    def with_db(self, db_path: Path | str) -> "Settings":
        return replace(self, db_path=Path(db_path))

    @property
    def archive_dir(self) -> Path:
        """Accepted files are kept as uploaded beside the database, by sha256."""
        return self.db_path.with_name(self.db_path.stem + "_archive")

    @property
    def log_file(self) -> Path:
        return self.log_path or self.db_path.with_name("logs") / "progress.log"

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def limits(self):
        from etl.read import Limits
        return Limits(max_upload_bytes=self.max_upload_bytes, max_sheet_rows=self.max_sheet_rows,
                      max_sheet_columns=self.max_sheet_columns,
                      parse_memory_mb=self.parse_memory_mb,
                      parse_cpu_seconds=self.parse_cpu_seconds,
                      parse_wall_seconds=self.parse_wall_seconds,
                      parse_workers=self.parse_workers)
