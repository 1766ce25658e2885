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
import math
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from etl import audit, history, sample_data, sessions, users
from etl import backup as backup_files
from etl.load import (FileReport, StoreOutcome, Storer, display_name, validate_bytes,
                      validate_path)
from etl.periods import period_label
from etl.problems import ERROR, SCHEMA, Problem
from etl.sessions import Client
from etl.store import DatabaseBusy, DatabaseMissing, Store
from etl.users import AuthError, User
from etl.vocab import AuditAction, Permission, SessionEnd, UserRole

log = logging.getLogger(__name__)

BOOKKEEPING_WAIT_SECONDS = 0.5   # a session's "last used" time is not worth waiting for


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

def create_first_admin(store: Store, username: str, full_name: str, password: str,
                       client: Client = Client(), now: datetime | None = None) -> SignedIn:
    """The first account of a fresh install, signed in: only while there is none (no
    actor yet)."""
    now = now or datetime.now()
    with store.transaction() as con:
        user = users.insert_user(con, username, full_name, UserRole.ADMIN, password,
                                 only_if_none=True)
        audit.append(con, user.username, AuditAction.USER_ADD, user.username,
                     f"vai trò {UserRole.ADMIN.label}, tài khoản đầu tiên", at=now)
        token = _open_session(con, user, client, now, "tài khoản quản trị đầu tiên")
    return SignedIn(user, token)


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


def update_user(store: Store, actor: User, username: str, full_name: str, role: str,
                cell_code: str | None) -> User:
    """Change an account's name, role and cell; the new role applies on the account's
    next click (a session reads its account each time)."""
    authorize(actor, Permission.MANAGE_USERS)
    with store.transaction() as con:
        before, after = users.update_user(con, username, full_name, role, cell_code)
        audit.append(con, actor.username, AuditAction.USER_EDIT, username,
                     _profile_text(before) + " → " + _profile_text(after))
    return after


def _profile_text(user: User) -> str:
    return f"{user.full_name}, {user.role_label}" + (f", chi bộ {user.cell_code}" if user.cell_code else "")


def set_user_active(store: Store, actor: User, username: str, active: bool,
                    now: datetime | None = None) -> None:
    """Lock an account (it can no longer sign in, and its open sessions end) or unlock it."""
    now = now or datetime.now()

    def apply(con):
        users.set_active(con, username, active)
        if not active:
            sessions.end_all(con, username, SessionEnd.ACCOUNT_LOCKED, now)

    _audited(store, actor, Permission.MANAGE_USERS,
             AuditAction.USER_ENABLE if active else AuditAction.USER_DISABLE, username, apply)


def reset_password(store: Store, actor: User, username: str, password: str,
                   now: datetime | None = None) -> None:
    """A new password set by the administrator; every open session of the account ends."""
    now = now or datetime.now()

    def apply(con):
        users.set_password(con, username, password)
        sessions.end_all(con, username, SessionEnd.PASSWORD_RESET, now)

    _audited(store, actor, Permission.MANAGE_USERS, AuditAction.PASSWORD_SET, username, apply)


# -- signing in and sessions -------------------------------------------------------------

@dataclass(frozen=True)
class SignedIn:
    """A new session: the user and the token for the browser's cookie (never stored,
    never logged)."""
    user: User
    token: str

    def __repr__(self) -> str:
        return f"SignedIn({self.user.username!r})"


@dataclass(frozen=True)
class Resumed:
    """What a session cookie is worth now: the user, or why not (`ended`: it just expired)."""
    user: User | None
    session_id: int | None = None
    ended: SessionEnd | None = None


# Failed sign-ins of this process, per account and client address (etl.sessions).
THROTTLE = sessions.SignInThrottle()


def sign_in(store: Store, username: str, password: str, client: Client = Client(),
            now: datetime | None = None,
            throttle: sessions.SignInThrottle = THROTTLE) -> SignedIn:
    """A new session for a name and password, or AuthError. A throttled try is refused
    before any check (no hash, no write); a checked failure is audited."""
    username = users.normalize_username(username)
    wait = throttle.wait_seconds(username, client.address)
    if wait > 0:
        raise AuthError(_throttled(wait))
    attempt = _check_credentials(store, username, password)
    if attempt.user is None:
        wait = throttle.failed(username, client.address)
        note = "; ".join(filter(None, [attempt.note, client.describe(),
                                       f"tạm chặn {math.ceil(wait)} giây" if wait else None]))
        if wait:
            log.warning("sign-in of %r from %s throttled for %.0f s", username, client.address, wait)
        if store.exists():
            with store.transaction() as con:
                audit.append(con, username or "?", AuditAction.SIGN_IN_FAILED, username, note)
        raise AuthError(attempt.error)
    throttle.succeeded(username, client.address)
    now = now or datetime.now()
    with store.transaction() as con:
        token = _open_session(con, attempt.user, client, now)
    return SignedIn(attempt.user, token)


def _throttled(wait: float) -> str:
    return f"Đăng nhập sai nhiều lần. Vui lòng thử lại sau {math.ceil(wait)} giây."


def _check_credentials(store: Store, username: str, password: str) -> users.SignInAttempt:
    try:
        with store.read() as con:
            return users.check_credentials(con, username, password)
    except DatabaseMissing:
        return users.SignInAttempt(None, users.WRONG_CREDENTIALS, "chưa có cơ sở dữ liệu")


