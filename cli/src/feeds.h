// `pinevm run --feed [SYMBOL@]TF=FILE`: bars of other timeframes (and, later,
// other symbols) beside the chart's --data. Today a strategy's bar
// magnifier reads the chart symbol's lower-timeframe feed.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "pine/vm/bar.h"
#include "pine/vm/calendar.h"

namespace pine::cli {

/// One --feed as given.
struct FeedSpec {
  std::string symbol; ///< empty: the chart's symbol
  std::string timeframe;
  std::string path;
};

/// Parses "[SYMBOL@]TF=FILE". Throws std::invalid_argument with a message
/// naming what is wrong (no '=', empty file, bad timeframe).
FeedSpec parse_feed_spec(const std::string& text);

/// The intrabars of each chart bar: a cursor over a lower-timeframe feed
/// that hands out, for chart bars in time order, the feed's bars that open
/// in [the chart bar's open, the next chart bar's open).
class IntrabarCursor {
public:
  explicit IntrabarCursor(std::vector<Bar> bars) : bars_(std::move(bars)) {}
  /// The intrabars of the chart bar opening at `open`, given the open of
  /// the chart bar after it (or its own close time for the last one).
  /// Intrabars before `open` are skipped: a restored run starts mid-feed.
  std::span<const Bar> next(std::int64_t open, std::int64_t next_open);

private:
  std::vector<Bar> bars_;
  std::size_t at_ = 0;
};

/// Seconds of one bar of `tf` (months as 31 days), for ordering timeframes.
std::int64_t timeframe_length(const Timeframe& tf);

} // namespace pine::cli
