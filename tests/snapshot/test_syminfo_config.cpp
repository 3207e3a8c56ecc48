// The symbol information is part of an instance's configuration: snapshots
// archive it, the configuration hash covers it, and a restore that expects
// a different one is rejected as a configuration mismatch.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "pine/compiler/compile.h"
#include "pine/snapshot/snapshot.h"
#include "snapshot_outcome.h"

namespace {

std::shared_ptr<const pine::Program> program() {
  static const std::shared_ptr<const pine::Program> p = [] {
    const std::string src =
        "//@version=6\nindicator(\"t\")\nvar n = 0\nn += 1\n"
        "log.info(syminfo.description + \" \" + str.tostring(hour) + \" \" + str.tostring(n))\nplot(n)\n";
    pine::CompileResult r = pine::compile(src);
    REQUIRE_MESSAGE(r.ok(), r.format(src, "t.pine"));
    return r.program;
  }();
  return p;
}

/// A Nasdaq-like symbol five hours behind UTC.
pine::SymbolInfo nasdaq_like() {
  pine::SymbolInfo info;
  info.description = "Apple Inc.";
  info.timezone = "UTC-5";
  info.country = "US";
  info.sector = "Electronic Technology";
  return info;
}

pine::Bar bar(int i) {
  // 2023-11-14 22:13:20 UTC plus i hours.
  return pine::Bar{1'700'000'000'000 + 3'600'000LL * i, 1, 1, 1, 1, 1};
}

} // namespace

TEST_CASE("syminfo config: restored instances keep their symbol information") {
  pine::InstanceBuilder builder(program());
  builder.symbol("NASDAQ:AAPL").syminfo(nasdaq_like());
  pine::Instance inst = builder.build();
  inst.run_bar(bar(0));
  inst.take_logs();
  const std::vector<std::uint8_t> bytes = pine::save_state(inst);

  pine::Instance restored = pine::RestoreBuilder(bytes).expect_program(*program()).expect_config(builder.config()).build();
  CHECK(restored.config().syminfo == nasdaq_like());
  restored.run_bar(bar(1));
  // 23:13:20 UTC is 18:13 at UTC-5; the var counter continues at 2.
  const std::vector<pine::LogRecord> logs = restored.take_logs();
  REQUIRE(logs.size() == 1);
  CHECK(logs[0].message == "Apple Inc. 18 2");
  // save -> restore -> save is byte-identical with symbol information too.
  pine::Instance again = pine::RestoreBuilder(bytes).expect_program(*program()).build();
  CHECK(pine::save_state(again) == bytes);
}

// The trading day's start travels in the snapshot (state archive version 3,
// written only when it is set) and restores; an instance without one still
// writes version 2, whose bytes earlier builds wrote. A start differing
// from the snapshot's is a configuration mismatch naming the field.
TEST_CASE("syminfo config: the trading day start is saved, restored and compared") {
  pine::SymbolInfo info = nasdaq_like();
  info.trading_day_start = 17 * 60;
  pine::InstanceBuilder builder(program());
  builder.symbol("NASDAQ:AAPL").syminfo(info);
  pine::Instance inst = builder.build();
  inst.run_bar(bar(0));
  const std::vector<std::uint8_t> bytes = pine::save_state(inst);
  pine::Instance restored = pine::RestoreBuilder(bytes).expect_program(*program()).expect_config(builder.config()).build();
  CHECK(restored.config().syminfo.trading_day_start == 17 * 60);
  CHECK(pine::save_state(restored) == bytes);
  const std::vector<std::uint8_t> state = pine::save_instance_state(restored);
  CHECK(state[1] == 3); // the archive version: a little-endian u32 after Cereal's endianness byte
  pine::InstanceBuilder plain(program());
  plain.symbol("NASDAQ:AAPL").syminfo(nasdaq_like());
  CHECK(pine::save_instance_state(plain.build())[1] == 2);
  try {
    pine::RestoreBuilder(bytes).expect_program(*program()).expect_config(plain.config()).build();
    FAIL("a different trading day start restored");
  } catch (const pine::SnapshotError& e) {
    CHECK(e.kind() == pine::SnapshotError::Kind::ConfigMismatch);
    CHECK(std::string(e.what()).find("syminfo.trading_day_start = 1020 (this run: 0)") != std::string::npos);
  }
}

TEST_CASE("syminfo config: a snapshot restored with different symbol information is a configuration mismatch") {
  pine::InstanceBuilder builder(program());
  builder.syminfo(nasdaq_like());
  pine::Instance inst = builder.build();
  inst.run_bar(bar(0));
  const std::vector<std::uint8_t> bytes = pine::save_state(inst);

  auto restore_expecting = [&](const pine::SymbolInfo& info) {
    pine::InstanceBuilder other(program());
    other.syminfo(info);
    return pine::test::outcome(
        [&] { pine::RestoreBuilder(bytes).expect_program(*program()).expect_config(other.config()).build(); });
  };
  CHECK(restore_expecting(nasdaq_like()) == "success");
  pine::SymbolInfo changed = nasdaq_like();
  changed.timezone = "UTC-4";
  CHECK(restore_expecting(changed) == "config_mismatch");
  changed = nasdaq_like();
  changed.pricescale = 1000;
  CHECK(restore_expecting(changed) == "config_mismatch");
  // An absent sector (na) is not the same configuration as an empty one.
  changed = nasdaq_like();
  changed.sector = "";
  pine::SymbolInfo absent = nasdaq_like();
  absent.sector.reset();
  CHECK(restore_expecting(changed) == "config_mismatch");
  CHECK(restore_expecting(absent) == "config_mismatch");
  CHECK(restore_expecting(pine::SymbolInfo{}) == "config_mismatch");
  CHECK(pine::config_hash(pine::InstanceConfig{}) != pine::config_hash(builder.config()));
}

