"""The HTTP side of signing in, served beside Streamlit by server.py (Starlette).

Streamlit keeps a session in its websocket, so a reload or a restart signed everyone
out. Here the browser holds a session cookie instead (HttpOnly, SameSite=Lax, Secure
behind HTTPS), set by plain HTTP routes, since a Streamlit script cannot set a cookie:

- `GET|POST /dang-nhap`: the sign-in form, a small page of its own posted to this route.
- `POST /dang-xuat`: sign out (the sidebar's button is a form posted here).
- `GET /dang-nhap/ma?ma=...`: a script that made a session (the first administrator, a
  changed password, OpenID Connect) hands the browser a one-time code, valid for
  seconds and for this browser only, that this route trades for the cookie.
- `SessionGate`: every other request needs a valid session. A page address redirects to
  the sign-in form and back to the same address after it; the websocket, downloads
  (/media/...), uploads and /_stcore/metrics are refused.

Every route that changes state checks a CSRF token (a cookie the page repeats in the
form) and the request's Origin. The sessions themselves are etl's (etl.sessions,
etl.usecases); this module only moves them between HTTP and the use cases.
"""
from __future__ import annotations

import html
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from anyio import to_thread
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from dashboard import context
from etl import usecases, users
from etl.sessions import Client
from etl.settings import Settings
from etl.vocab import SessionEnd

log = logging.getLogger(__name__)

SIGN_IN = "/dang-nhap"
SIGN_OUT = "/dang-xuat"
EXCHANGE = "/dang-nhap/ma"
OIDC_START = "/dang-nhap/co-quan"
CSRF_FIELD = "csrf"
SERVED = False   # set by server.py: the routes and the gate are in front of the app
EXCHANGE_SECONDS = 20
MAX_FORM_BYTES = 8 * 1024
# Where Streamlit serves what a page needs before anyone is signed in.
PUBLIC_PATHS = frozenset({"/_stcore/health", "/_stcore/host-config", "/favicon.png",
                          "/manifest.json", SIGN_IN, SIGN_OUT, EXCHANGE, OIDC_START})
PUBLIC_PREFIXES = ("/static/",)
# Streamlit's own OpenID Connect routes (st.login), when it is configured.
OIDC_PATHS = frozenset({"/auth/login", "/auth/logout", "/oauth2callback"})
OIDC_COOKIE = "_streamlit_user"
# Not pages: refused with a status, never redirected to the form.
SERVICE_PREFIXES = ("/_stcore/", "/media/", "/component/", "/app/static/")
REASON_NOTICES = {
    SessionEnd.IDLE.value: "Phiên làm việc đã kết thúc sau {idle} phút không thao tác. "
                           "Vui lòng đăng nhập lại.",
    SessionEnd.LIFETIME.value: "Phiên làm việc đã quá {hours} giờ. Vui lòng đăng nhập lại.",
    "ended": "Phiên làm việc đã kết thúc. Vui lòng đăng nhập lại.",
    SessionEnd.SIGN_OUT.value: "Đã đăng xuất.",
}


# -- cookies ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Cookies:
    """The two cookies and their attributes, by the settings: behind HTTPS they are
    Secure and carry the __Host- prefix (no subdomain can set them)."""
    secure: bool
    max_age: int

    @classmethod
    def of(cls, settings: Settings) -> "Cookies":
        return cls(settings.https, int(settings.session_hours * 3600))

    @property
    def session(self) -> str:
        return ("__Host-" if self.secure else "") + "progress_session"

    @property
    def csrf(self) -> str:
        return ("__Host-" if self.secure else "") + "progress_csrf"

    def set_session(self, response: Response, token: str) -> None:
        response.set_cookie(self.session, token, max_age=self.max_age, path="/",
                            secure=self.secure, httponly=True, samesite="lax")

    def clear_session(self, response: Response) -> None:
        response.delete_cookie(self.session, path="/", secure=self.secure, httponly=True,
                               samesite="lax")

    def csrf_header(self, value: str) -> str:
        """A Set-Cookie value for the CSRF cookie (also added to Streamlit's own pages)."""
        cookie = SimpleCookie()
        cookie[self.csrf] = value
        cookie[self.csrf].update({"path": "/", "httponly": True, "samesite": "Strict"})
        if self.secure:
            cookie[self.csrf]["secure"] = True
        return cookie.output(header="").strip()


def cookies() -> Cookies:
    return Cookies.of(context.settings())


def new_csrf() -> str:
    return secrets.token_urlsafe(24)


def base_path() -> str:
    """Streamlit's server.baseUrlPath as `/prefix`, or '' (served at the root)."""
    from streamlit import config
    prefix = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{prefix}" if prefix else ""


