#!/usr/bin/env bash
# Writes the golden snapshots of this folder with the pinevm built in build/.
# Run it ONLY when adding a golden set for a new snapshot format version, or,
# naming the new files as arguments (generate.sh FILE...), to write just the
# files a new manifest line adds: the files of an existing version must stay
# as they were written, since tests/snapshot/test_golden_snapshots.cpp
# proves that today's build still restores them. Each line of manifest.txt
# is "FILE BARS SCRIPT [--input NAME=VALUE ...]": the script ran over the
# first BARS bars of examples/data/sample_ohlcv.csv, then saved FILE.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
pinevm="$root/build/pinevm"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
only=" $* "
grep -v '^#' "$here/manifest.txt" | while read -r file bars script extra; do
  [ -n "$file" ] || continue
  if [ $# -gt 0 ] && [ "${only#* "$file" }" = "$only" ]; then continue; fi
  head -n $((bars + 1)) "$root/examples/data/sample_ohlcv.csv" > "$tmp/bars.csv"
  # shellcheck disable=SC2086  # extra holds whole --input NAME=VALUE words
  "$pinevm" run "$root/$script" --data "$tmp/bars.csv" --no-progress --out /dev/null --log /dev/null \
    --save-state "$here/$file" $extra
  echo "wrote $file"
done
