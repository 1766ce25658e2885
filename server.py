"""The dashboard's server: `streamlit run server.py` (Makefile, service, Dockerfile, tests).

Streamlit serves app.py; dashboard.web adds the sign-in routes and the gate that asks
every request for a session cookie, so a reload, a second tab or a restart keeps the
user signed in. Started as `streamlit run app.py`, the app refuses to run (app.py).
"""
from streamlit.runtime.pages_manager import PagesManager

import streamlit as st
from dashboard import web

# app.py declares every page with st.navigation. Without this, Streamlit would see the
# pages/ folder and answer the first request for a page address by running that page
# file alone (its mode from before st.navigation), losing the deep link.
PagesManager.uses_pages_directory = False
web.SERVED = True

app = st.App("app.py", routes=web.routes(), middleware=web.middleware())
