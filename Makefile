# Two commands do everything: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
DATA ?= data

.PHONY: run test install install-test lint bench bench-peers bench-all fuzz clean opensearch-start opensearch-stop

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

# The benchmark (issue 15): one table of figures, targets and ratios to the peers (pypdf-only,
# SQLite FTS5, Recoll), and benchmarks/results/bench.json. Options go in BENCH_ARGS, e.g.
# make bench BENCH_ARGS="--pages 10000" (the first run at 100,000 pages builds that level once,
# which takes the better part of an hour). With the test extras: fpdf2 makes PDFs, psutil
# samples memory.
BENCH_ARGS ?=
bench: install-test
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

# Recoll and poppler-utils for `make bench` (apt-get; never run by `make test`).
bench-peers:
	benchmarks/install-peers.sh

# Every other benchmark script, each printing its own figures.
bench-all: install-test
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
	$(BIN)/python benchmarks/bench_ukrainian.py
	$(BIN)/python benchmarks/bench_extractors.py

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
