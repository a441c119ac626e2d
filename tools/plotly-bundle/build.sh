#!/usr/bin/env bash
# Rebuilds assets/vendor/plotly-explorer.min.js: plotly.js with only the trace types the dashboard
# draws (entry.js), from the versions pinned in package-lock.json.  Needs node and npm (network).
#     tools/plotly-bundle/build.sh            # writes assets/vendor/plotly-explorer.min.js
#     tools/plotly-bundle/build.sh OUTFILE    # writes OUTFILE instead
# After upgrading plotly (Python), set the same plotly.js version in package.json, run
# `npm install --package-lock-only` here, then this script (tests/test_page_opening.py checks
# that the two versions agree).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$(realpath -m "${1:-$here/../../assets/vendor/plotly-explorer.min.js}")"
# Always the same folder: the inlined CSS is named after its file's path, so the output is the same
# byte for byte on every machine.
work=/tmp/explorer-plotly-bundle
rm -rf "$work" && mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
cp "$here/package.json" "$here/package-lock.json" "$here/entry.js" "$here/build.js" "$work/"
(cd "$work" && npm ci --no-audit --no-fund --loglevel=error && node build.js "$out.tmp")
mv "$out.tmp" "$out"
echo "wrote $out ($(wc -c <"$out") bytes)"
