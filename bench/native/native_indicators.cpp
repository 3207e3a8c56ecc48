// The native R1 and R5 (see native_indicators.h for the math).
#include "native_indicators.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace pine::bench {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The window lengths of the reference scripts (bench/scripts/*.pine).
constexpr std::size_t kSmaLength = 20;
constexpr std::size_t kEmaLength = 50;
constexpr std::size_t kRsiLength = 14;
constexpr std::size_t kAtrLength = 14;
constexpr std::size_t kMacdFast = 12;
constexpr std::size_t kMacdSlow = 26;
constexpr std::size_t kMacdSignal = 9;
} // namespace

// Sizes the circular buffer once: no allocation per bar.
NativeSma::NativeSma(std::size_t length) : window_(length, 0.0) {}

// Kahan summation step: the low bits lost by `sum_ + x` are carried in
// compensation_ and fed back into the next addition.
void NativeSma::add(double x) {
  const double y = x - compensation_;
  const double t = sum_ + y;
  compensation_ = (t - sum_) - y;
  sum_ = t;
}

// Slides the window: the oldest value leaves the sum, `x` enters it.
double NativeSma::step(double x) {
  if (count_ == window_.size()) add(-window_[next_]);
  else ++count_;
  window_[next_] = x;
  next_ = (next_ + 1) % window_.size();
  add(x);
  return count_ == window_.size() ? sum_ / static_cast<double>(window_.size()) : kNaN;
}

// Starts unseeded.
NativeAverage::NativeAverage(std::size_t length, bool wilder) : length_(length), wilder_(wilder), value_(kNaN) {}

// Collects the seed sum over the first `length` values, then updates with
// the ema or rma recurrence.
double NativeAverage::step(double x) {
  if (length_ == 1) return x;
  if (std::isnan(value_)) {
    seed_sum_ += x;
    if (++seen_ < length_) return kNaN;
    value_ = seed_sum_ / static_cast<double>(length_);
    return value_;
  }
  const auto n = static_cast<double>(length_);
  if (wilder_) value_ = (value_ * (n - 1.0) + x) / n;
  else value_ = value_ + 2.0 / (n + 1.0) * (x - value_);
  return value_;
}

// Two Wilder averages, of the gains and of the losses.
NativeRsi::NativeRsi(std::size_t length) : previous_(kNaN), up_(length, true), down_(length, true) {}

// The first value only sets the previous one (there is no change yet).
double NativeRsi::step(double x) {
  if (std::isnan(previous_)) {
    previous_ = x;
    return kNaN;
  }
  const double up = std::max(x - previous_, 0.0);
  const double down = std::max(previous_ - x, 0.0);
  previous_ = x;
  const double average_up = up_.step(up);
  const double average_down = down_.step(down);
  if (std::isnan(average_up) || std::isnan(average_down)) return kNaN;
  return 100.0 - 100.0 / (1.0 + average_up / average_down); // 0/0 gives NaN, as Pine's na
}

// A Wilder average of the true range.
NativeAtr::NativeAtr(std::size_t length) : previous_close_(kNaN), rma_(length, true) {}

// True range against the previous close (high-low on the first bar).
double NativeAtr::step(const Bar& bar) {
  double range = bar.high - bar.low;
  if (!std::isnan(previous_close_)) {
    range = std::max({range, std::abs(bar.high - previous_close_), std::abs(bar.low - previous_close_)});
  }
  previous_close_ = bar.close;
  return rma_.step(range);
}

// The window length of bench/scripts/r1_sma.pine.
NativeR1::NativeR1() : sma_(kSmaLength) {}

// plot(ta.sma(close, 20)).
std::array<double, NativeR1::kPlots> NativeR1::step(const Bar& bar) { return {sma_.step(bar.close)}; }

// The lengths of bench/scripts/r5_five_indicators.pine.
NativeR5::NativeR5()
    : sma_(kSmaLength), ema_(kEmaLength, false), rsi_(kRsiLength), atr_(kAtrLength), macd_fast_(kMacdFast, false),
      macd_slow_(kMacdSlow, false), macd_signal_(kMacdSignal, false) {}

// The five plots; the macd signal only starts once the macd line exists
// (Pine's ema skips na values).
std::array<double, NativeR5::kPlots> NativeR5::step(const Bar& bar) {
  const double fast = macd_fast_.step(bar.close);
  const double slow = macd_slow_.step(bar.close);
  double histogram = kNaN;
  if (!std::isnan(fast) && !std::isnan(slow)) {
    const double macd = fast - slow;
    const double signal = macd_signal_.step(macd);
    if (!std::isnan(signal)) histogram = macd - signal;
  }
  // The order of evaluation of the other plots does not matter (they are independent).
  return {sma_.step(bar.close), ema_.step(bar.close), rsi_.step(bar.close), atr_.step(bar), histogram};
}

} // namespace pine::bench
