# Aliases for people who have make; the README's commands are ./dev run and ./dev test,
# which need nothing but Python 3.11+ (make is not on a fresh Debian/Ubuntu machine).
.PHONY: run test lint openapi clean

run:
	./dev run

test:
	./dev test

lint:
	.venv/bin/ruff check platform scripts_runtime tests dev

openapi:  ## refresh the front end's API types from the backend
	.venv/bin/kiln openapi > frontend/openapi.json
	cd frontend && PATH="$(CURDIR)/.venv/bin:$$PATH" npm run --silent gen:api

clean:
	rm -rf .venv .cache frontend/node_modules frontend/dist test-artifacts
