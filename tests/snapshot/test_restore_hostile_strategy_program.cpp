// Hostile strategy programs (docs/snapshot-format.md, 6.7): the strategy
// section a strategy program writes after its input extras. The program
// hash is a checksum, not a signature, so a snapshot whose embedded
// program was altered and re-hashed reaches the program reader; a setting
// out of the compiler's range, a bad enum byte or flag, a cut or an extra
// byte must be SnapshotError(Corrupt) (ProgramError from
// deserialize_program), never another exception or a broker built from it.
// Also: the program and the state must agree on being a strategy.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "bars_csv.h"
#include "sample_bars.h"
#include "crafted_snapshots.h"
#include "instance_state.h"
#include "pine/compiler/compile.h"
#include "pine/snapshot/snapshot.h"
#include "pine/vm/instance.h"
#include "snapshot_outcome.h"

using namespace pine;

using pine::test::sample_bars;

namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;
using pine::test::outcome;

std::shared_ptr<const Program> compile_or_die(const std::string& source) {
  CompileResult r = compile(source);
  if (!r.ok()) FAIL(r.format(source, "script.pine"));
  return r.program;
}

/// A strategy with an input (so its input extras have one entry) and
/// settings away from their defaults.
const char* const kStrategy = R"(//@version=6
strategy("hostile settings", initial_capital = 20000, pyramiding = 2, default_qty_type = strategy.percent_of_equity,
     default_qty_value = 10, commission_type = strategy.commission.cash_per_order, commission_value = 1.5,
     slippage = 3, margin_long = 40, backtest_fill_limits_assumption = 2)
len = input.int(10, "Length")
if ta.crossover(close, ta.sma(close, len))
    strategy.entry("L", strategy.long)
if ta.crossunder(close, ta.sma(close, len))
    strategy.close("L")
plot(strategy.equity)
)";

const std::shared_ptr<const Program>& strategy_program() {
  static const std::shared_ptr<const Program> p = compile_or_die(kStrategy);
  return p;
}

/// The strategy after 50 sample bars: its state archive and the header
/// fields that describe it.
struct Saved {
  Bytes state;
  snapshot::SnapshotHeader header{};
};

const Saved& strategy_saved() {
  static const Saved saved = [] {
    Instance inst = InstanceBuilder(strategy_program()).build();
    for (std::size_t i = 0; i < 50; ++i) inst.run_bar(sample_bars()[i]);
    REQUIRE(!inst.closed_trades().empty());
    Saved s;
    s.state = save_instance_state(inst);
    s.header.engine_version = kEngineVersion;
    s.header.config_hash = config_hash(inst.config());
    s.header.bars_processed = 50;
    s.header.last_bar_time = inst.last_bar_time();
    return s;
  }();
  return saved;
}

const Bytes& strategy_state() { return strategy_saved().state; }

/// `program` and `state` (by default the strategy's) sealed with valid
/// checksums, the program's hash and the strategy state's header fields
/// (its configuration, 50 bars), as an attacker who altered the program
/// would write them.
Bytes seal_with_state(const Bytes& program, const Bytes& state = strategy_state()) {
  snapshot::SnapshotHeader h = strategy_saved().header;
  h.program_hash = snapshot::xxh3_128(program);
  return snapshot::seal_snapshot(h, pine::test::make_payload(program, state));
}

/// Restores `program` (re-hashed into the header) with the strategy's
/// state and runs two bars.
std::string restore_program(const Bytes& program) {
  const Bytes sealed = seal_with_state(program);
  return outcome([&] {
    Instance inst = RestoreBuilder(sealed).build();
    inst.run_bar(sample_bars()[50]);
    inst.run_bar(sample_bars()[51]);
  });
}

/// The program bytes of the strategy with `edit` applied to its settings.
Bytes with_settings(const std::function<void(StrategySettings&)>& edit) {
  Program p = *strategy_program();
  edit(*p.strategy);
  return serialize_program(p);
}

/// The ProgramError message of decoding `bytes`, "" when they decode.
std::string decode_error(const Bytes& bytes) {
  try {
    (void)deserialize_program(bytes);
  } catch (const ProgramError& e) {
    return e.what();
  }
  return "";
}

/// Offset of the one byte in which the program bytes of the strategy with
/// `edit` applied differ from the unedited ones (a flag's byte).
std::size_t differing_byte(const std::function<void(StrategySettings&)>& edit) {
  const Bytes a = serialize_program(*strategy_program());
  const Bytes b = with_settings(edit);
  REQUIRE(a.size() == b.size());
  std::size_t at = a.size(), count = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) {
      at = i;
      ++count;
    }
  REQUIRE(count == 1);
  return at;
}

/// Bytes of the strategy section: a currency of n characters adds n.
constexpr std::size_t kSectionBytes = 8 + 8 + 1 + 8 + 8 + 1 + 8 + 8 + 6 + 8 + 8 + 8 + 8;

} // namespace

