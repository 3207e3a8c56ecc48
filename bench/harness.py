#!/usr/bin/env python3
"""The measuring loop of scripts/bench ; see docs/performance.md.

Runs every reference script of bench/scripts on every engine, each
measurement in its own process (build/.../pinevm-bench-run for pinevm and the
native baseline, node with bench/pinets_bench.cjs for PineTS), then prints a
markdown report and writes it to docs/reports/bench-latest.md.

Usage: harness.py ROOT BUILD_DIR DATA_CSV SLOW_DATA_CSV REPORT.md [--quick]
       harness.py ROOT BUILD_DIR CALLGRIND_DATA_CSV --callgrind
"""
import datetime
import os
import platform
import re
import shutil
import subprocess
import sys
import time

# PineTS version, the same pin as scripts/compare-pinets.
PINETS_VERSION = "0.9.34"
# The performance targets (docs/performance.md).
TARGET_PINETS_SPEEDUP = 200.0
TARGET_NATIVE_SLOWDOWN = 3.0
TARGET_IDLE_BYTES = 64 * 1024


def parse_keys(text):
    """key=value lines into a dict of strings."""
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def measure(cmd, timeout=3600):
    """Runs one measurement process; returns (dict, None) or (None, error text)."""
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout} s"
    if done.returncode != 0:
        lines = (done.stderr.strip() or done.stdout.strip() or f"exit {done.returncode}").splitlines()
        return None, lines[0][:160]
    return parse_keys(done.stdout), None


def machine_info(root):
    """CPU model, cores, memory, kernel, compiler, date and commit, as markdown lines."""
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kib = int(f.readline().split()[1])
            mem = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    commit = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", root, "status", "--porcelain", "--untracked-files=no", "--", ".", ":!docs/reports/bench-latest.md"], capture_output=True, text=True).stdout.strip()
    gxx = subprocess.run(["c++", "--version"], capture_output=True, text=True).stdout.splitlines()
    load = os.getloadavg()[0]
    return [
        f"- machine: {cpu}, {os.cpu_count()} cores{mem}, Linux {platform.release()}",
        f"- compiler: {gxx[0] if gxx else 'unknown'} (Release build)",
        f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; commit {commit or 'unknown'}"
        + (" (with uncommitted changes)" if dirty else ""),
        f"- load average when starting: {load:.2f} (the machine may be shared: compare runs on one machine only)",
    ]


def ensure_pinets(root):
    """The PineTS cache folder, installing pinets there if missing; or (None, why)."""
    cache = os.path.join(root, "build", "pinets-cache")
    if os.path.isfile(os.path.join(cache, "node_modules", "pinets", "package.json")):
        return cache, None
    if not shutil.which("node") or not shutil.which("npm"):
        return None, "node/npm not installed"
    os.makedirs(cache, exist_ok=True)
    print(f"installing pinets@{PINETS_VERSION} into {cache}", file=sys.stderr)
    done = subprocess.run(["npm", "install", "--prefix", cache, "--no-audit", "--no-fund", "--silent",
                           f"pinets@{PINETS_VERSION}"], capture_output=True, text=True)
    if done.returncode != 0:
        return None, "npm could not install pinets (registry unreachable?)"
    return cache, None


def fmt_int(x):
    """12345678 -> '12,345,678'."""
    return f"{x:,.0f}"


def versus(engine_rate, pinevm_rate):
    """How an engine's bars/s compares with pinevm's, in words."""
    if not engine_rate or not pinevm_rate:
        return ""
    ratio = engine_rate / pinevm_rate
    return f"{ratio:.2f}x (faster)" if ratio >= 1 else f"{ratio:.3g}x (pinevm {1 / ratio:,.1f}x faster)"


