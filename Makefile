# The README's two quickstart commands: `make run` and `make test`.
# Both install whatever is missing (apt packages, the venv, Kafka jars, Go binaries),
# idempotently and from caches (~/.cache/pip, ~/.m2, ~/go, ~/.npm, ~/.cache/soems).

SHELL := /bin/bash
VENV  := .venv
BIN   := $(VENV)/bin
SOEMS := $(BIN)/soems
PYTHON ?= $(shell command -v python3.11 || echo /usr/bin/python3.11)
PYTEST_ARGS ?=

.PHONY: run test install venv stack-up stack-down status clean

run: install
	$(SOEMS) up

# Starts the stack if it is not running, runs the whole suite, stops only what it started.
# pytest's exit code 5 means it collected no test: that is a failure, never a pass.
test: install
	@$(SOEMS) stack exec -- $(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; exit $$rc

install: venv
	$(SOEMS) stack install

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@if [ ! -x "$(PYTHON)" ]; then \
	  echo "Installing Python 3.11 from Debian's packages"; \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -q && \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) env DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -q python3.11 python3.11-venv; fi
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $@

stack-up: install
	$(SOEMS) stack up

stack-down:
	$(SOEMS) stack down

status:
	$(SOEMS) stack status

clean: stack-down
	rm -rf .soems
