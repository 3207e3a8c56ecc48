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
#include <bit>
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
#include "sample_bars.h"
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

using pine::test::sample_bars;

namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;
using pine::test::outcome;

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

const Broker& broker_of(const Instance& inst) { return *inst.state().broker; }
Broker& broker_of(Instance& inst) { return *inst.state().broker; }

/// Restores `bytes` expecting the orders program and runs `bars` more
/// sample bars from `from`; a script RuntimeError ends the run quietly.
std::string restore_and_run(const Bytes& bytes, std::size_t from, std::size_t bars) {
  return outcome([&] {
    Instance inst = RestoreBuilder(bytes).expect_program(*orders_program()).build();
    inst.set_last_bar_index(static_cast<std::int64_t>(sample_bars().size()) - 1);
    for (std::size_t i = from; i < from + bars && i < sample_bars().size(); ++i) {
      try {
        inst.run_bar(sample_bars()[i]);
      } catch (const RuntimeError&) {
        return;
      }
    }
  });
}

/// The base snapshot and the bars it has seen.
struct Base {
  Bytes bytes;
  std::size_t bars = 0;
};

/// The orders script saved at the first bar from 150 on where its broker
/// holds a waiting OCA order, an exit rule with an active trailing stop,
/// two open trades and closed trades.
const Base& base() {
  static const Base b = [] {
    Instance inst = fresh_orders_instance();
    for (std::size_t i = 0; i < sample_bars().size(); ++i) {
      inst.run_bar(sample_bars()[i]);
      const Broker& br = broker_of(inst);
      bool oca = false, trail = false;
      for (const PendingOrder& o : br.orders_) oca = oca || o.oca_type != OcaType::None;
      for (const ExitRule& r : br.exits_)
        for (const ExitRule::Leg& leg : r.legs) trail = trail || leg.trail_active;
      if (i + 1 >= 150 && oca && trail && br.open_.size() >= 2 && !br.closed_.empty())
        return Base{save_state(inst), i + 1};
    }
    FAIL("the orders script never holds every kind of broker record at once");
    return Base{};
  }();
  return b;
}

/// The broker section alone, as save_broker writes it (without the
/// endianness byte of the stand-alone archive).
Bytes broker_section(const Broker& b) {
  std::ostringstream os(std::ios::binary);
  {
    archive::Out ar(os);
    save_broker(ar, b);
  }
  const std::string s = os.str();
  return Bytes(s.begin() + 1, s.end());
}

std::uint64_t get_le(const Bytes& b, std::size_t at, std::size_t width = 8) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < width; ++i) v |= static_cast<std::uint64_t>(b[at + i]) << (8 * i);
  return v;
}

