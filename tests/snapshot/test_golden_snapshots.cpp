// Compatibility: snapshots written by earlier builds (tests/data/snapshots,
// listed in manifest.txt with the bars they had seen) must restore with this
// build and continue exactly as an uninterrupted run would.
//
// The reference is computed now, not stored: a fresh instance of the
// snapshot's own embedded program and configuration runs the same bars
// straight (the first BARS bars with the last bar index the writer saw, as
// `pinevm run` on a BARS-bar file did, then the rest of the sample data).
// So the test keeps passing across legitimate changes of semantics, and
// fails only when an old snapshot no longer restores, or restores into a
// different state. For a strategy the comparison includes its ledger
// (every trade and the summary, bit for bit) where the snapshot was taken,
// after every bar that follows and at the end. Unlike an indicator's state,
// a broker's holds results of the fill rules (its trades): a build that
// fills the same orders differently fails here by design, since its
// restored instances would not continue like its straight runs; such a
// change breaks strategy snapshots and must say so (docs/snapshot-format.md,
// section 9). Changing the format means a new version with its own golden
// files, and either keeping the old reader or documenting the break in
// docs/snapshot-format.md.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bars_csv.h"
#include "pine/snapshot/snapshot.h"
#include "snapshot/split_run_support.h"

namespace fs = std::filesystem;
using namespace split_run;

namespace {

const fs::path kGolden = fs::path(PINEVM_SOURCE_DIR) / "tests" / "data" / "snapshots";

/// One line of manifest.txt.
struct GoldenEntry {
  std::string file;
  std::size_t bars = 0;
};

std::vector<GoldenEntry> read_manifest() {
  std::ifstream in(kGolden / "manifest.txt");
  REQUIRE(in.good());
  std::vector<GoldenEntry> out;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    GoldenEntry e;
    words >> e.file >> e.bars;
    REQUIRE_MESSAGE(!words.fail(), "bad manifest line: " << line);
    out.push_back(e);
  }
  return out;
}

} // namespace

// Proves every file of manifest.txt (indicators and strategies) restores
// with this build, holds what a straight run holds at its bar (for a
// strategy, the whole ledger), continues bit for bit like it, and saves
// back to the same payload.
TEST_CASE("golden snapshots of format version 1 restore and continue like a straight run") {
  const std::vector<Bar> bars = cli::read_bars_file((fs::path(PINEVM_SOURCE_DIR) / "examples/data/sample_ohlcv.csv").string());
  const std::int64_t last = static_cast<std::int64_t>(bars.size()) - 1;
  const std::vector<GoldenEntry> entries = read_manifest();
  CHECK(entries.size() >= 11);  // manifest.txt lists eleven, two of them strategies
  std::size_t strategies = 0;
  for (const GoldenEntry& g : entries) {
    INFO("golden ", g.file);
    const std::vector<std::uint8_t> bytes = snapshot::read_file((kGolden / g.file).string());
    CHECK(snapshot::read_header(bytes).format_version == 1);

    Instance restored = RestoreBuilder(bytes).build();
    CHECK(restored.bars_processed() == static_cast<std::int64_t>(g.bars));
    REQUIRE(restored.last_bar_time() == bars[g.bars - 1].time);
    restored.set_last_bar_index(last);
    // A strategy's whole ledger as the snapshot holds it, before any bar
    // runs on it.
    const std::string at_restore = ledger_text(restored, 0);
    Trace continued;
    continued.first = g.bars;
    run_range(restored, bars, g.bars, bars.size(), continued);

    Instance straight_inst(restored.program_ptr(), restored.config());
    straight_inst.set_last_bar_index(static_cast<std::int64_t>(g.bars) - 1);
    Trace straight;
    run_range(straight_inst, bars, 0, g.bars, straight);
    if (restored.is_strategy()) {
      ++strategies;
      CHECK(restored.closed_trades().size() >= 50);
      CHECK_MESSAGE(at_restore == straight.final_ledger, first_ledger_difference(straight.final_ledger, at_restore));
    }
    straight_inst.set_last_bar_index(last);
    run_range(straight_inst, bars, g.bars, bars.size(), straight);

    CHECK(continued.bars.size() + g.bars == straight.end());
    const std::string diff = compare_suffix(straight, continued);
    CHECK_MESSAGE(diff.empty(), diff);
    // While this build writes format version 1 itself, the restored
    // instance saves back to the very same payload: nothing was lost or
    // reinterpreted (the header may differ in its engine version).
    if (snapshot::kFormatVersion == 1) {
      Instance again = RestoreBuilder(bytes).build();
      CHECK(snapshot::open_snapshot(save_state(again)).payload == snapshot::open_snapshot(bytes).payload);
    }
  }
  CHECK(strategies >= 2);
}
