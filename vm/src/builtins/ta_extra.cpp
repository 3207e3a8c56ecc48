// ta.* builtins of ta_extra.h: percentrank, percentiles, rci, pivots,
// supertrend, dmi, sar, vwap and the volume variables.
#include "builtins/ta_extra.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace pine::ta {

namespace {

// Pine's math.max/math.min: na when either side is na.
double pmax(double a, double b) { return (std::isnan(a) || std::isnan(b)) ? kFloatNa : std::max(a, b); }
double pmin(double a, double b) { return (std::isnan(a) || std::isnan(b)) ? kFloatNa : std::min(a, b); }
// Pine's nz() for floats.
double nz(double x) { return is_na_float(x) ? 0.0 : x; }

} // namespace

// ---------------------------------------------------------------- percentrank

// The current input against the `length` inputs before it. The comparison
// is tolerant (PyneCore probe m548): x counts when x <= v or x - v <= 1e-10.
double PercentRank::step(double src, std::int64_t length) {
  if (!valid_length(length)) return kFloatNa;
  const auto n = static_cast<std::size_t>(length);
  if (!hist_.push_lagged(src, n) || is_na_float(src)) return kFloatNa;
  std::int64_t count = 0;
  for (std::size_t k = 1; k <= n; ++k) {
    const double x = hist_.back(k);
    if (!is_na_float(x) && (x <= src || x - src <= kEpsilon)) ++count;
  }
  return static_cast<double>(count * 100) / static_cast<double>(length);
}
// Writes the state (version first).
void PercentRank::save(archive::Out& ar) const { detail::save_parts(ar, hist_); }
// Reads what save() wrote (raw inputs may be na).
void PercentRank::load(archive::In& ar) { detail::load_parts(ar, hist_); }

// ---------------------------------------------------------------- percentiles

// The sorted non-na part of the last `len_` inputs.
template <bool kLinear>
void Percentile<kLinear>::rebuild() {
  sorted_.clear();
  const std::size_t n = std::min(hist_.size(), static_cast<std::size_t>(len_));
  for (std::size_t k = 0; k < n; ++k)
    if (!is_na_float(hist_.back(k))) sorted_.push_back(hist_.back(k));
  std::sort(sorted_.begin(), sorted_.end());
}

// Keeps the sorted copy in step with the raw window, then selects with
// TradingView's rules (PyneCore probes m552/m554/m580): n counts the na
// inputs too, which sort after every number.
template <bool kLinear>
double Percentile<kLinear>::step(double src, std::int64_t length, double percentage) {
  if (!valid_length(length)) return kFloatNa;
  const auto n = static_cast<std::size_t>(length);
  hist_.reserve(n);
  if (length == len_ && hist_.size() >= n) {
    const double leaving = hist_.back(n - 1);
    const auto it = std::lower_bound(sorted_.begin(), sorted_.end(), leaving);
    if (!is_na_float(leaving) && it != sorted_.end() && *it == leaving) sorted_.erase(it); // guarded erase
  }
  hist_.push(src);
  if (length != len_) {
    len_ = length;
    rebuild();
  } else if (!is_na_float(src)) {
    sorted_.insert(std::upper_bound(sorted_.begin(), sorted_.end(), src), src);
  }
  if (is_na_float(src) || hist_.size() < n) return kFloatNa;
  const std::size_t m = sorted_.size();
  const auto len = static_cast<double>(length);
  if constexpr (kLinear) {
    if (std::isnan(percentage)) return kFloatNa;
    double pos = len * percentage / 100.0 + 0.5;
    const double nearest = std::round(pos);
    if (std::fabs(pos - nearest) < 1e-9) pos = nearest;
    if (pos <= 1.0) return m > 0 ? sorted_[0] : kFloatNa;
    if (pos >= len) return m == n ? sorted_[m - 1] : kFloatNa;
    const double lower = std::floor(pos);
    const double frac = pos - lower;
    const auto lo = static_cast<std::size_t>(lower);
    if (frac == 0.0) return lo <= m ? sorted_[lo - 1] : kFloatNa;
    if (m < n) return kFloatNa;
    return sorted_[lo - 1] * (1.0 - frac) + sorted_[lo] * frac;
  } else {
    if (std::isnan(percentage)) percentage = 0.0;
    if (percentage == 0.0) return m > 0 ? sorted_[0] : kFloatNa;
    const double rank = std::clamp(std::ceil(percentage * len / 100.0), 1.0, len);
    const auto r = static_cast<std::size_t>(rank);
    return r <= m ? sorted_[r - 1] : kFloatNa;
  }
}
// Writes the raw window and its length (the sorted copy is derived).
template <bool kLinear>
void Percentile<kLinear>::save(archive::Out& ar) const {
  detail::save_window(ar, hist_, len_);
}
// Reads what save() wrote (raw inputs may be na) and rebuilds the sorted copy.
template <bool kLinear>
void Percentile<kLinear>::load(archive::In& ar) {
  len_ = detail::load_window(ar, hist_, detail::Stored::kMayBeNa);
  rebuild();
}
template struct Percentile<true>;
template struct Percentile<false>;

