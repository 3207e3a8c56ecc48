// Runs a Pine script through PineTS (the npm package `pinets`) on given bars
// and prints its plots as JSON: {"title": [value or null, ...], ...}.
// Usage: node pinets_run.cjs CACHE_DIR SCRIPT.pine BARS.json
// (used by scripts/compare-pinets; BARS.json is an array of
// {open, high, low, close, volume, openTime}).
const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

async function main() {
  const [cacheDir, scriptPath, barsPath] = process.argv.slice(2);
  // pinets is installed in the cache folder, not next to this file.
  const { PineTS } = createRequire(path.join(path.resolve(cacheDir), 'package.json'))('pinets');
  const source = fs.readFileSync(scriptPath, 'utf8');
  const candles = JSON.parse(fs.readFileSync(barsPath, 'utf8'));
  const { plots } = await new PineTS(candles).run(source);
  const out = {};
  for (const [title, plot] of Object.entries(plots)) {
    if (title.startsWith('__')) continue; // drawings tables, not series
    out[title] = plot.data.map((point) => (typeof point.value === 'number' && Number.isFinite(point.value) ? point.value : null));
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  process.stderr.write(`PineTS failed: ${e && e.message ? e.message : e}\n`);
  process.exit(1);
});
