// Hostile snapshots of strategy instances (docs/snapshot-format.md, 6.7
// and 7.6): the broker section of the instance state and the strategy
// section of the program bytes. A crafted or damaged section must be
// rejected as SnapshotError(Corrupt), or restore a broker that then runs
// like any other; never a crash, another exception type or a huge
// allocation, and never a value the broker could not have produced that
// then changes what it does.
//
// The base snapshot is tests/snapshot/scripts/strategy_orders.pine saved at
// the first bar after 150 where its broker holds pending orders, exit rules
// with legs (one with an active trailing stop), open trades and closed
// trades, so every kind of record is in the bytes being attacked.
//
// Crafted payloads are built two ways: by changing the broker in memory
// and saving it (for values the C++ types can hold), and by patching the
// decompressed payload at an offset found by walking the documented layout
// (for bytes they cannot, such as a flag of 2), then re-sealing with valid
// checksums.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "bars_csv.h"
#include "crafted_snapshots.h"
#include "instance_state.h"
#include "pine/compiler/compile.h"
#include "pine/snapshot/envelope.h"
#include "pine/snapshot/snapshot.h"
#include "pine/vm/instance.h"
#include "snapshot_outcome.h"
#include "split_run_support.h"
#include "strategy/strategy_archive.h"

using namespace pine;
using namespace pine::snapshot;

namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;
using pine::test::outcome;

/// The bundled 2,600-bar sample data, read once.
const std::vector<Bar>& sample_bars() {
  static const std::vector<Bar> bars =
      cli::read_bars_file((fs::path(PINEVM_SOURCE_DIR) / "examples/data/sample_ohlcv.csv").string());
  return bars;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::shared_ptr<const Program> compile_or_die(const std::string& source) {
  CompileResult r = compile(source);
  if (!r.ok()) FAIL(r.format(source, "script.pine"));
  return r.program;
}

/// tests/snapshot/scripts/strategy_orders.pine, compiled once.
const std::shared_ptr<const Program>& orders_program() {
  static const std::shared_ptr<const Program> p =
      compile_or_die(read_text(fs::path(PINEVM_SOURCE_DIR) / "tests/snapshot/scripts/strategy_orders.pine"));
  return p;
}

Instance fresh_orders_instance() {
  Instance inst = InstanceBuilder(orders_program()).symbol("NASDAQ:AAPL").timeframe("1D").build();
  inst.set_last_bar_index(static_cast<std::int64_t>(sample_bars().size()) - 1);
  return inst;
}

Broker& broker_of(Instance& inst) { return *inst.state().broker; }

} // namespace

// A broker whose records are as small as the format allows (empty ids and
// comments) restores: the reader bounds each count by the remaining input
// divided by a record's fewest bytes, and a bound larger than the real
// minimum rejected valid snapshots as "element count larger than the
// remaining input" (it did for 20 closed trades with short ids). Two
// hundred records of each kind, then save -> restore -> save is identical.
TEST_CASE("hostile strategy: a broker of minimal records restores") {
  Instance inst = fresh_orders_instance();
  for (std::size_t i = 0; i < 3; ++i) inst.run_bar(sample_bars()[i]);
  Broker& b = broker_of(inst);
  b.orders_.clear();
  b.exits_.clear();
  b.open_.clear();
  b.closed_.clear();
  b.next_trade_number_ = 401;
  b.next_seq_ = 401;
  for (std::int64_t i = 0; i < 200; ++i) {
    PendingOrder o;
    o.direction = kStrategyLong;
    o.qty = 1;
    o.limit = 1;  // far below the sample prices: stays pending
    o.seq = static_cast<std::uint64_t>(i + 1);
    b.orders_.push_back(o);
    ExitRule r;
    r.seq = static_cast<std::uint64_t>(201 + i);
    b.exits_.push_back(r);
    TradeRecord t;
    t.number = i + 1;
    t.direction = kStrategyLong;
    t.qty = 1;
    t.entry_price = 100;
    t.exit_price = 101;
    b.closed_.push_back(t);
    t.number = 201 + i;
    b.open_.push_back(t);
  }
  const Bytes bytes = save_state(inst);
  const std::string got = outcome([&] {
    Instance r = RestoreBuilder(bytes).expect_program(*orders_program()).build();
    CHECK(r.open_trades().size() == 200);
    CHECK(r.closed_trades().size() == 200);
    CHECK(save_state(r) == bytes);
  });
  CHECK(got == "success");
}