// Spellings the script cannot tell apart are one configuration: the default
// symbol spelled out, "D" for "1D", "W" for "1W". Really different values
// stay different, and every mismatch message names the differing field.
TEST_CASE("syminfo config: equivalent symbol and timeframe spellings are one configuration") {
  const auto config_of = [](const std::string& symbol, const std::string& timeframe) {
    pine::InstanceBuilder b(program());
    b.symbol(symbol).timeframe(timeframe);
    return b.config();
  };
  const std::uint64_t dflt = pine::normalized_config_hash(config_of("", ""));
  CHECK(pine::normalized_config_hash(config_of("PINEVM:SAMPLE", "")) == dflt);
  CHECK(pine::normalized_config_hash(config_of("", "D")) == dflt);
  CHECK(pine::normalized_config_hash(config_of("", "1D")) == dflt);
  CHECK(pine::normalized_config_hash(config_of("PINEVM:SAMPLE", "D")) == dflt);
  CHECK(pine::normalized_config_hash(config_of("", "W")) == pine::normalized_config_hash(config_of("", "1W")));
  CHECK(pine::normalized_config_hash(config_of("", "1W")) != dflt);
  CHECK(pine::normalized_config_hash(config_of("", "2D")) != dflt);
  CHECK(pine::normalized_config_hash(config_of("", "60")) != pine::normalized_config_hash(config_of("", "1")));
  CHECK(pine::normalized_config_hash(config_of("SAMPLE", "")) != dflt);  // no prefix: syminfo.prefix differs

  // Saved with one spelling, restored expecting the other, both ways.
  const auto saved_with = [&](const pine::InstanceConfig& config) {
    pine::Instance inst(program(), config);
    inst.run_bar(bar(0));
    return pine::save_state(inst);
  };
  const auto restore = [&](const std::vector<std::uint8_t>& bytes, const pine::InstanceConfig& expected) {
    return pine::test::outcome(
        [&] { pine::RestoreBuilder(bytes).expect_program(*program()).expect_config(expected).build(); });
  };
  const std::vector<std::uint8_t> plain = saved_with(config_of("", ""));
  const std::vector<std::uint8_t> spelled = saved_with(config_of("PINEVM:SAMPLE", "D"));
  CHECK(restore(plain, config_of("PINEVM:SAMPLE", "D")) == "success");
  CHECK(restore(spelled, config_of("", "")) == "success");
  CHECK(restore(spelled, config_of("", "1W")) == "config_mismatch");

  const std::string message = pine::test::snapshot_error_message(
      [&] { pine::RestoreBuilder(plain).expect_program(*program()).expect_config(config_of("", "1W")).build(); });
  CHECK(message.find("timeframe 1D (this run: 1W)") != std::string::npos);
  pine::InstanceBuilder other(program());
  other.syminfo(nasdaq_like());
  const std::string info_message = pine::test::snapshot_error_message(
      [&] { pine::RestoreBuilder(plain).expect_program(*program()).expect_config(other.config()).build(); });
  CHECK(info_message.find("syminfo.description = \"Sample symbol\" (this run: \"Apple Inc.\")") != std::string::npos);
  CHECK(info_message.find("syminfo.timezone = \"Etc/UTC\" (this run: \"UTC-5\")") != std::string::npos);
  CHECK(info_message.find("syminfo.sector = na (this run: \"Electronic Technology\")") != std::string::npos);
  CHECK(info_message.find("another configuration") == std::string::npos);
}

// The header hash is unchanged by normalization: the header's configuration
// hash of a golden file equals config_hash of the configuration restored
// from it, and its normalized hash too (it was saved with the defaults).
TEST_CASE("syminfo config: golden snapshots' configuration hashes are unchanged") {
  const std::string path = std::string(PINEVM_SOURCE_DIR) + "/tests/data/snapshots/v1-history-301.pvms";
  const std::vector<std::uint8_t> bytes = pine::snapshot::read_file(path);
  const pine::snapshot::SnapshotHeader header = pine::snapshot::read_header(bytes);
  const pine::Instance restored = pine::RestoreBuilder(bytes).build();
  CHECK(restored.config().symbol.empty());
  CHECK(restored.config().timeframe.empty());
  CHECK(pine::config_hash(restored.config()) == header.config_hash);
  CHECK(pine::normalized_config_hash(restored.config()) == header.config_hash);
}
