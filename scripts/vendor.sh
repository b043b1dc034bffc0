#!/usr/bin/env bash
# Vendors the front-end files lingji embeds, from the npm registry, at pinned versions with
# pinned SHA-256 checksums. Run it when changing a version; the results are committed so that
# building lingji needs neither npm nor the network.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=crates/lingji-web/assets/vendor
mkdir -p "$dest"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# package@version  file-inside-package  target-name  sha256
files=(
  "htmx.org@2.0.4 package/dist/htmx.min.js htmx.min.js e209dda5c8235479f3166defc7750e1dbcd5a5c1808b7792fc2e6733768fb447"
  "echarts@5.5.1 package/dist/echarts.min.js echarts.min.js e84270bd0cd5bdf60fefc26d00c2a391cb2e81f4d26a7a9ee16185a54773a3cf"
)

for entry in "${files[@]}"; do
  read -r pkg inner target sum <<<"$entry"
  (cd "$work" && npm pack --silent "$pkg" >/dev/null)
  tarball=$(ls "$work"/*.tgz | head -n1)
  tar -xzf "$tarball" -C "$work" "$inner"
  actual=$(sha256sum "$work/$inner" | cut -d' ' -f1)
  if [ "$actual" != "$sum" ]; then
    echo "checksum mismatch for $pkg $inner: $actual" >&2
    exit 1
  fi
  cp "$work/$inner" "$dest/$target"
  rm -f "$tarball"
  echo "vendored $pkg → $dest/$target"
done
