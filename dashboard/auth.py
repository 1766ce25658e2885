"""Who is signed in, the first-run set-up and the per-page guard (Streamlit side).

The browser's session cookie is set and cleared by dashboard.web (HTTP routes beside
Streamlit); this module reads it on every run and asks etl (etl.usecases) what it is
worth now, so a session ended anywhere (sign-out, a password change, a locked account,
the idle limit) ends here on the next click.
"""
from __future__ import annotations

import html
import json
import logging
import secrets
from urllib.parse import urlsplit

import streamlit as st

from dashboard import context, web
from etl import sample_data, usecases, users
from etl.sessions import Client
from etl.vocab import Permission, SessionEnd

log = logging.getLogger(__name__)

SESSION_KEY = "auth_user"
ENDED_KEY = "auth_ended"      # why this browser's session just ended, for the sign-in form
SAMPLE, EMPTY = "sample", "empty"
START_CHOICES = {
    SAMPLE: ("Có dữ liệu mẫu, để xem thử",
             "Nạp sẵn báo cáo mẫu của 6 tháng (đánh dấu DỮ LIỆU MẪU); gỡ bằng một nút khi dùng thật."),
    EMPTY: ("Trống, để nạp báo cáo thật",
            "Không có số liệu nào cho đến khi nạp báo cáo đầu tiên của các chi bộ."),
}


def resolve_user() -> users.User | None:
    """The user of this browser's session, checked against the database: app.py calls
    it once per run, before any page."""
    user = _session_user()
    st.session_state[SESSION_KEY] = user
    return user


def current_user() -> users.User | None:
    """The user app.py found for this run (no database read)."""
    return st.session_state.get(SESSION_KEY)


def _session_user() -> users.User | None:
    token = st.context.cookies.get(web.cookies().session)
    resumed = usecases.resume_session(context.store(), token)
    st.session_state[ENDED_KEY] = resumed.ended
    return resumed.user


def client() -> Client:
    """The browser on the other end of this session. Streamlit gives no address for the
    server's own machine: recorded as 127.0.0.1, as the sign-in route records it."""
    address, agent = st.context.ip_address, st.context.headers.get("User-Agent")
    if address is None and isinstance(agent, str):
        address = "127.0.0.1"
    return Client(address if isinstance(address, str) else None,
                  agent if isinstance(agent, str) else None)


def guard(permission: Permission = Permission.VIEW) -> users.User:
    """The signed-in user, or stop with a refusal. Pages are also hidden from the
    navigation, but a page must refuse on its own too."""
    user = current_user()
    if user is None:
        st.error("Vui lòng đăng nhập để xem trang này.")
        st.stop()
    if not user.can(permission):
        st.error(f"Tài khoản {user.username} ({user.role_label}) không có quyền dùng trang này.")
        st.stop()
    return user


def anonymous() -> None:
    """What a visitor without a valid session gets: the first-run form on a fresh
    install, the organisation's sign-in trade, or the way to the sign-in form."""
    store = context.store()
    if users.count_users(store) == 0:
        _, middle, _ = st.columns([1, 1.3, 1])
        with middle:
            _first_run(store)
        return
    if web.oidc_configured() and getattr(st.user, "is_logged_in", False):
        _oidc_session(store)
        return
    _go_to_sign_in()


def _go_to_sign_in() -> None:
    """To the sign-in form, coming back to this very address (page and view) after it."""
    st.info("Phiên làm việc đã kết thúc hoặc chưa đăng nhập. Đang chuyển tới trang đăng nhập…")
    sign_in = web.base_path() + web.SIGN_IN
    ended = st.session_state.get(ENDED_KEY)
    reason = ended.value if ended in (SessionEnd.IDLE, SessionEnd.LIFETIME) else "ended"
    go_to_script = (f"const next = location.pathname + location.search;"
                    f"location.replace({json.dumps(f'{sign_in}?reason={reason}&next=')} "
                    f"+ encodeURIComponent(next));")
    run_js(go_to_script)
    st.markdown(f"[Đăng nhập]({sign_in})")


def go_to(address: str) -> None:
    """Send the browser to `address` (a route of dashboard.web): a real navigation,
    which a script cannot do otherwise."""
    run_js(f"location.replace({json.dumps(address)});")


def run_js(code: str) -> None:
    """Run our own script in the browser (never text from a report or an address)."""
    # A fresh nonce per call, run at most once: an element identical to the last run's
    # would not run again, and Streamlit may mount an element of an earlier run anew
    # (a later run shifting the page), which must not replay it (an old address written
    # over the page the user went back to).
    nonce = secrets.token_hex(8)
    st.html(f"<script>(() => {{ const ran = (window.__progressRan ||= new Set());"
            f"if (ran.has('{nonce}')) return; ran.add('{nonce}'); {code} }})();</script>",
            unsafe_allow_javascript=True)