def safe_next(target: str | None) -> str:
    """A local address to return to after signing in: never another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return base_path() + "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return base_path() + "/"
    return target


def sign_in_address(next_path: str, reason: str | None = None) -> str:
    query = {"next": next_path, **({"reason": reason} if reason else {})}
    return f"{base_path()}{SIGN_IN}?{urlencode(query)}"


# -- one-time codes ---------------------------------------------------------------------

class ExchangeCodes:
    """Session tokens waiting, for a few seconds, to be put in a cookie. A code is used
    once, and only by the browser holding the CSRF cookie it was issued for."""

    def __init__(self, seconds: float = EXCHANGE_SECONDS, clock=time.monotonic):
        self._seconds = seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._waiting: dict[str, tuple[str, str, float]] = {}

    def issue(self, token: str, csrf: str | None) -> str:
        code = secrets.token_urlsafe(24)
        now = self._clock()
        with self._lock:
            self._waiting = {c: w for c, w in self._waiting.items() if w[2] > now}
            self._waiting[code] = (token, csrf or "", now + self._seconds)
        return code

    def redeem(self, code: str | None, csrf: str | None) -> str | None:
        with self._lock:
            waiting = self._waiting.pop(code or "", None)
        if waiting is None:
            return None
        token, bound_to, expires = waiting
        if self._clock() > expires or not secrets.compare_digest(bound_to, csrf or ""):
            return None
        return token


CODES = ExchangeCodes()


def exchange_address(token: str, csrf: str | None, next_path: str) -> str:
    """Where the browser goes to receive the cookie of a session a script made."""
    code = CODES.issue(token, csrf)
    return f"{base_path()}{EXCHANGE}?{urlencode({'ma': code, 'next': safe_next(next_path)})}"


# -- who is asking ------------------------------------------------------------------------

def client_of(scope_or_request) -> Client:
    """The client's address (uvicorn already applies the trusted proxy's
    X-Forwarded-For) and user agent."""
    scope = getattr(scope_or_request, "scope", scope_or_request)
    address = (scope.get("client") or (None,))[0]
    agent = Headers(scope=scope).get("user-agent")
    return Client(address, agent)


def same_origin(headers: Headers) -> bool:
    """The request comes from a page of this site (Origin, else Referer, names our host).
    Browsers send Origin with every POST and websocket; a request with neither comes
    from no browser page and still needs the CSRF token."""
    source = headers.get("origin") or headers.get("referer")
    if not source:
        return True
    return urlsplit(source).netloc == headers.get("host")


def oidc_configured() -> bool:
    import streamlit as st
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        # Streamlit says "not found" for a missing file and for one it cannot parse: only
        # the second is a mistake worth the log (OIDC stays off until it is fixed).
        if any(Path(f).expanduser().exists() for f in st.get_option("secrets.files")):
            log.exception("the secrets file cannot be read: OpenID Connect sign-in is off")
        return False


# -- the gate ----------------------------------------------------------------------------

class SessionGate:
    """ASGI middleware in front of all of Streamlit: nothing but the sign-in form, the
    health check and the app's static files is served without a valid session."""

    def __init__(self, app):
        self.app = app
        self._accounts_exist = False   # once true, true for the life of the process

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path = _relative(scope["path"])
        if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES) or (
                path in OIDC_PATHS and oidc_configured()):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if scope["type"] == "websocket" and not same_origin(headers):
            await _refuse_websocket(send)
            return
        names = cookies()
        jar = _cookie_jar(headers)
        resumed = await to_thread.run_sync(usecases.resume_session, context.store(),
                                           jar.get(names.session))
        if resumed.user or await self._first_run() or _oidc_pending(jar):
            send = _with_csrf_cookie(send, names, jar) if _is_page(path, scope) else send
            await self.app(scope, receive, send)
            return
        await self._refuse(scope, receive, send, path, names, jar, resumed.ended)

    async def _first_run(self) -> bool:
        """No account yet: the app shows the form that creates the first administrator."""
        if not self._accounts_exist:
            self._accounts_exist = await to_thread.run_sync(users.count_users, context.store()) > 0
        return not self._accounts_exist

    async def _refuse(self, scope, receive, send, path, names: Cookies, jar: dict, ended) -> None:
        if scope["type"] == "websocket":
            await _refuse_websocket(send)
            return
        if not _is_page(path, scope):
            response: Response = PlainTextResponse("Cần đăng nhập.", status_code=401)
        else:
            here = scope["path"] + (f"?{scope['query_string'].decode('latin-1')}"
                                    if scope.get("query_string") else "")
            reason = ended.value if ended in (SessionEnd.IDLE, SessionEnd.LIFETIME) else (
                "ended" if jar.get(names.session) else None)
            response = RedirectResponse(sign_in_address(here, reason), status_code=303)
        if jar.get(names.session):
            names.clear_session(response)
        await response(scope, receive, send)