def script_rows(root, runner, data, slow_data, runs, scripts):
    """Measures every script on every engine; returns (markdown rows, results by (script, engine))."""
    cache, pinets_missing = ensure_pinets(root)
    results = {}
    rows = []
    for script in scripts:
        name = os.path.basename(script)[:-5]
        engines = [("pinevm", data), ("native", data), ("PineTS", slow_data)]
        for engine, csv in engines:
            if engine == "native" and name not in ("r1_sma", "r5_five_indicators"):
                continue
            print(f"  {name} on {engine} ...", file=sys.stderr, flush=True)
            if engine == "PineTS":
                if cache is None:
                    r, err = None, pinets_missing
                else:
                    r, err = measure(["node", os.path.join(root, "bench", "pinets_bench.cjs"), cache, script, csv, str(runs)])
            else:
                r, err = measure([runner, "run", "--engine", engine, "--script", script, "--data", csv,
                                  "--runs", str(runs), "--warmups", "1"])
            results[(name, engine)] = r
            if r is None:
                rows.append(f"| {name} | {engine} | | n/a: {err} | | | | |")
                continue
            rate = float(r["bars_per_s"])
            pin = results.get((name, "pinevm"))
            rel = "1 (reference)" if engine == "pinevm" else versus(rate, float(pin["bars_per_s"]) if pin else None)
            compile_ms = f"{float(r['compile_ms']):.2f}" if engine != "native" else "-"
            if engine == "PineTS":
                compile_ms += " (transpile + 1st run)"
            allocs = f"{float(r['allocs_per_bar']):.2f}" if "allocs_per_bar" in r else "-"
            peak = int(r["peak_rss_kib"]) / 1024
            growth = peak - int(r["rss_at_start_kib"]) / 1024
            rows.append(f"| {name} | {engine} | {fmt_int(int(r['bars']))} | {fmt_int(rate)} | {compile_ms} "
                        f"| {peak:.1f} (+{growth:.1f}) | {allocs} | {rel} |")
    return rows, results


def largest_corpus_script(root, runner):
    """Compile time of the largest corpus script (by bytes) that compiles: (row text)."""
    candidates = []
    for folder in ("tests/data/everget", "tests/data/pinecone"):
        for dirpath, _, files in os.walk(os.path.join(root, folder)):
            candidates += [os.path.join(dirpath, f) for f in files if f.endswith(".pine")]
    candidates.sort(key=os.path.getsize, reverse=True)
    skipped = []
    # The 20 largest are plenty: most corpus scripts compile. 21 compilations
    # (a few ms in all) make the median steady.
    for path in candidates[:20]:
        r, err = measure([runner, "compile", "--script", path, "--runs", "21"])
        if r:
            note = f" (larger ones that do not compile: {', '.join(skipped)})" if skipped else ""
            rel = os.path.relpath(path, root)
            return f"{float(r['compile_ms']):.2f} ms for {rel}, {fmt_int(int(r['source_bytes']))} bytes, median of 21{note}"
        skipped.append(os.path.basename(path))
    return "n/a: no corpus script compiles"


