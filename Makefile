# essaykit: the two commands of the README's quick start, and a few more.
#
#   make book   build the web book, the PDFs and the EPUB into _build/
#   make test   run the test suite
#
# Each target creates .venv/ and installs what it needs on first use, so a
# fresh clone needs only Python 3.11, pip and make.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: book html pdf epub test check serve lint install clean system-deps browser-deps screenshots

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

test: $(STAMP)
	$(BIN)/pytest

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
	$(BIN)/ruff check tools tests bench
	$(BIN)/mypy

# .venv/ with essaykit and the versions pinned in constraints.txt (CI's install step)
install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt | system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,serve,dev]'
	touch $(STAMP)

# WeasyPrint draws text with Pango, a system library. Most machines have it;
# on a bare Debian or Ubuntu one we install it if we can (as root, with apt).
system-deps:
	@if ! ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so.0'; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "installing Pango for WeasyPrint (apt-get)"; \
	    apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 >/dev/null; \
	  else \
	    echo "WeasyPrint needs Pango: install libpango-1.0-0 (Debian/Ubuntu) or pango (Homebrew)" >&2; \
	    exit 1; \
	  fi; \
	fi

# The browser tests drive Debian's Chromium (Playwright never downloads one).
# Installed when missing and we can (as root, with apt); otherwise they skip.
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "installing Chromium for the browser tests (apt-get)"; \
	    apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "no Chromium: the browser tests will skip (install Debian's chromium package)" >&2; \
	  fi; \
	fi

clean:
	rm -rf _build
