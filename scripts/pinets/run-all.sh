#!/usr/bin/env bash
# Runs scripts/compare_pinets.py over every scripts/pinets/*.pine on the
# 2,600-bar sample data and prints each report under a heading.
#   scripts/pinets/run-all.sh [PINEVM]   (default: build/pinevm)
# PineTS must be installed in build/pinets-cache (scripts/compare-pinets does it).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
pinevm="${1:-$root/build/pinevm}"
data="$root/examples/data/sample_ohlcv.csv"
for script in "$here"/*.pine; do
  echo "## $(basename "$script")"
  echo
  python3 "$root/scripts/compare_pinets.py" "$pinevm" "$root/build/pinets-cache" \
    "$root/scripts/pinets_run.cjs" "$script" "$data" 2>&1
  echo
done
