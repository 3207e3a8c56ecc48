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

/// The Pine function that makes columns of `kind`.
const char* plot_kind_name(PlotKind kind) {
  switch (kind) {
    case PlotKind::Plot: return "plot";
    case PlotKind::Hline: return "hline";
    case PlotKind::Shape: return "plotshape";
    case PlotKind::Char: return "plotchar";
    case PlotKind::Arrow: return "plotarrow";
    case PlotKind::Bar: return "plotbar";
    case PlotKind::Candle: return "plotcandle";
    case PlotKind::Fill: return "fill";
    case PlotKind::BgColor: return "bgcolor";
    case PlotKind::BarColor: return "barcolor";
  }
  return "plot";
}

} // namespace pine
