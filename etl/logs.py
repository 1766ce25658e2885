"""Where the app's log goes: a rotating file beside the data; warnings to the console too."""
from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


OWN_PACKAGES = ("etl", "dashboard")   # their INFO lines; other libraries' warnings only


def configure_logging(path: Path, level: int = logging.INFO) -> Path:
    """Send this process's log records to `path` (rotated at 5 MB, 5 kept), and warnings
    and errors to stderr (the service's journal). Idempotent for the same file."""
    path = Path(path)
    root = logging.getLogger()
    root.setLevel(max(level, logging.WARNING))
    for name in OWN_PACKAGES:
        logging.getLogger(name).setLevel(level)
    if any(getattr(h, "baseFilename", None) == str(path.resolve()) for h in root.handlers):
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=5 * 1024 * 1024,
                                                       backupCount=5, encoding="utf-8")
    except OSError:
        logging.getLogger(__name__).exception("cannot write the log file %s; logging to stderr", path)
        handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)
    console = logging.StreamHandler()
    console.setLevel(logging.WARNING)
    console.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(console)
    return path
