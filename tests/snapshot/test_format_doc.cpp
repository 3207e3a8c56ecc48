// docs/snapshot-format.md is complete and right: the independent decoder
// written from it alone (tests/snapshot/decoder/snapshot_decode.py) parses every golden
// snapshot and fresh snapshots of scripts that use every builtin state kind,
// consumes every byte, and reports the facts the C++ side knows.
//
// The expected facts come from the instance itself (its layout, heap, string
// table and program), never from the decoder: the test fails when the
// document (and so the decoder) misdescribes a single field. It also checks
// that the decoder notices a missing or an extra byte inside the payload, so
// "every byte consumed" is a checked claim, not an assumption.
//
// The decoder (tests/snapshot/decoder/snapshot_decode.py with its two helper modules) needs
// python3 and the zstd command-line tool; without them the test says so and
// checks nothing.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "bars_csv.h"
#include "sample_bars.h"
#include "instance_state.h"
#include "pine/compiler/compile.h"
#include "pine/snapshot/envelope.h"
#include "pine/snapshot/snapshot.h"
#include "pine/vm/instance.h"

using pine::test::sample_bars;

namespace {

namespace fs = std::filesystem;
using namespace pine;
using Bytes = std::vector<std::uint8_t>;

const fs::path kSource(PINEVM_SOURCE_DIR);
const fs::path kDecoder = kSource / "tests" / "snapshot" / "decoder" / "snapshot_decode.py";

/// Bars run before a fresh snapshot: enough to warm every window of the
/// scripts below (their longest length is 50) and to make strings and
/// objects that survive collections.
constexpr std::size_t kFreshBars = 400;

/// True when an executable called `name` is in a directory of $PATH.
bool on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  std::istringstream dirs(path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    const fs::path candidate = fs::path(dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return true;
  }
  return false;
}

/// Whether python3 and zstd (installed by scripts/deps) are on PATH. Missing
/// tools fail the test, so a machine without them cannot pass it silently;
/// PINEVM_SKIP_DECODER=1 skips it on purpose.
bool decoder_tools_present() {
  if (on_path("python3") && on_path("zstd")) return true;
  const char* skip = std::getenv("PINEVM_SKIP_DECODER");
  if (skip != nullptr && std::string(skip) == "1") {
    MESSAGE("PINEVM_SKIP_DECODER=1: skipping the snapshot format document check");
    return false;
  }
  FAIL("python3 or zstd is not on PATH (scripts/deps installs them; PINEVM_SKIP_DECODER=1 skips this check)");
  return false;
}

/// The decoder's exit status and everything it printed (stdout and stderr).
struct DecodeRun {
  int status = -1;
  std::string output;
};

/// Runs `python3 -B snapshot_decode.py --json FILE` (-B: no __pycache__ in
/// the source tree). Paths come from the test itself (source tree, temp
/// directory) and are single-quoted for the shell.
DecodeRun run_decoder(const fs::path& file) {
  const std::string command = "python3 -B '" + kDecoder.string() + "' --json '" + file.string() + "' 2>&1";
  DecodeRun run;
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) run.output.append(buffer, n);
  const int raw = ::pclose(pipe);
  run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return run;
}

/// The integer value of `"key": N` inside the JSON object that follows
/// `"section": {` in the decoder's output (sort_keys output: the nested
/// objects before the key never contain a key of the same name), or -1
/// when absent.
long long json_number(const std::string& json, const std::string& section, const std::string& key) {
  const std::size_t start = section.empty() ? 0 : json.find("\"" + section + "\": {");
  if (start == std::string::npos) return -1;
  const std::string needle = "\"" + key + "\": ";
  const std::size_t at = json.find(needle, start);
  if (at == std::string::npos) return -1;
  return std::strtoll(json.c_str() + at + needle.size(), nullptr, 10);
}

/// The string value of `"key": "..."` after `"section": {` (no escapes
/// expected: hashes), or "" when absent.
std::string json_text(const std::string& json, const std::string& section, const std::string& key) {
  const std::size_t start = json.find("\"" + section + "\": {");
  if (start == std::string::npos) return "";
  const std::string needle = "\"" + key + "\": \"";
  const std::size_t at = json.find(needle, start);
  if (at == std::string::npos) return "";
  const std::size_t begin = at + needle.size();
  return json.substr(begin, json.find('"', begin) - begin);
}

