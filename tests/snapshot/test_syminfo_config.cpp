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
