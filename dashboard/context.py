"""The app's settings and store: read from the environment at the start of each script
run, the store made (and migrated, and its log file opened) once per server process and
database, not per session or rerun."""
from __future__ import annotations

import logging

import streamlit as st

from etl.logs import configure_logging
from etl.settings import Settings
from etl.store import Store

log = logging.getLogger(__name__)


def settings() -> Settings:
    return Settings.from_env()


def store() -> Store:
    return _store(settings())


@st.cache_resource(show_spinner=False)
def _store(found: Settings) -> Store:
    """The database, created or upgraded (schema and catalog) once."""
    path = configure_logging(found.log_file)
    log.info("serving database %s; this log: %s", found.db_path, path)
    made = Store(found)
    made.ensure()
    return made
