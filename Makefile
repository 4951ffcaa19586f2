# essaykit: the two commands of the README's quick start, and a few more.
#
#   make book          build the web book, the PDFs and the EPUB into _build/
#   make test          run the test suite (Python 3.11, versions pinned in constraints.txt)
#   make test-latest   the same on Python 3.13 with the newest releases (constraints-latest.txt)
#   make constraints-latest   refresh constraints-latest.txt from PyPI
#   make docs          build the manual (docs/) into _build/docs/
#
# Each target creates .venv/ and installs what it needs on first use, so a
# fresh clone needs only Python 3.11, pip and make.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

# The newest Python essaykit supports; pyenv's copy if there is one (its bare
# python3.13 shim needs PYENV_VERSION), else python3.13 on the PATH.
PYTHON_LATEST ?= $(shell p="$$(pyenv root 2>/dev/null)"; \
  for v in $$(ls -d "$$p"/versions/3.13* 2>/dev/null | sort -V -r); do echo "$$v/bin/python3"; exit; done; \
  command -v python3.13)
VENV_LATEST  := .venv-latest
STAMP_LATEST := $(VENV_LATEST)/.installed-stamp

.PHONY: book html pdf epub docs test test-latest constraints-latest check serve lint install clean system-deps browser-deps screenshots

book: $(STAMP)
	$(BIN)/essaykit build

html: $(STAMP)
	$(BIN)/essaykit build --html-only

pdf: $(STAMP)
	$(BIN)/essaykit build --pdf-only

epub: $(STAMP)
	$(BIN)/essaykit build --epub-only

check: $(STAMP)
	$(BIN)/essaykit check

# The manual: MyST pages built by Sphinx, its reference chapters generated from
# essaykit; any warning fails it.
docs: $(STAMP)
	$(BIN)/sphinx-build -W --keep-going -q -b html docs _build/docs
	@echo "the manual: _build/docs/index.html"

test: $(STAMP)
	$(BIN)/pytest

# The suite against the newest releases the dependency ranges admit.
test-latest: $(STAMP_LATEST)
	$(VENV_LATEST)/bin/pytest

$(STAMP_LATEST): pyproject.toml constraints-latest.txt | system-deps
	@test -n "$(PYTHON_LATEST)" || { echo "no Python 3.13 found: set PYTHON_LATEST" >&2; exit 1; }
	$(PYTHON_LATEST) -m venv $(VENV_LATEST)
	$(VENV_LATEST)/bin/python -m pip install --quiet --upgrade pip
	$(VENV_LATEST)/bin/python -m pip install --quiet -c constraints-latest.txt -e '.[test,serve,dev]'
	touch $(STAMP_LATEST)

# Newest releases within pyproject.toml's ranges, on Python 3.13, frozen.
constraints-latest:
	rm -rf $(VENV_LATEST).refresh
	$(PYTHON_LATEST) -m venv $(VENV_LATEST).refresh
	$(VENV_LATEST).refresh/bin/python -m pip install --quiet --upgrade pip
	$(VENV_LATEST).refresh/bin/python -m pip install --quiet --upgrade --upgrade-strategy eager -e '.[test,serve,dev]'
	$(VENV_LATEST).refresh/bin/python -m pip freeze --exclude-editable | grep -v '^essaykit' > constraints-latest.txt
	rm -rf $(VENV_LATEST).refresh

serve: $(STAMP)
	$(BIN)/essaykit serve

# Screenshots of the built book, taken by the browser tests in headless Chromium.
screenshots: $(STAMP) browser-deps
	$(BIN)/essaykit build
	rm -rf _build/screenshots
	ESSAYKIT_TEST_OUTDIR=_build ESSAYKIT_SCREENSHOTS=_build/screenshots ESSAYKIT_REQUIRE_BROWSER=1 \
	  $(BIN)/pytest -q -m browser -p no:cacheprovider tests/test_browser.py
	@ls _build/screenshots

lint: $(STAMP)
	$(BIN)/ruff check tools tests bench docs
	$(BIN)/mypy

# .venv/ with essaykit and the versions pinned in constraints.txt (CI's install step)
install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt | system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,serve,dev]'
	touch $(STAMP)

# WeasyPrint draws text with Pango and subsets fonts with HarfBuzz-Subset,
# system libraries. Most machines have Pango; HarfBuzz-Subset is often missing
# (WeasyPrint then falls back to fontTools, with a warning per font). On a
# Debian or Ubuntu machine we install what is missing if we can (as root, apt).
system-deps:
	@missing=""; \
	for lib in libpango-1.0.so.0:libpango-1.0-0 libpangoft2-1.0.so.0:libpangoft2-1.0-0 \
	           libharfbuzz-subset.so.0:libharfbuzz-subset0; do \
	  ldconfig -p 2>/dev/null | grep -q "$${lib%%:*}" || missing="$$missing $${lib##*:}"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "installing for WeasyPrint (apt-get):$$missing"; \
	    apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "WeasyPrint needs these system libraries:$$missing (Debian/Ubuntu package names; Homebrew: pango, harfbuzz)" >&2; \
	    case "$$missing" in *pango*) exit 1;; esac; \
	  fi; \
	fi

# The browser tests drive Debian's Chromium (Playwright never downloads one) and
# audit every page with axe-core from the npm registry; the print tests read the
# PDFs with poppler's pdftotext. Chromium and poppler-utils are installed when
# missing and we can (as root, with apt); axe-core when npm is there. Without
# them those tests skip (in CI, where ESSAYKIT_REQUIRE_BROWSER is set, they fail).
AXE_VERSION := 4.14.1
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "installing Chromium for the browser tests (apt-get)"; \
	    apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "no Chromium: the browser tests will skip (install Debian's chromium package)" >&2; \
	  fi; \
	fi
	@if ! command -v pdftotext >/dev/null 2>&1; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "installing poppler-utils for the print tests, which read the PDFs (apt-get)"; \
	    apt-get update -qq && apt-get install -y -qq poppler-utils >/dev/null; \
	  else \
	    echo "no pdftotext: the tests that read the PDFs will skip (install Debian's poppler-utils)" >&2; \
	  fi; \
	fi
	@if [ ! -f .cache/axe-core/node_modules/axe-core/axe.min.js ]; then \
	  if command -v npm >/dev/null 2>&1; then \
	    echo "installing axe-core $(AXE_VERSION) for the accessibility tests (npm)"; \
	    mkdir -p .cache/axe-core && npm install --silent --no-audit --no-fund \
	      --prefix .cache/axe-core axe-core@$(AXE_VERSION) >/dev/null; \
	  else \
	    echo "no npm: the accessibility tests will skip (install Node.js and npm)" >&2; \
	  fi; \
	fi

clean:
	rm -rf _build $(VENV_LATEST).refresh
