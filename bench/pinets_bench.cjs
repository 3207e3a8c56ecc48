// PineTS engine of the benchmark harness (scripts/bench): runs one Pine
// script through PineTS (npm package `pinets`) in-process over the bars of a
// CSV file and prints key=value lines for bench/harness.py.
// Usage: node pinets_bench.cjs CACHE_DIR SCRIPT.pine BARS.csv RUNS
// The first run (the warm-up) goes through the transpiler; its time is
// reported as compile_ms (transpile plus one run). The RUNS timed runs reuse
// the transpiled function (runPretranspiled), so only the run is timed.
const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');
const { performance } = require('perf_hooks');

// Reads a CSV written by scripts/bench (time,open,high,low,close,volume) into
// PineTS candles.
function readCandles(csvPath) {
  const lines = fs.readFileSync(csvPath, 'utf8').split('\n');
  const candles = [];
  for (let i = 1; i < lines.length; ++i) {
    if (!lines[i]) continue;
    const [time, open, high, low, close, volume] = lines[i].split(',').map(Number);
    // One-minute bars: closeTime is one millisecond before the next open.
    candles.push({ openTime: time, closeTime: time + 59999, open, high, low, close, volume });
  }
  return candles;
}

// The median of a list of numbers.
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// Loads PineTS and the bars, transpiles with a first run, times the runs.
async function main() {
  const [cacheDir, scriptPath, csvPath, runsText] = process.argv.slice(2);
  // pinets is installed in the cache folder, not next to this file.
  const { PineTS } = createRequire(path.join(path.resolve(cacheDir), 'package.json'))('pinets');
  const source = fs.readFileSync(scriptPath, 'utf8');
  const candles = readCandles(csvPath);
  const rssAtStartKib = Math.round(process.memoryUsage().rss / 1024);
  const runs = Number(runsText);

  let start = performance.now();
  const first = new PineTS(candles);
  await first.run(source);
  const compileMs = performance.now() - start;
  const transpiled = first.transpiledCode;
  if (typeof transpiled !== 'function') throw new Error('PineTS did not expose the transpiled function');

  const times = [];
  for (let r = 0; r < runs; ++r) {
    const engine = new PineTS(candles); // building the engine is not timed
    start = performance.now();
    const context = await engine.runPretranspiled(transpiled);
    times.push((performance.now() - start) / 1000);
    // A run that silently computed nothing would look fast: some plot must
    // have a point on every bar.
    if (!Object.values(context.plots).some((plot) => plot.data.length === candles.length)) {
      throw new Error('the pretranspiled run did not plot every bar');
    }
  }
  const seconds = median(times);
  process.stdout.write(
    `bars=${candles.length}\ncompile_ms=${compileMs.toFixed(3)}\nrun_s=${seconds}\n` +
      `bars_per_s=${(candles.length / seconds).toFixed(0)}\npeak_rss_kib=${process.resourceUsage().maxRSS}\n` +
      `rss_at_start_kib=${rssAtStartKib}\n`,
  );
}

main().catch((e) => {
  process.stderr.write(`PineTS failed: ${e && e.message ? e.message.split('\n')[0] : e}\n`);
  process.exit(1);
});
