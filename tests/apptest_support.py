"""Make AppTest run app.py the way server.py serves it; open one of its pages."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from signin import as_user

APP = "../app.py"      # relative to this file, as AppTest.from_file reads it
TIMEOUT = 60


def open_page(page: str, **state) -> AppTest:
    """app.py run as the test user with `state` in the session, then switched to `page`
    (e.g. "pages/by_cell.py"); no exception on the way."""
    at = as_user(AppTest.from_file(APP, default_timeout=TIMEOUT))
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def serve_like_a_running_app(patch_attr) -> None:
    """AppTest re-detects the pages/ folder before every run and would then serve page
    files alone (Streamlit's mode from before st.navigation); server.py turns that mode
    off for good. AppTest has no HTTP request either, so no session cookie: the
    signed-in user is the one a test put in the session (tests/signin.as_user).
    `patch_attr(obj, name, value)` installs the changes: pytest's monkeypatch.setattr,
    or setattr in a script."""
    import streamlit as st
    from streamlit.runtime.pages_manager import PagesManager

    from dashboard import auth, web

    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    patch_attr(PagesManager, "__init__", init)
    patch_attr(web, "SERVED", True)
    patch_attr(auth, "_session_user", lambda: st.session_state.get(auth.SESSION_KEY))
