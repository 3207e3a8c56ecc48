// Split-run equivalence, the project's core invariant: running a script
// straight through a series of bars gives exactly the same outputs (every
// plot value bit for bit, every string, every log record, and the same
// runtime error if there is one) as running the first k bars, saving the
// instance to bytes, restoring those bytes into a new instance and running
// the remaining bars.
//
// Scripts: every tests/snapshot/scripts/*.pine (written for this test, each
// exercising one kind of state; the strategy_*.pine ones the broker's) and
// every tests/conformance/*.pine that exists when the test runs (subfolders
// are skipped). For a strategy the outputs include its ledger after every
// bar (the trades the bar closed, every open trade and the summary, every
// double bit for bit) and its whole ledger at the end. The data is the bundled
// examples/data/sample_ohlcv.csv (2,600 bars): the first 300 bars for the
// exhaustive checks (every k), the full data for a handful of k.
//
// Every instance is told the dataset's last bar index, so barstate.islast
// and last_bar_index agree between the straight and the split runs (the
// value is host configuration, not snapshot state).
#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bars_csv.h"
#include "sample_bars.h"
#include "instance_state.h"
#include "pine/compiler/compile.h"
#include "pine/snapshot/snapshot.h"
#include "pine/vm/instance.h"
#include "snapshot/split_run_support.h"

using namespace pine;
using namespace split_run;

using pine::test::sample_bars;

namespace {

namespace fs = std::filesystem;

/// Bars of the first exhaustive loop (every k in 0..kPrefixBars).
constexpr std::size_t kPrefixBars = 300;

/// The first `n` sample bars.
std::vector<Bar> prefix_bars(std::size_t n) {
  const std::vector<Bar>& all = sample_bars();
  return std::vector<Bar>(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(std::min(n, all.size())));
}

/// Every *.pine file directly in `dir` (no subfolders), sorted by name.
std::vector<fs::path> pine_files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".pine") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}


/// Compiles one script; a script that does not compile is a failure (the
/// invariant cannot be checked on it) and is left out of the list.
std::optional<Script> load_script(const fs::path& path) {
  const std::string name = fs::relative(path, PINEVM_SOURCE_DIR).string();
  const std::string source = read_text(path);
  CompileOptions options;
  options.file_name = name;
  CompileResult r = compile(source, options);
  if (!r.ok()) {
    FAIL_CHECK("script " << name << " does not compile:\n" << r.format(source, name));
    return std::nullopt;
  }
  return Script{name, r.program};
}

/// All scripts the split-run tests cover: ours and the conformance suite's.
const std::vector<Script>& all_scripts() {
  static const std::vector<Script> scripts = [] {
    std::vector<Script> out;
    const fs::path root(PINEVM_SOURCE_DIR);
    for (const char* dir : {"tests/snapshot/scripts", "tests/conformance"})
      for (const fs::path& p : pine_files_in(root / dir))
        if (auto s = load_script(p)) out.push_back(std::move(*s));
    return out;
  }();
  return scripts;
}

} // namespace

// Proves the test covers what it claims: our own scripts all compile and are
// present, and the conformance scripts found are listed in the output.
TEST_CASE("split-run: the script set is complete") {
  const std::vector<Script>& scripts = all_scripts();
  const fs::path root(PINEVM_SOURCE_DIR);
  const std::size_t ours = pine_files_in(root / "tests/snapshot/scripts").size();
  const std::size_t conformance = pine_files_in(root / "tests/conformance").size();
  CHECK(ours >= 9);
  CHECK(scripts.size() == ours + conformance);
  MESSAGE("split-run covers " << ours << " snapshot scripts and " << conformance << " conformance scripts");
  CHECK(sample_bars().size() == 2600);
}