/// The state kind names the decoder listed under "state_kinds" (a flat
/// object of NAME: count).
std::set<std::string> decoded_kinds(const std::string& json) {
  std::set<std::string> out;
  const std::size_t start = json.find("\"state_kinds\": {");
  if (start == std::string::npos) return out;
  const std::size_t end = json.find('}', start);
  for (std::size_t at = json.find('"', start + 15); at < end; at = json.find('"', at + 1)) {
    const std::size_t close = json.find('"', at + 1);
    out.insert(json.substr(at + 1, close - at - 1));
    at = json.find(',', close);
    if (at == std::string::npos || at > end) break;
  }
  return out;
}

/// This process's scratch directory for snapshot files.
fs::path temp_dir() { return fs::temp_directory_path() / ("pinevm-format-doc-" + std::to_string(::getpid())); }

/// Removes the scratch directory when a test case ends, however it ends.
struct TempDirCleanup {
  ~TempDirCleanup() {
    std::error_code ec;
    fs::remove_all(temp_dir(), ec);
  }
};

/// Writes `bytes` to a file of the scratch directory and returns its path.
fs::path write_temp(const std::string& name, const Bytes& bytes) {
  fs::create_directories(temp_dir());
  const fs::path path = temp_dir() / name;
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
  return path;
}

/// Reads a whole text file.
std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Decodes `file` (the snapshot `bytes`) and checks every fact the C++ side
/// knows about `inst`, the instance restored from (or saved to) those bytes.
/// Returns the decoder's JSON.
std::string check_decoded(const fs::path& file, const Bytes& bytes, const Instance& inst) {
  const DecodeRun run = run_decoder(file);
  INFO("decoder output: ", run.output.substr(0, 2000));
  REQUIRE(run.status == 0);
  const std::string& json = run.output;
  const snapshot::SnapshotHeader header = snapshot::read_header(bytes);
  const InstanceState& st = inst.state();
  const Program& program = inst.program();

  // All four XXH3 hashes recomputed by the decoder's own XXH3.
  CHECK(json.find("\"checksums_verified\": true") != std::string::npos);
  // Every byte consumed: the whole file, and the whole decompressed payload.
  CHECK(json_number(json, "", "file_bytes") == static_cast<long long>(bytes.size()));
  CHECK(json_number(json, "", "bytes_consumed") == static_cast<long long>(bytes.size()));
  CHECK(json_number(json, "", "payload_bytes_consumed") == static_cast<long long>(header.payload_uncompressed_size));

  CHECK(json_number(json, "header", "format_version") == 1);
  CHECK(json_text(json, "header", "program_hash") == hash_hex(program_hash(program)));
  CHECK(json_number(json, "header", "bars_processed") == inst.bars_processed());
  CHECK(json_number(json, "header", "last_bar_time") == inst.last_bar_time());

  std::size_t instructions = 0;
  for (const FunctionProto& f : program.functions) instructions += f.code.size();
  CHECK(json_number(json, "program", "constants") == static_cast<long long>(program.constants.size()));
  CHECK(json_number(json, "program", "strings") == static_cast<long long>(program.strings.size()));
  CHECK(json_number(json, "program", "functions") == static_cast<long long>(program.functions.size()));
  CHECK(json_number(json, "program", "instructions") == static_cast<long long>(instructions));
  CHECK(json_number(json, "program", "plots") == static_cast<long long>(program.plots.size()));
  CHECK(json_number(json, "program", "max_bars_back") == program.max_bars_back);

  CHECK(json_number(json, "state", "bars_processed") == inst.bars_processed());
  CHECK(json_number(json, "state", "frames") == static_cast<long long>(st.frames.size()));
  CHECK(json_number(json, "state", "slots") == static_cast<long long>(st.slots.size()));
  CHECK(json_number(json, "state", "series") == static_cast<long long>(st.series.size()));
  CHECK(json_number(json, "state", "call_site_states") == static_cast<long long>(st.states.size()));
  CHECK(json_number(json, "state", "heap_objects") == static_cast<long long>(st.heap.size()));
  // Made strings: the table's size minus the fixed handles, which a fresh
  // instance of the same program and configuration holds alone.
  const Instance fresh(inst.program_ptr(), inst.config());
  CHECK(json_number(json, "state", "strings") ==
        static_cast<long long>(st.strings.size() - fresh.state().strings.size()));

  // A strategy's settings (6.7) and broker (7.6); an indicator has neither.
  if (!st.broker) {
    CHECK(json.find("\"strategy\": null") != std::string::npos);
    CHECK(json.find("\"broker\": null") != std::string::npos);
    return json;
  }
  const StrategySettings& set = *program.strategy;
  CHECK(json_number(json, "strategy", "pyramiding") == set.pyramiding);
  CHECK(json_number(json, "strategy", "slippage") == set.slippage);
  CHECK(json_number(json, "strategy", "backtest_fill_limits_assumption") == set.backtest_fill_limits_assumption);
  CHECK(json_number(json, "strategy", "initial_capital") == static_cast<long long>(set.initial_capital));
  const Broker& b = *st.broker;
  std::size_t legs = 0, trailing = 0;
  for (const ExitRule& r : b.exits_)
    for (const ExitRule::Leg& leg : r.legs) {
      ++legs;
      trailing += leg.trail_active;
    }
  CHECK(json_number(json, "broker", "next_trade_number") == b.next_trade_number_);
  CHECK(json_number(json, "broker", "bar_index") == b.bar_index_);
  CHECK(json_number(json, "broker", "orders") == static_cast<long long>(b.orders_.size()));
  CHECK(json_number(json, "broker", "exit_rules") == static_cast<long long>(b.exits_.size()));
  CHECK(json_number(json, "broker", "exit_legs") == static_cast<long long>(legs));
  CHECK(json_number(json, "broker", "trailing_legs") == static_cast<long long>(trailing));
  CHECK(json_number(json, "broker", "open_trades") == static_cast<long long>(b.open_.size()));
  CHECK(json_number(json, "broker", "closed_trades") == static_cast<long long>(b.closed_.size()));
  CHECK(json_number(json, "broker", "losing_days") == b.risk_state_.losing_days);
  CHECK(json_number(json, "broker", "months") == b.months_.count);
  return json;
}

