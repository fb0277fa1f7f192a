#!/usr/bin/env bash
# Installs what Casebook needs on a fresh Debian machine: system libraries, then a virtual
# environment in .venv with the package (and, with --test, the test tools).
# Usage: bash scripts/setup.sh [--test]
set -euo pipefail
cd "$(dirname "$0")/.."

with_test=0
[[ "${1:-}" == "--test" ]] && with_test=1

# Debian packages: Pango for WeasyPrint's PDFs, fonts for the worksheets, and for the tests
# Debian's Chromium (never a downloaded browser), poppler, Java for the HTML validator and
# kiwix-tools (kiwix-serve, a real reader of the offline files that `build --zim` writes).
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-liberation)
if (( with_test )); then
  packages+=(chromium poppler-utils default-jre-headless git kiwix-tools)
fi
# npm fetches the web editor's bundle (decap-cms) and, for the tests, the HTML validator and
# decap-server (package.json); Debian's npm only when no npm is on the PATH.
command -v npm >/dev/null 2>&1 || packages+=(npm)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if (( ${#missing[@]} )); then
  echo "==> Installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  echo "==> Creating .venv"
  "$python" -m venv .venv
fi
echo "==> Installing Python packages"
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
if (( with_test )); then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
else
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e .
fi

# The test tools from npm (the W3C HTML validator vnu-jar, decap-server), at the versions in
# package-lock.json. Reinstalled when node_modules is missing or older than the lock file.
# --ignore-scripts: vnu-jar's install script would download a Java runtime; Debian's is used.
# --omit=optional: decap-cms is fetched below as its ready-built bundle, not its 700 packages.
if (( with_test )) && [[ -f package.json ]]; then
  if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
    echo "==> Installing npm packages"
    npm ci --no-audit --no-fund --ignore-scripts --omit=optional --loglevel=error
  fi
fi

# The web editor at /admin/ (Decap CMS): the package's npm tarball, at the version and
# integrity pinned in package-lock.json, into .cache/decap-cms/. `casebook build` checks its
# hash and publishes the ready-built files of its dist/ into site/admin/, so the site serves
# the editor itself.
# Without it the site is still built, with a warning that /admin/ was left out.
bash scripts/fetch_decap.sh || echo "warning: the web editor's files could not be fetched; the site is built without /admin/" >&2
