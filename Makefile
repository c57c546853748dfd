# Two commands do everything: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
DATA ?= data

.PHONY: run test install install-test lint bench fuzz clean opensearch-start opensearch-stop

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

run: install
	$(BIN)/indexer --data $(DATA) ingest reports/ || [ $$? -eq 1 ]
	$(BIN)/indexer --data $(DATA) serve --port $(PORT)

lint: install-test
	$(BIN)/ruff check indexer tests benchmarks
	$(BIN)/ruff format --check indexer tests benchmarks
	$(BIN)/mypy indexer

test: lint
	$(BIN)/pytest -q

# With the test extras: benchmarks make PDFs with fpdf2, and bench_oai harvests with sickle.
bench: install-test
	$(BIN)/python benchmarks/bench_core.py
	$(BIN)/python benchmarks/bench_web.py
	$(BIN)/python benchmarks/bench_concurrency.py
	$(BIN)/python benchmarks/bench_quotes.py
	$(BIN)/python benchmarks/bench_faults.py
	$(BIN)/python benchmarks/bench_follow.py
	$(BIN)/python benchmarks/bench_oai.py
	$(BIN)/python benchmarks/bench_export.py
	$(BIN)/python benchmarks/bench_stems.py
	$(BIN)/python benchmarks/bench_engines.py
	$(BIN)/python benchmarks/bench_ocr.py
	$(BIN)/python benchmarks/bench_scale.py

# Coverage-guided fuzzing of extraction for FUZZ_SECONDS (crashing inputs land in .fuzz/).
FUZZ_SECONDS ?= 600
fuzz: install-test
	$(BIN)/python tests/fuzz_extract.py --seeds .fuzz/seeds
	cd .fuzz && ../$(BIN)/python ../tests/fuzz_extract.py seeds -max_total_time=$(FUZZ_SECONDS) \
		-rss_limit_mb=0 -print_final_stats=1

# A three-node OpenSearch cluster on 127.0.0.1:9201-9203 for the OpenSearch tests (README.md).
opensearch-start:
	scripts/opensearch-cluster.sh start

opensearch-stop:
	scripts/opensearch-cluster.sh stop

clean:
	rm -rf $(VENV) $(DATA) .pytest_cache .mypy_cache .ruff_cache
