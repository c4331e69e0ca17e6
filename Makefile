# Two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q

.PHONY: run test lint bench soak clean setup tools commit-data unpack-pages

$(PY):
	$(PYTHON) -m venv $(VENV)

# stamps: reinstall only when pyproject.toml changes
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PIP) install -e '.[dev]'
	touch $@ $(VENV)/.installed

# linters for .github/workflows (actionlint + shellcheck, binaries in PyPI wheels); see requirements-tools.txt
$(VENV)/.installed-tools: requirements-tools.txt | $(PY)
	$(PIP) install -r requirements-tools.txt
	touch $@

# what the scheduled workflow runs first, and what a fresh clone needs to run the pipeline
setup: $(VENV)/.installed

tools: $(VENV)/.installed-tools

run: $(VENV)/.installed
	$(PY) -m pipeline run

lint: $(VENV)/.installed-dev
	$(PY) -m ruff check pipeline tests
	$(PY) -m ruff format --check pipeline tests
	$(PY) -m mypy pipeline

test: lint tools
	$(PY) -m pytest -q

bench: $(VENV)/.installed-dev
	$(PY) -m tests.bench

# fault injection at length: 60 random SIGKILLs of a run (the suite runs 16)
soak: $(VENV)/.installed-dev
	SUPPORTMATRIX_KILLS=60 $(PY) -m pytest -q tests/test_crash_safety.py -k random_kills

# The scheduled workflow's git scraping: commit snapshots/ and output/ when the run changed them, with a
# message saying what changed (RUN_STATUS = the run's exit code). Pushing is the workflow's job.
commit-data: $(VENV)/.installed
	$(if $(wildcard snapshots output),git add -- $(wildcard snapshots output))
	if git diff --cached --quiet -- snapshots output; then echo "commit-data: nothing changed"; else \
	  $(PY) -m pipeline report commit-message --all-pages $(if $(RUN_STATUS),--exit-code $(RUN_STATUS)) >$(VENV)/commit-message.txt \
	  && git commit -q -F $(VENV)/commit-message.txt -- $(wildcard snapshots output) && git log -1 --format=%s; fi

# The publish job of the scheduled workflow: each page job's artifacts, downloaded to
# PAGES_IN/snapshots/snapshots-<page>/ and PAGES_IN/output/output-<page>/, replace that page's folder
# whole (a file the page stopped publishing must not linger); a page with no artifact keeps its folder.
PAGES_IN ?= .cache/pages
unpack-pages:
	@set -e; for kind in snapshots output; do \
	  for art in $(PAGES_IN)/$$kind/$$kind-*; do \
	    [ -d "$$art" ] || continue; page=$${art##*/$$kind-}; \
	    case "$$page" in ""|.*|*/*) echo "unpack-pages: skipping $$art" >&2; continue;; esac; \
	    rm -rf "$$kind/$$page.unpack" && mkdir -p "$$kind" && cp -R "$$art" "$$kind/$$page.unpack"; \
	    rm -rf "$$kind/$$page" && mv "$$kind/$$page.unpack" "$$kind/$$page"; echo "unpack-pages: $$kind/$$page"; \
	  done; \
	done

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