// Proves the program's strategy section sits where the document says: at
// the end of the program bytes, kSectionBytes long for an empty currency,
// right after input extras that a strategy writes even when they carry
// only defaults; and that the unaltered program restores (the control for
// the cases below).
TEST_CASE("hostile strategy program: the strategy section is the documented tail of the program bytes") {
  const Bytes bytes = serialize_program(*strategy_program());
  Program indicator = *strategy_program();
  indicator.strategy.reset();
  const Bytes without = serialize_program(indicator);
  // The indicator writes no input extras (its one input has defaults); the
  // strategy writes them (u64 count 1, u8 format, u64 key length 0), then
  // its section.
  CHECK(bytes.size() == without.size() + 8 + 1 + 8 + kSectionBytes);
  CHECK(std::equal(without.begin(), without.end(), bytes.begin()));
  CHECK(restore_program(bytes) == "success");
  CHECK(deserialize_program(bytes).strategy == strategy_program()->strategy);
}

// Proves each setting is held to the range the compiler accepts
// (codegen_strategy.cpp): values just outside it, NaN and infinities are
// Corrupt with a message naming the setting, and the limits themselves
// decode.
TEST_CASE("hostile strategy program: settings out of range are Corrupt") {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  struct Bad {
    const char* message;
    std::function<void(StrategySettings&)> edit;
  };
  const std::vector<Bad> bad = {
      {"initial capital", [](StrategySettings& s) { s.initial_capital = 0; }},
      {"initial capital", [](StrategySettings& s) { s.initial_capital = -1; }},
      {"initial capital", [&](StrategySettings& s) { s.initial_capital = nan; }},
      {"initial capital", [&](StrategySettings& s) { s.initial_capital = inf; }},
      {"initial capital", [](StrategySettings& s) { s.initial_capital = 2e15; }},
      {"default quantity", [](StrategySettings& s) { s.default_qty_value = 0; }},
      {"default quantity", [&](StrategySettings& s) { s.default_qty_value = nan; }},
      {"default quantity", [](StrategySettings& s) { s.default_qty_value = 1.5e15; }},
      {"pyramiding", [](StrategySettings& s) { s.pyramiding = -1; }},
      {"pyramiding", [](StrategySettings& s) { s.pyramiding = 1'000'001; }},
      {"pyramiding", [](StrategySettings& s) { s.pyramiding = std::numeric_limits<std::int64_t>::min(); }},
      {"commission", [](StrategySettings& s) { s.commission_value = -0.01; }},
      {"commission", [&](StrategySettings& s) { s.commission_value = nan; }},
      {"commission", [&](StrategySettings& s) { s.commission_value = inf; }},
      {"slippage", [](StrategySettings& s) { s.slippage = -1; }},
      {"slippage", [](StrategySettings& s) { s.slippage = 1'000'001; }},
      {"margin", [](StrategySettings& s) { s.margin_long = -1; }},
      {"margin", [&](StrategySettings& s) { s.margin_short = nan; }},
      {"margin", [](StrategySettings& s) { s.margin_short = 1e6 + 1; }},
      {"fill limits assumption", [](StrategySettings& s) { s.backtest_fill_limits_assumption = -1; }},
      {"fill limits assumption", [](StrategySettings& s) { s.backtest_fill_limits_assumption = 1'000'001; }},
      {"risk-free rate", [](StrategySettings& s) { s.risk_free_rate = -100.5; }},
      {"risk-free rate", [&](StrategySettings& s) { s.risk_free_rate = nan; }},
      {"risk-free rate", [](StrategySettings& s) { s.risk_free_rate = 1e6 + 1; }},
      {"bad default quantity type", [](StrategySettings& s) { s.default_qty_type = static_cast<QtyType>(3); }},
      {"bad default quantity type", [](StrategySettings& s) { s.default_qty_type = static_cast<QtyType>(0xFF); }},
      {"bad commission type", [](StrategySettings& s) { s.commission_type = static_cast<CommissionType>(3); }},
      {"bad commission type", [](StrategySettings& s) { s.commission_type = static_cast<CommissionType>(0x80); }},
  };
  for (std::size_t i = 0; i < bad.size(); ++i) {
    INFO("case ", i, " (", bad[i].message, ")");
    const Bytes bytes = with_settings(bad[i].edit);
    CHECK(restore_program(bytes) == "corrupt");
    CHECK(decode_error(bytes).find(bad[i].message) != std::string::npos);
  }
  // The compiler's limits are accepted.
  const Bytes limits = with_settings([](StrategySettings& s) {
    s.initial_capital = 1e15;
    s.default_qty_value = 1e15;
    s.pyramiding = 1'000'000;
    s.commission_value = 0;
    s.slippage = 1'000'000;
    s.margin_long = 0;
    s.margin_short = 1e6;
    s.backtest_fill_limits_assumption = 1'000'000;
    s.risk_free_rate = -100;
    s.default_qty_type = QtyType::Cash;
    s.commission_type = CommissionType::CashPerContract;
  });
  CHECK(decode_error(limits) == "");
}

