# Shortcuts; .ci/run is what CI runs.
.PHONY: install check test bench ci

install:
	python3 -m venv .venv && .venv/bin/pip install -e '.[test]'

check:
	.venv/bin/ruff check fogbank tests

test:
	.venv/bin/pytest -n 2

bench:
	python3 benchmarks/run.py

ci:
	bash .ci/run
