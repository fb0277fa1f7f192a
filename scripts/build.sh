#!/usr/bin/env bash
# Installs everything and builds the site into site/. Extra arguments go to `casebook build`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/casebook build "$@"
echo "Built site/. To view it: python3 -m http.server --directory site 8000, then open http://127.0.0.1:8000/ (or preview with live reload: .venv/bin/casebook serve)"
