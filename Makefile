# Two commands do everything on a fresh machine:
#   make run    the app on the bundled sample data (creates .venv, installs, builds the database)
#   make test   every test, browser tests included
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
DB     ?= $(or $(PROGRESS_DB),data/progress.duckdb)
PORT   ?= 8501
ADDRESS ?= 127.0.0.1

.PHONY: run test install system-deps data samples fixtures bench clean-db help

help:
	@echo "make run      chạy ứng dụng trên dữ liệu mẫu (http://localhost:$(PORT); ADDRESS=0.0.0.0 để mở cho mạng nội bộ)"
	@echo "make test     chạy toàn bộ kiểm thử"
	@echo "make bench    đo tốc độ (nạp, trang, xuất, báo cáo kết quả)"

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

system-deps:
	bash scripts/install-system-deps.sh

# The database is built from the sample reports only when it does not exist yet:
# a database holding real reports is never touched.
$(DB): | $(VENV)/.installed
	$(PY) -m etl init --db $(DB)
	$(PY) -m etl load --quiet --db $(DB) data/samples/*.xlsx

data: $(DB)

run: install data
	PROGRESS_DB=$(DB) $(PY) -m streamlit run app.py --server.port $(PORT) --server.address $(ADDRESS)

test: install system-deps
	$(PY) -m ruff check --select F,E9 app.py pages dashboard etl tests bench
	CI=$(CI) $(PY) -m pytest -p no:cacheprovider

samples: install
	$(PY) -m etl samples

fixtures: install
	$(PY) tests/fixtures/build_fixtures.py tests/fixtures/files

bench: install system-deps
	$(PY) bench/bench_load.py
	$(PY) bench/bench_pages.py
	$(PY) bench/bench_pack.py
	$(PY) bench/bench_report.py
