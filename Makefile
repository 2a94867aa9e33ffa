# Two entry points for a fresh machine with only Python 3.11+ on it:
#   make demo   - migrate an SQLite database, load reference and synthetic data, serve on 127.0.0.1:8000
#   make test   - lint, then the whole test suite on SQLite (with the real-browser tests, installing Debian's
#                 chromium package if it is missing) and on PostgreSQL
# Both bootstrap uv into .tools/ and the locked environment into .venv/ first.

PYTHON ?= python3
UV_VERSION ?= 0.13.9
UV := .tools/bin/uv
export UV_PYTHON_DOWNLOADS := never
# The demo and the tests run in development mode; production is the default (docs/deploy.md).
demo test: export CALAIM_MODE = development

.PHONY: demo test lint typecheck bootstrap clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

.venv/.synced: $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

bootstrap: .venv/.synced

demo: bootstrap
	bash scripts/system_packages.sh || true
	$(UV) run --frozen --no-sync python manage.py demo

test: bootstrap
	bash scripts/test.sh

lint: bootstrap
	$(UV) run --frozen --no-sync ruff check .

typecheck: bootstrap
	$(UV) run --frozen --no-sync mypy calaim config identification

clean:
	rm -rf .tools .venv var
