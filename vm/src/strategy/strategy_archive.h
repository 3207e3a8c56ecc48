// The strategy parts of the two archives: a strategy program's settings
// (program bytes, program_io.cpp) and its broker's whole state (the
// instance state, state_archive.cpp). Layouts in docs/snapshot-format.md.
#pragma once

#include "../archive.h"
#include "broker.h"

namespace pine {

void save_strategy_settings(archive::Out& ar, const StrategySettings& s);
/// Reads what save_strategy_settings wrote; throws StateDecodeError for an
/// enum or number out of its range.
void load_strategy_settings(archive::In& ar, StrategySettings& s);

void save_broker(archive::Out& ar, const Broker& b);
/// Reads what save_broker wrote into `b` (built from the same settings).
/// Every count is checked against the remaining input and every value that
/// the broker relies on (directions, quantities, trade numbers) against its
/// range; throws StateDecodeError.
void load_broker(archive::In& ar, Broker& b);

} // namespace pine
