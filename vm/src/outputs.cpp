// Out-of-line parts of the output interface (pine/vm/outputs.h).
#include "pine/vm/outputs.h"

namespace pine {

/// The lowercase name used in JSON logs ("info", "warning", "error", "alert").
const char* log_level_name(LogLevel level) {
  switch (level) {
    case LogLevel::Info: return "info";
    case LogLevel::Warning: return "warning";
    case LogLevel::Error: return "error";
    case LogLevel::Alert: return "alert";
  }
  return "unknown";
}

} // namespace pine
