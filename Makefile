# Two commands on a fresh machine:
#   make rules   venv + install + generate out/ from specs/
#   make test    installs what the tests need (Python deps, Debian's prometheus and
#                prometheus-alertmanager packages when promtool/amtool are missing, npm's
#                yaml-language-server into .tools/), runs pytest
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SPECS  ?= specs
OUT    ?= out
# The routing spec names the alertmanager.yml its routes are merged into
# (specs/routing.yml: alertmanager_base); set ALERTMANAGER_BASE to use another one.
ALERTMANAGER_BASE ?=
AM_BASE := $(if $(ALERTMANAGER_BASE),--alertmanager-base $(ALERTMANAGER_BASE))

.PHONY: rules check test tools venv bench bench-cost bench-generate clean

$(BIN)/sloforge: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(BIN)/sloforge

venv: $(BIN)/sloforge

rules: $(BIN)/sloforge
	$(BIN)/sloforge generate $(SPECS) --out $(OUT) $(AM_BASE)

check: $(BIN)/sloforge
	$(BIN)/sloforge generate $(SPECS) --out $(OUT) $(AM_BASE) --check

# Debian's packages give promtool 2.42 and amtool 0.25, the versions output must load in,
# and vmalert (victoria-metrics) that every rule file must also load in.
tools:
	@if ! command -v promtool >/dev/null || ! command -v prometheus >/dev/null || ! command -v amtool >/dev/null \
	     || ! command -v vmalert >/dev/null; then \
	  echo "installing Debian packages prometheus, prometheus-alertmanager and victoria-metrics"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends \
	    prometheus prometheus-alertmanager victoria-metrics >/dev/null; \
	fi
	@promtool --version 2>&1 | head -1
	@amtool --version 2>&1 | head -1
	@# tests/editors: a real yaml-language-server (npm; Debian's npm package when missing)
	@if ! command -v yaml-language-server >/dev/null && ! test -x .tools/node_modules/.bin/yaml-language-server; then \
	  if ! command -v npm >/dev/null; then \
	    echo "installing Debian package npm"; SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends npm >/dev/null; \
	  fi; \
	  echo "installing yaml-language-server into .tools/ (npm)"; \
	  npm install --silent --no-audit --no-fund --prefix .tools yaml-language-server@1 >/dev/null; \
	fi
	@# tests/docs: Mermaid's own parser (npm, with jsdom for its DOM) and Graphviz's dot read the graphs
	@if ! test -d .tools/node_modules/mermaid || ! test -d .tools/node_modules/jsdom; then \
	  echo "installing mermaid and jsdom into .tools/ (npm)"; \
	  npm install --silent --no-audit --no-fund --prefix .tools mermaid@11 jsdom@24 >/dev/null; \
	fi
	@if ! command -v dot >/dev/null; then \
	  echo "installing Debian package graphviz"; SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends graphviz >/dev/null; \
	fi

# The suite runs on TEST_WORKERS pytest-xdist workers: most tests wait on promtool, amtool or a
# server, so even two cores keep four busy. --dist loadgroup keeps the tests that share a module's
# server on one worker (pytest.mark.xdist_group); TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= 4

test: $(BIN)/sloforge tools
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

bench: $(BIN)/sloforge
	$(BIN)/python bench/core.py

# Rule evaluation cost in a real Prometheus vs Sloth-/Pyrra-style rules (~10 min, ~1 GB temp disk).
bench-cost: $(BIN)/sloforge tools
	$(BIN)/python bench/rule_cost.py --results bench/RESULTS-rule-cost.md

# Generation at 1,000 and 10,000 SLOs: wall time and peak memory.
bench-generate: $(BIN)/sloforge
	$(BIN)/python bench/generate.py --results bench/RESULTS-generate.md

clean:
	rm -rf $(VENV) build *.egg-info