def _relative(path: str) -> str:
    base = base_path()
    if base and (path == base or path.startswith(base + "/")):
        return path[len(base):] or "/"
    return path


def _is_page(path: str, scope) -> bool:
    return (scope["type"] == "http" and scope.get("method") in ("GET", "HEAD")
            and not path.startswith(SERVICE_PREFIXES))


def _cookie_jar(headers: Headers) -> dict[str, str]:
    jar = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except Exception:  # a malformed header from a client: treated as no cookies
        log.info("unreadable Cookie header ignored")
        return {}
    return {k: m.value for k, m in jar.items()}


def _oidc_pending(jar: dict) -> bool:
    """Signed in with the OpenID provider but not yet here: the app trades it for a
    session (dashboard.auth), or refuses an unknown email."""
    return OIDC_COOKIE in jar and oidc_configured()


def _with_csrf_cookie(send, names: Cookies, jar: dict):
    """Streamlit's page response, plus a CSRF cookie when the browser has none: the
    sidebar's sign-out form and one-time codes are bound to it."""
    if jar.get(names.csrf):
        return send

    async def sending(message):
        if message["type"] == "http.response.start":
            header = (b"set-cookie", names.csrf_header(new_csrf()).encode("latin-1"))
            message = {**message, "headers": [*message.get("headers", []), header]}
        await send(message)
    return sending


async def _refuse_websocket(send) -> None:
    await send({"type": "websocket.close", "code": 1008})


# -- the routes ---------------------------------------------------------------------------

async def sign_in_page(request: Request) -> Response:
    names = cookies()
    jar = request.cookies
    target = safe_next(request.query_params.get("next"))
    if (await to_thread.run_sync(usecases.resume_session, context.store(),
                                 jar.get(names.session))).user:
        return RedirectResponse(target, status_code=303)
    if await to_thread.run_sync(users.count_users, context.store()) == 0:
        return RedirectResponse(base_path() + "/", status_code=303)
    notice = _notice(request.query_params.get("reason"))
    return _form_response(names, jar.get(names.csrf), target, notice=notice)


async def sign_in_post(request: Request) -> Response:
    names = cookies()
    form = await _form(request)
    csrf = request.cookies.get(names.csrf)
    target = safe_next(form.get("next"))
    if not _csrf_ok(request, names, form):
        return _form_response(names, csrf, target, status=403,
                              error="Trang đăng nhập đã cũ. Vui lòng nhập lại và bấm Đăng nhập.")
    username = form.get("username", "")
    try:
        signed = await to_thread.run_sync(
            lambda: usecases.sign_in(context.store(), username, form.get("password", ""),
                                     client_of(request)))
    except users.AuthError as exc:
        return _form_response(names, csrf, target, status=401, error=str(exc), username=username)
    response = RedirectResponse(target, status_code=303)
    names.set_session(response, signed.token)
    return response


async def sign_out(request: Request) -> Response:
    names = cookies()
    form = await _form(request)
    if not _csrf_ok(request, names, form):
        return PlainTextResponse("Yêu cầu không hợp lệ (thiếu mã chống giả mạo).", status_code=403)
    await to_thread.run_sync(usecases.sign_out, context.store(), request.cookies.get(names.session))
    response = RedirectResponse(sign_in_address(base_path() + "/", SessionEnd.SIGN_OUT.value),
                                status_code=303)
    names.clear_session(response)
    for name in request.cookies:   # the OpenID provider's sign-in too, or it would sign back in
        if name.startswith(OIDC_COOKIE):
            response.delete_cookie(name, path="/")
    return response


async def exchange(request: Request) -> Response:
    names = cookies()
    target = safe_next(request.query_params.get("next"))
    token = CODES.redeem(request.query_params.get("ma"), request.cookies.get(names.csrf))
    if token is None:
        return RedirectResponse(sign_in_address(target), status_code=303)
    response = RedirectResponse(target, status_code=303)
    names.set_session(response, token)
    return response


async def oidc_start(request: Request) -> Response:
    """The organisation's sign-in (OpenID Connect), through Streamlit's own route."""
    if not oidc_configured():
        return RedirectResponse(base_path() + SIGN_IN, status_code=303)
    from streamlit.auth_util import encode_provider_token
    token = encode_provider_token("default")
    return RedirectResponse(f"{base_path()}/auth/login?provider={quote(token)}", status_code=303)


async def _form(request: Request) -> dict[str, str]:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return {}
    values = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {k: v[0] for k, v in values.items()}


def _csrf_ok(request: Request, names: Cookies, form: dict) -> bool:
    expected = request.cookies.get(names.csrf) or ""
    given = form.get(CSRF_FIELD) or ""
    return bool(expected) and secrets.compare_digest(expected, given) and same_origin(request.headers)


