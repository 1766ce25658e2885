"""Backups and restores: one .tar.gz holding a consistent copy of the database, every
archived original and the catalog file, with a manifest of sha256 checksums and counts.

Consistency while the app and loads run: the database is copied while this process
holds its read-write connection, right after a CHECKPOINT. That connection shuts every
other process out (their connections retry, etl.store), so the copy holds every
committed transaction and nothing half-written. The originals are written once, under
their sha256, before the transaction that refers to them commits, and never change:
they are read after the lock is released.

A restore goes only into an empty place (no database file, no archived originals):
it never overwrites data. It unpacks into a staging folder beside the target, checks
every member against the manifest, and moves the files into place last.

Permissions and the audit trail are the use cases' business (etl.usecases).
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import shutil
import tarfile
import tempfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Iterator

import duckdb

from etl.settings import Settings
from etl.store import Store, schema_version

log = logging.getLogger(__name__)

FORMAT = 1
MANIFEST = "manifest.json"
DB_MEMBER = "database/progress.duckdb"
CATALOG_MEMBER = "catalog.toml"
ORIGINALS_PREFIX = "originals/"
# What the manifest counts, and a restore checks again.
COUNTED = ("submissions", "progress_rows", "submission_events", "users", "audit_log", "v_progress")
_CHUNK = 1024 * 1024


class BackupError(RuntimeError):
    """A backup or restore that cannot be done or does not check out; message in Vietnamese."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    sha256: str                          # of the archive file itself
    counts: dict[str, int]
    originals: int
    missing_originals: tuple[str, ...]   # referenced by the database but not on disk


@dataclass(frozen=True)
class RestoreResult:
    db_path: Path
    archive_dir: Path
    counts: dict[str, int]
    originals: int
    created_at: str                      # when the backup was taken (from its manifest)
    catalog_copy: Path | None = None     # the backup's catalog, kept when it differs from ours


# -- backup ----------------------------------------------------------------------------------

def default_name(now: datetime | None = None) -> str:
    return f"sao-luu-{(now or datetime.now()):%Y-%m-%d-%H%M%S}.tar.gz"


def output_path(out: Path | str) -> Path:
    """OUT itself, or a dated name inside OUT when it is a folder; never an existing file."""
    out = Path(out)
    if out.is_dir():
        out = out / default_name()
    if out.exists():
        raise BackupError(f"Tệp {out} đã có: chọn tên khác, bản sao lưu không ghi đè tệp nào.")
    return out


def write_backup(store: Store, out: Path) -> BackupResult:
    """Write the archive to `out` (a new file, readable by its owner only)."""
    if not store.exists():
        raise BackupError(f"Chưa có cơ sở dữ liệu tại {store.path}: không có gì để sao lưu.")
    with tempfile.TemporaryDirectory(prefix="progress-backup-") as tmp:
        db_copy = Path(tmp) / "progress.duckdb"
        counts, version, referenced = _snapshot(store, db_copy)
        originals = _originals(store.archive_dir, referenced)
        missing = tuple(sorted(set(referenced) - {rel for rel, _ in originals}))
        for rel in missing:
            log.error("backup: archived original %s is referenced but missing", rel)
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now().isoformat(timespec="seconds"),
            "schema_version": version,
            "database": _entry(DB_MEMBER, db_copy),
            "catalog": _entry(CATALOG_MEMBER, store.settings.catalog_path),
            "originals": [dict(_entry(ORIGINALS_PREFIX + rel, path), path=rel)
                          for rel, path in originals],
            "missing_originals": list(missing),
            "counts": counts,
        }
        members = [(DB_MEMBER, db_copy), (CATALOG_MEMBER, store.settings.catalog_path)]
        members += [(ORIGINALS_PREFIX + rel, path) for rel, path in originals]
        try:
            _write_tar(out, manifest, members)
        except OSError as exc:
            log.exception("writing backup %s failed", out)
            raise BackupError(f"Không ghi được tệp sao lưu {out}: {exc}") from exc
    return BackupResult(out, _sha256(out), counts, len(originals), missing)


def _snapshot(store: Store, dest: Path) -> tuple[dict[str, int], int, list[str]]:
    """Copy the database file under its write connection, checkpointed first."""
    with store.write() as con:
        con.execute("CHECKPOINT")
        wal = store.path.with_name(store.path.name + ".wal")
        if wal.exists() and wal.stat().st_size:
            raise BackupError("Cơ sở dữ liệu chưa ghi hết nhật ký (WAL) sau CHECKPOINT: "
                              "không sao lưu. Hãy thử lại.")
        shutil.copyfile(store.path, dest)
        referenced = [r[0] for r in con.execute(
            "SELECT DISTINCT archive_path FROM submissions").fetchall()]
        return count_rows(con), schema_version(con), referenced