// ---------------------------------------------------------------- rci

// PyneCore's bit-exact pipeline: newest-first window, values ordered
// ascending (stable), min-anchored tie groups, 0-based average ranks
// descending by value, moment-form variances, deviation-product covariance.
double Rci::step(double src, std::int64_t length) {
  if (!valid_length(length)) return kFloatNa;
  const auto n = static_cast<std::size_t>(length);
  hist_.reserve(n);
  hist_.push(src);
  if (seen_ <= static_cast<std::uint64_t>(kMaxLength)) ++seen_;
  if (is_na_float(src) || seen_ <= n || hist_.size() < n) return kFloatNa;
  // Scratch buffers are members so that a bar allocates nothing once they
  // have grown to the length.
  std::vector<double>& values = values_;
  std::vector<std::size_t>& order = order_;
  std::vector<double>& ranks = ranks_;
  values.resize(n);
  for (std::size_t k = 0; k < n; ++k) {
    values[k] = hist_.back(k);
    if (is_na_float(values[k])) return kFloatNa;
  }
  order.resize(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  ranks.assign(n, 0.0);
  const auto len = static_cast<double>(length);
  std::size_t pos = 0;
  for (std::size_t i = 0; i < n;) {
    const double anchor = values[order[i]];
    std::size_t j = i;
    while (j < n && values[order[j]] - anchor < kEpsilon) ++j;
    const double avg = (len - 1.0) - static_cast<double>(pos + pos + (j - i) - 1) / 2.0;
    for (std::size_t t = i; t < j; ++t) ranks[order[t]] = avg;
    pos += j - i;
    i = j;
  }
  double sx = 0.0, sy = 0.0, sx2 = 0.0, sy2 = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = static_cast<double>(i);
    sx += x;
    sy += ranks[i];
    sx2 += x * x;
    sy2 += ranks[i] * ranks[i];
  }
  const double mx = sx / len;
  const double my = sy / len;
  const double vx = sx2 / len - mx * mx;
  const double vy = sy2 / len - my * my;
  if (vx <= 0.0 || vy <= 0.0) return kFloatNa;
  double cov = 0.0;
  for (std::size_t i = 0; i < n; ++i) cov += (static_cast<double>(i) - mx) * (ranks[i] - my);
  cov /= len;
  return (100.0 * cov) / (std::sqrt(vx) * std::sqrt(vy));
}
// Writes the state (version first).
void Rci::save(archive::Out& ar) const { detail::save_parts(ar, seen_, hist_); }
// Reads what save() wrote, checking the count before the window is read.
void Rci::load(archive::In& ar) {
  detail::load_parts(ar, seen_);
  archive::require(seen_ <= static_cast<std::uint64_t>(kMaxLength) + 1, "ta: bad rci count");
  hist_.load(ar);
}

// ---------------------------------------------------------------- pivots

// The window is the last left + right + 1 non-na values; the candidate is
// `right` values back and must be the deque's front (the newest of equal
// extremes, so an equal value to its right disqualifies it).
template <bool Max>
double Pivot<Max>::step(double src, std::int64_t left, std::int64_t right) {
  if (left == kIntNa || right == kIntNa || left < 0 || right < 0 || left >= kMaxLength || right >= kMaxLength)
    return kFloatNa;
  const std::int64_t length = left + right + 1;
  if (!valid_length(length)) return kFloatNa;
  const double extreme = win_.step(src, length);
  if (is_na_float(extreme) || win_.offset() != right) return kFloatNa;
  return extreme;
}
// Writes the retained values and the window length (the deque is derived).
template <bool Max>
void Pivot<Max>::save(archive::Out& ar) const {
  win_.save(ar);
}
// Reads what save() wrote (a compacted window: finite values only).
template <bool Max>
void Pivot<Max>::load(archive::In& ar) {
  win_.load(ar, detail::Stored::kFinite);
}
template struct Pivot<true>;
template struct Pivot<false>;

// ---------------------------------------------------------------- supertrend

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

// ---------------------------------------------------------------- dmi

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

// ---------------------------------------------------------------- sar

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

// ---------------------------------------------------------------- vwap

