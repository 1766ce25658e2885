"""What people do with the data, one function each: the only way anything is written.

Every use case takes the store and the acting user, checks a declared permission
(etl.vocab.GRANTS), does its write and appends its audit row in the same transaction:
a change is recorded or it did not happen. The upload page and `python -m etl load`,
the history page and the account page, and the command lines all call these; pages
never write on their own. A refused permission is `PermissionDenied`, whose message
the page shows as it is.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from etl import audit, history, sample_data, users
from etl import backup as backup_files
from etl.load import (FileReport, StoreOutcome, Storer, display_name, validate_bytes,
                      validate_path)
from etl.periods import period_label
from etl.problems import ERROR, SCHEMA, Problem
from etl.store import DatabaseMissing, Store
from etl.users import AuthError, User
from etl.vocab import AuditAction, Permission, UserRole

log = logging.getLogger(__name__)


class PermissionDenied(AuthError):
    """The acting user may not do this; the message says so in Vietnamese."""


def authorize(actor: User, permission: Permission) -> None:
    if not actor.can(permission):
        raise PermissionDenied(f"Tài khoản {actor.username} ({actor.role_label}) không có quyền: "
                               f"{Permission(permission).label.lower()}.")


def _require_cells(actor: User, cells: Collection[str]) -> None:
    allowed = actor.upload_cells()
    foreign = sorted(set(cells) - set(allowed)) if allowed is not None else []
    if foreign:
        raise PermissionDenied(f"Tài khoản {actor.username} không được nạp hoặc hoàn tác báo cáo "
                               f"của chi bộ {', '.join(foreign)}.")


# -- reports ------------------------------------------------------------------------------

def check_report(store: Store, actor: User, data: bytes, file_name: str,
                 cell: str | None = None, period: str | None = None) -> FileReport:
    """Validate a file for this user (a cell's secretary: their own cell only). Writes
    nothing. A fault of the loader on one file becomes that file's problem, never the
    caller's exception: the other files of a batch still load."""
    authorize(actor, Permission.UPLOAD_OWN_CELL)
    try:
        return validate_bytes(data, file_name, cell, period, store.catalog,
                              actor.upload_cells(), store.settings.limits)
    except Exception as exc:
        log.exception("checking %r failed", file_name)
        report = FileReport(display_name(file_name), hashlib.sha256(data).hexdigest(), len(data))
        report.problems.append(Problem(
            ERROR, SCHEMA, report.file_name,
            f"Không kiểm tra được tệp do lỗi chương trình ({type(exc).__name__}).",
            "Gửi tệp này cho người quản trị hệ thống; các tệp khác vẫn nạp được.", code="internal"))
        return report


def check_path(store: Store, actor: User, path: Path | str, cell: str | None = None,
               period: str | None = None) -> tuple[FileReport, bytes]:
    """`check_report` for a file on disk (the command line); an unreadable path is a problem."""
    authorize(actor, Permission.UPLOAD_OWN_CELL)
    return validate_path(path, cell, period, store.catalog, actor.upload_cells(),
                         store.settings.limits)


def load_reports(store: Store, actor: User,
                 files: list[tuple[FileReport, bytes]]) -> list[StoreOutcome]:
    """Store checked files as one batch (each file alone if the batch fails); one audit
    row per file, written with it."""
    authorize(actor, Permission.UPLOAD_OWN_CELL)
    _require_cells(actor, {s.cell_code for report, _ in files for s in report.sheets})
    return _store_checked(store, actor, files)


def _store_checked(store: Store, actor: User,
                   files: list[tuple[FileReport, bytes]]) -> list[StoreOutcome]:
    """Store files whose permission the calling use case has checked."""
    if not files:
        return []
    with Storer(store, actor.username) as storer:
        return storer.store_many(files)


def undo_load(store: Store, actor: User, submission_ids: list[int]) -> list[history.Change]:
    """Withdraw the submissions a load made (newest first), bringing back what each
    replaced; all of them or none."""
    authorize(actor, Permission.UPLOAD_OWN_CELL)
    with store.transaction() as con:
        subs = [history.fetch(con, sid) for sid in submission_ids]
        _require_cells(actor, {s["cell_code"] for s in subs})
        changes = []
        for sid in sorted(submission_ids, reverse=True):
            changes.append(history.retract_load(con, sid, actor.username))
            audit.append(con, actor.username, AuditAction.UNDO_LOAD, f"#{sid}")
    return changes


def _audited(store: Store, actor: User, permission: Permission, action: AuditAction,
             target: str, apply: Callable):
    """`apply(con)` and its audit row in one transaction, if the actor may."""
    authorize(actor, permission)
    with store.transaction() as con:
        result = apply(con)
        audit.append(con, actor.username, action, target)
    return result


def restore(store: Store, actor: User, submission_id: int) -> history.Change:
    """Make a superseded or withdrawn submission current again."""
    return _audited(store, actor, Permission.RESTORE_WITHDRAW, AuditAction.RESTORE,
                    f"#{submission_id}",
                    lambda con: history.restore(con, submission_id, actor.username))


def withdraw(store: Store, actor: User, submission_id: int) -> history.Change:
    """Take a submission out of the figures."""
    return _audited(store, actor, Permission.RESTORE_WITHDRAW, AuditAction.WITHDRAW,
                    f"#{submission_id}",
                    lambda con: history.withdraw(con, submission_id, actor.username))


def undo(store: Store, actor: User, change: history.Change) -> history.Change:
    """Reverse a restore, a withdrawal or an undone load exactly."""
    return _audited(store, actor, Permission.RESTORE_WITHDRAW, AuditAction.UNDO,
                    f"#{change.submission_id}",
                    lambda con: history.undo(con, change, actor.username))


def download_original(store: Store, actor: User, submission_id: int) -> tuple[str, bytes]:
    """The file as it was uploaded, checked against its sha256; the download is recorded."""
    authorize(actor, Permission.VIEW)
    name, data = history.original_bytes(store, submission_id)
    record(store, actor, AuditAction.DOWNLOAD_ORIGINAL, f"#{submission_id}", name)
    return name, data


def record_export(store: Store, actor: User, what: str, scope_text: str | None = None) -> None:
    """An image, a pack, a table or a document left the app: who, what, which scope."""
    authorize(actor, Permission.EXPORT)
    record(store, actor, AuditAction.EXPORT, what, scope_text)


def record(store: Store, actor: User, action: AuditAction, target: str | None = None,
           detail: str | None = None) -> None:
    """An audit row on its own, for what changes nothing in the data (a download)."""
    with store.transaction() as con:
        audit.append(con, actor.username, action, target, detail)


# -- accounts --------------------------------------------------------------------------

def create_first_admin(store: Store, username: str, full_name: str, password: str) -> User:
    """The first account of a fresh install: only while there is none (no actor yet)."""
    with store.transaction() as con:
        user = users.insert_user(con, username, full_name, UserRole.ADMIN, password,
                                 only_if_none=True)
        audit.append(con, user.username, AuditAction.USER_ADD, user.username,
                     f"vai trò {UserRole.ADMIN.label}, tài khoản đầu tiên")
        audit.append(con, user.username, AuditAction.SIGN_IN, user.username,
                     "tài khoản quản trị đầu tiên")
    return user


def add_user(store: Store, actor: User, username: str, full_name: str, role: str,
             password: str | None, cell_code: str | None = None,
             email: str | None = None) -> User:
    authorize(actor, Permission.MANAGE_USERS)
    with store.transaction() as con:
        user = users.insert_user(con, username, full_name, role, password, cell_code, email)
        audit.append(con, actor.username, AuditAction.USER_ADD, user.username,
                     f"vai trò {UserRole(role).label}"
                     + (f", chi bộ {user.cell_code}" if user.cell_code else ""))
    return user


def set_user_active(store: Store, actor: User, username: str, active: bool) -> None:
    """Lock an account (it can no longer sign in) or unlock it."""
    _audited(store, actor, Permission.MANAGE_USERS,
             AuditAction.USER_ENABLE if active else AuditAction.USER_DISABLE, username,
             lambda con: users.set_active(con, username, active))


def reset_password(store: Store, actor: User, username: str, password: str) -> None:
    _audited(store, actor, Permission.MANAGE_USERS, AuditAction.PASSWORD_SET, username,
             lambda con: users.set_password(con, username, password))


def sign_in(store: Store, username: str, password: str, now: datetime | None = None) -> User:
    """The user behind a name and password, or AuthError; each attempt is audited."""
    username = users.normalize_username(username)
    with store.transaction() as con:
        attempt = users.check_credentials(con, username, password, now or datetime.now())
        action = AuditAction.SIGN_IN if attempt.user else AuditAction.SIGN_IN_FAILED
        audit.append(con, username or "?", action, username, attempt.note)
    if attempt.user is None:
        raise AuthError(attempt.error)
    return attempt.user


def sign_in_external(store: Store, email: str) -> User | None:
    """OpenID Connect: the active account registered with the provider's email, audited."""
    user = users.user_by_email(store, email)
    if user is not None:
        record(store, user, AuditAction.SIGN_IN, user.username, "OpenID Connect")
    return user


def sign_out(store: Store, user: User, reason: str | None = None) -> None:
    record(store, user, AuditAction.SIGN_OUT, user.username, reason)


# -- sample data ------------------------------------------------------------------------

@dataclass(frozen=True)
class SamplesLoaded:
    outcomes: list[StoreOutcome]
    skipped: list[tuple[str, str]]      # (file name, why it was not loaded)
    already_loaded: int                 # files loaded before (and not removed since)


def load_samples(store: Store, actor: User, folder: Path | None = None) -> SamplesLoaded:
    """Load the sample reports (data/samples/*.xlsx) for a first look. Only files marked
    "DỮ LIỆU MẪU" load, never over a cell and period that holds a real report, and a
    file loaded before is not loaded again (the re-sent CDS report would otherwise
    supersede its correction on every run)."""
    authorize(actor, Permission.MANAGE_SAMPLES)
    try:
        with store.read() as con:
            real = sample_data.real_keys(con, store.catalog.plan.code)
            loaded = sample_data.loaded_files(con)
    except DatabaseMissing:
        real, loaded = set(), set()
    files, skipped, already = [], [], 0
    for path in sample_data.sample_files(folder or sample_data.SAMPLES_DIR):
        report, data = validate_path(path, catalog=store.catalog, limits=store.settings.limits)
        reason = _not_loadable_sample(report, real)
        if reason:
            skipped.append((report.file_name, reason))
        elif report.sha256 in loaded:
            already += 1
        else:
            files.append((report, data))
    outcomes = _store_checked(store, actor, files)
    with store.transaction() as con:
        audit.append(con, actor.username, AuditAction.SAMPLES_LOAD, None,
                     f"{sum(o.changed for o in outcomes)} tệp mẫu đã nạp, "
                     f"{already} tệp đã có, {len(skipped)} tệp bỏ qua")
    return SamplesLoaded(outcomes, skipped, already)


def _not_loadable_sample(report: FileReport, real: set[tuple[str, str]]) -> str | None:
    if not report.ok:
        return f"tệp có lỗi ({len(report.errors)} lỗi)"
    if not all(s.is_sample for s in report.sheets):
        return "không ghi \"DỮ LIỆU MẪU\": chỉ nạp tệp mẫu theo cách này"
    taken = [s for s in report.sheets if (s.cell_code, s.period) in real]
    if taken:
        return f"chi bộ {taken[0].cell_code}, {period_label(taken[0].period)} đã có báo cáo thật"
    return None


def remove_samples(store: Store, actor: User) -> sample_data.Removed:
    """Take every sample report out (rows, history lines, archived files no real report
    shares); real reports, accounts and the audit trail stay. Audited with the change."""
    authorize(actor, Permission.MANAGE_SAMPLES)
    if not store.exists():
        return sample_data.Removed((), 0, (), ())
    with store.transaction() as con:
        removed = sample_data.remove(con, actor.username)
        audit.append(con, actor.username, AuditAction.SAMPLES_REMOVE, None,
                     f"{len(removed.submission_ids)} báo cáo mẫu, {removed.rows} dòng nhiệm vụ"
                     + (f"; báo cáo thật hiện hành trở lại: #{', #'.join(map(str, removed.reinstated))}"
                        if removed.reinstated else ""))
    sample_data.delete_archive_files(store.archive_dir, removed.unused_files)
    return removed


# -- backups ------------------------------------------------------------------------------

def backup(store: Store, actor: User, out: Path | str) -> backup_files.BackupResult:
    """One archive with a consistent copy of the database and every archived original,
    taken while the app runs; the audit row follows the finished archive (it is not in it)."""
    authorize(actor, Permission.BACKUP)
    result = backup_files.write_backup(store, backup_files.output_path(out))
    with store.transaction() as con:
        audit.append(con, actor.username, AuditAction.BACKUP, result.path.name,
                     f"{result.counts['submissions']} báo cáo, {result.originals} tệp gốc, "
                     f"sha256 {result.sha256}")
    return result


def restore_backup(store: Store, actor: User, archive: Path | str) -> backup_files.RestoreResult:
    """Restore an archive into `store`'s place, which must be empty; every checksum is
    verified first. The audit row goes into the restored database."""
    authorize(actor, Permission.BACKUP)
    with backup_files.staged_restore(archive, store.settings) as staged:
        with staged.store.transaction() as con:
            audit.append(con, actor.username, AuditAction.RESTORE_BACKUP, Path(archive).name,
                         f"bản sao lưu lúc {staged.manifest['created_at']}, "
                         f"{staged.manifest['counts']['submissions']} báo cáo, "
                         f"{len(staged.manifest['originals'])} tệp gốc")
        return staged.put_in_place()
