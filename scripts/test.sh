#!/usr/bin/env bash
# Installs everything the tests need and runs the whole suite: lint, types and pytest
# (model, validation, build, PDFs, and browser tests in Debian's Chromium).
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k worksheet`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
echo "==> ruff"
.venv/bin/ruff check .
echo "==> mypy"
.venv/bin/mypy
echo "==> pytest"
.venv/bin/pytest -n auto --dist loadfile "$@"
