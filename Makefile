# The README's two quickstart commands: `make run` and `make test`.
# Both install whatever is missing (apt packages, the venv, Kafka jars, Go binaries, the SPA's
# node modules, Chromium for the browser tests), idempotently and from caches (~/.cache/pip,
# ~/.m2, ~/go, ~/.npm, ~/.cache/soems), and build the SPA when its sources changed.

SHELL := /bin/bash
VENV  := .venv
BIN   := $(VENV)/bin
SOEMS := $(BIN)/soems
PYTHON ?= $(shell command -v python3.11 || echo /usr/bin/python3.11)
PYTEST_ARGS ?=

SUDO  := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
FRONTEND := frontend
SPA_SOURCES := $(shell find $(FRONTEND)/src $(FRONTEND)/public -type f 2>/dev/null) \
	$(addprefix $(FRONTEND)/,index.html vite.config.ts tsconfig.json package.json)

.PHONY: run test install venv spa browser stack-up stack-down status clean

run: install spa
	$(SOEMS) up

# Starts the stack if it is not running, runs the whole suite, stops only what it started.
# pytest's exit code 5 means it collected no test: that is a failure, never a pass.
test: install spa browser
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

# The SPA: node modules exactly as locked (npm ci), then a production build into
# frontend/dist, which the gateway serves. Both steps run only when their inputs changed.
spa: $(FRONTEND)/dist/index.html

$(FRONTEND)/node_modules/.installed: $(FRONTEND)/package-lock.json
	cd $(FRONTEND) && npm ci --no-audit --no-fund
	@touch $@

# umask 022: the gateway's workers read these files.
$(FRONTEND)/dist/index.html: $(FRONTEND)/node_modules/.installed $(SPA_SOURCES)
	cd $(FRONTEND) && umask 022 && npm run build
	@touch $@

# The browser tests drive Debian's Chromium (Playwright's own browser download cannot work here).
browser:
	@test -x /usr/bin/chromium || { echo "Installing Chromium from Debian's packages"; \
	  $(SUDO) apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }

stack-up: install
	$(SOEMS) stack up

stack-down:
	$(SOEMS) stack down

status:
	$(SOEMS) stack status

clean: stack-down
	rm -rf .soems
