// --feed parsing and the intrabar cursor (feeds.h).
#include "feeds.h"

#include <stdexcept>

namespace pine::cli {

FeedSpec parse_feed_spec(const std::string& text) {
  const std::size_t eq = text.find('=');
  if (eq == std::string::npos) throw std::invalid_argument("expected [SYMBOL@]TF=FILE, got '" + text + "'");
  FeedSpec spec;
  std::string key = text.substr(0, eq);
  spec.path = text.substr(eq + 1);
  if (spec.path.empty()) throw std::invalid_argument("no file after '=' in '" + text + "'");
  if (const std::size_t at = key.rfind('@'); at != std::string::npos) {
    spec.symbol = key.substr(0, at);
    key = key.substr(at + 1);
    if (spec.symbol.empty()) throw std::invalid_argument("empty symbol before '@' in '" + text + "'");
  }
  if (!parse_timeframe(key)) throw std::invalid_argument("'" + key + "' is not a timeframe (e.g. 60, 1D, 15S) in '" + text + "'");
  spec.timeframe = key;
  return spec;
}

std::span<const Bar> IntrabarCursor::next(std::int64_t open, std::int64_t next_open) {
  while (at_ < bars_.size() && bars_[at_].time < open) ++at_;
  const std::size_t first = at_;
  while (at_ < bars_.size() && bars_[at_].time < next_open) ++at_;
  return std::span<const Bar>(bars_.data() + first, at_ - first);
}

std::int64_t timeframe_length(const Timeframe& tf) {
  if (tf.unit == Timeframe::Unit::Months) return tf.multiplier * 31 * 86400;
  return timeframe_seconds(tf);
}

} // namespace pine::cli
