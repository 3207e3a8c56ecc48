// Statistics of a window: ta.stdev, ta.variance, ta.dev, ta.cci, ta.median,
// ta.mode, ta.correlation, ta.percentrank, the two percentiles and ta.rci.
// The state structs of ta_statistics.h.
#include "builtins/ta_statistics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace pine::ta {

// Square root of the window variance (see WindowSums::variance).
double Stdev::step(double src, std::int64_t length, bool biased) { return std::sqrt(step_variance(src, length, biased)); }

// The window variance (ta.variance); na until the window is full.
double Stdev::step_variance(double src, std::int64_t length, bool biased) {
  if (!valid_length(length)) return kFloatNa;
  w_.reserve(length);
  if (is_na_float(src)) return kFloatNa;
  w_.push(src, length);
  if (!w_.full(length)) return kFloatNa;
  return w_.variance(length, biased);
}

// Writes the state (version first).
void Stdev::save(archive::Out& ar) const { detail::save_parts(ar, w_); }

// Reads and validates what save() wrote.
void Stdev::load(archive::In& ar) { detail::load_parts(ar, w_); }

namespace {

// Copies the last `n` values of `ring` (requires n <= ring.size()), oldest first.
void window_oldest_first(const detail::Ring<double>& ring, std::size_t n, std::vector<double>& out) {
  out.clear();
  for (std::size_t k = n; k-- > 0;) out.push_back(ring.back(k));
}

} // namespace

// The mean is ta.sma's (compensated sum); the deviation is the plain
// newest-first loop TradingView runs (PyneCore probe m556).
Dev::Result Dev::step(double src, std::int64_t length) {
  if (!valid_length(length)) return {kFloatNa, kFloatNa};
  const auto n = static_cast<std::size_t>(length);
  win_.reserve(n);
  const double mean = mean_.step(src, length);
  if (is_na_float(src)) return {kFloatNa, kFloatNa};
  win_.push(src);
  if (is_na_float(mean)) return {kFloatNa, kFloatNa};
  double sum = 0.0;
  for (std::size_t k = 0; k < n; ++k) sum += std::fabs(win_.back(k) - mean);
  return {mean, sum / static_cast<double>(length)};
}

// (src - mean) / (0.015 * dev); a flat window gives 0/0, i.e. na.
double Dev::step_cci(double src, std::int64_t length) {
  const Result r = step(src, length);
  if (is_na_float(r.dev)) return kFloatNa;
  return (src - r.mean) / (0.015 * r.dev);
}

// Writes the state (version first).
void Dev::save(archive::Out& ar) const { detail::save_parts(ar, mean_, win_); }

// Reads what save() wrote (the window is compacted: finite values only).
void Dev::load(archive::In& ar) {
  detail::load_parts(ar, mean_, win_);
  detail::require_finite(win_);
}

// Rebuilds the sorted copy of the current window (length changes, load()).
template <bool kMode>
void OrderStat<kMode>::rebuild() {
  const std::size_t n = std::min(hist_.size(), static_cast<std::size_t>(len_));
  window_oldest_first(hist_, n, sorted_);
  std::sort(sorted_.begin(), sorted_.end());
}

// Inserts the new value and removes the leaving one by binary search in the
// sorted copy; then reads the median, or scans the runs for the mode.
template <bool kMode>
double OrderStat<kMode>::step(double src, std::int64_t length) {
  if (!valid_length(length)) return kFloatNa;
  const auto n = static_cast<std::size_t>(length);
  hist_.reserve(n);
  if (is_na_float(src)) return kFloatNa;
  const bool evict = length == len_ && hist_.size() >= n;
  if (evict) {
    const double leaving = hist_.back(n - 1);
    const auto it = std::lower_bound(sorted_.begin(), sorted_.end(), leaving);
    if (it != sorted_.end() && *it == leaving) sorted_.erase(it); // always true; guards the erase
  }
  hist_.push(src);
  if (length != len_) {
    len_ = length;
    rebuild();
  } else {
    sorted_.insert(std::upper_bound(sorted_.begin(), sorted_.end(), src), src);
  }
  if (hist_.size() < n) return kFloatNa;
  if constexpr (kMode) {
    double best = sorted_[0];
    std::size_t best_run = 0;
    for (std::size_t i = 0; i < n;) {
      std::size_t j = i;
      while (j < n && sorted_[j] == sorted_[i]) ++j;
      if (j - i > best_run) {
        best_run = j - i;
        best = sorted_[i];
      }
      i = j;
    }
    return best;
  } else {
    if (n % 2 == 1) return sorted_[n / 2];
    return (sorted_[n / 2 - 1] + sorted_[n / 2]) / 2.0;
  }
}

// Writes the raw window and its length (the sorted copy is derived).
template <bool kMode>
void OrderStat<kMode>::save(archive::Out& ar) const {
  detail::save_window(ar, hist_, len_);
}

// Reads what save() wrote (a compacted window) and rebuilds the sorted copy.
template <bool kMode>
void OrderStat<kMode>::load(archive::In& ar) {
  len_ = detail::load_window(ar, hist_, detail::Stored::kFinite);
  rebuild();
}
template struct OrderStat<false>;
template struct OrderStat<true>;
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

// TradingView's law (PyneCore probes m557): cov = sxy/n - mx*my, the two
// variances clamped at 0 and ONE square root over their product. Each of
// the five sums is its own math.sum over its own input, so a bar where only
// one source is na still enters the other source's sums (this is what makes
// correlation.csv bit-exact: there sma(close, 20) starts 10 bars after
// ema(close, 10), and pair-skipping those bars changes the compensated sums'
// rounding).
double Correlation::step(double a, double b, std::int64_t length) {
  if (!valid_length(length)) return kFloatNa;
  const double sx = sx_.step(a, length);
  const double sy = sy_.step(b, length);
  const double sxy = sxy_.step(a * b, length);
  const double sxx = sxx_.step(a * a, length);
  const double syy = syy_.step(b * b, length);
  if (is_na_float(sx) || is_na_float(sy) || is_na_float(sxy) || is_na_float(sxx) || is_na_float(syy)) {
    return kFloatNa;
  }
  const auto n = static_cast<double>(length);
  const double mx = sx / n;
  const double my = sy / n;
  const double cov = sxy / n - mx * my;
  if (std::fabs(cov) <= kEpsilon) return 0.0;
  const double vp = std::max(0.0, sxx / n - mx * mx) * std::max(0.0, syy / n - my * my);
  if (vp == 0.0) return kFloatNa;
  return cov / std::sqrt(vp);
}

// Writes the state (version first).
void Correlation::save(archive::Out& ar) const { detail::save_parts(ar, sx_, sy_, sxy_, sxx_, syy_); }

// Reads what save() wrote.
void Correlation::load(archive::In& ar) { detail::load_parts(ar, sx_, sy_, sxy_, sxx_, syy_); }

// ---------------------------------------------------------------- argument checks

// na passes: the functions return na for it.
const char* bad_percentage(double percentage) {
  if (std::isnan(percentage) || (percentage >= 0.0 && percentage <= 100.0)) return nullptr;
  return "invalid percentage argument: it must be between 0 and 100";
}

} // namespace pine::ta
