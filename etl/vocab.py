"""The project's words: every code it stores and the Vietnamese label users read.

Statuses, roles, grains, permissions, audit actions and submission states live here
and nowhere else. Each is an enum whose value is the code stored in the database (the
SQL CHECK lists are tested against these) and whose `.label` is what a screen, a
slide or a document prints. Other modules import the member, never retype the text.
"""
from __future__ import annotations

from enum import StrEnum


class Labelled(StrEnum):
    """A stored code with its Vietnamese label: `Status.DONE == "done"`,
    `Status.DONE.label == "Hoàn thành"`."""

    def __new__(cls, code: str, label: str):
        member = str.__new__(cls, code)
        member._value_ = code
        member.label = label
        return member

    @classmethod
    def labels(cls) -> dict[str, str]:
        """{code: label} in declaration order."""
        return {m.value: m.label for m in cls}

    @classmethod
    def label_of(cls, code: object, default: str = "") -> str:
        """The label of a code, or `default` for None, NaN or an unknown code."""
        try:
            return cls(code).label
        except ValueError:
            return default

    @classmethod
    def codes(cls) -> tuple[str, ...]:
        return tuple(m.value for m in cls)


# -- what a report says about a task ------------------------------------------------

class Status(Labelled):
    NOT_STARTED = "not_started", "Chưa triển khai"
    IN_PROGRESS = "in_progress", "Đang thực hiện"
    DONE = "done", "Hoàn thành"
    DELAYED = "delayed", "Chậm tiến độ"


# The order charts and tables list statuses in: best news first.
STATUS_DISPLAY_ORDER = (Status.DONE, Status.IN_PROGRESS, Status.DELAYED, Status.NOT_STARTED)

# What people write in the status column besides the labels (compared folded).
STATUS_SYNONYMS: dict[Status, tuple[str, ...]] = {
    Status.NOT_STARTED: ("Chưa thực hiện", "Chưa bắt đầu"),
    Status.IN_PROGRESS: ("Đang triển khai", "Đang tiến hành"),
    Status.DONE: ("Đã hoàn thành", "Đã thực hiện xong", "Hoàn thành xong"),
    Status.DELAYED: ("Quá hạn", "Chậm", "Trễ hạn", "Chậm so với kế hoạch"),
}

# A cell with an assigned task and no report on it in the period.
NO_REPORT = "Chưa báo cáo"
# A cell with no task assigned in the scope: neither reported nor missing.
NOT_ASSIGNED = "Không được giao"
# A task a cell reported without being assigned it.
UNASSIGNED_ROLE = "Ngoài phân công"


class Role(Labelled):
    """A cell's role on a task (section III of the plan)."""
    LEAD = "chu_tri", "Chủ trì"
    PARTICIPATE = "thuc_hien", "Phối hợp thực hiện"


# -- periods -------------------------------------------------------------------------

class Grain(Labelled):
    MONTH = "month", "Tháng"
    QUARTER = "quarter", "Quý"
    HALF = "half", "6 tháng"
    YEAR = "year", "Năm"


# -- people and what they may do -------------------------------------------------------

class UserRole(Labelled):
    LEADERSHIP = "lanh_dao", "Lãnh đạo"
    OFFICE = "van_phong", "Văn phòng"
    CELL = "chi_bo", "Chi bộ"
    ADMIN = "quan_tri", "Quản trị"
    # The command line: whoever holds a shell on the server. Never stored as an account.
    SYSTEM = "he_thong", "Hệ thống (dòng lệnh)"


ACCOUNT_ROLES = tuple(r for r in UserRole if r is not UserRole.SYSTEM)


class Permission(Labelled):
    VIEW = "view", "Xem số liệu"
    EXPORT = "export", "Xuất ảnh, bộ báo cáo họp, số liệu"
    UPLOAD_ANY_CELL = "upload_any_cell", "Nạp báo cáo của mọi chi bộ"
    UPLOAD_OWN_CELL = "upload_own_cell", "Nạp báo cáo của chi bộ mình"
    RESTORE_WITHDRAW = "restore_withdraw", "Khôi phục, rút báo cáo"
    VIEW_AUDIT = "view_audit", "Xem nhật ký thao tác"
    MANAGE_USERS = "manage_users", "Quản lý tài khoản"
    BACKUP = "backup", "Sao lưu, khôi phục dữ liệu"
    MANAGE_SAMPLES = "manage_samples", "Nạp, gỡ dữ liệu mẫu"


