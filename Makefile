# Two commands on a fresh machine with Python 3.11+: `make dev` and `make test`.
# Everything installs into .venv from the lock file (uv.lock); nothing global is touched.

PYTHON ?= python3
UV_VERSION := 0.13.9
VENV := .venv
UV := $(VENV)/bin/uv
STAMP := $(VENV)/.synced

.PHONY: dev test bench lock clean help docs

help:
	@echo "make dev    start the whole system (PostgreSQL, Kafka protocol, SMTP mailbox, three services)"
	@echo "make test   run the whole test suite"
	@echo "make lock   re-resolve uv.lock after changing dependencies"

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(STAMP): $(UV) uv.lock pyproject.toml shared/pyproject.toml services/*/pyproject.toml
	$(UV) sync --frozen --quiet --compile-bytecode
	@touch $@

dev: $(STAMP)
	$(VENV)/bin/python -m treffpunkt_devstack.dev

test: $(STAMP)
	$(VENV)/bin/python -m pytest

bench: $(STAMP)
	$(VENV)/bin/python -m bench.rush $(ARGS)

docs: $(STAMP)
	$(VENV)/bin/python -m treffpunkt_shared.docs

lock: $(UV)
	$(UV) lock

clean:
	rm -rf $(VENV) var .pytest_cache
