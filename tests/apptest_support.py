"""Make AppTest run app.py the way a served app does after its first request."""
from __future__ import annotations


def serve_like_a_running_app(patch_attr) -> None:
    """AppTest re-detects the pages/ folder before every run and then serves page files
    alone (Streamlit's mode from before st.navigation). A real server leaves that mode
    for good on its first request (see dashboard.auth.guard). `patch_attr(obj, name,
    value)` installs the change: pytest's monkeypatch.setattr, or setattr in a script."""
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    patch_attr(PagesManager, "__init__", init)