namespace {

/// What a strategy's broker carried from one bar to the next over a run,
/// counted at every bar boundary: the state a split at that bar must save.
struct BrokerCoverage {
  std::size_t closed = 0, open_at_end = 0;
  std::size_t bars_with_pending = 0;   ///< a limit or stop order placed on an earlier bar still waits
  std::size_t bars_with_oca = 0;       ///< an order of an OCA group waits
  std::size_t bars_with_stop_triggered = 0;
  std::size_t bars_with_trail = 0;     ///< a trailing stop is active
  std::size_t bars_with_partial = 0;   ///< an exit has closed part of a trade that stays open
  std::size_t bars_with_pyramid = 0;   ///< more than one open trade
  std::size_t bars_halted_for_day = 0, bars_with_losing_days = 0, bars_with_day_fills = 0;
  std::size_t partial_closes = 0;      ///< closed trades whose number is still open (a split trade)
};

BrokerCoverage broker_coverage(const Script& script, const std::vector<Bar>& bars) {
  Instance inst = fresh_instance(script, bars.size());
  BrokerCoverage c;
  for (std::size_t i = 0; i < bars.size(); ++i) {
    inst.run_bar(bars[i]);
    const Broker& b = *inst.state().broker;
    const auto bar = static_cast<std::int64_t>(i);
    bool pending = false, oca = false, triggered = false, trail = false, partial = false;
    for (const PendingOrder& o : b.orders_) {
      pending = pending || (!o.is_market() && o.placed_bar < bar);
      oca = oca || o.oca_type != OcaType::None;
      triggered = triggered || o.stop_triggered;
    }
    for (const ExitRule& r : b.exits_)
      for (const ExitRule::Leg& leg : r.legs) {
        trail = trail || leg.trail_active;
        partial = partial || leg.closed > 0;
      }
    c.bars_with_pending += pending;
    c.bars_with_oca += oca;
    c.bars_with_stop_triggered += triggered;
    c.bars_with_trail += trail;
    c.bars_with_partial += partial;
    c.bars_with_pyramid += b.open_.size() > 1;
    c.bars_halted_for_day += b.risk_state_.halted_for_day;
    c.bars_with_losing_days += b.risk_state_.losing_days > 0;
    c.bars_with_day_fills += b.risk_state_.day_fills > 0;
  }
  c.closed = inst.closed_trades().size();
  c.open_at_end = inst.open_trades().size();
  for (const TradeRecord& t : inst.closed_trades())
    for (const TradeRecord& later : inst.closed_trades())
      if (&later > &t && later.number == t.number) {
        ++c.partial_closes;
        break;
      }
  return c;
}

} // namespace

// Proves the strategy scripts cannot pass vacuously: over the 300-bar
// prefix of the exhaustive test and over the full data each closes many
// trades, and between bars their brokers really hold what a snapshot must
// carry: limit/stop orders waiting since an earlier bar, OCA orders,
// triggered stop-limits, active trailing stops, partly closed trades,
// pyramided positions, and (strategy_risk.pine) the risk rules' day
// counters and halted-for-the-day flag. The counts are printed; the
// minimums are well below them.
TEST_CASE("split-run: the strategy scripts trade and carry broker state across bars") {
  BrokerCoverage all;
  std::size_t scripts = 0;
  for (const Script& script : all_scripts()) {
    if (!script.program->strategy) continue;
    INFO("script ", script.name);
    ++scripts;
    for (const std::size_t n : {kPrefixBars, sample_bars().size()}) {
      const BrokerCoverage c = broker_coverage(script, prefix_bars(n));
      MESSAGE(script.name << " over " << n << " bars: " << c.closed << " closed trades (" << c.partial_closes
                          << " partial), " << c.open_at_end << " open; bars with pending orders " << c.bars_with_pending
                          << ", OCA " << c.bars_with_oca << ", triggered stop-limits " << c.bars_with_stop_triggered
                          << ", active trails " << c.bars_with_trail << ", partial exits " << c.bars_with_partial
                          << ", pyramids " << c.bars_with_pyramid << ", halted for the day " << c.bars_halted_for_day
                          << ", losing days " << c.bars_with_losing_days << ", day fills " << c.bars_with_day_fills);
      CHECK(c.closed >= (n == kPrefixBars ? 40u : 400u));
      if (n != kPrefixBars) continue;
      all.bars_with_pending += c.bars_with_pending;
      all.bars_with_oca += c.bars_with_oca;
      all.bars_with_stop_triggered += c.bars_with_stop_triggered;
      all.bars_with_trail += c.bars_with_trail;
      all.bars_with_partial += c.bars_with_partial;
      all.bars_with_pyramid += c.bars_with_pyramid;
      all.bars_halted_for_day += c.bars_halted_for_day;
      all.bars_with_losing_days += c.bars_with_losing_days;
      all.bars_with_day_fills += c.bars_with_day_fills;
      all.partial_closes += c.partial_closes;
    }
  }
  CHECK(scripts >= 3);
  // Within the exhaustive prefix, summed over the strategy scripts.
  CHECK(all.bars_with_pending >= 20);
  CHECK(all.bars_with_oca >= 5);
  CHECK(all.bars_with_trail >= 10);
  CHECK(all.bars_with_partial >= 10);
  CHECK(all.bars_with_pyramid >= 20);
  CHECK(all.partial_closes >= 5);
  CHECK(all.bars_with_stop_triggered >= 5);
  CHECK(all.bars_halted_for_day >= 2);
  CHECK(all.bars_with_losing_days >= 10);
  CHECK(all.bars_with_day_fills >= 20);
}

