#!/usr/bin/env bash
# Runs tools/pinets/compare_pinets.py over every tools/pinets/cases/*.pine on
# the 2,600-bar sample data and prints each report under a heading.
#   tools/pinets/run-all.sh [PINEVM]   (default: build/pinevm)
# PineTS must be installed in build/pinets-cache (scripts/compare-pinets does it).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
pinevm="${1:-$root/build/pinevm}"
data="$root/examples/data/sample_ohlcv.csv"
for script in "$here"/cases/*.pine; do
  echo "## $(basename "$script")"
  echo
  python3 "$here/compare_pinets.py" "$pinevm" "$root/build/pinets-cache" \
    "$here/pinets_run.cjs" "$script" "$data" 2>&1
  echo
done
