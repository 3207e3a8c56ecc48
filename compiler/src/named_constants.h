// The built-in constant namespaces (yloc.*, shape.*, currency.*,
// dayofweek.* ...): names the compiler replaces by `const` values.
//
// Representation: pinevm's type system has no plot_style, sort_order,
// barmerge_gaps... types, so every such family is a const string (or, where
// Pine does arithmetic on the values, a const int):
//   - dayofweek.*: const int, sunday = 1 .. saturday = 7 (Pine's values);
//   - display.*: const int bit flags (none 0, pane 1, data_window 2,
//     price_scale 4, status_line 8, pine_screener 16, all 31), so that
//     `display.all - display.status_line` and `display.pane +
//     display.data_window` compile as in Pine;
//   - currency.*: the ISO code ("USD");
//   - every other family: a const string. TradingView does not document the
//     text of these constants; pinevm uses the text the pinecone corpus
//     fixtures expect (docs/semantics.md): the member name ("abovebar",
//     "gaps_on", "style_label_down", "format_bold", "freq_all"), except that
//     the line-style families drop their prefix (plot.style_line is "line",
//     plot.linestyle_dashed "dashed", hline/line.style_dotted "dotted") and
//     text.align_*/text.wrap_* drop theirs ("left", "auto").
//   - strategy.long/short, strategy.direction.*, strategy.fixed/cash/
//     percent_of_equity, strategy.commission.*, strategy.oca.*: const ints
//     (their values are in pine/vm/strategy.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "pine/vm/value.h"

namespace pine {

/// A named constant: an int (`Type::Int`) or a string (`Type::String`).
struct NamedConstant {
  Type type = Type::Int;
  std::int64_t int_value = 0; ///< Int constants
  const char* text = "";      ///< String constants
};

/// The constant called `name` ("currency.USD"), if any.
std::optional<NamedConstant> find_named_constant(const std::string& name);

} // namespace pine
