# Two commands on a fresh machine:
#   make rules   venv + install + generate out/ from specs/
#   make test    installs what the tests need (Python deps, Debian's prometheus and
#                prometheus-alertmanager packages when promtool/amtool are missing), runs pytest
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SPECS  ?= specs
OUT    ?= out

.PHONY: rules check test tools venv bench clean

$(BIN)/sloforge: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(BIN)/sloforge

venv: $(BIN)/sloforge

rules: $(BIN)/sloforge
	$(BIN)/sloforge generate $(SPECS) --out $(OUT)

check: $(BIN)/sloforge
	$(BIN)/sloforge generate $(SPECS) --out $(OUT) --check

# Debian's packages give promtool 2.42 and amtool 0.25, the versions output must load in.
tools:
	@if ! command -v promtool >/dev/null || ! command -v prometheus >/dev/null || ! command -v amtool >/dev/null; then \
	  echo "installing Debian packages prometheus and prometheus-alertmanager"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends \
	    prometheus prometheus-alertmanager >/dev/null; \
	fi
	@promtool --version 2>&1 | head -1
	@amtool --version 2>&1 | head -1

test: $(BIN)/sloforge tools
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: $(BIN)/sloforge
	$(BIN)/python bench/core.py

clean:
	rm -rf $(VENV) build *.egg-info
