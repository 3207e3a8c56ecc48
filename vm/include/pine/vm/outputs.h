// What an instance produces, read by hosts through a small interface.
#pragma once

#include <cstdint>
#include <string>

#include "pine/vm/value.h"

namespace pine {

/// One plotted series as the program declares it (source order).
struct PlotInfo {
  std::string title; ///< the `title` argument; empty when none was given
  Type type = Type::Float;
};

enum class LogLevel : std::uint8_t { Info, Warning, Error, Alert };

/// One `log.*` message (or fired alert), in emission order.
struct LogRecord {
  std::int64_t time = 0;
  std::int64_t bar_index = 0;
  LogLevel level = LogLevel::Info;
  std::string message;
};

/// "info", "warning", "error" or "alert".
const char* log_level_name(LogLevel level);

} // namespace pine