void put_le(Bytes& b, std::size_t at, std::uint64_t v, std::size_t width = 8) {
  for (std::size_t i = 0; i < width; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

/// Offsets of the broker section's fields in a decompressed payload, found
/// by walking the layout of docs/snapshot-format.md (7.6) from the
/// section's first byte: "next_trade_number", "order0.kind",
/// "exit1.leg0.trail_active", "open0.qty", "risk.halted"... The walk must
/// end exactly at the end of the payload, so a layout change fails here.
struct BrokerLayout {
  std::size_t begin = 0;
  std::map<std::string, std::size_t> at;
  std::size_t operator[](const std::string& name) const {
    const auto it = at.find(name);
    REQUIRE_MESSAGE(it != at.end(), "no field " << name);
    return it->second;
  }
};

BrokerLayout walk_broker(const Bytes& p, std::size_t begin) {
  BrokerLayout l;
  l.begin = begin;
  std::size_t pos = begin;
  auto field = [&](const std::string& name, std::size_t width) {
    REQUIRE(pos + width <= p.size());
    l.at[name] = pos;
    pos += width;
  };
  auto number = [&](const std::string& name) { field(name, 8); };
  auto text = [&](const std::string& name) {
    number(name);
    const std::uint64_t n = get_le(p, l.at[name]);
    REQUIRE(n <= p.size() - pos);
    pos += static_cast<std::size_t>(n);
  };
  for (const char* n : {"next_trade_number", "next_seq", "bar_index", "last_equity", "bar.time", "bar.open", "bar.high",
                        "bar.low", "bar.close", "bar.volume"})
    number(n);
  number("orders");
  for (std::uint64_t i = 0, n = get_le(p, l.at["orders"]); i < n; ++i) {
    const std::string o = "order" + std::to_string(i) + ".";
    field(o + "kind", 1);
    text(o + "id");
    for (const char* f : {"direction", "qty", "qty_percent", "limit", "stop"}) number(o + f);
    field(o + "stop_triggered", 1);
    text(o + "oca_name");
    field(o + "oca_type", 1);
    text(o + "comment");
    number(o + "placed_bar");
    number(o + "seq");
  }
  number("exits");
  for (std::uint64_t i = 0, n = get_le(p, l.at["exits"]); i < n; ++i) {
    const std::string r = "exit" + std::to_string(i) + ".";
    for (const char* f : {"id", "from_entry", "oca_name", "comment", "comment_profit", "comment_loss", "comment_trailing"})
      text(r + f);
    for (const char* f : {"qty", "qty_percent", "profit", "limit", "loss", "stop", "trail_price", "trail_points",
                          "trail_offset", "placed_bar", "seq"})
      number(r + f);
    number(r + "legs");
    for (std::uint64_t j = 0, m = get_le(p, l.at[r + "legs"]); j < m; ++j) {
      const std::string g = r + "leg" + std::to_string(j) + ".";
      for (const char* f : {"trade", "allocated", "closed", "trail_best"}) number(g + f);
      field(g + "trail_active", 1);
    }
  }
  for (const char* list : {"open", "closed"}) {
    number(list);
    for (std::uint64_t i = 0, n = get_le(p, l.at[list]); i < n; ++i) {
      const std::string t = list + std::to_string(i) + ".";
      for (const char* f : {"number", "direction", "qty"}) number(t + f);
      text(t + "entry_id");
      text(t + "entry_comment");
      for (const char* f : {"entry_price", "entry_bar_index", "entry_time", "entry_commission"}) number(t + f);
      text(t + "exit_id");
      text(t + "exit_comment");
      for (const char* f : {"exit_price", "exit_bar_index", "exit_time", "exit_commission", "max_runup", "max_drawdown",
                            "profit", "cumulative_profit", "best_price", "worst_price", "entry_order_bar"})
        number(t + f);
    }
  }
  for (const char* f : {"netprofit", "grossprofit", "grossloss", "wins", "losses", "evens", "commission_paid",
                        "max_held_all", "max_held_long", "max_held_short", "peak_equity", "trough_equity",
                        "max_drawdown", "max_drawdown_percent", "max_runup", "max_runup_percent", "sum_profit_percent",
                        "sum_win_percent", "sum_loss_percent", "margin_calls"})
    number(std::string("totals.") + f);
  for (const char* f : {"allow_entry_in", "max_cons_loss_days", "max_drawdown", "max_intraday_filled_orders",
                        "max_intraday_loss", "max_position_size"})
    number(std::string("rules.") + f);
  field("rules.max_drawdown_percent", 1);
  field("rules.max_intraday_loss_percent", 1);
  for (const char* f : {"day", "day_start_equity", "day_fills", "losing_days"}) number(std::string("risk.") + f);
  field("risk.halted_for_day", 1);
  field("risk.halted", 1);
  for (const char* f : {"first_open", "month", "month_start_equity"}) number(std::string("report.") + f);
  for (const char* f : {"count", "mean", "m2", "downside"}) number(std::string("months.") + f);
  CHECK_MESSAGE(pos == p.size(), "the broker walk ended at " << pos << " of " << p.size());
  return l;
}

/// The base snapshot opened, with its broker section located and walked.
struct Opened {
  OpenedSnapshot snapshot;
  BrokerLayout layout;
  std::size_t state_size_at = 0;  ///< the payload's u64 state blob size
  std::size_t state_at = 0;
};

const Opened& opened_base() {
  static const Opened o = [] {
    Opened x{open_snapshot(base().bytes), {}, 0, 0};
    const Bytes& p = x.snapshot.payload;
    x.state_size_at = 13 + static_cast<std::size_t>(get_le(p, 5));
    x.state_at = x.state_size_at + 8;
    REQUIRE(x.state_at + get_le(p, x.state_size_at) == p.size());
    const Instance inst = RestoreBuilder(base().bytes).build();
    const Bytes section = broker_section(broker_of(inst));
    REQUIRE(section.size() < p.size() - x.state_at);
    REQUIRE(std::equal(section.begin(), section.end(), p.end() - static_cast<std::ptrdiff_t>(section.size())));
    x.layout = walk_broker(p, p.size() - section.size());
    return x;
  }();
  return o;
}

/// The base payload with `edit` applied, re-sealed with valid checksums.
Bytes patched(const std::function<void(Bytes&, const BrokerLayout&)>& edit) {
  const Opened& o = opened_base();
  Bytes p = o.snapshot.payload;
  edit(p, o.layout);
  return seal_snapshot(o.snapshot.header, p);
}

Bytes with_u64(const std::string& field, std::uint64_t v) {
  return patched([&](Bytes& p, const BrokerLayout& l) { put_le(p, l[field], v); });
}
Bytes with_i64(const std::string& field, std::int64_t v) { return with_u64(field, static_cast<std::uint64_t>(v)); }
Bytes with_f64(const std::string& field, double v) { return with_u64(field, std::bit_cast<std::uint64_t>(v)); }
Bytes with_u8(const std::string& field, std::uint8_t v) {
  return patched([&](Bytes& p, const BrokerLayout& l) { p[l[field]] = v; });
}

/// Restores a patched base snapshot and runs 30 bars after it.
std::string run_patched(const Bytes& bytes) { return restore_and_run(bytes, base().bars, 30); }

/// Its SnapshotError message, "" when it restores.
std::string message_of(const Bytes& bytes) {
  return pine::test::snapshot_error_message([&] { (void)RestoreBuilder(bytes).build(); });
}

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

// The allocation tracker of test_restore_hostile.cpp (same executable):
// while active it records the largest single request and refuses those
// above its ceiling with std::bad_alloc.
namespace hostile_alloc {
extern std::atomic<bool> active;
extern std::atomic<std::size_t> largest;
} // namespace hostile_alloc

namespace {

/// Tracks the largest allocation while alive.
struct LargestAllocation {
  LargestAllocation() {
    hostile_alloc::largest.store(0);
    hostile_alloc::active.store(true);
  }
  ~LargestAllocation() { hostile_alloc::active.store(false); }
  std::size_t get() const { return hostile_alloc::largest.load(); }
};

} // namespace

// Proves the base snapshot is what the other cases assume: it restores and
// continues exactly like the straight run (plots, logs and the ledger bit
// for bit), its broker section is the tail of the state archive, and the
// documented layout walked from the section's first byte ends exactly at
// the end of the payload and finds the broker's own counts.
TEST_CASE("hostile strategy: the base snapshot restores, continues, and its broker section walks as documented") {
  const Base& b = base();
  const Opened& o = opened_base();
  const Instance saved = RestoreBuilder(b.bytes).build();
  const Broker& br = broker_of(saved);
  const BrokerLayout& l = o.layout;
  const Bytes& p = o.snapshot.payload;
  CHECK(get_le(p, l["orders"]) == br.orders_.size());
  CHECK(get_le(p, l["exits"]) == br.exits_.size());
  CHECK(get_le(p, l["open"]) == br.open_.size());
  CHECK(get_le(p, l["closed"]) == br.closed_.size());
  CHECK(static_cast<std::int64_t>(get_le(p, l["next_trade_number"])) == br.next_trade_number_);
  CHECK(p[l["risk.halted"]] == 0);
  MESSAGE("base: " << b.bars << " bars, broker section " << p.size() - l.begin << " bytes: " << br.orders_.size()
                   << " orders, " << br.exits_.size() << " exit rules, " << br.open_.size() << " open and "
                   << br.closed_.size() << " closed trades");

  const split_run::Script script{"strategy_orders.pine", orders_program()};
  const split_run::Trace straight = split_run::straight_run(script, sample_bars());
  Instance restored = split_run::restore(b.bytes, *orders_program(), sample_bars().size());
  split_run::Trace rest;
  rest.first = b.bars;
  split_run::run_range(restored, sample_bars(), b.bars, sample_bars().size(), rest);
  const std::string diff = split_run::compare_suffix(straight, rest);
  CHECK_MESSAGE(diff.empty(), diff);
}

// Proves a broker section cut at any byte is rejected as Corrupt (the state
// blob's size is made to agree, so only the broker reader can notice):
// every length from 0 to one byte short of the whole section.
TEST_CASE("hostile strategy: the broker section truncated at every byte is Corrupt") {
  const Opened& o = opened_base();
  const std::size_t begin = o.layout.begin, end = o.snapshot.payload.size();
  std::map<std::string, int> messages;
  for (std::size_t cut = begin; cut < end; ++cut) {
    Bytes p(o.snapshot.payload.begin(), o.snapshot.payload.begin() + static_cast<std::ptrdiff_t>(cut));
    put_le(p, o.state_size_at, cut - o.state_at);
    const Bytes sealed = seal_snapshot(o.snapshot.header, p);
    INFO("cut at broker byte ", cut - begin, " of ", end - begin);
    CHECK(outcome([&] { (void)RestoreBuilder(sealed).build(); }) == "corrupt");
    const std::string m = message_of(sealed);
    ++messages[m.substr(0, m.find(" ("))];
  }
  std::ostringstream os;
  for (const auto& [m, n] : messages) os << "\n  " << n << " x " << m;
  MESSAGE((end - begin) << " truncations:" << os.str());
}

// Proves every enum byte and flag of the broker section is checked: an
// order kind above 3, an OCA type above 2 and any flag other than 0 or 1
// are Corrupt, while each valid value restores and runs (so the checks
// reject exactly the bad values).
TEST_CASE("hostile strategy: bad order kinds, OCA types and flags are Corrupt") {
  struct Byte {
    std::string field;
    int valid;  ///< values 0..valid-1 are valid
  };
  const std::vector<Byte> bytes = {
      {"order0.kind", 4},          {"order0.oca_type", 3},         {"order0.stop_triggered", 2},
      {"exit0.leg0.trail_active", 2}, {"rules.max_drawdown_percent", 2}, {"rules.max_intraday_loss_percent", 2},
      {"risk.halted_for_day", 2},  {"risk.halted", 2},
  };
  for (const Byte& f : bytes) {
    INFO("field ", f.field);
    for (int v = 0; v < f.valid; ++v) {
      INFO("valid value ", v);
      CHECK(run_patched(with_u8(f.field, static_cast<std::uint8_t>(v))) == "success");
    }
    for (int v : {f.valid, f.valid + 1, 0x7F, 0x80, 0xFF}) {
      INFO("bad value ", v);
      CHECK(run_patched(with_u8(f.field, static_cast<std::uint8_t>(v))) == "corrupt");
    }
  }
  CHECK(message_of(with_u8("order0.kind", 4)).find("bad order kind") != std::string::npos);
  CHECK(message_of(with_u8("order0.oca_type", 3)).find("bad OCA type") != std::string::npos);
  CHECK(message_of(with_u8("risk.halted", 2)).find("strategy flag is not 0 or 1") != std::string::npos);
}

// Proves no count or length of the broker section can size an allocation:
// each of the order, exit-rule, leg, open-trade and closed-trade counts and
// a string length, set one past what the remaining input can hold, to
// 2^32, 2^62 and 2^64-1, is Corrupt, with no single allocation above 1 MiB.
TEST_CASE("hostile strategy: counts larger than the input are Corrupt without allocating them") {
  const Opened& o = opened_base();
  const std::size_t end = o.snapshot.payload.size();
  for (const char* field : {"orders", "exits", "exit0.legs", "open", "closed", "order0.id", "exit0.comment",
                            "closed0.exit_id"}) {
    INFO("field ", field);
    const std::size_t at = o.layout[field];
    for (std::uint64_t v : {std::uint64_t{end - at}, std::uint64_t{1} << 32, std::uint64_t{1} << 62, ~std::uint64_t{0}}) {
      INFO("value ", v);
      const Bytes bytes = with_u64(field, v);
      LargestAllocation largest;
      CHECK(outcome([&] { (void)RestoreBuilder(bytes).build(); }) == "corrupt");
      CHECK(largest.get() < (std::size_t{1} << 20));
    }
  }
}

// Proves the numbers the broker indexes by are range-checked: trade numbers
// of open and closed trades and of exit legs must lie in
// [1, next_trade_number), order and exit sequence numbers below next_seq,
// the broker's bar index at least -1, and next_trade_number itself in
// [1, 2^27 + 1] and above every trade's number; the count of months behind
// the report's ratios not negative.
TEST_CASE("hostile strategy: trade, sequence and bar numbers out of range are Corrupt") {
  const Instance saved = RestoreBuilder(base().bytes).build();
  const Broker& br = broker_of(saved);
  const std::int64_t next = br.next_trade_number_;
  const auto next_seq = static_cast<std::int64_t>(br.next_seq_);
  for (const char* field : {"open0.number", "open1.number", "closed0.number", "exit0.leg0.trade"}) {
    INFO("field ", field);
    for (std::int64_t v : {std::int64_t{0}, std::int64_t{-1}, next, next + 1, std::numeric_limits<std::int64_t>::max(),
                           std::numeric_limits<std::int64_t>::min()})
      CHECK(run_patched(with_i64(field, v)) == "corrupt");
  }
  CHECK(run_patched(with_i64("next_trade_number", 0)) == "corrupt");
  CHECK(run_patched(with_i64("next_trade_number", br.open_.back().number)) == "corrupt");
  CHECK(run_patched(with_i64("next_trade_number", (std::int64_t{1} << 27) + 2)) == "corrupt");
  CHECK(run_patched(with_i64("next_trade_number", next + 1000)) == "success");  // gaps are harmless
  CHECK(run_patched(with_i64("order0.seq", next_seq)) == "corrupt");
  CHECK(run_patched(with_i64("exit0.seq", next_seq)) == "corrupt");
  CHECK(run_patched(with_i64("next_seq", 0)) == "corrupt");
  CHECK(run_patched(with_i64("bar_index", -2)) == "corrupt");
  CHECK(run_patched(with_i64("bar_index", std::numeric_limits<std::int64_t>::min())) == "corrupt");
  CHECK(run_patched(with_i64("months.count", -1)) == "corrupt");
}

// Proves quantities, directions and percentages are checked where the
// broker sizes fills from them: an entry order's and a trade's quantity
// must be positive and finite, its direction long or short; an exit rule's
// quantity na or positive; percentages within [0, 100]; a leg's allocated
// and closed quantities finite and non-negative; allow_entry_in one of the
// three strategy.direction values.
TEST_CASE("hostile strategy: non-positive quantities, bad directions and percentages are Corrupt") {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  REQUIRE(broker_of(RestoreBuilder(base().bytes).build()).orders_[0].kind == PendingOrder::Kind::Entry);
  for (const char* field : {"order0.qty", "open0.qty", "open1.qty", "closed0.qty"}) {
    INFO("field ", field);
    for (double v : {0.0, -0.0, -1.0, nan, inf, -inf}) CHECK(run_patched(with_f64(field, v)) == "corrupt");
  }
  for (double v : {0.0, -1.0, inf}) CHECK(run_patched(with_f64("exit0.qty", v)) == "corrupt");
  for (const char* field : {"exit0.leg0.allocated", "exit0.leg0.closed"}) {
    INFO("field ", field);
    for (double v : {-1.0, nan, inf}) CHECK(run_patched(with_f64(field, v)) == "corrupt");
  }
  for (const char* field : {"order0.qty_percent", "exit0.qty_percent"}) {
    INFO("field ", field);
    for (double v : {-0.5, 100.5, nan, inf}) CHECK(run_patched(with_f64(field, v)) == "corrupt");
    CHECK(run_patched(with_f64(field, 0)) == "success");
  }
  for (const char* field : {"order0.direction", "open0.direction", "closed0.direction"}) {
    INFO("field ", field);
    for (std::int64_t v : {std::int64_t{0}, std::int64_t{2}, std::int64_t{-2}, std::numeric_limits<std::int64_t>::min()})
      CHECK(run_patched(with_i64(field, v)) == "corrupt");
  }
  for (std::int64_t v : {std::int64_t{2}, std::int64_t{-2}, std::numeric_limits<std::int64_t>::min()})
    CHECK(run_patched(with_i64("rules.allow_entry_in", v)) == "corrupt");
  for (std::int64_t v : {kDirectionAll, kStrategyLong, kStrategyShort})
    CHECK(run_patched(with_i64("rules.allow_entry_in", v)) == "success");
}

// Proves the broker reader holds at every position, not only at the fields
// named above: 2^64-1 written at every byte offset of the broker section,
// 2^33 at every fourth, and 3,000 random byte flips, insertions and deletions inside it
// (state size kept consistent, fixed seed), each end as Corrupt or restore
// a broker that runs 10 more bars; nothing else may escape (a script
// RuntimeError ends a run quietly) and no single allocation may exceed
// 64 MiB.
TEST_CASE("hostile strategy: huge integers at every offset and random damage of the broker section") {
  const Opened& o = opened_base();
  const Bytes& payload = o.snapshot.payload;
  const std::size_t begin = o.layout.begin, end = payload.size();
  std::map<std::string, int> stats;
  int failures = 0;
  auto judge = [&](const Bytes& p, const std::string& what) {
    const Bytes sealed = seal_snapshot(o.snapshot.header, p);
    std::string result;
    std::size_t big = 0;
    {
      LargestAllocation largest;
      result = restore_and_run(sealed, base().bars, 10);
      big = largest.get();
    }
    ++stats[result];
    if ((result != "corrupt" && result != "success") || big > (std::size_t{64} << 20)) {
      ++failures;
      if (failures <= 10) FAIL_CHECK(what << ": " << result << ", largest allocation " << big);
    }
  };
  // 2^33 at every fourth offset only, to keep the run short.
  for (std::uint64_t value : {~std::uint64_t{0}, std::uint64_t{1} << 33})
    for (std::size_t at = begin; at + 8 <= end; at += value == ~std::uint64_t{0} ? 1 : 4) {
      Bytes p = payload;
      put_le(p, at, value);
      judge(p, "value " + std::to_string(value) + " at broker byte " + std::to_string(at - begin));
    }
  std::mt19937_64 rng(0x5EED);
  for (int trial = 0; trial < 3000; ++trial) {
    Bytes p = payload;
    const std::size_t at = begin + static_cast<std::size_t>(rng() % (end - begin));
    switch (trial % 3) {
      case 0:
        for (int i = 0, n = 1 + static_cast<int>(rng() % 3); i < n; ++i)
          p[begin + static_cast<std::size_t>(rng() % (end - begin))] ^= static_cast<std::uint8_t>(1 + rng() % 255);
        break;
      case 1:
        p.insert(p.begin() + static_cast<std::ptrdiff_t>(at), 1 + rng() % 8, static_cast<std::uint8_t>(rng()));
        break;
      default:
        p.erase(p.begin() + static_cast<std::ptrdiff_t>(at),
                p.begin() + static_cast<std::ptrdiff_t>(std::min(end, at + 1 + static_cast<std::size_t>(rng() % 8))));
        break;
    }
    put_le(p, o.state_size_at, p.size() - o.state_at);
    judge(p, "random trial " + std::to_string(trial));
  }
  CHECK(failures == 0);
  std::ostringstream os;
  for (const auto& [r, n] : stats) os << " " << r << "=" << n;
  MESSAGE("broker section damage:" << os.str());
}


// Proves the risk rules and the risk counters are held to the values the
// strategy.risk.* commands and the broker produce: a count limit
// (max_cons_loss_days, max_intraday_filled_orders) na or at least 1, an
// amount limit (max_drawdown, max_intraday_loss, max_position_size) na or
// above 0, the day's fill count and the run of losing days not negative.
// The reader accepted any value, and the broker acted on it: a
// max_drawdown of -1 or a max_cons_loss_days of 0 closed every trade and
// stopped the strategy for good on the next bar, a max_intraday_loss of -1
// or a max_intraday_filled_orders of 0 every day, a max_position_size of -1
// refused every entry.
TEST_CASE("hostile strategy: risk rules and counters outside what a script can set are Corrupt") {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  const std::int64_t int_na = std::numeric_limits<std::int64_t>::min();
  for (const char* field : {"rules.max_cons_loss_days", "rules.max_intraday_filled_orders"}) {
    INFO("field ", field);
    for (std::int64_t v : {std::int64_t{0}, std::int64_t{-1}, int_na + 1})
      CHECK(run_patched(with_i64(field, v)) == "corrupt");
    for (std::int64_t v : {int_na, std::int64_t{1}, std::int64_t{1000}}) CHECK(run_patched(with_i64(field, v)) == "success");
  }
  for (const char* field : {"rules.max_drawdown", "rules.max_intraday_loss", "rules.max_position_size"}) {
    INFO("field ", field);
    for (double v : {0.0, -0.0, -1.0, -inf}) CHECK(run_patched(with_f64(field, v)) == "corrupt");
    for (double v : {nan, 0.5, 1e9, inf}) CHECK(run_patched(with_f64(field, v)) == "success");
  }
  for (const char* field : {"risk.day_fills", "risk.losing_days"}) {
    INFO("field ", field);
    for (std::int64_t v : {std::int64_t{-1}, int_na}) CHECK(run_patched(with_i64(field, v)) == "corrupt");
    CHECK(run_patched(with_i64(field, 3)) == "success");
  }
  CHECK(message_of(with_f64("rules.max_drawdown", -1)).find("risk rule out of range") != std::string::npos);
}

// Proves the open trades must be in increasing trade-number order, as the
// broker keeps them (it appends each new trade with the next number and
// only removes trades): a repeated number or two numbers swapped are
// Corrupt. The reader accepted both, and the restored broker then closed
// other trades than the straight run would (exit legs find their trade by
// number, FIFO closes by position).
TEST_CASE("hostile strategy: open trades out of number order are Corrupt") {
  const Instance saved = RestoreBuilder(base().bytes).build();
  const std::span<const TradeRecord> open = saved.open_trades();
  REQUIRE(open.size() >= 2);
  CHECK(run_patched(with_i64("open1.number", open[0].number)) == "corrupt");
  CHECK(run_patched(patched([&](Bytes& p, const BrokerLayout& l) {
          put_le(p, l["open0.number"], static_cast<std::uint64_t>(open[1].number));
          put_le(p, l["open1.number"], static_cast<std::uint64_t>(open[0].number));
        })) == "corrupt");
  // A gap (a number between two open trades' that no open trade has) is
  // what closing a trade leaves: it restores.
  if (open[1].number - open[0].number == 1)
    CHECK(run_patched(with_i64("open0.number", open[0].number - 1)) == "success");
  CHECK(message_of(with_i64("open1.number", open[0].number)).find("open trades out of number order") != std::string::npos);
}

// Proves an exit rule may hold only one leg per trade, as the broker gives
// it (attach_exits): two legs naming the same trade are Corrupt. The reader
// accepted them, and the broker finds a leg by its trade: the second leg's
// take-profit became an event that the first (already done) leg absorbed,
// so the exit never filled and every price leg of every bar ran 100,000
// empty events (tens of milliseconds a bar for one such rule; seconds for
// many). The same rule with legs on two different trades restores.
TEST_CASE("hostile strategy: an exit rule with two legs for one trade is Corrupt") {
  const std::shared_ptr<const Program> program =
      compile_or_die("//@version=6\nstrategy(\"legs\")\nplot(strategy.position_size)\n");
  auto with_legs = [&](std::int64_t second_trade) {
    Instance inst = InstanceBuilder(program).build();
    for (std::size_t i = 0; i < 5; ++i) inst.run_bar(sample_bars()[i]);
    Broker& b = broker_of(inst);
    TradeRecord t;
    t.direction = kStrategyLong;
    t.qty = 10;
    t.entry_id = "L";
    t.entry_price = t.best_price = t.worst_price = 50;
    for (std::int64_t n : {1, 2}) {
      t.number = n;
      b.open_.push_back(t);
    }
    b.next_trade_number_ = 3;
    ExitRule r;
    r.id = "X";
    r.profit = 1;
    r.seq = 1;
    b.next_seq_ = 2;
    ExitRule::Leg done;
    done.trade = 1;
    done.allocated = done.closed = 10;
    ExitRule::Leg waiting = done;
    waiting.trade = second_trade;
    waiting.closed = 0;
    r.legs = {done, waiting};
    b.exits_.push_back(r);
    return save_state(inst);
  };
  CHECK(outcome([&] { (void)RestoreBuilder(with_legs(1)).build(); }) == "corrupt");
  CHECK(message_of(with_legs(1)).find("exit legs repeat a trade") != std::string::npos);
  const std::string control = outcome([&] {
    Instance r = RestoreBuilder(with_legs(2)).build();
    r.run_bar(sample_bars()[5]);
    CHECK(r.open_trades().size() == 1);  // trade 2's take-profit filled at the open
  });
  CHECK(control == "success");
}