// An anchor restarts the sums even on a bar that cannot accumulate (na
// source or volume), so the next period never inherits the old one.
Vwap::Result Vwap::step(double src, bool anchor, double volume, double mult) {
  if (anchor) {
    sum_v_ = 0.0;
    sum_pv_ = 0.0;
    sum_ppv_ = 0.0;
    anchored_ = true;
  }
  if (!anchored_ || is_na_float(src) || is_na_float(volume)) return {kFloatNa, kFloatNa, kFloatNa};
  sum_v_ += volume;
  sum_pv_ += src * volume;
  sum_ppv_ += src * src * volume;
  const double vwap = sum_pv_ / sum_v_;
  if (is_na_float(vwap)) return {kFloatNa, kFloatNa, kFloatNa};
  const double band = std::sqrt(std::max(0.0, sum_ppv_ / sum_v_ - vwap * vwap)) * mult;
  return {vwap, vwap + band, vwap - band};
}
// Day numbers by floor division, so times before 1970 work too.
bool Vwap::day_anchor(std::int64_t time_ms) {
  if (time_ms == kIntNa) return false;
  constexpr std::int64_t kDayMs = 86'400'000;
  const std::int64_t day = time_ms / kDayMs - ((time_ms % kDayMs) < 0 ? 1 : 0);
  const bool anchor = day_ == kIntNa || day != day_;
  day_ = day;
  return anchor;
}
// Writes the state (version first).
void Vwap::save(archive::Out& ar) const { detail::save_parts(ar, sum_v_, sum_pv_, sum_ppv_, anchored_, day_); }
// Reads what save() wrote.
void Vwap::load(archive::In& ar) { detail::load_parts(ar, sum_v_, sum_pv_, sum_ppv_, anchored_, day_); }

// ---------------------------------------------------------------- volume variables

// sign(change(close)) * volume into a running sum; na while there is no
// previous close (bar 0) or on na inputs.
double VolumeVars::obv(double close, double volume) {
  const double chg = close - prev_close_;
  prev_close_ = close;
  if (is_na_float(chg)) return kFloatNa;
  const double sign = chg > 0.0 ? 1.0 : (chg < 0.0 ? -1.0 : 0.0);
  return cum_.step(volume * sign);
}

// The money-flow volume of the bar, when defined, into a running sum that
// starts at 0 (TradingView's export shows no na, even on bar 0).
double VolumeVars::accdist(double high, double low, double close, double volume) {
  const double mfv = ((close - low) - (high - close)) / (high - low) * volume;
  if (!is_na_float(mfv)) cum_.step(mfv);
  return cum_.total();
}

// The step shared by nvi and pvi: when `moves`, the index applies the
// close's relative change (an undefined change keeps the index); the bar
// becomes the previous one either way.
double VolumeVars::volume_index(bool moves, double close, double volume) {
  if (moves) {
    const double next = index_ + ((close - prev_close_) / prev_close_) * index_;
    if (!is_na_float(next)) index_ = next;
  }
  prev_close_ = close;
  prev_volume_ = volume;
  return index_;
}

// Negative volume index: moves on bars whose volume fell.
double VolumeVars::nvi(double close, double volume) {
  return volume_index(close != 0.0 && !is_na_float(prev_close_) && prev_close_ != 0.0 && volume < prev_volume_,
                      close, volume);
}

// Positive volume index: moves on bars whose volume rose; an undefined step
// (no previous close, division by zero) keeps the index.
double VolumeVars::pvi(double close, double volume) { return volume_index(volume > prev_volume_, close, volume); }

// Relative change of the close times volume, accumulated.
double VolumeVars::pvt(double close, double volume) {
  const double chg = close - prev_close_;
  const double x = (chg / prev_close_) * volume;
  prev_close_ = close;
  return cum_.step(x);
}

// Williams accumulation/distribution. The true high/low ignore an na
// previous close (Python's max/min argument order, as PyneCore measured);
// an undefined momentum counts as no change.
double VolumeVars::wad(double high, double low, double close) {
  const double pc = prev_close_;
  const double true_high = is_na_float(pc) || !(pc > high) ? high : pc;
  const double true_low = is_na_float(pc) || !(pc < low) ? low : pc;
  const double mom = close - pc;
  const double gain = mom > 0.0 ? close - true_low : (mom < 0.0 ? close - true_high : 0.0);
  prev_close_ = close;
  return cum_.step(gain);
}

// Writes the state (version first).
void VolumeVars::save(archive::Out& ar) const { detail::save_parts(ar, prev_close_, prev_volume_, index_, cum_); }
// Reads what save() wrote.
void VolumeVars::load(archive::In& ar) { detail::load_parts(ar, prev_close_, prev_volume_, index_, cum_); }

} // namespace pine::ta