def main():
    """Measures everything (or only instruction counts with --callgrind) and writes the report."""
    root, build = sys.argv[1], sys.argv[2]
    runner = os.path.join(build, "pinevm-bench-run")
    scripts = sorted(os.path.join(root, "bench", "scripts", f) for f in os.listdir(os.path.join(root, "bench", "scripts"))
                     if f.endswith(".pine"))
    if "--callgrind" in sys.argv:
        return callgrind(root, runner, sys.argv[3], scripts)
    data, slow_data, report_path = sys.argv[3], sys.argv[4], sys.argv[5]
    quick = "--quick" in sys.argv
    # Timed runs per engine (median of 5); --quick only smoke-tests.
    runs = 2 if quick else 5
    # Instances for the idle-memory and fleet measures (1,000).
    fleet_instances = 100 if quick else 1000
    report = ["# pinevm benchmark" + (" (--quick: smoke test, not for comparison)" if quick else ""), ""]
    report += machine_info(root)
    report += ["", f"## Reference scripts (median of {runs} runs after 1 warm-up; compile timed separately)", "",
               "| script | engine | bars | bars/s | compile ms | peak RSS MiB (growth during the runs) | heap allocs/bar in steady state | bars/s vs pinevm |",
               "|---|---|---:|---:|---:|---:|---:|---|"]
    print("measuring the reference scripts", file=sys.stderr)
    rows, results = script_rows(root, runner, data, slow_data, runs, scripts)
    report += rows
    report += ["", "Peak RSS is each engine's own process, the bars included (48 bytes each in C++); in "
               "parentheses, its growth over the RSS once the bars were loaded. For pinevm and native the peak "
               "is reset after loading (CSV parsing excluded); for PineTS it is the whole node process. "
               "PineTS runs on the smaller data set (it is slow): bars/s are comparable, RSS is not. "
               "Heap allocations per bar count the bars after the first 1,000 of each timed run."]

    print("measuring the extras", file=sys.stderr)
    r5 = os.path.join(root, "bench", "scripts", "r5_five_indicators.pine")
    extras = ["", "## Extras", "", "| measure | result |", "|---|---|"]
    extras.append(f"| compile time of the largest corpus script | {largest_corpus_script(root, runner)} |")
    # Each instance runs 10,000 bars before it is measured idle, and
    # in the fleet.
    idle, err = measure([runner, "idle", "--script", r5, "--data", data, "--bars", "10000", "--instances", str(fleet_instances)])
    idle_bytes = float(idle["heap_bytes_per_instance"]) if idle else None
    extras.append("| memory per idle R5 instance after 10,000 bars | " +
                  (f"{idle_bytes:,.0f} heap bytes ({float(idle['rss_bytes_per_instance']):,.0f} bytes of RSS) per "
                   f"instance, {fleet_instances} instances" if idle else f"n/a: {err}") + " |")
    # 1 and 2 threads; 3 repetitions, their median.
    for threads in (1, 2):
        fleet, err = measure([runner, "fleet", "--script", r5, "--data", data, "--bars", "10000",
                              "--instances", str(fleet_instances), "--threads", str(threads), "--runs", "3"])
        extras.append(f"| {fleet_instances} R5 instances x 10,000 bars, {threads} thread{'s' if threads > 1 else ''} | " +
                      (f"{float(fleet['instances_per_s']):,.1f} instances/s = {float(fleet['bars_per_s']):,.0f} bars/s "
                       "(median of 3)" if fleet else f"n/a: {err}") + " |")
    pinevm_bin = os.path.join(build, "pinevm")
    start = time.perf_counter()
    done = subprocess.run([pinevm_bin, "run", r5, "--data", data, "--out", os.path.join(root, "build", "bench", "out.csv"),
                           "--save-state", os.path.join(root, "build", "bench", "state.bin"), "--no-progress"],
                          capture_output=True, text=True)
    wall = time.perf_counter() - start
    bars = int(results[("r5_five_indicators", "pinevm")]["bars"]) if results.get(("r5_five_indicators", "pinevm")) else 0
    extras.append("| whole `pinevm run` of R5 (parse CSV, run, write CSV, save snapshot) | " +
                  (f"{wall:.2f} s = {fmt_int(bars / wall)} bars/s |" if done.returncode == 0 and bars else
                   f"n/a: {done.stderr.strip()[:120]} |"))
    # The MACD strategy on real FX bars too (23,054 hourly EUR/USD bars,
    # about 1,800 trades), beside the generated million.
    fx = os.path.join(root, "tests", "data", "strategy", "eurusd_60.csv")
    st = os.path.join(root, "bench", "scripts", "st_macd_strategy.pine")
    fx_run, err = measure([runner, "run", "--engine", "pinevm", "--script", st, "--data", fx, "--runs", str(runs)])
    extras.append("| MACD strategy on 23,054 EUR/USD hourly bars | " +
                  (f"{fmt_int(float(fx_run['bars_per_s']))} bars/s, {float(fx_run['allocs_per_bar']):g} heap allocations "
                   "per bar in steady state" if fx_run else f"n/a: {err}") + " |")
    report += extras

    report += ["", "## Targets", "", "| target | measured | met |", "|---|---|---|"]
    pin, nat, pts = (results.get(("r5_five_indicators", e)) for e in ("pinevm", "native", "PineTS"))
    if pin and pts:
        x = float(pin["bars_per_s"]) / float(pts["bars_per_s"])
        report.append(f"| R5 at least {TARGET_PINETS_SPEEDUP:.0f}x the bars/s of PineTS | {x:,.0f}x | {'yes' if x >= TARGET_PINETS_SPEEDUP else 'NO'} |")
    else:
        report.append(f"| R5 at least {TARGET_PINETS_SPEEDUP:.0f}x the bars/s of PineTS | not measured | ? |")
    if pin and nat:
        x = float(nat["bars_per_s"]) / float(pin["bars_per_s"])
        report.append(f"| R5 at most {TARGET_NATIVE_SLOWDOWN:.0f}x the time of the native baseline | {x:.2f}x | {'yes' if x <= TARGET_NATIVE_SLOWDOWN else 'NO'} |")
    for name in ("r1_sma", "r5_five_indicators", "sq_strategy_quiet"):
        r = results.get((name, "pinevm"))
        if r:
            a = float(r["allocs_per_bar"])
            report.append(f"| zero heap allocations per bar in steady state, {name} | {a:g} per bar after the first 1,000 "
                          f"bars of each timed run | {'yes' if a == 0 else 'NO'} |")
    if idle_bytes is not None:
        report.append(f"| idle R5 instance under 64 KiB | {idle_bytes / 1024:.1f} KiB | {'yes' if idle_bytes < TARGET_IDLE_BYTES else 'NO'} |")

    text = "\n".join(report) + "\n"
    print(text)
    with open(report_path, "w") as f:
        f.write(text)
    print(f"written to {os.path.relpath(report_path, root)}", file=sys.stderr)
    return 0