def _notice(reason: str | None) -> str | None:
    text = REASON_NOTICES.get(reason or "")
    if text is None:
        return None
    settings = context.settings()
    return text.format(idle=f"{settings.idle_minutes:g}", hours=f"{settings.session_hours:g}")


def _form_response(names: Cookies, csrf: str | None, target: str, status: int = 200,
                   error: str | None = None, notice: str | None = None,
                   username: str = "") -> Response:
    csrf = csrf or new_csrf()
    page = render_sign_in(csrf, target, error=error, notice=notice, username=username,
                          organization=context.store().catalog.plan.organization,
                          oidc=oidc_configured())
    response = HTMLResponse(page, status_code=status,
                            headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY",
                                     "Referrer-Policy": "same-origin"})
    response.raw_headers.append((b"set-cookie", names.csrf_header(csrf).encode("latin-1")))
    return response


def render_sign_in(csrf: str, target: str, error: str | None = None, notice: str | None = None,
                   username: str = "", organization: str = "", oidc: bool = False) -> str:
    """The sign-in page: a plain form, Vietnamese, readable on a phone and in dark mode."""
    e = html.escape
    action = base_path() + SIGN_IN
    messages = "".join(f'<p class="{kind}" role="alert">{e(text)}</p>'
                       for kind, text in (("notice", notice), ("error", error)) if text)
    oidc_link = (f'<p class="alt"><a href="{e(base_path() + OIDC_START)}">Đăng nhập bằng tài '
                 'khoản của cơ quan</a></p>') if oidc else ""
    return f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Đăng nhập · Theo dõi thực hiện Chỉ thị 06-CT/TU</title>
<style>{_STYLE}</style></head>
<body><main>
<h1>Theo dõi thực hiện Chỉ&nbsp;thị&nbsp;06-&#8288;CT/TU</h1>
<p class="org">{e(organization)} tỉnh Lạng Sơn</p>
<h2>Đăng nhập</h2>
{messages}
<form method="post" action="{e(action)}">
<input type="hidden" name="{CSRF_FIELD}" value="{e(csrf)}">
<input type="hidden" name="next" value="{e(target)}">
<label for="username">Tên đăng nhập</label>
<input id="username" name="username" autocomplete="username" value="{e(username)}" required
 {'' if username else 'autofocus'}>
<label for="password">Mật khẩu</label>
<input id="password" name="password" type="password" autocomplete="current-password" required
 {'autofocus' if username else ''}>
<button type="submit">Đăng nhập</button>
</form>
{oidc_link}
<p class="small">Số liệu nội bộ, chỉ dành cho tài khoản được cấp. Quên mật khẩu: liên hệ quản trị.</p>
</main></body></html>"""


_STYLE = """
:root{color-scheme:light dark;--fg:#31333f;--muted:#6b6e7b;--bg:#fff;--line:#d5d7de;
--accent:#c62828;--panel:#f0f2f6}
@media (prefers-color-scheme:dark){:root{--fg:#fafafa;--muted:#a3a8b8;--bg:#0e1117;
--line:#3b3f4b;--panel:#262730}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 "Source Sans Pro","Segoe UI",
"DejaVu Sans",Arial,sans-serif}
main{max-width:26rem;margin:8vh auto;padding:0 1.25rem}
h1{font-size:1.75rem;line-height:1.25;margin:0 0 .25rem}
h2{font-size:1.25rem;margin:1.5rem 0 .75rem}
.org,.small{color:var(--muted);font-size:.9rem}
label{display:block;margin:.75rem 0 .25rem;font-size:.9rem}
input{width:100%;padding:.55rem .7rem;font:inherit;color:inherit;background:var(--panel);
border:1px solid var(--line);border-radius:.5rem}
input:focus{outline:2px solid var(--accent);outline-offset:1px}
button{width:100%;margin-top:1.25rem;padding:.6rem;font:inherit;font-weight:600;color:#fff;
background:var(--accent);border:0;border-radius:.5rem;cursor:pointer}
.error,.notice{padding:.6rem .8rem;border-radius:.5rem}
.error{background:rgba(214,39,40,.12);color:var(--fg)}
.notice{background:rgba(28,131,225,.12)}
.alt{margin-top:1rem;text-align:center}
a{color:inherit}
"""


def routes() -> list[Route]:
    base = base_path()
    return [Route(base + SIGN_IN, sign_in_page, methods=["GET"]),
            Route(base + SIGN_IN, sign_in_post, methods=["POST"]),
            Route(base + SIGN_OUT, sign_out, methods=["POST"]),
            Route(base + EXCHANGE, exchange, methods=["GET"]),
            Route(base + OIDC_START, oidc_start, methods=["GET"])]


def middleware() -> list[Middleware]:
    return [Middleware(SessionGate)]
