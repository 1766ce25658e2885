"""Dashboard layer: queries (DuckDB -> DataFrame), formats, charts, Streamlit helpers."""
