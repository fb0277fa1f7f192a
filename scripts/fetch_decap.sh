#!/usr/bin/env bash
# Fetches the Decap CMS bundle pinned in package-lock.json (package `decap-cms`) with npm,
# checks it against the lock file's integrity hash, and keeps only its ready-built dist/
# files (no source maps) in .cache/decap-cms/VERSION/. Does nothing when they are there.
# `casebook build` copies them into site/admin/.
set -euo pipefail
cd "$(dirname "$0")/.."

read -r version integrity < <(python3 - <<'PY'
import json
lock = json.load(open("package-lock.json", encoding="utf-8"))
entry = lock["packages"]["node_modules/decap-cms"]
print(entry["version"], entry["integrity"])
PY
)
target=.cache/decap-cms/$version
[[ -f $target/decap-cms.js ]] && exit 0

echo "==> Fetching the web editor (decap-cms $version)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
npm pack --silent --pack-destination "$work" "decap-cms@$version" >/dev/null
tarball=$(ls "$work"/decap-cms-*.tgz)
actual=$(python3 - "$tarball" "${integrity%%-*}" <<'PY'
import base64, hashlib, sys
digest = hashlib.new(sys.argv[2], open(sys.argv[1], "rb").read()).digest()
print(f"{sys.argv[2]}-{base64.b64encode(digest).decode()}")
PY
)
if [[ "$actual" != "$integrity" ]]; then
  echo "decap-cms $version: the download does not match package-lock.json's integrity hash; not used" >&2
  exit 1
fi
tar -xzf "$tarball" -C "$work" package/dist
mkdir -p "$target.tmp"
# dist/ holds the bundle twice (decap-cms.js and cms.js, each with its chunks); one is enough.
find "$work/package/dist" -maxdepth 1 -type f \( -name 'decap-cms.js*' -o -name '*.decap-cms.js' \
  -o -name '*.wasm' \) ! -name '*.map' -exec cp {} "$target.tmp/" \;
rm -rf "$target"
mv "$target.tmp" "$target"
echo "==> Web editor ready in $target"