# Who may do what: declared once, checked by etl.usecases (pages only hide what a
# role cannot use).
GRANTS: dict[Permission, frozenset[UserRole]] = {
    Permission.VIEW: frozenset(UserRole),
    Permission.EXPORT: frozenset({UserRole.LEADERSHIP, UserRole.OFFICE, UserRole.SYSTEM}),
    Permission.UPLOAD_ANY_CELL: frozenset({UserRole.OFFICE, UserRole.SYSTEM}),
    Permission.UPLOAD_OWN_CELL: frozenset({UserRole.OFFICE, UserRole.CELL, UserRole.SYSTEM}),
    Permission.RESTORE_WITHDRAW: frozenset({UserRole.OFFICE, UserRole.SYSTEM}),
    Permission.VIEW_AUDIT: frozenset({UserRole.OFFICE, UserRole.ADMIN, UserRole.SYSTEM}),
    Permission.MANAGE_USERS: frozenset({UserRole.ADMIN, UserRole.SYSTEM}),
    Permission.BACKUP: frozenset({UserRole.ADMIN, UserRole.SYSTEM}),
    Permission.MANAGE_SAMPLES: frozenset({UserRole.ADMIN, UserRole.OFFICE, UserRole.SYSTEM}),
}


class AuditAction(Labelled):
    SIGN_IN = "sign_in", "Đăng nhập"
    SIGN_IN_FAILED = "sign_in_failed", "Đăng nhập sai"
    SIGN_OUT = "sign_out", "Đăng xuất"
    SESSION_EXPIRED = "session_expired", "Phiên hết hạn"
    SESSION_REVOKED = "session_revoked", "Kết thúc phiên"
    PASSWORD_CHANGE = "password_change", "Đổi mật khẩu"
    USER_EDIT = "user_edit", "Sửa tài khoản"
    LOAD = "load", "Nạp báo cáo"
    UNDO_LOAD = "undo_load", "Hoàn tác lần nạp"
    RESTORE = "restore", "Khôi phục báo cáo"
    WITHDRAW = "withdraw", "Rút báo cáo"
    UNDO = "undo", "Hoàn tác"
    EXPORT = "export", "Xuất báo cáo"
    DOWNLOAD_ORIGINAL = "download_original", "Tải tệp gốc"
    USER_ADD = "user_add", "Thêm tài khoản"
    USER_ENABLE = "user_enable", "Mở khóa tài khoản"
    USER_DISABLE = "user_disable", "Khóa tài khoản"
    PASSWORD_SET = "password_set", "Đặt lại mật khẩu"
    BACKUP = "backup", "Sao lưu dữ liệu"
    RESTORE_BACKUP = "restore_backup", "Khôi phục từ bản sao lưu"
    SAMPLES_LOAD = "samples_load", "Nạp dữ liệu mẫu"
    SAMPLES_REMOVE = "samples_remove", "Gỡ dữ liệu mẫu"


class SessionEnd(Labelled):
    """Why a signed-in session ended (table sessions, column end_reason)."""
    SIGN_OUT = "sign_out", "Đăng xuất"
    IDLE = "idle", "Hết thời gian chờ"
    LIFETIME = "lifetime", "Hết thời hạn phiên"
    PASSWORD_CHANGE = "password_change", "Đổi mật khẩu"
    PASSWORD_RESET = "password_reset", "Đặt lại mật khẩu"
    ACCOUNT_LOCKED = "account_locked", "Khóa tài khoản"
    REVOKED = "revoked", "Quản trị kết thúc phiên"


# -- submissions -------------------------------------------------------------------------

class SubmissionState(Labelled):
    CURRENT = "current", "Hiện hành"
    SUPERSEDED = "superseded", "Đã bị thay thế"
    WITHDRAWN = "withdrawn", "Đã rút"


class SubmissionEvent(Labelled):
    """A line of a submission's own history (table submission_events)."""
    LOADED = "loaded", "Nạp"
    SUPERSEDED = "superseded", "Bị thay thế"
    RESTORED = "restored", "Khôi phục"
    WITHDRAWN = "withdrawn", "Rút khỏi số liệu"
    REINSTATED = "reinstated", "Khôi phục sau khi rút"
    UNDONE = "undone", "Hoàn tác"


class LoadOutcome(Labelled):
    """What loading did with one sheet of a file."""
    ADDED = "added", "thêm mới"
    SUPERSEDED = "superseded", "thay thế báo cáo trước"
    UNCHANGED = "unchanged", "không thay đổi"


class ReportTimeliness(Labelled):
    """Whether a cell's report for a period came in by the deadline."""
    ON_TIME = "on_time", "Đúng hạn"
    LATE = "late", "Trễ hạn"
    MISSING = "missing", "Chưa nộp"
    NOT_DUE = "not_due", "Chưa đến hạn"
