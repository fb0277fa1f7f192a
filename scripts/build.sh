#!/usr/bin/env bash
# Installs everything and builds the site into site/. Extra arguments go to `casebook build`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/casebook build "$@"
echo "Built site/: open site/index.html, or run '.venv/bin/casebook serve' to preview."
