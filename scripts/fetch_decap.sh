#!/usr/bin/env bash
# Fetches the npm tarball of the Decap CMS pinned in package-lock.json (package `decap-cms`),
# checks it against the lock file's integrity hash, and keeps it as
# .cache/decap-cms/decap-cms-VERSION.tgz. Does nothing when a matching one is there.
# `casebook build` checks the tarball's hash again and publishes the bundle's files from it
# into site/admin/; it never reads loose files from .cache/.
set -euo pipefail
cd "$(dirname "$0")/.."

read -r version integrity < <(python3 - <<'PY'
import json
lock = json.load(open("package-lock.json", encoding="utf-8"))
entry = lock["packages"]["node_modules/decap-cms"]
print(entry["version"], entry["integrity"])
PY
)
folder=.cache/decap-cms
target=$folder/decap-cms-$version.tgz

digest() {
  python3 - "$1" "${integrity%%-*}" <<'PY'
import base64, hashlib, sys
digest = hashlib.new(sys.argv[2], open(sys.argv[1], "rb").read()).digest()
print(f"{sys.argv[2]}-{base64.b64encode(digest).decode()}")
PY
}

# Loose files that earlier versions of this script unpacked: the build no longer reads them.
rm -rf "${folder:?}/$version"
[[ -f $target && "$(digest "$target")" == "$integrity" ]] && exit 0

echo "==> Fetching the web editor (decap-cms $version)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
npm pack --silent --pack-destination "$work" "decap-cms@$version" >/dev/null
tarball=$(ls "$work"/decap-cms-*.tgz)
if [[ "$(digest "$tarball")" != "$integrity" ]]; then
  echo "decap-cms $version: the download does not match package-lock.json's integrity hash; not used" >&2
  exit 1
fi
mkdir -p "$folder"
mv "$tarball" "$target.tmp"
mv "$target.tmp" "$target"
echo "==> Web editor ready in $target"
