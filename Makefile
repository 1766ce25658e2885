# Two commands do everything on a fresh machine:
#   make run    the app: creates .venv, installs what running needs (and Chromium where it
#               can), creates the database with the sample reports for a first look
#               (make run DATA=empty: an empty one for real use), serves it
#   make test   every test, browser tests included (adds the test tools and Chromium)
# A database that exists is never changed by `make run`.
PYTHON  ?= python3
VENV    := .venv
PY      := $(VENV)/bin/python
DB      ?= $(or $(PROGRESS_DB),data/progress.duckdb)
DATA    ?= sample
PORT    ?= 8501
ADDRESS ?= 127.0.0.1
BACKUP_DIR ?= $(dir $(DB))sao-luu
# uv creates the environment and installs much faster where it is installed; UV= turns it off.
UV      ?= $(shell command -v uv 2>/dev/null)
INSTALL  = $(if $(UV),$(UV) pip install -q --python $(PY),$(PY) -m pip install -q)

.PHONY: run run-empty test check-python check-data system-deps system-deps-optional database \
        samples fixtures bench clean-db docker-check help

help:
	@echo "make run             chạy ứng dụng với dữ liệu mẫu để xem thử (http://localhost:$(PORT))"
	@echo "make run DATA=empty  chạy với cơ sở dữ liệu trống, để dùng thật (cũng: make run-empty)"
	@echo "                     (ADDRESS=0.0.0.0 để mở cho mạng nội bộ; PORT=... để đổi cổng)"
	@echo "make test            cài công cụ kiểm thử và chạy toàn bộ kiểm thử"
	@echo "make clean-db        sao lưu rồi xóa cơ sở dữ liệu và tệp gốc (hỏi xác nhận; CONFIRM=1)"
	@echo "make docker-check    build image Docker và kiểm tra /_stcore/health (cần Docker daemon)"
	@echo "make bench           đo tốc độ (nạp, trang trong trình duyệt, xuất, báo cáo kết quả)"

check-python:
	@if [ -x $(PY) ]; then bash scripts/check-python.sh $(PY) existing; \
	else bash scripts/check-python.sh "$(PYTHON)" "$(UV)"; fi

check-data:
	@case "$(DATA)" in sample|empty) ;; \
	  *) echo "DATA=$(DATA) không hợp lệ: dùng DATA=sample (mặc định, có dữ liệu mẫu) hoặc DATA=empty."; exit 2;; esac

$(PY): | check-python
	$(if $(UV),$(UV) venv -q --seed --python "$$(command -v $(PYTHON))" $(VENV),$(PYTHON) -m venv $(VENV))

# Running needs requirements.txt only; the tests add requirements-dev.txt.
$(VENV)/.installed-run: requirements.txt | $(PY)
	$(INSTALL) -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements.txt requirements-dev.txt | $(PY)
	$(INSTALL) -r requirements-dev.txt
	touch $@ $(VENV)/.installed-run

system-deps:
	@bash scripts/install-system-deps.sh

system-deps-optional:
	@bash scripts/install-system-deps.sh --optional

# Created only when there is no database yet: one that exists (real reports) is left as it is.
SEED_sample = && $(PY) -m etl samples load --db $(DB)
SEED_empty  =
database: $(VENV)/.installed-run
	@if [ -e "$(DB)" ]; then \
	  echo "Dùng cơ sở dữ liệu có sẵn $(DB) (make run không thay đổi nó)."; \
	  $(if $(filter empty,$(DATA)),echo "Để gỡ dữ liệu mẫu khỏi nó: $(PY) -m etl samples remove --db $(DB)";) \
	else \
	  $(PY) -m etl init --db $(DB) $(SEED_$(DATA)); \
	fi

run: check-data check-python $(VENV)/.installed-run system-deps-optional database
	PROGRESS_DB=$(DB) $(PY) -m streamlit run server.py --server.port $(PORT) --server.address $(ADDRESS)

run-empty:
	@$(MAKE) --no-print-directory run DATA=empty

test: check-python $(VENV)/.installed-test system-deps
	$(PY) -m ruff check --select F,E9 app.py server.py pages dashboard etl tests bench
	CI=$(CI) $(PY) -m pytest -p no:cacheprovider

samples: $(VENV)/.installed-run
	$(PY) -m etl samples build

fixtures: $(VENV)/.installed-test
	$(PY) tests/fixtures/build_fixtures.py tests/fixtures/files

bench: $(VENV)/.installed-test system-deps
	$(PY) bench/bench_load.py
	$(PY) bench/bench_pages.py
	$(PY) bench/bench_browser.py
	$(PY) bench/bench_pack.py
	$(PY) bench/bench_report.py

# Backs up first, then removes the database and its originals; asks unless CONFIRM=1.
clean-db: $(VENV)/.installed-run
	@bash scripts/clean-db.sh "$(PY)" "$(DB)" "$(CONFIRM)" "$(BACKUP_DIR)"

# Outside `make test`: needs a Docker daemon, and says so where there is none.
docker-check:
	@PORT=$(or $(DOCKER_PORT),18501) bash scripts/docker-check.sh