// Proves the core invariant exhaustively on a 300-bar prefix: for every k in
// 0..300 (k = 0 saves a fresh instance, k = 300 one that has seen every bar),
// save after k bars + restore into a new instance + run the rest gives the
// straight run's outputs from bar k on. Also proves, at every k, that
// save -> restore -> save is byte-identical, that the restored instance
// reports the right counters, and that saving does not disturb the instance
// that was saved (the instance saved 301 times still matches the straight run).
TEST_CASE("split-run: every k on the first 300 bars") {
  const std::vector<Bar> bars = prefix_bars(kPrefixBars);
  const std::size_t n = bars.size();
  for (const Script& script : all_scripts()) {
    INFO("script ", script.name);
    const Trace straight = straight_run(script, bars);
    Instance saved = fresh_instance(script, n);
    Trace saved_trace;
    std::size_t mismatches = 0;
    for (std::size_t k = 0; k <= n; ++k) {
      INFO("k = ", k);
      const Bytes bytes = save_state(saved);
      Instance restored = restore(bytes, *script.program, n);
      CHECK(restored.bars_processed() == static_cast<std::int64_t>(k));
      CHECK(restored.last_bar_time() == (k == 0 ? kIntNa : bars[k - 1].time));
      const Bytes again = save_state(restored);
      if (again != bytes) {
        FAIL_CHECK("save -> restore -> save is not byte-identical (" << bytes.size() << " vs " << again.size()
                                                                     << " bytes)");
        ++mismatches;
      }
      Trace split;
      split.first = k;
      run_range(restored, bars, k, n, split);
      const std::string diff = compare_suffix(straight, split);
      if (!diff.empty()) {
        FAIL_CHECK(diff);
        ++mismatches;
      }
      if (mismatches > 5) break;  // one script, one bug: keep the report readable
      if (k == n) break;
      run_range(saved, bars, k, k + 1, saved_trace);
      if (saved_trace.error) break;  // the straight run stops here too
    }
    const std::string diff = compare_suffix(straight, saved_trace);
    CHECK_MESSAGE(diff.empty(), "the instance that was saved at every bar: " << diff);
  }
}

// Proves the invariant over the full 2,600 bars for k in {0, 1, N/2, N-1, N}
// and five pseudo-random k (fixed seed, printed on failure), including the
// byte identity of save -> restore -> save at those k.
TEST_CASE("split-run: selected k on the full data") {
  const std::vector<Bar>& bars = sample_bars();
  const std::size_t n = bars.size();
  std::vector<std::size_t> ks = {0, 1, n / 2, n - 1, n};
  std::mt19937_64 rng(20240611);
  for (int i = 0; i < 5; ++i) ks.push_back(static_cast<std::size_t>(rng() % n));
  for (const Script& script : all_scripts()) {
    INFO("script ", script.name);
    const Trace straight = straight_run(script, bars);
    for (std::size_t k : ks) {
      INFO("k = ", k);
      Instance inst = fresh_instance(script, n);
      Trace split;
      run_range(inst, bars, 0, k, split);
      if (split.error) continue;  // the straight run errs before k: nothing to save
      split = Trace{};
      split.first = k;
      const Bytes bytes = save_state(inst);
      Instance restored = restore(bytes, *script.program, n);
      CHECK(save_state(restored) == bytes);
      run_range(restored, bars, k, n, split);
      const std::string diff = compare_suffix(straight, split);
      CHECK_MESSAGE(diff.empty(), diff);
    }
  }
}

// Proves that snapshots compose: two and three consecutive splits (restore,
// run, save, restore, run...), including repeated cuts at the same bar and
// cuts at 0 and at the end, give the straight run's outputs.
TEST_CASE("split-run: two and three consecutive splits") {
  const std::vector<Bar> bars = prefix_bars(kPrefixBars);
  const std::size_t n = bars.size();
  std::vector<std::vector<std::size_t>> chains = {
      {0, 0},       {1, 2},        {100, 200},    {150, 150},   {0, n},       {n - 1, n},
      {10, 20, 30}, {0, 150, 299}, {7, 7, 250},   {1, n - 1, n}, {0, 0, 0},   {99, 100, 101},
  };
  std::mt19937_64 rng(77);
  for (int i = 0; i < 6; ++i) {
    std::vector<std::size_t> c(2 + static_cast<std::size_t>(i % 2));
    for (std::size_t& x : c) x = static_cast<std::size_t>(rng() % (n + 1));
    std::sort(c.begin(), c.end());
    chains.push_back(c);
  }
  for (const Script& script : all_scripts()) {
    INFO("script ", script.name);
    const Trace straight = straight_run(script, bars);
    for (const std::vector<std::size_t>& cuts : chains) {
      std::ostringstream label;
      for (std::size_t c : cuts) label << c << " ";
      INFO("cuts at ", label.str());
      const std::string diff = compare_suffix(straight, chained_run(script, bars, cuts));
      CHECK_MESSAGE(diff.empty(), diff);
    }
  }
}