// Proves each of the six flags of the section is a byte that must be 0 or
// 1 (any other value is Corrupt), and that the settings pinevm decodes but
// cannot simulate are refused as Corrupt too when the restore builds the
// broker (calc_on_order_fills, another account currency), not as another
// exception type.
TEST_CASE("hostile strategy program: bad flag bytes and unsupported settings are Corrupt") {
  const std::vector<std::function<void(StrategySettings&)>> flags = {
      [](StrategySettings& s) { s.process_orders_on_close = true; },
      [](StrategySettings& s) { s.close_entries_any = true; },
      [](StrategySettings& s) { s.calc_on_order_fills = true; },
      [](StrategySettings& s) { s.calc_on_every_tick = true; },
      [](StrategySettings& s) { s.use_bar_magnifier = true; },
      [](StrategySettings& s) { s.fill_orders_on_standard_ohlc = true; },
  };
  for (std::size_t i = 0; i < flags.size(); ++i) {
    INFO("flag ", i);
    const std::size_t at = differing_byte(flags[i]);
    for (std::uint8_t v : {std::uint8_t{2}, std::uint8_t{0x7F}, std::uint8_t{0xFF}}) {
      Bytes bytes = serialize_program(*strategy_program());
      bytes[at] = v;
      CHECK(restore_program(bytes) == "corrupt");
      CHECK(decode_error(bytes).find("strategy flag is not 0 or 1") != std::string::npos);
    }
    const Bytes set = with_settings(flags[i]);
    CHECK(decode_error(set) == "");
    CHECK(restore_program(set) == (i == 2 ? "corrupt" : "success"));  // calc_on_order_fills: no broker for it
  }
  CHECK(restore_program(with_settings([](StrategySettings& s) { s.currency = "EUR"; })) == "corrupt");
}

// Proves a strategy section cut at any byte, or followed by one more byte,
// is Corrupt (every cut re-hashed, so only the program reader can tell):
// a cut at the section's first byte leaves input extras that carry only
// defaults, which a reader also refuses.
TEST_CASE("hostile strategy program: the strategy section truncated at every byte or extended is Corrupt") {
  const Bytes bytes = serialize_program(*strategy_program());
  for (std::size_t cut = bytes.size() - kSectionBytes; cut < bytes.size(); ++cut) {
    INFO("cut at section byte ", cut - (bytes.size() - kSectionBytes));
    const Bytes shorter(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(cut));
    CHECK(restore_program(shorter) == "corrupt");
    CHECK(decode_error(shorter) != "");
  }
  Bytes longer = bytes;
  longer.push_back(0);
  CHECK(restore_program(longer) == "corrupt");
  CHECK(decode_error(longer).find("trailing bytes after the program") != std::string::npos);
}

// Proves the program and the state must agree on being a strategy: a
// strategy program with an indicator's state (no broker section) and the
// same program without its strategy section but with a strategy's state
// (a broker section left over) are both Corrupt.
TEST_CASE("hostile strategy program: a strategy state with an indicator program, and the reverse, are Corrupt") {
  Program indicator = *strategy_program();
  indicator.strategy.reset();
  // Without a strategy the STRATEGY instructions do not verify; an
  // indicator with the same layout and none of them stands in.
  for (FunctionProto& f : indicator.functions)
    for (Instr& in : f.code)
      if (in.op == Opcode::STRATEGY) in = Instr{Opcode::NOP, 0, 0, 0, 0};
  REQUIRE_NOTHROW(verify_program(indicator));
  Instance plain = InstanceBuilder(std::make_shared<const Program>(indicator)).build();
  for (std::size_t i = 0; i < 50; ++i) plain.run_bar(sample_bars()[i]);
  const Bytes indicator_state = save_instance_state(plain);
  REQUIRE(indicator_state.size() < strategy_state().size());
  // Both ran the same 50 bars with the same configuration: the header
  // fields of the strategy's state describe the indicator's too.
  auto restore = [&](const Program& p, const Bytes& state) {
    return outcome([&] { (void)RestoreBuilder(seal_with_state(serialize_program(p), state)).build(); });
  };
  CHECK(restore(*strategy_program(), indicator_state) == "corrupt");
  CHECK(restore(indicator, strategy_state()) == "corrupt");
  CHECK(restore(indicator, indicator_state) == "success");
  CHECK(restore(*strategy_program(), strategy_state()) == "success");
}

// Proves every strategy program pinevm can instantiate also restores: the
// account currency must equal the symbol's, which may be up to 4,096
// characters (--syminfo), so a strategy declared with a 100-character
// currency runs, saves, and restores with that symbol information.
TEST_CASE("hostile strategy program: a long account currency that matches the symbol's restores") {
  const std::string currency(100, 'Q');
  const std::shared_ptr<const Program> program = compile_or_die(R"(//@version=6
strategy("long currency", currency = ")" + currency + R"(")
if close > open
    strategy.entry("L", strategy.long)
plot(strategy.equity)
)");
  SymbolInfo info;
  info.currency = currency;
  Instance inst = InstanceBuilder(program).syminfo(info).build();
  for (std::size_t i = 0; i < 10; ++i) inst.run_bar(sample_bars()[i]);
  const Bytes bytes = save_state(inst);
  CHECK(outcome([&] { (void)RestoreBuilder(bytes).expect_program(*program).build(); }) == "success");
  CHECK(decode_error(serialize_program(*program)) == "");
}
