"""ETL: cells' progress reports (xlsx/xls/ods/csv) -> validated -> DuckDB."""
