# Two commands on a fresh machine: `make run` and `make test`. Everything lives in .venv.
VENV ?= .venv
PY := $(VENV)/bin/python
KT := $(VENV)/bin/kamtrain
OUT ?= out

.PHONY: run test lint typecheck bench clean

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.run-installed: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[handbook,practice]'
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[handbook,practice,test]'
	touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
	$(KT) validate

test: $(VENV)/.test-installed
	$(VENV)/bin/ruff check kamtrain tests benchmarks
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest

bench: $(VENV)/.test-installed
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache
