// `pinevm run --report FILE.json` and `--equity FILE.csv`: a strategy's
// Performance Summary as JSON, and its equity bar by bar
// (docs/strategies.md, "Report").
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "pine/vm/instance.h"

namespace pine::cli {

/// The report of `instance` as one JSON object: the account figures and the
/// trade figures of all trades at the top level, the trade figures of the
/// long and of the short trades under "long" and "short". Keys are
/// snake_case; a figure without a value (NaN) is null.
std::string report_json(const StrategyReport& report);

/// The header of the --equity CSV.
inline constexpr const char* kEquityHeader = "time,bar_index,equity,net_profit,open_profit,position_size\n";

/// One --equity row: the instance's figures at the close of the bar it just ran.
std::string equity_row(std::int64_t time, std::int64_t bar_index, const StrategySummary& s);

} // namespace pine::cli