// Proves restored instances are independent: four instances restored (on
// their own threads, concurrently) from the same bytes and run side by side
// give identical outputs, equal to the straight run's: no mutable state is
// shared between instances (a race on one would corrupt some results, and
// under ASan may be reported as a memory error).
TEST_CASE("split-run: four instances restored from the same bytes on four threads") {
  const std::vector<Bar>& bars = sample_bars();
  const std::size_t n = bars.size();
  const std::size_t k = n / 3;
  for (const Script& script : all_scripts()) {
    INFO("script ", script.name);
    const Trace straight = straight_run(script, bars);
    if (straight.bars.size() < k) continue;  // errs before k
    Instance inst = fresh_instance(script, n);
    Trace prefix;
    run_range(inst, bars, 0, k, prefix);
    const Bytes bytes = save_state(inst);
    std::vector<Trace> traces(4);
    std::vector<std::string> failures(4);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        try {
          Instance mine = restore(bytes, *script.program, n);
          traces[t].first = k;
          run_range(mine, bars, k, n, traces[t]);
        } catch (const std::exception& e) {
          failures[t] = e.what();
        }
      });
    }
    for (std::thread& th : threads) th.join();
    for (std::size_t t = 0; t < 4; ++t) {
      INFO("thread ", t);
      CHECK(failures[t] == "");
      const std::string diff = compare_suffix(straight, traces[t]);
      CHECK_MESSAGE(diff.empty(), diff);
    }
  }
}

// Proves the configuration travels in the snapshot: an instance built with
// non-default inputs, symbol and timeframe restores with exactly that
// configuration and continues with the non-default results, which differ
// from the defaults' (so the inputs really matter to this script).
TEST_CASE("split-run: non-default inputs survive a restore") {
  const fs::path path = fs::path(PINEVM_SOURCE_DIR) / "tests/snapshot/scripts/inputs.pine";
  std::optional<Script> script = load_script(path);
  REQUIRE(script);
  const std::vector<Bar> bars = prefix_bars(kPrefixBars);
  const std::size_t n = bars.size();
  auto build = [&] {
    Instance inst = InstanceBuilder(script->program)
                        .input("Length", "20")
                        .input("Mult", "1.5")
                        .input("Use EMA", "true")
                        .input("Tag", "zz")
                        .symbol("BINANCE:BTCUSDT")
                        .timeframe("60")
                        .build();
    inst.set_last_bar_index(static_cast<std::int64_t>(n) - 1);
    return inst;
  };
  Instance straight_inst = build();
  Trace straight;
  run_range(straight_inst, bars, 0, n, straight);
  const Trace defaults = straight_run(*script, bars);
  CHECK_FALSE(compare_suffix(defaults, straight).empty());

  for (std::size_t k : {0, 1, 19, 20, 150, 299}) {
    INFO("k = ", k);
    Instance inst = build();
    Trace prefix;
    run_range(inst, bars, 0, k, prefix);
    const Bytes bytes = save_state(inst);
    Instance restored = RestoreBuilder(bytes).expect_program(*script->program).expect_config(inst.config()).build();
    restored.set_last_bar_index(static_cast<std::int64_t>(n) - 1);
    const InstanceConfig& a = inst.config();
    const InstanceConfig& b = restored.config();
    REQUIRE(a.input_values.size() == b.input_values.size());
    for (std::size_t i = 0; i < a.input_values.size(); ++i) CHECK(a.input_values[i].u == b.input_values[i].u);
    CHECK(a.input_strings == b.input_strings);
    CHECK(b.symbol == "BINANCE:BTCUSDT");
    CHECK(b.timeframe == "60");
    Trace split;
    split.first = k;
    run_range(restored, bars, k, n, split);
    const std::string diff = compare_suffix(straight, split);
    CHECK_MESSAGE(diff.empty(), diff);
  }
}
