// What an instance produces, read by hosts through a small interface.
//
// Plot output is a table of columns (Program::plots), one value per column
// per bar (Instance::plot_values). Every output call of the script (plot,
// plotshape, plotchar, plotarrow, plotbar, plotcandle, hline, fill, bgcolor,
// barcolor) owns one or more consecutive columns:
// - its value column(s): the plotted series (plotbar/plotcandle: open, high,
//   low, close; bgcolor/barcolor/fill: the colour, which is their value);
// - one more column for each other argument whose value is not known when
//   the script compiles (a colour that varies per bar, an offset read from an
//   input...), its `field` naming the Pine parameter;
// - arguments known at compile time are not columns: they are recorded on the
//   call's first column as `attributes` (and `offset`, `targets`).
// So nothing a script hands to an output call is dropped.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pine/vm/value.h"

namespace pine {

/// The output call a column belongs to. Numbering is part of the program
/// format: append only.
enum class PlotKind : std::uint8_t {
  Plot,     ///< plot()
  Hline,    ///< hline(): its price, constant over the bars
  Shape,    ///< plotshape(): series bool or float
  Char,     ///< plotchar(): series bool or float
  Arrow,    ///< plotarrow(): series float (sign = direction)
  Bar,      ///< plotbar(): open, high, low, close
  Candle,   ///< plotcandle(): open, high, low, close
  Fill,     ///< fill(): the fill colour (or the gradient's two colours)
  BgColor,  ///< bgcolor(): the background colour
  BarColor, ///< barcolor(): the bar colour
};

/// The last PlotKind, for range checks.
inline constexpr PlotKind kLastPlotKind = PlotKind::BarColor;

/// The Pine function of a kind: "plot", "hline", "plotshape", ... It is also
/// the base column name of an untitled call.
const char* plot_kind_name(PlotKind kind);

/// One argument of an output call whose value was known at compile time:
/// the Pine parameter name and the value as text (numbers as str.tostring
/// prints them, bools `true`/`false`, colours `#RRGGBBAA`, strings verbatim,
/// na as `na`).
struct PlotAttribute {
  std::string name;
  std::string value;
};

/// One output column, as the program declares it (source order).
struct PlotInfo {
  std::string title; ///< the call's `title` argument; empty when none was given
  Type type = Type::Float;
  PlotKind kind = PlotKind::Plot;
  /// Position of this column among its call's columns: 0 starts a new call,
  /// 1, 2, ... follow it. Columns of one call are consecutive.
  std::uint16_t part = 0;
  /// What the column holds: empty for the call's plotted value, else the
  /// Pine parameter whose value it is ("color", "open", "offset", ...).
  std::string field{};
  /// Bars the call shifts its drawing by (its `offset` argument when known at
  /// compile time; else 0 and an "offset" column). The values are still
  /// written at the bar that computed them. First column of a call only.
  std::int32_t offset = 0;
  /// fill(): the first columns of the two plots or hlines it fills between.
  /// Empty for every other column.
  std::vector<std::uint16_t> targets{};
  /// The call's arguments known at compile time, in parameter order. First
  /// column of a call only.
  std::vector<PlotAttribute> attributes{};
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
