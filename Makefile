# Aliases for people who have make; the README's commands are ./dev run and ./dev test,
# which need nothing but Python 3.11+ (make is not on a fresh Debian/Ubuntu machine).
.PHONY: run test lint openapi clean bench-peers-install bench soak

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

# The benchmark's peers (raw Celery, Temporal, Prefect) in their own virtualenv, never in .venv.
# If the whole file fails, each line is tried alone: a peer that cannot install is then only
# skipped by `python -m bench.peers.run`, which shows the error kept in install-errors.txt.
PEERS_VENV := .cache/bench-peers-venv
bench-peers-install:
	.venv/bin/uv venv --allow-existing --python .venv/bin/python $(PEERS_VENV)
	@rm -f $(PEERS_VENV)/install-errors.txt
	.venv/bin/uv pip install --python $(PEERS_VENV)/bin/python -r bench/peers/requirements.txt \
	|| { echo "bench-peers-install: installing the requirements one by one"; \
	  grep -v -e '^ *#' -e '^ *$$' bench/peers/requirements.txt | while read -r req; do \
	    .venv/bin/uv pip install --python $(PEERS_VENV)/bin/python "$$req" 2>$(PEERS_VENV)/err.txt \
	    || { echo "$$req: $$(grep -v '^ *$$' $(PEERS_VENV)/err.txt | tail -n 1)" | tee -a $(PEERS_VENV)/install-errors.txt; }; \
	  done; rm -f $(PEERS_VENV)/err.txt; }

# The whole performance suite (bench/suite.py): every scenario cold and warm, the peers, a summary
# table against the targets, bench/results/<date>-<host>.json and charts (bench/README.md).
bench: bench-peers-install
	.venv/bin/python -m bench.suite

soak:  ## 30 minutes of mixed load: memory, fds, errors, exactly-once (bench/soak.py)
	.venv/bin/python -m bench.soak --minutes 30 --out bench/results/soak.json
