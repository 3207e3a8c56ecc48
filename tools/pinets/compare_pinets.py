#!/usr/bin/env python3
"""Per-column agreement between pinevm and PineTS on one script and data file.

Called by scripts/compare-pinets (which builds pinevm and installs PineTS).
pinevm runs the script with --format jsonl; its rows give each bar's time.
The same bars (OHLCV from the CSV, times from pinevm) go to PineTS through
tools/pinets/pinets_run.cjs. Every plot title present in both is compared: max
absolute and relative difference over bars where both have a value, bars
where only one side is na, and the first bar that differs by more than
1e-9 relative (or where na-ness differs).
"""
import csv
import json
import math
import os
import subprocess
import sys
import tempfile

REL_TOL = 1e-9


def read_csv_columns(path):
    """The CSV's OHLCV columns by lowercase header name, in row order."""
    with open(path, newline="") as f:
        rows = [r for r in csv.reader(line for line in f if line.strip() and not line.startswith("#"))]
    header = [h.strip().lower() for h in rows[0]]
    cols = {name: [] for name in header}
    for r in rows[1:]:
        for name, cell in zip(header, r):
            cols[name].append(cell.strip())
    return cols


def main():
    if len(sys.argv) != 6:
        sys.exit("usage: compare_pinets.py PINEVM CACHE_DIR RUNNER SCRIPT.pine DATA.csv")
    pinevm, cache, runner, script, data = sys.argv[1:]
    run = subprocess.run([pinevm, "run", script, "--data", data, "--format", "jsonl", "--log", os.devnull],
                         capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit("pinevm failed:\n" + run.stderr)
    ours = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    cols = read_csv_columns(data)
    n = len(ours)
    if any(len(cols.get(c, [])) < n for c in ("open", "high", "low", "close")):
        sys.exit("the CSV needs open, high, low and close columns with one row per bar")
    volume = cols.get("volume", ["0"] * n)
    bars = [{"open": float(cols["open"][i]), "high": float(cols["high"][i]), "low": float(cols["low"][i]),
             "close": float(cols["close"][i]), "volume": float(volume[i] or 0), "openTime": ours[i]["time"]}
            for i in range(n)]
    with tempfile.TemporaryDirectory() as tmp:
        bars_path = os.path.join(tmp, "bars.json")
        with open(bars_path, "w") as f:
            json.dump(bars, f)
        theirs_run = subprocess.run(["node", runner, cache, script, bars_path], capture_output=True, text=True)
    if theirs_run.returncode != 0:
        sys.exit(theirs_run.stderr.strip() or "PineTS failed")
    theirs = json.loads(theirs_run.stdout)

    titles = [k for k in ours[0].keys() if k not in ("time", "bar_index")] if ours else []
    print(f"{os.path.basename(script)} on {os.path.basename(data)}: {n} bars")
    print("| column | compared | max abs diff | max rel diff | na only in pinevm | na only in PineTS | first differing bar |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    missing = []
    for title in titles:
        if title not in theirs:
            missing.append(title)
            continue
        a = [row.get(title) for row in ours]
        b = theirs[title]
        compared = only_ours = only_theirs = 0
        max_abs = max_rel = 0.0
        first = None
        for i in range(min(len(a), len(b))):
            x, y = a[i], b[i]
            if not isinstance(x, (int, float)) or isinstance(x, bool):
                x = None
            if x is None and y is None:
                continue
            if x is None or y is None:
                only_ours += x is None
                only_theirs += y is None
                first = i if first is None else first
                continue
            compared += 1
            diff = abs(x - y)
            rel = diff / max(abs(x), abs(y)) if max(abs(x), abs(y)) > 0 else 0.0
            max_abs, max_rel = max(max_abs, diff), max(max_rel, rel)
            if rel > REL_TOL and first is None:
                first = i
        print(f"| {title} | {compared} | {max_abs:.3g} | {max_rel:.3g} | {only_ours} | {only_theirs} | "
              f"{'-' if first is None else first} |")
    if missing:
        print("not plotted by PineTS (title mismatch or unsupported): " + ", ".join(missing))


if __name__ == "__main__":
    main()
