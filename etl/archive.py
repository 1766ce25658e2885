"""The archive of originals: each accepted file kept exactly as uploaded, by sha256.

Layout: `<archive>/<sha[:2]>/<sha>/<file name>`, the path a submission's `archive_path`
names. A file takes that name only after the transaction that references it has
committed; until then it is `<file name>.<token>.pending`. So a load that fails, or is
killed, leaves nothing that looks like an original: at most a pending copy.

`check` compares the archive with the submissions: files no submission references
(orphans: left by a kill, or by versions that archived before the transaction),
pending copies a committed submission still waits for (a kill between commit and
rename: they are finished), stale pending copies, and originals that are missing.
`python -m etl archive-check` prints it; with `--fix` it repairs.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from etl.store import Store

log = logging.getLogger(__name__)

PENDING = ".pending"
_PENDING_NAME = re.compile(r"^(?P<name>.+)\.[0-9a-f]{16}\.pending$")
STALE_PENDING_SECONDS = 3600   # a load holds a pending copy for seconds, never an hour


def relative_path(sha256: str, file_name: str) -> str:
    return f"{sha256[:2]}/{sha256}/{_safe_file_name(file_name)}"


def _safe_file_name(name: str) -> str:
    name = re.sub(r'[\x00-\x1f<>:"/\\|?*]', "_", name).strip(" .")
    return name[:150] or "bao-cao"


@dataclass
class Staged:
    """A file written under a pending name, waiting for its transaction."""
    final: Path
    pending: Path
    relative: str
    done: bool = False

    def commit(self) -> None:
        """The transaction committed: the copy takes its real name (atomically)."""
        os.replace(self.pending, self.final)
        self.done = True

    def discard(self) -> None:
        """The transaction did not commit (or stored nothing new): drop the copy."""
        if not self.done:
            self.pending.unlink(missing_ok=True)
            self.done = True


def stage(archive_dir: Path, data: bytes, sha256: str, file_name: str) -> Staged:
    relative = relative_path(sha256, file_name)
    final = archive_dir / relative
    final.parent.mkdir(parents=True, exist_ok=True)
    pending = final.with_name(f"{final.name}.{secrets.token_hex(8)}{PENDING}")
    pending.write_bytes(data)
    return Staged(final, pending, relative)


def read_original(archive_dir: Path, relative: str) -> bytes:
    """The archived bytes; a copy still pending after a kill serves as well (its path
    holds the sha256 the caller checks). FileNotFoundError when there is none."""
    final = archive_dir / relative
    try:
        return final.read_bytes()
    except FileNotFoundError:
        for pending in sorted(final.parent.glob(f"{glob_escape(final.name)}.*{PENDING}")):
            return pending.read_bytes()
        raise


def glob_escape(name: str) -> str:
    return re.sub(r"([\[\]*?])", r"[\1]", name)


# -- checking -----------------------------------------------------------------------------

@dataclass
class ArchiveCheck:
    orphans: list[Path] = field(default_factory=list)        # no submission references them
    unfinished: list[tuple[Path, Path]] = field(default_factory=list)  # (pending, final) to rename
    stale: list[Path] = field(default_factory=list)          # pending copies nobody will finish
    missing: list[str] = field(default_factory=list)         # referenced, absent
    referenced: int = 0

    @property
    def clean(self) -> bool:
        return not (self.orphans or self.unfinished or self.stale or self.missing)


def check(store: Store, fix: bool = False, stale_after: float = STALE_PENDING_SECONDS
          ) -> ArchiveCheck:
    """What the archive holds that no submission needs, and what submissions lack;
    with `fix`, repaired: unfinished copies renamed, orphans and stale copies removed.

    With `fix` the whole check holds the database's write lock, so no load commits and
    renames a file between the check and the removal (a load renames while it still
    holds the lock)."""
    if not store.exists():
        return _compare(store.archive_dir, set(), stale_after)
    with (store.write() if fix else store.read()) as con:
        referenced = {r for (r,) in con.execute(
            "SELECT DISTINCT archive_path FROM submissions WHERE archive_path IS NOT NULL").fetchall()}
        result = _compare(store.archive_dir, referenced, stale_after)
        if fix:
            repair(result)
    return result


def _compare(root: Path, referenced: set[str], stale_after: float) -> ArchiveCheck:
    files = [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
    result = ArchiveCheck(referenced=len(referenced))
    now = time.time()
    present = set()
    for path in files:
        relative = path.relative_to(root).as_posix()
        pending = _PENDING_NAME.match(path.name)
        if pending is None:
            present.add(relative)
            if relative not in referenced:
                result.orphans.append(path)
            continue
        final = path.with_name(pending["name"])
        final_relative = final.relative_to(root).as_posix()
        if final_relative in referenced and not final.exists() and _holds_its_sha(path):
            result.unfinished.append((path, final))
            present.add(final_relative)
        elif now - path.stat().st_mtime > stale_after:
            result.stale.append(path)
    result.missing = sorted(referenced - present)
    return result


def _holds_its_sha(path: Path) -> bool:
    """The copy's bytes hash to the sha256 its folder is named after."""
    return hashlib.sha256(path.read_bytes()).hexdigest() == path.parent.name


def repair(check_result: ArchiveCheck) -> None:
    """Finish unfinished copies, remove orphans and stale pending copies."""
    for pending, final in check_result.unfinished:
        os.replace(pending, final)
        log.info("archive: finished %s", final)
    for path in check_result.orphans + check_result.stale:
        path.unlink(missing_ok=True)
        log.info("archive: removed %s", path)
        _remove_empty_parents(path.parent)


def _remove_empty_parents(folder: Path) -> None:
    for parent in (folder, folder.parent):
        try:
            parent.rmdir()
        except OSError:   # not empty
            return
