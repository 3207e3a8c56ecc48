// The table of built-in named constants (see named_constants.h for the
// representation of each family).
#include "named_constants.h"

#include <initializer_list>
#include <map>

#include "pine/vm/strategy.h"

namespace pine {

namespace {

/// One entry: a string constant keeps its text here (the map is static, so
/// NamedConstant::text can point into it).
struct Entry {
  Type type = Type::String;
  std::int64_t int_value = 0;
  std::string text;
};

using Table = std::map<std::string, Entry>;

/// Adds `ns.member` for every member; the value is the member's name with
/// `drop` removed from its front ("style_line" -> "line" with drop "style_").
void add_strings(Table& t, const std::string& ns, std::initializer_list<const char*> members, const std::string& drop = "") {
  for (const std::string member : members) {
    std::string text = member;
    if (!drop.empty() && text.rfind(drop, 0) == 0) text = text.substr(drop.size());
    t[ns + "." + member] = Entry{Type::String, 0, text};
  }
}

/// Adds one int constant.
void add_int(Table& t, const std::string& name, std::int64_t value) { t[name] = Entry{Type::Int, value, {}}; }

/// The whole table, built once.
const Table& table() {
  static const Table t = [] {
    Table m;
    add_strings(m, "yloc", {"abovebar", "belowbar", "price"});
    add_strings(m, "xloc", {"bar_index", "bar_time"});
    add_strings(m, "extend", {"none", "left", "right", "both"});
    add_strings(m, "format", {"inherit", "price", "volume", "percent", "mintick"});
    add_strings(m, "order", {"ascending", "descending"});
    add_strings(m, "shape", {"arrowdown", "arrowup", "circle", "cross", "diamond", "flag", "labeldown", "labelup", "square",
                             "triangledown", "triangleup", "xcross"});
    add_strings(m, "size", {"auto", "tiny", "small", "normal", "large", "huge"});
    add_strings(m, "location", {"abovebar", "belowbar", "top", "bottom", "absolute"});
    add_strings(m, "position", {"top_left", "top_center", "top_right", "middle_left", "middle_center", "middle_right",
                                "bottom_left", "bottom_center", "bottom_right"});
    add_strings(m, "plot", {"style_area", "style_areabr", "style_circles", "style_columns", "style_cross", "style_histogram",
                            "style_line", "style_linebr", "style_stepline", "style_stepline_diamond", "style_steplinebr"},
                "style_");
    add_strings(m, "plot", {"linestyle_solid", "linestyle_dashed", "linestyle_dotted"}, "linestyle_");
    add_strings(m, "hline", {"style_solid", "style_dotted", "style_dashed"}, "style_");
    add_strings(m, "line", {"style_solid", "style_dotted", "style_dashed", "style_arrow_left", "style_arrow_right",
                            "style_arrow_both"},
                "style_");
    add_strings(m, "label", {"style_arrowdown", "style_arrowup", "style_circle", "style_cross", "style_diamond",
                             "style_flag", "style_label_center", "style_label_down", "style_label_left",
                             "style_label_lower_left", "style_label_lower_right", "style_label_right", "style_label_up",
                             "style_label_upper_left", "style_label_upper_right", "style_none", "style_square",
                             "style_text_outline", "style_triangledown", "style_triangleup", "style_xcross"});
    add_strings(m, "text", {"align_left", "align_center", "align_right", "align_top", "align_bottom"}, "align_");
    add_strings(m, "text", {"wrap_auto", "wrap_none"}, "wrap_");
    add_strings(m, "text", {"format_bold", "format_italic", "format_none"});
    add_strings(m, "font", {"family_default", "family_monospace"});
    add_strings(m, "barmerge", {"gaps_on", "gaps_off", "lookahead_on", "lookahead_off"});
    add_strings(m, "currency",
                {"AED", "ARS", "AUD", "BDT", "BHD", "BRL", "BTC", "CAD", "CHF", "CLP", "CNY", "COP", "CZK", "DKK",
                 "EGP", "ETH", "EUR", "GBP", "HKD", "HUF", "IDR", "ILS", "INR", "ISK", "JPY", "KES", "KRW", "KWD",
                 "LKR", "MAD", "MXN", "MYR", "NGN", "NOK", "NONE", "NZD", "PEN", "PHP", "PKR", "PLN", "QAR", "RON",
                 "RSD", "RUB", "SAR", "SEK", "SGD", "THB", "TND", "TRY", "TWD", "USD", "USDT", "VES", "VND", "ZAR"});
    add_strings(m, "session", {"regular", "extended"});
    add_strings(m, "adjustment", {"none", "splits", "dividends"});
    add_strings(m, "settlement_as_close", {"inherit", "on", "off"});
    add_strings(m, "backadjustment", {"inherit", "on", "off"});
    add_strings(m, "scale", {"left", "right", "none"});
    add_strings(m, "alert", {"freq_all", "freq_once_per_bar", "freq_once_per_bar_close"});
    add_strings(m, "splits", {"numerator", "denominator"});
    add_strings(m, "dividends", {"gross", "net"});
    add_strings(m, "earnings", {"actual", "estimate", "standardized"});
    // Pine's dayofweek numbering.
    const char* days[] = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};
    for (int i = 0; i < 7; ++i) add_int(m, std::string("dayofweek.") + days[i], i + 1);
    // strategy.*: const ints (pine/vm/strategy.h), checked by the commands.
    add_int(m, "strategy.long", kStrategyLong);
    add_int(m, "strategy.short", kStrategyShort);
    add_int(m, "strategy.direction.long", kStrategyLong);
    add_int(m, "strategy.direction.short", kStrategyShort);
    add_int(m, "strategy.direction.all", kDirectionAll);
    add_int(m, "strategy.fixed", static_cast<std::int64_t>(QtyType::Fixed));
    add_int(m, "strategy.cash", static_cast<std::int64_t>(QtyType::Cash));
    add_int(m, "strategy.percent_of_equity", static_cast<std::int64_t>(QtyType::PercentOfEquity));
    add_int(m, "strategy.commission.percent", static_cast<std::int64_t>(CommissionType::Percent));
    add_int(m, "strategy.commission.cash_per_contract", static_cast<std::int64_t>(CommissionType::CashPerContract));
    add_int(m, "strategy.commission.cash_per_order", static_cast<std::int64_t>(CommissionType::CashPerOrder));
    add_int(m, "strategy.oca.none", static_cast<std::int64_t>(OcaType::None));
    add_int(m, "strategy.oca.cancel", static_cast<std::int64_t>(OcaType::Cancel));
    add_int(m, "strategy.oca.reduce", static_cast<std::int64_t>(OcaType::Reduce));
    // display.* are flags that scripts add and subtract.
    add_int(m, "display.none", 0);
    add_int(m, "display.pane", 1);
    add_int(m, "display.data_window", 2);
    add_int(m, "display.price_scale", 4);
    add_int(m, "display.status_line", 8);
    add_int(m, "display.pine_screener", 16);
    add_int(m, "display.all", 31);
    return m;
  }();
  return t;
}

} // namespace

std::optional<NamedConstant> find_named_constant(const std::string& name) {
  auto it = table().find(name);
  if (it == table().end()) return std::nullopt;
  return NamedConstant{it->second.type, it->second.int_value, it->second.text.c_str()};
}

} // namespace pine
