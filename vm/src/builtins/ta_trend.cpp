// Trend systems and direction: ta.rising, ta.falling, ta.supertrend, ta.dmi
// and ta.sar.
// The state structs of ta_trend.h.
#include "builtins/ta_trend.h"

#include <algorithm>
#include <cmath>

namespace pine::ta {

// Counts consecutive steps that move by more than the tolerance in the
// wanted direction; the first non-na value only primes the previous value.
template <bool Up>
bool Trend<Up>::step(double src, std::int64_t length) {
  if (!valid_length(length) || is_na_float(src)) return false;
  if (is_na_float(prev_)) {
    prev_ = src;
    return false;
  }
  const double move = Up ? src - prev_ : prev_ - src;
  run_ = move > kEpsilon ? std::min<std::int64_t>(run_ + 1, kMaxLength) : 0;
  prev_ = src;
  return run_ >= length;
}

// Writes the state (version first).
template <bool Up>
void Trend<Up>::save(archive::Out& ar) const {
  detail::save_parts(ar, prev_, run_);
}

// Reads what save() wrote; the run is bounded like any length.
template <bool Up>
void Trend<Up>::load(archive::In& ar) {
  detail::load_parts(ar, prev_, run_);
  archive::require(run_ >= 0 && run_ <= kMaxLength, "ta: bad rising/falling run");
}
template struct Trend<true>;
template struct Trend<false>;
namespace {

// Pine's math.max/math.min: na when either side is na.
double pmax(double a, double b) { return (std::isnan(a) || std::isnan(b)) ? kFloatNa : std::max(a, b); }
double pmin(double a, double b) { return (std::isnan(a) || std::isnan(b)) ? kFloatNa : std::min(a, b); }
// Pine's nz() for floats.
double nz(double x) { return is_na_float(x) ? 0.0 : x; }

} // namespace

// The RM's pine_supertrend line by line; comparisons with na are false and
// the previous bands go through nz(), which is what makes bar 0 read 0.
Supertrend::Result Supertrend::step(double factor, std::int64_t period, double hl2, double high, double low,
                                    double close) {
  const double atr = atr_.step(high, low, close, period);
  double upper = hl2 + factor * atr;
  double lower = hl2 - factor * atr;
  const double prev_lower = nz(prev_lower_);
  const double prev_upper = nz(prev_upper_);
  lower = (lower > prev_lower || prev_close_ < prev_lower) ? lower : prev_lower;
  upper = (upper < prev_upper || prev_close_ > prev_upper) ? upper : prev_upper;
  std::int64_t direction = 1;
  if (!is_na_float(prev_atr_)) {
    if (prev_line_ == prev_upper) {
      direction = close > upper ? -1 : 1;
    } else {
      direction = close < lower ? 1 : -1;
    }
  }
  const double line = direction == -1 ? lower : upper;
  prev_lower_ = lower;
  prev_upper_ = upper;
  prev_close_ = close;
  prev_atr_ = atr;
  prev_line_ = line;
  return {line, direction};
}

// Writes the state (version first).
void Supertrend::save(archive::Out& ar) const {
  detail::save_parts(ar, prev_lower_, prev_upper_, prev_close_, prev_atr_, prev_line_, atr_);
}

// Reads what save() wrote.
void Supertrend::load(archive::In& ar) {
  detail::load_parts(ar, prev_lower_, prev_upper_, prev_close_, prev_atr_, prev_line_, atr_);
}

// up = change(high), down = -change(low); +DM/-DM chosen with Pine's
// tolerant '>' (PyneCore's measurement); every average advances on every
// call so the true range keeps its previous close.
Dmi::Result Dmi::step(std::int64_t di_len, std::int64_t adx_len, double high, double low, double close) {
  const double up = up_.step(high, 1);
  const double down = -down_.step(low, 1);
  const double tr = tr_.step(high, low, close, false);
  const bool na_in = is_na_float(up) || is_na_float(down);
  const double plus_dm = na_in ? kFloatNa : ((up - down > kEpsilon && up > kEpsilon) ? up : 0.0);
  const double minus_dm = na_in ? kFloatNa : ((down - up > kEpsilon && down > kEpsilon) ? down : 0.0);
  const double a = tr_rma_.step(tr, di_len);
  double p = plus_rma_.step(plus_dm, di_len);
  double m = minus_rma_.step(minus_dm, di_len);
  if (is_na_float(a) || is_na_float(p) || is_na_float(m) || a == 0.0) return {kFloatNa, kFloatNa, kFloatNa};
  p = 100.0 * p / a;
  m = 100.0 * m / a;
  const double sum = p + m;
  const double adx = adx_rma_.step(std::fabs(p - m) / (sum != 0.0 ? sum : 1.0), adx_len) * 100.0;
  return {p, m, adx};
}

// Writes the state (version first).
void Dmi::save(archive::Out& ar) const {
  detail::save_parts(ar, up_, down_, tr_, tr_rma_, plus_rma_, minus_rma_, adx_rma_);
}

// Reads what save() wrote.
void Dmi::load(archive::In& ar) {
  detail::load_parts(ar, up_, down_, tr_, tr_rma_, plus_rma_, minus_rma_, adx_rma_);
}

// The RM's pine_sar, with this call site's call count standing for
// bar_index and its own copies of the previous two highs/lows and close.
double Sar::step(double start, double inc, double max, double high, double low, double close) {
  bool first_trend_bar = false;
  if (calls_ == 1) {
    if (close > c1_) {
      below_ = true;
      max_min_ = high;
      result_ = l1_;
    } else {
      below_ = false;
      max_min_ = low;
      result_ = h1_;
    }
    first_trend_bar = true;
    accel_ = start;
  }
  result_ = result_ + accel_ * (max_min_ - result_);
  if (below_) {
    if (result_ > low) {
      first_trend_bar = true;
      below_ = false;
      result_ = pmax(high, max_min_);
      max_min_ = low;
      accel_ = start;
    }
  } else if (result_ < high) {
    first_trend_bar = true;
    below_ = true;
    result_ = pmin(low, max_min_);
    max_min_ = high;
    accel_ = start;
  }
  if (!first_trend_bar) {
    if (below_) {
      if (high > max_min_) {
        max_min_ = high;
        accel_ = pmin(accel_ + inc, max);
      }
    } else if (low < max_min_) {
      max_min_ = low;
      accel_ = pmin(accel_ + inc, max);
    }
  }
  if (below_) {
    result_ = pmin(result_, l1_);
    if (calls_ > 1) result_ = pmin(result_, l2_);
  } else {
    result_ = pmax(result_, h1_);
    if (calls_ > 1) result_ = pmax(result_, h2_);
  }
  h2_ = h1_;
  h1_ = high;
  l2_ = l1_;
  l1_ = low;
  c1_ = close;
  if (calls_ < 2) ++calls_;
  return result_;
}

// Writes the state (version first).
void Sar::save(archive::Out& ar) const {
  detail::save_parts(ar, result_, max_min_, accel_, below_, calls_, h1_, h2_, l1_, l2_, c1_);
}

// Reads what save() wrote, checking the call count where it is read.
void Sar::load(archive::In& ar) {
  detail::load_parts(ar, result_, max_min_, accel_, below_, calls_);
  archive::require(calls_ <= 2, "ta: bad sar call count");
  ar(h1_, h2_, l1_, l2_, c1_);
}

} // namespace pine::ta
