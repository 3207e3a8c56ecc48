// What an instance knows about its symbol and chart: the syminfo.* and
// timeframe.* values, fixed for the life of an instance.
//
// The host gives the symbol ("EXCHANGE:TICKER") and the timeframe ("1D") as
// InstanceConfig::symbol/timeframe, and everything else about the symbol as a
// SymbolInfo. The script reads these values as "simple" constants through
// the LOADCONTEXT instruction; the instance computes them once when it is
// built (strings become fixed handles, like string inputs).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "pine/vm/value.h"

namespace pine {

/// The symbol facts that do not come from the symbol string. The defaults
/// describe a neutral 24x7 instrument quoted in USD to two decimals, so a
/// host that says nothing gets sensible, documented values.
struct SymbolInfo {
  std::string description = "Sample symbol"; ///< syminfo.description
  std::string currency = "USD";               ///< syminfo.currency
  std::string basecurrency;                   ///< syminfo.basecurrency ("" unless forex/crypto)
  std::string type = "stock";                 ///< syminfo.type ("stock", "crypto", "futures", "forex", ...)
  std::int64_t pricescale = 100;              ///< syminfo.pricescale; mintick = minmove / pricescale
  std::int64_t minmove = 1;                   ///< syminfo.minmove
  double pointvalue = 1;                      ///< syminfo.pointvalue
  double mincontract = 1;                     ///< syminfo.mincontract
  std::string timezone = "Etc/UTC";           ///< syminfo.timezone: the exchange time zone (calendar.h forms)
  std::string session = "regular";            ///< syminfo.session: "regular" or "extended"
  std::string volumetype = "base";            ///< syminfo.volumetype ("base", "quote", "tick", "n/a")
  std::string root;                           ///< syminfo.root; empty means the ticker
  std::optional<std::string> country;         ///< syminfo.country (ISO 3166 code); na by default
  std::string isin;                           ///< syminfo.isin; "" when unknown
  std::optional<std::string> sector;          ///< syminfo.sector; na by default
  std::optional<std::string> industry;        ///< syminfo.industry; na by default
  /// When the exchange's trading day begins, in minutes after local
  /// midnight: bars from then on belong to the next date's trading day
  /// (1020 for FX and CME energy, whose day runs from 17:00 New York). It
  /// decides time_tradingday and the days of the strategy.risk.* rules.
  std::int64_t trading_day_start = 0;

  bool operator==(const SymbolInfo&) const = default;
};

/// The symbol used when the host gives none.
inline constexpr const char* kDefaultSymbol = "PINEVM:SAMPLE";
/// The chart timeframe used when the host gives none.
inline constexpr const char* kDefaultTimeframe = "1D";

/// Longest text of one SymbolInfo field (it is archived in every snapshot).
inline constexpr std::size_t kMaxSymbolInfoText = 4096;

/// Checks a SymbolInfo: known time zone, session "regular" or "extended",
/// positive pricescale/minmove/pointvalue/mincontract, texts of at most
/// kMaxSymbolInfoText characters. Throws std::invalid_argument naming the
/// field.
void validate_symbol_info(const SymbolInfo& info);

/// Checks a symbol string ("EXCHANGE:TICKER", or just "TICKER"; empty means
/// kDefaultSymbol). Throws std::invalid_argument when the ticker is empty.
void validate_symbol(const std::string& symbol);

/// Checks a timeframe string (calendar.h parse_timeframe; empty means
/// kDefaultTimeframe). Throws std::invalid_argument.
void validate_timeframe(const std::string& timeframe);

/// The instance-level values the LOADCONTEXT instruction reads.
/// X(id, pine name, type). Numbering is part of the bytecode format: append only.
#define PINE_CONTEXT_VALUES(X)                                 \
  X(SYMINFO_TICKER, "syminfo.ticker", String)                  \
  X(SYMINFO_TICKERID, "syminfo.tickerid", String)              \
  X(SYMINFO_PREFIX, "syminfo.prefix", String)                  \
  X(SYMINFO_ROOT, "syminfo.root", String)                      \
  X(SYMINFO_DESCRIPTION, "syminfo.description", String)        \
  X(SYMINFO_CURRENCY, "syminfo.currency", String)              \
  X(SYMINFO_BASECURRENCY, "syminfo.basecurrency", String)      \
  X(SYMINFO_TYPE, "syminfo.type", String)                      \
  X(SYMINFO_MINTICK, "syminfo.mintick", Float)                 \
  X(SYMINFO_POINTVALUE, "syminfo.pointvalue", Float)           \
  X(SYMINFO_PRICESCALE, "syminfo.pricescale", Int)             \
  X(SYMINFO_MINMOVE, "syminfo.minmove", Int)                   \
  X(SYMINFO_MINCONTRACT, "syminfo.mincontract", Float)         \
  X(SYMINFO_TIMEZONE, "syminfo.timezone", String)              \
  X(SYMINFO_SESSION, "syminfo.session", String)                \
  X(SYMINFO_VOLUMETYPE, "syminfo.volumetype", String)          \
  X(SYMINFO_MAIN_TICKERID, "syminfo.main_tickerid", String)    \
  X(SYMINFO_COUNTRY, "syminfo.country", String)                \
  X(SYMINFO_ISIN, "syminfo.isin", String)                      \
  X(SYMINFO_SECTOR, "syminfo.sector", String)                  \
  X(SYMINFO_INDUSTRY, "syminfo.industry", String)              \
  X(TIMEFRAME_PERIOD, "timeframe.period", String)              \
  X(TIMEFRAME_MAIN_PERIOD, "timeframe.main_period", String)    \
  X(TIMEFRAME_MULTIPLIER, "timeframe.multiplier", Int)         \
  X(TIMEFRAME_ISINTRADAY, "timeframe.isintraday", Bool)        \
  X(TIMEFRAME_ISDAILY, "timeframe.isdaily", Bool)              \
  X(TIMEFRAME_ISWEEKLY, "timeframe.isweekly", Bool)            \
  X(TIMEFRAME_ISMONTHLY, "timeframe.ismonthly", Bool)          \
  X(TIMEFRAME_ISDWM, "timeframe.isdwm", Bool)                  \
  X(TIMEFRAME_ISMINUTES, "timeframe.isminutes", Bool)          \
  X(TIMEFRAME_ISSECONDS, "timeframe.isseconds", Bool)          \
  X(TIMEFRAME_ISTICKS, "timeframe.isticks", Bool)

enum class ContextValue : std::uint16_t {
#define PINE_CONTEXT_ENUM(id, name, type) id,
  PINE_CONTEXT_VALUES(PINE_CONTEXT_ENUM)
#undef PINE_CONTEXT_ENUM
      Count
};

struct ContextValueInfo {
  const char* name;
  Type type;
};
const ContextValueInfo& context_value_info(ContextValue v);

/// The context value called `name` ("syminfo.ticker"), if any.
std::optional<ContextValue> find_context_value(const std::string& name);

} // namespace pine
