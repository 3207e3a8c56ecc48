// `pinevm run --trades FILE`: a strategy's trades in the layout of
// TradingView's "List of trades" export, so the two can be compared row by
// row (docs/strategies.md, "List of trades").
#pragma once

#include <ostream>
#include <string>

#include "pine/vm/instance.h"

namespace pine::cli {

/// The header row for an account in `currency` ("USD").
std::string trades_header(const std::string& currency);

/// Writes every trade of `instance`'s life (closed ones and the still-open
/// ones, by trade number), two rows each: the entry, then the exit (for an
/// open trade an exit row with Signal "Open" at the last close). Times are
/// ISO-8601 in the exchange time zone with its UTC offset; money and
/// prices at full precision (shortest round trip).
void write_trades_csv(std::ostream& out, const Instance& instance);

} // namespace pine::cli