def page_path() -> str:
    """This page's path in the browser's address (with Streamlit's base path)."""
    return urlsplit(st.context.url or "").path or web.base_path() + "/"


def hand_over(signed: usecases.SignedIn, next_path: str | None = None) -> None:
    """Give this browser the cookie of a session the script made, then show `next_path`
    (by default this address)."""
    here = urlsplit(st.context.url or "")
    target = next_path or (here.path + (f"?{here.query}" if here.query else "")) or "/"
    csrf = st.context.cookies.get(web.cookies().csrf)
    go_to(web.exchange_address(signed.token, csrf, target))
    st.stop()


# -- first run ------------------------------------------------------------------------------

def _first_run(store) -> None:
    # "Chỉ thị 06-CT/TU" stays on one line (no-break spaces, a word joiner after the hyphen).
    st.title("Theo dõi thực hiện Chỉ\u00a0thị\u00a006-\u2060CT/TU")
    st.caption(store.catalog.plan.organization + " tỉnh Lạng Sơn")
    st.subheader("Cài đặt lần đầu: tạo tài khoản quản trị")
    st.write("Chưa có tài khoản nào. Tạo tài khoản quản trị đầu tiên; sau đó quản trị thêm "
             "tài khoản cho lãnh đạo, văn phòng và bí thư các chi bộ.")
    with st.form("first_admin"):
        username = st.text_input("Tên đăng nhập", placeholder="vd. quantri")
        full_name = st.text_input("Họ và tên")
        password = st.text_input(f"Mật khẩu (ít nhất {users.MIN_PASSWORD_LENGTH} ký tự, có chữ và số)",
                                 type="password")
        again = st.text_input("Nhập lại mật khẩu", type="password")
        # The default is what the database already holds: `make run` seeds the samples,
        # `make run DATA=empty` does not.
        seeded = sample_data.count_samples(store) > 0
        start = st.radio("Bắt đầu với cơ sở dữ liệu", list(START_CHOICES), key="first_run_start",
                         index=0 if seeded else 1, format_func=lambda c: START_CHOICES[c][0],
                         captions=[text for _, text in START_CHOICES.values()])
        submitted = st.form_submit_button("Tạo tài khoản quản trị", type="primary",
                                          width="stretch")
    if not submitted:
        return
    if password != again:
        st.error("Hai lần nhập mật khẩu không khớp.")
        return
    try:
        signed = usecases.create_first_admin(store, username, full_name, password, client())
    except users.AuthError as exc:
        st.error(str(exc))
        return
    if start == SAMPLE:
        with st.spinner("Đang nạp dữ liệu mẫu…"):
            usecases.load_samples(store, signed.user)
    elif seeded:   # real use chosen on a database `make run` seeded for a first look
        with st.spinner("Đang gỡ dữ liệu mẫu…"):
            usecases.remove_samples(store, signed.user)
    st.cache_data.clear()
    hand_over(signed, web.base_path() + "/")


# -- OpenID Connect (optional, configured in .streamlit/secrets.toml [auth]) ---------------

def _oidc_session(store) -> None:
    signed = usecases.sign_in_external(store, st.user.email or "", client())
    if signed is None:
        st.error(f"Tài khoản {st.user.email} chưa được cấp quyền. Liên hệ quản trị.")
        st.button("Đăng xuất", on_click=st.logout)
        return
    hand_over(signed)


# -- the sidebar ---------------------------------------------------------------------------

def sidebar_account(user: users.User) -> None:
    """Who is signed in, and the sign-out button: a form posted to dashboard.web, which
    ends the session and clears the cookie."""
    csrf = html.escape(st.context.cookies.get(web.cookies().csrf) or "")
    action = html.escape(web.base_path() + web.SIGN_OUT)
    with st.sidebar:
        st.caption(f"Đăng nhập: **{user.full_name}** ({user.role_label}"
                   + (f", chi bộ {user.cell_code}" if user.cell_code else "") + ")")
        st.html(f"<form method='post' action='{action}' class='sign-out'>"
                f"<input type='hidden' name='{web.CSRF_FIELD}' value='{csrf}'>"
                "<button type='submit'>Đăng xuất</button></form>"
                "<style>.sign-out button{font:inherit;font-size:.875rem;padding:.25rem .75rem;"
                "border-radius:.5rem;border:1px solid rgba(49,51,63,.2);background:transparent;"
                "color:inherit;cursor:pointer}.sign-out button:hover{border-color:#c62828;"
                "color:#c62828}</style>")
