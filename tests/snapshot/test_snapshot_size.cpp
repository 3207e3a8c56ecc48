// Snapshot size does not grow with the number of bars processed: series
// keep only the history the program can read, and save_state() collects
// unreachable objects and strings first. Checked on the benchmark's
// reference scripts (bench/scripts/*.pine): the raw payload after 2,600 bars
// is no bigger than after 800 bars, give or take what the scripts keep by
// design (a map with at most 15 keys, strings of varying length, a
// strategy's closed trades).
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "bars_csv.h"
#include "pine/compiler/compile.h"
#include "pine/snapshot/snapshot.h"
#include "vm/vm_helpers.h"

namespace fs = std::filesystem;

namespace {

/// The uncompressed payload size of a snapshot of `inst`.
std::uint64_t raw_size(pine::Instance& inst) {
  return pine::snapshot::read_header(pine::save_state(inst)).payload_uncompressed_size;
}

/// The most a closed trade adds to a payload: 20 numbers and 4 short
/// strings (ids and comments of a few characters), about 240 bytes.
constexpr std::uint64_t kTradeRecordBytes = 300;

} // namespace

TEST_CASE("snapshot size: flat in the number of bars for every reference script") {
  const std::vector<pine::Bar> bars =
      pine::cli::read_bars_file((fs::path(PINEVM_SOURCE_DIR) / "examples/data/sample_ohlcv.csv").string());
  std::size_t scripts = 0;
  for (const fs::directory_entry& e : fs::directory_iterator(fs::path(PINEVM_SOURCE_DIR) / "bench/scripts")) {
    if (e.path().extension() != ".pine") continue;
    INFO("script ", e.path().filename().string());
    pine::Instance inst = pine::InstanceBuilder(compile_file_ok(e.path().string())).build();
    std::uint64_t at_800 = 0;
    std::size_t trades_at_800 = 0;
    for (std::size_t i = 0; i < bars.size(); ++i) {
      inst.run_bar(bars[i]);
      if (i + 1 == 800) {
        at_800 = raw_size(inst);
        trades_at_800 = inst.closed_trades().size();
      }
    }
    const std::uint64_t at_end = raw_size(inst);
    const std::size_t new_trades = inst.closed_trades().size() - trades_at_800;
    MESSAGE(e.path().filename().string() << ": raw payload " << at_800 << " bytes after 800 bars, " << at_end
                                         << " after " << bars.size() << " (" << new_trades << " trades closed between)");
    // 256 bytes: room for the map's keys and strings that change length;
    // any per-bar growth (history or garbage) would add kilobytes. A
    // strategy keeps every closed trade (its whole List of trades travels
    // with it), one record of about 240 bytes each, and nothing per bar.
    CHECK(at_end <= at_800 + 256 + kTradeRecordBytes * new_trades);
    ++scripts;
  }
  CHECK(scripts >= 5);
}
