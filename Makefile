# The two set-up commands of the README: `make demo` and `make test` create .venv when it
# is missing, install what they need into it, and run. Nothing else is needed but Python.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP  := $(VENV)/.installed-dev
TORCH_WHEEL := $(wildcard /opt/wheels/torch-2.13.0*.whl)

.PHONY: demo test test-all lint bench torch clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[dev,bench]"
	@# PyTorch is an optional reference: install it only from a local wheel, never
	@# from the registry (that build drags in GBs of CUDA packages).
	@if [ -n "$(TORCH_WHEEL)" ]; then $(PIP) install --quiet torch==2.13.0 || \
	    echo "torch not installed: its reference tests will be skipped"; fi
	touch $(STAMP)

demo: $(STAMP)
	$(PY) examples/worked_example_221.py
	$(PY) examples/xor_demo.py

test: $(STAMP)
	$(PY) -m ruff check src tests benchmarks examples
	$(PY) -m pytest -q -m "not slow" --doctest-modules src tests

test-all: $(STAMP)
	$(PY) -m pytest -q

lint: $(STAMP)
	$(PY) -m ruff check src tests benchmarks examples

bench: $(STAMP)
	$(PY) benchmarks/gradient.py
	$(PY) benchmarks/adam_classify.py

torch: $(STAMP)
	$(PIP) install torch==2.13.0

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .ruff_cache .hypothesis
