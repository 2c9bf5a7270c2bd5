# Two commands for a fresh machine: `make demo` and `make test`. Both create the virtual environment
# on first use and reinstall when pyproject.toml or the version (src/statsig_sources/__init__.py, which
# pyproject.toml reads) changes (and `make test` the dbt 1.12 one, below).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The build tests' second environment, on dbt-core 1.12 (tests/test_dbt_1_12.py runs them there). pip
# cannot install dbt-core 1.12 plainly here: its dependency dbt-core-experimental-parser (needed only for
# --use-v2-parser) downloads from outside the package registries as it builds. So dbt-core and the
# adapters go in with --no-deps, after the rest of their requirements (tests/dbt-1.12/).
VENV_1_12 := .venv-dbt-1.12
STAMP_1_12 := $(VENV_1_12)/.installed

.PHONY: demo test lint bench bootstrap clean

bootstrap: $(STAMP)

$(STAMP): pyproject.toml src/statsig_sources/__init__.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip 2>&1 | grep -v "is ignored" || true
	$(BIN)/python -m pip install --quiet -e '.[dev,spark,dialects]' 2>&1 | grep -v "is ignored" || true
	$(BIN)/python -c "import dbt.adapters.duckdb, dbt.adapters.spark, pyspark, statsig_sources"
	touch $(STAMP)

$(STAMP_1_12): pyproject.toml src/statsig_sources/__init__.py tests/dbt-1.12/requirements.txt tests/dbt-1.12/no-deps.txt
	test -x $(VENV_1_12)/bin/python || $(PYTHON) -m venv $(VENV_1_12)
	$(VENV_1_12)/bin/python -m pip install --quiet --upgrade pip 2>&1 | grep -v "is ignored" || true
	$(VENV_1_12)/bin/python -m pip install --quiet -r tests/dbt-1.12/requirements.txt -e '.[stand-in]' 2>&1 | grep -v "is ignored" || true
	$(VENV_1_12)/bin/python -m pip install --quiet --no-deps -r tests/dbt-1.12/no-deps.txt 2>&1 | grep -v "is ignored" || true
	$(VENV_1_12)/bin/python -c "from importlib.metadata import version; assert version('dbt-core').startswith('1.12.'), version('dbt-core'); import dbt.adapters.duckdb, statsig_sources"
	touch $(STAMP_1_12)

demo: $(STAMP)
	$(BIN)/python scripts/demo.py

test: $(STAMP) $(STAMP_1_12)
	$(BIN)/python -m pytest

# Every performance figure beside its target, in one run (about a quarter of an hour; benchmarks/bench.py).
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/mypy

clean:
	rm -rf $(VENV) $(VENV_1_12) target dbt_packages logs .demo