def callgrind(root, runner, data, scripts):
    """Instruction counts of the bar loops under valgrind's callgrind: stable between runs."""
    if not shutil.which("valgrind"):
        print("scripts/bench: valgrind is not installed (scripts/deps --bench)", file=sys.stderr)
        return 3
    out_dir = os.path.join(root, "build", "bench", "callgrind")
    os.makedirs(out_dir, exist_ok=True)
    rows = ["| script | engine | bars | instructions (bar loop) | instructions/bar |", "|---|---|---:|---:|---:|"]
    for script in scripts:
        name = os.path.basename(script)[:-5]
        for engine in ("pinevm", "native"):
            if engine == "native" and name not in ("r1_sma", "r5_five_indicators"):
                continue
            print(f"  {name} on {engine} under callgrind ...", file=sys.stderr, flush=True)
            out = os.path.join(out_dir, f"{name}.{engine}.out")
            cmd = ["valgrind", "--tool=callgrind", "--collect-atstart=no", "--toggle-collect=*measured_bar_loop_*",
                   f"--callgrind-out-file={out}", runner, "run", "--engine", engine, "--script", script,
                   "--data", data, "--runs", "1", "--warmups", "0"]
            r, err = measure(cmd)
            if r is None:
                rows.append(f"| {name} | {engine} | | n/a: {err} | |")
                continue
            with open(out) as f:
                total = next((int(line.split()[1]) for line in f if re.match(r"(summary|totals):", line)), None)
            bars = int(r["bars"])
            rows.append(f"| {name} | {engine} | {fmt_int(bars)} | {fmt_int(total)} | {fmt_int(total / bars)} |")
    text = "\n".join(["# pinevm instruction counts (callgrind)", ""] + machine_info(root)[1:3] + [""] + rows) + "\n"
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