def count_rows(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    # Table names come from COUNTED, a constant of this module.
    return {name: con.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for name in COUNTED}


def _originals(archive_dir: Path, referenced: list[str]) -> list[tuple[str, Path]]:
    """The archived originals the copied database refers to, as (path relative to the
    archive folder, path). A load that commits later is not in the copy, and neither are
    its files (still `.pending` while it runs: etl.archive)."""
    found = [(rel, archive_dir / rel) for rel in referenced]
    return sorted((rel, path) for rel, path in found if path.is_file())


def _entry(member: str, path: Path) -> dict:
    return {"member": member, "sha256": _sha256(path), "bytes": path.stat().st_size}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _write_tar(out: Path, manifest: dict, members: list[tuple[str, Path]]) -> None:
    """Manifest first, then the members; written beside `out` and renamed into place."""
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(out.name + ".part")
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # holds password hashes
    try:
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(datetime.now().timestamp()), 0o600
            tar.addfile(info, io.BytesIO(data))
            for member, path in members:
                tar.add(path, arcname=member, recursive=False)
        if out.exists():
            raise BackupError(f"Tệp {out} vừa được tạo bởi một tiến trình khác: không ghi đè.")
        os.replace(part, out)        # a rename: no hard link needed (USB drives, shares)
    finally:
        part.unlink(missing_ok=True)


# -- restore ---------------------------------------------------------------------------------

@dataclass
class Staged:
    """A verified backup unpacked beside its target, not yet in place."""
    settings: Settings                 # the target
    staging: Path
    manifest: dict
    store: Store                       # on the staged database

    @property
    def catalog(self) -> Path:
        return self.staging / CATALOG_MEMBER

    def counts(self) -> dict[str, int]:
        with self.store.read() as con:
            return count_rows(con)

    def put_in_place(self) -> RestoreResult:
        """Originals first, the database last: a database in place means a complete restore."""
        target_db, target_archive = self.settings.db_path, self.settings.archive_dir
        require_empty(self.settings)
        catalog_copy = _keep_catalog_if_different(self.catalog, self.settings)
        staged_archive = self.store.archive_dir
        try:
            if staged_archive.exists():
                if target_archive.exists():
                    target_archive.rmdir()   # empty (checked above); rename needs it gone
                os.rename(staged_archive, target_archive)
            for suffix in ("", ".wal"):
                source = self.store.path.with_name(self.store.path.name + suffix)
                if source.exists():   # a link never replaces a file that appeared meanwhile
                    os.link(source, target_db.with_name(target_db.name + suffix))
        except OSError as exc:
            log.exception("putting the restored data in place failed")
            raise BackupError(f"Không đặt được dữ liệu khôi phục vào {target_db.parent} ({exc}): "
                              "kiểm tra thư mục đó trước khi khôi phục lại.") from exc
        return RestoreResult(target_db, target_archive, self.manifest["counts"],
                             len(self.manifest["originals"]), self.manifest["created_at"],
                             catalog_copy)


@contextmanager
def staged_restore(archive: Path | str, settings: Settings) -> Iterator[Staged]:
    """Unpack and verify `archive` next to the target; the staging folder goes away on exit."""
    archive = Path(archive)
    require_empty(settings)
    if not archive.is_file():
        raise BackupError(f"Không thấy tệp sao lưu {archive}.")
    settings.db_path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".khoi-phuc-", dir=settings.db_path.parent))
    try:
        staged_db = staging / settings.db_path.name
        staged = Staged(settings, staging, {}, Store(settings.with_db(staged_db)))
        staged.manifest = _unpack(archive, staged_db, staged.store.archive_dir, staged.catalog)
        found = staged.counts()
        expected = {k: staged.manifest["counts"].get(k) for k in COUNTED}
        if found != expected:
            raise BackupError(f"Số bản ghi trong cơ sở dữ liệu của bản sao lưu ({found}) khác "
                              f"với bản kê ({expected}): không khôi phục.")
        yield staged
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def require_empty(settings: Settings) -> None:
    """Refuse unless neither the database nor any archived original is there."""
    db, archive_dir = settings.db_path, settings.archive_dir
    present = [p for p in (db, db.with_name(db.name + ".wal")) if p.exists()]
    if archive_dir.is_dir() and any(archive_dir.iterdir()):
        present.append(archive_dir)
    if present:
        raise BackupError(
            "Nơi khôi phục không trống: đã có " + ", ".join(map(str, present)) + ". "
            "Khôi phục chỉ ghi vào chỗ trống để không đè lên dữ liệu đang có: hãy chọn "
            "--db ở một thư mục trống, hoặc (sau khi đã sao lưu) dừng ứng dụng và chuyển "
            "dữ liệu hiện có đi nơi khác.")