def _open_session(con, user: User, client: Client, now: datetime, note: str | None = None) -> str:
    token = sessions.new_token()
    sessions.insert(con, user.username, token, client, now)
    audit.append(con, user.username, AuditAction.SIGN_IN, user.username,
                 "; ".join(filter(None, [note, client.describe()])), at=now)
    return token


def sign_in_external(store: Store, email: str, client: Client = Client(),
                     now: datetime | None = None) -> SignedIn | None:
    """OpenID Connect: a session for the active account registered with the provider's
    email, audited; None when no such account."""
    user = users.user_by_email(store, email)
    if user is None:
        return None
    with store.transaction() as con:
        token = _open_session(con, user, client, now or datetime.now(), "OpenID Connect")
    return SignedIn(user, token)


def resume_session(store: Store, token: str | None, now: datetime | None = None) -> Resumed:
    """The user a session cookie stands for, as the account is now. An expired session
    is ended and audited here; a used one is marked as used (at most once a minute, and
    skipped when another process holds the database: the check itself only reads)."""
    if not sessions.well_formed(token) or not store.exists():
        return Resumed(None)
    now = now or datetime.now()
    policy = sessions.Policy.of(store.settings)
    found, user = _session_and_account(store, token)
    if found is None:
        return Resumed(None)
    ended = policy.expiry(found, now) or (None if user else SessionEnd.ACCOUNT_LOCKED)
    if ended:
        _end_expired(store, found, ended, now)
        return Resumed(None, found.session_id, ended)
    if policy.needs_touch(found, now):
        _best_effort(store, lambda con: sessions.touch(con, found.session_id, now))
    return Resumed(user, found.session_id)


# The session and account of a token, per database version: a click costs no database read.
_LOOKUPS = sessions.Lookups()


def _session_and_account(store: Store, token: str) -> tuple[sessions.Session | None, User | None]:
    key, version = (str(store.path), sessions.token_hash(token)), store.data_version()
    answer = _LOOKUPS.get(key, version)
    if answer is None:
        with store.read() as con:
            found = sessions.find(con, token)
            answer = (found, users.active_user(con, found.username) if found else None)
        _LOOKUPS.put(key, version, answer)
    return answer


def _end_expired(store: Store, session: sessions.Session, reason: SessionEnd, now: datetime) -> None:
    def apply(con):
        sessions.end(con, session.session_id, reason, now)
        audit.append(con, session.username, AuditAction.SESSION_EXPIRED, session.username,
                     f"{SessionEnd(reason).label}, phiên #{session.session_id}", at=now)
    _best_effort(store, apply)


def _best_effort(store: Store, apply: Callable) -> None:
    """A bookkeeping write that must not hold a page up while a load holds the database;
    the next request tries again."""
    quick = Store(replace(store.settings, lock_wait_seconds=BOOKKEEPING_WAIT_SECONDS), store.catalog)
    try:
        with quick.transaction() as con:
            apply(con)
    except DatabaseBusy:
        log.info("database busy: session bookkeeping left for the next request")


def sign_out(store: Store, token: str | None, now: datetime | None = None) -> None:
    """End the session of this token (any state: signing out twice is harmless)."""
    if not sessions.well_formed(token) or not store.exists():
        return
    now = now or datetime.now()
    with store.transaction() as con:
        found = sessions.find(con, token)
        if found is None:
            return
        sessions.end(con, found.session_id, SessionEnd.SIGN_OUT, now)
        audit.append(con, found.username, AuditAction.SIGN_OUT, found.username,
                     f"phiên #{found.session_id}", at=now)


def change_password(store: Store, actor: User, current: str, new: str,
                    client: Client = Client(), now: datetime | None = None,
                    throttle: sessions.SignInThrottle = THROTTLE) -> SignedIn:
    """A user's own new password, given the current one. Every session of the account
    ends, the one in use too; the new session returned replaces it in this browser."""
    authorize(actor, Permission.VIEW)
    wait = throttle.wait_seconds(actor.username, client.address)
    if wait > 0:
        raise AuthError(_throttled(wait))
    if _check_credentials(store, actor.username, current).user is None:
        throttle.failed(actor.username, client.address)
        raise AuthError("Mật khẩu hiện tại không đúng.")
    if new == current:
        raise AuthError("Mật khẩu mới cần khác mật khẩu hiện tại.")
    now = now or datetime.now()
    with store.transaction() as con:
        users.set_password(con, actor.username, new)
        ended = sessions.end_all(con, actor.username, SessionEnd.PASSWORD_CHANGE, now)
        audit.append(con, actor.username, AuditAction.PASSWORD_CHANGE, actor.username,
                     f"{ended} phiên đã kết thúc", at=now)
        token = _open_session(con, actor, client, now, "sau khi đổi mật khẩu")
    return SignedIn(actor, token)


def end_session(store: Store, actor: User, session_id: int, now: datetime | None = None) -> None:
    """The administrator ends someone's session (a lost laptop, a shared computer)."""
    authorize(actor, Permission.MANAGE_USERS)
    now = now or datetime.now()
    with store.transaction() as con:
        found = sessions.by_id(con, session_id)
        if found is None:
            raise AuthError(f"Phiên #{session_id} đã kết thúc.")
        sessions.end(con, session_id, SessionEnd.REVOKED, now)
        audit.append(con, actor.username, AuditAction.SESSION_REVOKED, found.username,
                     f"phiên #{session_id}", at=now)


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