/// Compiles `source`, runs kFreshBars sample bars, saves, writes the
/// snapshot to a temp file, decodes it and checks the facts. Returns the
/// decoder's JSON.
std::string check_fresh(const std::string& name, const std::string& source) {
  INFO("script ", name);
  CompileOptions options;
  options.file_name = name;
  CompileResult compiled = compile(source, options);
  REQUIRE(compiled.ok());
  Instance inst = InstanceBuilder(compiled.program).symbol("NASDAQ:AAPL").timeframe("1D").build();
  const std::vector<Bar>& bars = sample_bars();
  inst.set_last_bar_index(static_cast<std::int64_t>(bars.size()) - 1);
  for (std::size_t i = 0; i < kFreshBars; ++i) inst.run_bar(bars[i]);
  const Bytes bytes = save_state(inst);
  const fs::path file = write_temp(name + ".pvms", bytes);
  return check_decoded(file, bytes, inst);
}

/// A script with the heap kinds (arrays, a slice view, a map, a matrix, UDT
/// objects), made strings kept in `var`s, a user function called from two
/// places (two frames) and several ta.* calls, among them the builtin state
/// kinds the ta conformance scripts do not use.
const char* const kMixedScript = R"(//@version=6
indicator("format doc mixed")
type Pt
    float x
    string tag
    Pt next
f(src, n) =>
    ta.sma(src, n) + ta.ema(src, n)
var prices = array.new<float>()
prices.push(close)
if prices.size() > 30
    prices.shift()
view = prices.slice(0, math.min(5, prices.size()))
var names = map.new<string, int>()
names.put("bar" + str.tostring(bar_index % 7), bar_index)
var m = matrix.new<float>(2, 3, 0.0)
m.set(bar_index % 2, bar_index % 3, close)
var Pt head = na
head := Pt.new(close, "p" + str.tostring(bar_index % 5), head)
if bar_index % 10 == 0
    head := na
