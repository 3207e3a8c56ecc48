// The per-instance facts derived from an InstanceConfig: the values
// LOADCONTEXT reads, the parsed chart timeframe and the exchange time zone. Computed once when an instance is built; never archived (the
// configuration is, and this is rebuilt from it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pine/vm/calendar.h"
#include "pine/vm/instance.h"
#include "pine/vm/symbol_info.h"
#include "pine/vm/time_zone.h"

namespace pine {

struct ChartContext {
  std::vector<Value> values;       ///< one per ContextValue; strings as handles
  Timeframe timeframe;             ///< the chart timeframe
  TimeZone tz;                     ///< syminfo.timezone
};

/// Computes the context of `config`. String values are appended to `strings`
/// (the instance's constant strings) and referred to by their handles.
/// Throws ProgramError when the configuration is invalid (a host that used
/// InstanceBuilder never sees this: the builder checks first).
ChartContext make_chart_context(const InstanceConfig& config, std::vector<std::string>& strings);

} // namespace pine
