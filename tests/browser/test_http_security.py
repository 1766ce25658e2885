"""The server's doors, tried over plain HTTP as an attacker would (no browser): nothing
without a valid session, CSRF tokens on every route that changes state, forged,
expired and ended tokens refused, sign-in throttled per account and address."""
from __future__ import annotations

import http.client
import re
import secrets
import socket
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from dashboard_db import build_db, demo_subs
from etl import usecases
from etl.sessions import SignInThrottle
from etl.store import Store
from etl.vocab import UserRole
from signin import OFFICE, OPERATOR, PASSWORD

PAGES = ["/", *sorted(f"/{p.stem}" for p in (Path(__file__).resolve().parents[2] / "pages").glob("*.py"))]
SERVICES = [("GET", "/_stcore/metrics"), ("GET", "/media/0123456789abcdef.xlsx"),
            ("PUT", "/_stcore/upload_file/abc/def"), ("GET", "/component/x/index.html"),
            ("GET", "/_stcore/stream")]


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: str

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def set_cookies(self) -> list[str]:
        return [v for k, v in self.headers if k.lower() == "set-cookie"]


@dataclass
class Client:
    """A cookie jar and a host: what a browser would send, nothing more."""
    base: str
    cookies: dict[str, str] = field(default_factory=dict)
    forwarded_for: str | None = None

    def request(self, method: str, path: str, body: dict | None = None,
                headers: dict | None = None) -> Answer:
        parts = urlsplit(self.base)
        con = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        sent = {"Host": parts.netloc, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.forwarded_for:
            sent["X-Forwarded-For"] = self.forwarded_for
        data = None
        if body is not None:
            data = urlencode(body)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        con.request(method, path, body=data, headers=sent)
        response = con.getresponse()
        answer = Answer(response.status, response.getheaders(),
                        response.read().decode("utf-8", errors="replace"))
        con.close()
        for value in answer.set_cookies():
            name, _, rest = value.partition("=")
            cookie_value = rest.split(";")[0]
            if "max-age=0" in value.lower() or "expires=thu, 01 jan 1970" in value.lower():
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = cookie_value
        return answer

    def sign_in_form(self) -> str:
        """Open the sign-in page; its CSRF token."""
        page = self.request("GET", "/dang-nhap")
        assert page.status == 200
        return re.search(r'name="csrf" value="([^"]+)"', page.body)[1]

    def sign_in(self, username=OFFICE.username, password=PASSWORD, **extra) -> Answer:
        token = self.sign_in_form()
        return self.request("POST", "/dang-nhap", {"csrf": token, "username": username,
                                                   "password": password, "next": "/", **extra},
                            headers={"Origin": self.base})

    def websocket(self, origin: str | None = None) -> str:
        """The status line of a websocket handshake on Streamlit's stream."""
        parts = urlsplit(self.base)
        lines = ["GET /_stcore/stream HTTP/1.1", f"Host: {parts.netloc}", "Upgrade: websocket",
                 "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                 "Sec-WebSocket-Version: 13", f"Origin: {origin or self.base}"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
            sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
            return sock.recv(4096).decode("latin-1").split("\r\n")[0]


@pytest.fixture
def demo_db(tmp_path):
    return build_db(tmp_path / "demo.duckdb", demo_subs())


@pytest.fixture
def base(demo_db, start_app) -> str:
    return start_app(demo_db)


def signed_in_client(base: str, **kw) -> Client:
    client = Client(base, **kw)
    assert client.sign_in().status == 303
    return client


def refused_everywhere(client: Client) -> None:
    for path in PAGES:
        answer = client.request("GET", path + "?period=2026-07")
        assert answer.status == 303, path
        assert answer.header("location").startswith("/dang-nhap?next=" + path.replace("/", "%2F"))
        assert "Tỷ lệ hoàn thành" not in answer.body
    for method, path in SERVICES:
        assert client.request(method, path).status in (401, 403), path
    assert not client.websocket().startswith("HTTP/1.1 101")


def test_no_page_and_no_service_answers_without_a_valid_session(base):
    refused_everywhere(Client(base))
    forged = Client(base, cookies={"progress_session": secrets.token_urlsafe(32)})
    refused_everywhere(forged)
    assert Client(base).request("GET", "/_stcore/health").body == "ok"


def test_a_signed_in_client_reaches_pages_and_the_stream_but_metrics_stay_closed_to_others(base):
    client = signed_in_client(base)
    assert client.request("GET", "/by_cell?cell=CDS").status == 200
    assert client.websocket().startswith("HTTP/1.1 101")
    assert client.request("GET", "/_stcore/metrics").status == 200   # signed in: allowed
    assert Client(base).request("GET", "/_stcore/metrics").status == 401


def test_the_session_cookie_is_httponly_lax_path_root_and_secure_behind_https(demo_db, start_app):
    plain = Client(start_app(demo_db)).sign_in()
    cookie = next(c for c in plain.set_cookies() if c.startswith("progress_session="))
    assert re.search(r"(?i)httponly", cookie) and re.search(r"(?i)samesite=lax", cookie)
    assert "Path=/" in cookie and "Max-Age=43200" in cookie and "Secure" not in cookie

    https = Client(start_app(demo_db, PROGRESS_HTTPS="1")).sign_in()
    cookie = next(c for c in https.set_cookies() if c.startswith("__Host-progress_session="))
    assert "Secure" in cookie and re.search(r"(?i)httponly", cookie)


def test_signing_in_is_refused_without_the_forms_csrf_token_or_from_another_site(base, query,
                                                                                 demo_db):
    client = Client(base)
    token = client.sign_in_form()
    form = {"username": OFFICE.username, "password": PASSWORD, "next": "/"}
    attempts = [
        ({**form}, {"Origin": base}),                                    # no token
        ({**form, "csrf": "not-the-token"}, {"Origin": base}),          # a wrong one
        ({**form, "csrf": token}, {"Origin": "https://evil.example"}),  # another site
        ({**form, "csrf": token}, {"Referer": "https://evil.example/x"}),
    ]
    for body, headers in attempts:
        answer = client.request("POST", "/dang-nhap", body, headers)
        assert answer.status == 403, (body, headers)
        assert not any(c.startswith("progress_session=") for c in answer.set_cookies())
    other_browser = Client(base)                 # a token from a page this browser never had
    other_browser.sign_in_form()
    stolen = {**form, "csrf": token}
    assert other_browser.request("POST", "/dang-nhap", stolen, {"Origin": base}).status == 403
    assert query(demo_db, "SELECT count(*) FROM sessions") == [(0,)]


def test_signing_out_needs_the_csrf_token_and_then_the_old_cookie_is_worth_nothing(base):
    client = signed_in_client(base)
    csrf = client.cookies["progress_csrf"]
    for body, headers in [({}, {"Origin": base}), ({"csrf": "x"}, {"Origin": base}),
                          ({"csrf": csrf}, {"Origin": "https://evil.example"})]:
        assert client.request("POST", "/dang-xuat", body, headers).status == 403
        assert client.request("GET", "/").status == 200            # still signed in
    old = dict(client.cookies)
    answer = client.request("POST", "/dang-xuat", {"csrf": csrf}, {"Origin": base})
    assert answer.status == 303 and "reason=sign_out" in answer.header("location")
    assert "progress_session" not in client.cookies                 # the cookie is cleared
    replay = Client(base, cookies=old)
    assert replay.request("GET", "/").status == 303
    assert not replay.websocket().startswith("HTTP/1.1 101")


def test_the_stream_and_uploads_refuse_another_sites_page_even_with_a_valid_cookie(base):
    client = signed_in_client(base)
    assert not client.websocket(origin="https://evil.example").startswith("HTTP/1.1 101")
    # Uploads carry Streamlit's own XSRF token (server.enableXsrfProtection): none, no upload.
    upload = client.request("PUT", "/_stcore/upload_file/abc/def", headers={
        "Origin": "https://evil.example", "Content-Type": "multipart/form-data; boundary=x"})
    assert upload.status == 403


def test_a_one_time_code_that_was_never_issued_signs_nobody_in(base):
    client = Client(base)
    client.sign_in_form()
    answer = client.request("GET", "/dang-nhap/ma?" + urlencode({"ma": secrets.token_urlsafe(24),
                                                                 "next": "/"}))
    assert answer.status == 303 and answer.header("location").startswith("/dang-nhap?")
    assert "progress_session" not in client.cookies


def test_sessions_ended_elsewhere_are_refused_at_once(base, demo_db, query):
    store = Store.at(demo_db)
    usecases.add_user(store, OPERATOR, "lanhdao", "Lãnh đạo", UserRole.LEADERSHIP, "lanh-dao-2026")
    leader_laptop = signed_in_client(base)
    leader_laptop_2 = Client(base)
    assert leader_laptop_2.sign_in("lanhdao", "lanh-dao-2026").status == 303
    leader_phone = Client(base)
    assert leader_phone.sign_in("lanhdao", "lanh-dao-2026").status == 303
    leader = usecases.resume_session(store, leader_phone.cookies["progress_session"]).user
    # The leader changes the password on the laptop: the phone's session ends; the office's lives.
    usecases.change_password(store, leader, "lanh-dao-2026", "lanh-dao-2027", throttle=SignInThrottle())
    assert leader_phone.request("GET", "/").status == 303
    assert leader_laptop_2.request("GET", "/").status == 303
    assert leader_laptop.request("GET", "/").status == 200       # another user's token


def test_an_expired_token_is_refused_with_the_reason_and_audited(base, demo_db, query):
    client = signed_in_client(base)
    with Store.at(demo_db).write() as con:
        con.execute("UPDATE sessions SET created_at = created_at - INTERVAL 13 HOUR")
    answer = client.request("GET", "/by_area")
    assert answer.status == 303 and "reason=lifetime" in answer.header("location")
    assert query(demo_db, "SELECT end_reason FROM sessions") == [("lifetime",)]
    assert query(demo_db, "SELECT count(*) FROM audit_log WHERE action = 'session_expired'") == [(1,)]
    page = client.request("GET", answer.header("location"))
    assert "quá 12 giờ" in page.body


def test_sign_in_is_throttled_per_account_and_address_and_unknown_names_alike(base, demo_db, query):
    attacker = Client(base, forwarded_for="203.0.113.7")
    for _ in range(3):
        assert "không đúng" in attacker.sign_in(password="sai-mat-khau-9").body
    held = attacker.sign_in()                                       # the right password now
    assert held.status == 401 and "thử lại sau" in held.body
    office = Client(base, forwarded_for="10.1.1.20")                # the real user elsewhere
    assert office.sign_in().status == 303
    for _ in range(3):
        attacker.sign_in(username="khong-ai-co-ten-nay", password="doan-bua-2026")
    assert "thử lại sau" in attacker.sign_in(username="khong-ai-co-ten-nay").body
    failures = query(demo_db, "SELECT target, detail FROM audit_log WHERE action = 'sign_in_failed'")
    assert len(failures) == 6 and all("203.0.113.7" in d for _, d in failures)
    assert query(demo_db, "SELECT client_address FROM sessions") == [("10.1.1.20",)]


def test_a_next_address_never_leads_to_another_site(base):
    client = Client(base)
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:1"):
        answer = client.sign_in(next=target)
        assert answer.status == 303 and answer.header("location") == "/", target
        client.cookies.pop("progress_session", None)