var string label = ""
label := str.tostring(close, "#.##") + "/" + syminfo.ticker
plot(f(close, 10), "f close")
plot(f(high, 20), "f high")
plot(ta.rsi(close, 14), "rsi")
plot(ta.stdev(close, 20), "stdev")
plot(ta.highest(high, 15) - ta.lowest(low, 15), "range")
plot(view.size() + names.size() + m.rows(), "sizes")
plot(close[3], "close3")
plot(fixnan(bar_index % 3 == 0 ? na : close) + fixnan(bar_index % 4 == 0 ? int(na) : bar_index), "fixnans")
plot(ta.lowestbars(10) + ta.valuewhen(close > open, bar_index, 1), "int states")
plot(nz(ta.pivothigh(close, 3, 3)) + nz(ta.pivotlow(3, 3)), "pivots")
)";

} // namespace

TEST_CASE("the independent decoder reads every byte of the golden snapshots as docs/snapshot-format.md says") {
  if (!decoder_tools_present()) return;
  const fs::path dir = kSource / "tests" / "data" / "snapshots";
  std::istringstream manifest(read_text(dir / "manifest.txt"));
  std::size_t checked = 0;
  for (std::string line; std::getline(manifest, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::string file;
    long long bars = 0;
    words >> file >> bars;
    INFO("golden ", file);
    const Bytes bytes = snapshot::read_file((dir / file).string());
    const Instance restored = RestoreBuilder(bytes).build();
    const std::string json = check_decoded(dir / file, bytes, restored);
    CHECK(json_number(json, "state", "bars_processed") == bars);  // from the manifest, written by generate.sh
    ++checked;
  }
  CHECK(checked >= 11);
}

TEST_CASE("the independent decoder reads fresh snapshots with every builtin state kind, heap object kind and made strings") {
  if (!decoder_tools_present()) return;
  const TempDirCleanup cleanup;
  const std::string mixed = check_fresh("mixed", kMixedScript);
  CHECK(json_number(mixed, "state", "frames") == 3);  // main + two calls of f
  CHECK(json_number(mixed, "heap_kinds", "map") >= 1);
  CHECK(json_number(mixed, "heap_kinds", "matrix") >= 1);
  CHECK(json_number(mixed, "heap_kinds", "object") >= 1);
  CHECK(json_number(mixed, "state", "strings") >= 1);

  // The ta conformance scripts together call every stateful builtin, so
  // every row of the document's StateKind table is exercised.
  std::set<std::string> kinds = decoded_kinds(mixed);
  for (const char* script : {"ta_moving_averages", "ta_oscillators", "ta_range", "ta_cross", "ta_variance",
                             "ta_pine_references", "ta_pivot_levels"}) {
    const std::string json =
        check_fresh(script, read_text(kSource / "tests" / "conformance" / (std::string(script) + ".pine")));
    const std::set<std::string> more = decoded_kinds(json);
    kinds.insert(more.begin(), more.end());
  }
  std::string seen;
  for (const std::string& k : kinds) seen += k + " ";
  INFO("kinds decoded: ", seen);
  CHECK(kinds.size() == static_cast<std::size_t>(StateKind::Count));
}

// Inputs that need the program's optional input extras (row 13 of 6.1): a
// timeframe, a symbol and a session input (their formats), and two inputs
// titled alike in different groups (their group/title keys).
TEST_CASE("the independent decoder reads a program with input extras") {
  if (!decoder_tools_present()) return;
  const TempDirCleanup cleanup;
  const std::string json = check_fresh("input_extras", R"(//@version=6
indicator("input extras")
tf = input.timeframe("60", "Resolution")
sym = input.symbol("NASDAQ:AAPL", "Other")
sess = input.session("0930-1600", "Hours")
fast = input.int(5, "Length", group="Fast")
slow = input.int(20, "Length", group="Slow")
plot(close * fast + slow + str.length(tf + sym + sess))
)");
  CHECK(json.find(R"("input_formats": ["timeframe", "symbol", "session", "any", "any"])") != std::string::npos);
  CHECK(json.find(R"("input_keys": ["", "", "", "Fast/Length", "Slow/Length"])") != std::string::npos);
}

// The strategy sections (6.7, 7.6): the three split-run strategy scripts
// after 400 bars, whose settings differ (sizing, commission, fills at the
// close, the "ANY" close rule) and whose brokers hold pending orders of
// several kinds, exit rules with legs and open and closed trades. The
// document must describe every byte of the program's settings and of the
// broker: check_decoded compares the decoder's counts with the broker's.
TEST_CASE("the independent decoder reads strategy snapshots: the program's settings and the broker") {
  if (!decoder_tools_present()) return;
  const TempDirCleanup cleanup;
  const fs::path scripts = kSource / "tests" / "snapshot" / "scripts";
  const std::string orders = check_fresh("strategy_orders", read_text(scripts / "strategy_orders.pine"));
  CHECK(orders.find(R"("default_qty_type": "percent_of_equity")") != std::string::npos);
  CHECK(json_number(orders, "broker", "closed_trades") >= 50);
  CHECK(json_number(orders, "broker", "orders") >= 1);
  CHECK(json_number(orders, "broker", "exit_legs") >= 1);
  const std::string on_close = check_fresh("strategy_on_close", read_text(scripts / "strategy_on_close.pine"));
  CHECK(on_close.find(R"("close_entries_any": true)") != std::string::npos);
  CHECK(on_close.find(R"("process_orders_on_close": true)") != std::string::npos);
  CHECK(on_close.find(R"("commission_type": "cash_per_contract")") != std::string::npos);
  const std::string risk = check_fresh("strategy_risk", read_text(scripts / "strategy_risk.pine"));
  CHECK(risk.find(R"("default_qty_type": "fixed")") != std::string::npos);
  CHECK(json_number(risk, "broker", "closed_trades") >= 50);
}

// A byte missing or left over must be noticed by the decoder's own
// structure checks: in an indicator's snapshot (the heap is the state's
// last item) and in a strategy's (the broker is).
TEST_CASE("the independent decoder rejects a payload with a byte missing or a byte left over") {
  if (!decoder_tools_present()) return;
  const TempDirCleanup cleanup;
  for (const char* name : {"v1-objects-400.pvms", "v1-strategy_orders-745.pvms"}) {
    INFO("golden ", name);
    const fs::path golden = kSource / "tests" / "data" / "snapshots" / name;
    const Bytes bytes = snapshot::read_file(golden.string());
    const snapshot::OpenedSnapshot opened = snapshot::open_snapshot(bytes);

    // Resealed with valid hashes and sizes, so only the payload's own
    // structure can reveal the damage.
    Bytes longer = opened.payload;
    longer.push_back(0);
    const DecodeRun extra = run_decoder(write_temp("extra.pvms", snapshot::seal_snapshot(opened.header, longer)));
    CHECK(extra.status == 1);
    CHECK(extra.output.find("trailing") != std::string::npos);

    Bytes shorter = opened.payload;
    shorter.pop_back();
    const DecodeRun missing = run_decoder(write_temp("missing.pvms", snapshot::seal_snapshot(opened.header, shorter)));
    CHECK(missing.status == 1);

    // A byte after the zstd frame, with the header's sizes left as they were.
    Bytes appended = bytes;
    appended.push_back(0);
    CHECK(run_decoder(write_temp("appended.pvms", appended)).status == 1);

    // One flipped bit in the compressed payload: only the payload hash can
    // tell (the decoder verifies it with its own XXH3).
    Bytes flipped = bytes;
    flipped[flipped.size() / 2 + snapshot::kHeaderSize / 2] ^= 0x10;
    const DecodeRun damaged = run_decoder(write_temp("flipped.pvms", flipped));
    CHECK(damaged.status == 1);
    CHECK(damaged.output.find("payload hash") != std::string::npos);

    // And pinevm itself agrees that these files are not valid snapshots.
    CHECK_THROWS_AS(RestoreBuilder(snapshot::seal_snapshot(opened.header, longer)).build(), SnapshotError);
    CHECK_THROWS_AS(RestoreBuilder(snapshot::seal_snapshot(opened.header, shorter)).build(), SnapshotError);
  }
}
