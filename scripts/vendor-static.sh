#!/bin/sh
# Refresh the vendored browser libraries from node_modules.
# Usage: npm install && sh scripts/vendor-static.sh   (or: npm run vendor)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
modules=${NODE_MODULES:-$root/node_modules}
dest=$root/src/fengqiao/web/static/fengqiao/vendor

if [ ! -d "$modules/htmx.org" ] || [ ! -d "$modules/echarts" ]; then
    echo "找不到 node_modules，请先运行 npm install / run 'npm install' first ($modules)" >&2
    exit 1
fi
mkdir -p "$dest"
cp "$modules/htmx.org/dist/htmx.min.js" "$dest/htmx.min.js"
cp "$modules/htmx.org/LICENSE" "$dest/htmx.LICENSE.txt"
cp "$modules/echarts/dist/echarts.min.js" "$dest/echarts.min.js"
cp "$modules/echarts/LICENSE" "$dest/echarts.LICENSE.txt"
cp "$modules/echarts/NOTICE" "$dest/echarts.NOTICE.txt"
version() { sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$1/package.json" | head -n 1; }
{
    echo "htmx.org $(version "$modules/htmx.org")"
    echo "echarts $(version "$modules/echarts")"
} > "$dest/VERSIONS.txt"
echo "已更新 / updated: $dest"
cat "$dest/VERSIONS.txt"