def _unpack(archive: Path, db_path: Path, archive_dir: Path, catalog_path: Path) -> dict:
    """Extract every member the manifest lists to its place, checking its sha256 and size;
    refuse an archive with anything else in it, or with anything missing."""
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            members = tar.getmembers()
            manifest = _read_manifest(tar, members)
            expected = {manifest["database"]["member"]: (manifest["database"], db_path),
                        manifest["catalog"]["member"]: (manifest["catalog"], catalog_path)}
            for item in manifest["originals"]:
                expected[item["member"]] = (item, archive_dir / _safe_relative(item["path"]))
            seen = set()
            for m in members:
                if m.name == MANIFEST:
                    continue
                if m.name not in expected or not m.isfile() or m.name in seen:
                    raise BackupError(f"Tệp sao lưu có mục lạ hoặc trùng lặp '{m.name}' "
                                      "không có trong bản kê: không khôi phục.")
                seen.add(m.name)
                entry, dest = expected[m.name]
                _extract_checked(tar, m, entry, dest)
            missing = sorted(set(expected) - seen)
            if missing:
                raise BackupError(f"Tệp sao lưu thiếu {len(missing)} mục có trong bản kê "
                                  f"(ví dụ '{missing[0]}'): không khôi phục.")
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        log.exception("reading backup %s failed", archive)
        raise BackupError(f"Không đọc được tệp sao lưu {archive.name}: tệp hỏng hoặc không "
                          f"phải bản sao lưu của hệ thống ({type(exc).__name__}).") from exc
    return manifest


def _read_manifest(tar: tarfile.TarFile, members: list[tarfile.TarInfo]) -> dict:
    info = next((m for m in members if m.name == MANIFEST and m.isfile()), None)
    if info is None:
        raise BackupError("Tệp không có bản kê (manifest.json): không phải bản sao lưu của hệ thống.")
    try:
        manifest = json.loads(tar.extractfile(info).read().decode("utf-8"))
    except ValueError as exc:
        raise BackupError("Bản kê (manifest.json) của tệp sao lưu không đọc được.") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("Bản kê (manifest.json) không phải dạng "
                          f"{FORMAT} mà phiên bản này đọc được.")
    absent = [k for k in ("database", "catalog", "originals", "counts", "created_at")
              if k not in manifest]
    if absent:
        raise BackupError(f"Bản kê (manifest.json) thiếu mục {', '.join(absent)}.")
    return manifest


def _safe_relative(path: str) -> Path:
    """A path from the manifest, kept inside the folder it is restored into."""
    p = PurePosixPath(path)
    if p.is_absolute() or not p.parts or any(part in ("", ".", "..") for part in p.parts):
        raise BackupError(f"Bản kê có đường dẫn không hợp lệ '{path}': không khôi phục.")
    return Path(*p.parts)


def _extract_checked(tar: tarfile.TarFile, member: tarfile.TarInfo, entry: dict, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    source = tar.extractfile(member)
    with open(dest, "xb") as out:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    if digest.hexdigest() != entry.get("sha256") or size != entry.get("bytes"):
        raise BackupError(f"Mục '{member.name}' của tệp sao lưu không khớp mã kiểm tra sha256 "
                          "trong bản kê (tệp đã bị sửa hoặc hỏng): không khôi phục.")


def _keep_catalog_if_different(backup_catalog: Path, settings: Settings) -> Path | None:
    """The database is re-synced with this checkout's catalog when opened; keep the
    backup's catalog beside the database when it differs, for the operator to compare."""
    current = settings.catalog_path
    if current.exists() and current.read_bytes() == backup_catalog.read_bytes():
        return None
    kept = settings.db_path.with_name(f"{settings.db_path.stem}-catalog-tu-ban-sao-luu.toml")
    shutil.copyfile(backup_catalog, kept)
    return kept
