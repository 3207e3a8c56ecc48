// ta.* builtins of ta_more.h, part one: accumulators and windows over one
// source (cum, roc, barssince, valuewhen, swma, alma, linreg, dev, cci, cog,
// median, mode, range, highestbars, lowestbars, rising, falling, max, min).
// The averages and bands over several sources are in ta_bands.cpp.
#include "builtins/ta_more.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace pine::ta {

namespace {

// Copies the last `n` values of `ring` (requires n <= ring.size()), oldest first.
void window_oldest_first(const detail::Ring<double>& ring, std::size_t n, std::vector<double>& out) {
  out.clear();
  for (std::size_t k = n; k-- > 0;) out.push_back(ring.back(k));
}

} // namespace

// ---------------------------------------------------------------- cum

// Plain left-to-right addition: TradingView's cum is a `var` accumulator,
// and a compensated sum would round differently from it.
double Cum::step(double src) {
  if (is_na_float(src)) return kFloatNa;
  total_ += src;
  return total_;
}
// Writes the state (version first).
void Cum::save(archive::Out& ar) const { detail::save_parts(ar, total_); }
// Reads what save() wrote (any double is a valid total).
void Cum::load(archive::In& ar) { detail::load_parts(ar, total_); }

// ---------------------------------------------------------------- roc

// 100 * (src - old) / old with old = the input `length` calls ago; the
// change is computed first, as the RM's definition writes it.
double Roc::step(double src, std::int64_t length) {
  if (!valid_length(length)) return kFloatNa;
  const auto n = static_cast<std::size_t>(length);
  if (!hist_.push_lagged(src, n)) return kFloatNa;
  const double old = hist_.back(n);
  if (is_na_float(src) || is_na_float(old)) return kFloatNa;
  return 100.0 * (src - old) / old;
}
// Writes the state (version first).
void Roc::save(archive::Out& ar) const { detail::save_parts(ar, hist_); }
// Reads what save() wrote (raw inputs may be na).
void Roc::load(archive::In& ar) { detail::load_parts(ar, hist_); }

// ---------------------------------------------------------------- barssince

// The counter restarts at 0 on a true call and counts calls after it.
std::int64_t BarsSince::step(bool cond) {
  if (cond) {
    count_ = 0;
  } else if (count_ >= 0 && count_ < std::numeric_limits<std::int64_t>::max()) {
    ++count_;
  }
  return count_ < 0 ? kIntNa : count_;
}
// Writes the state (version first).
void BarsSince::save(archive::Out& ar) const { detail::save_parts(ar, count_); }
// Reads what save() wrote; the counter is -1 (never) or a count.
void BarsSince::load(archive::In& ar) {
  detail::load_parts(ar, count_);
  archive::require(count_ >= -1, "ta: bad barssince counter");
}

// ---------------------------------------------------------------- valuewhen

namespace {
// The na of a valuewhen source type.
template <class T>
T na_of() {
  if constexpr (std::is_same_v<T, double>) {
    return kFloatNa;
  } else {
    return kIntNa;
  }
}
} // namespace

// Keeps the sources of the last occurrence+1 true calls (a larger
// occurrence than before raises the retention; values already dropped are
// not recovered, as for series lengths in ta.h).
template <class T>
T ValueWhen<T>::step(bool cond, T src, std::int64_t occurrence) {
  if (occurrence < 0 || occurrence >= kMaxLength) return na_of<T>();
  const auto n = static_cast<std::size_t>(occurrence);
  hits_.reserve(n + 1);
  if (cond) hits_.push(src);
  return hits_.size() > n ? hits_.back(n) : na_of<T>();
}
// Writes the state (version first).
template <class T>
void ValueWhen<T>::save(archive::Out& ar) const {
  detail::save_parts(ar, hits_);
}
// Reads what save() wrote (recorded sources may be na).
template <class T>
void ValueWhen<T>::load(archive::In& ar) {
  detail::load_parts(ar, hits_);
}
template struct ValueWhen<double>;
template struct ValueWhen<std::int64_t>;

// ---------------------------------------------------------------- swma

// PyneCore's operation order (bit-exact on ma.csv): newest first, the
// weights applied as multiplications by 2, one division at the end.
double Swma::step(double src) {
  hist_.reserve(4);
  hist_.push(src);
  if (hist_.size() < 4) return kFloatNa;
  const double a = hist_.back(0), b = hist_.back(1), c = hist_.back(2), d = hist_.back(3);
  if (is_na_float(a) || is_na_float(b) || is_na_float(c) || is_na_float(d)) return kFloatNa;
  return (a + 2.0 * b + 2.0 * c + d) / 6.0;
}
// Writes the state (version first).
void Swma::save(archive::Out& ar) const { detail::save_parts(ar, hist_); }
// Reads what save() wrote (raw inputs may be na; capacity is 4).
void Swma::load(archive::In& ar) {
  detail::load_parts(ar, hist_);
  archive::require(hist_.capacity() <= 4, "ta: bad swma history");
}

// ---------------------------------------------------------------- alma

// Weights are computed for i = 0 (oldest) .. length-1 and applied newest
// first, the norm summed in that same order (PyneCore's order). The cache is
// rebuilt whenever a parameter differs from the one it was built for.
double Alma::step(double src, std::int64_t length, double offset, double sigma, bool floor) {
  if (!valid_length(length)) return kFloatNa;
  const auto n = static_cast<std::size_t>(length);
  hist_.reserve(n);
  hist_.push(src);
  if (hist_.size() < n) return kFloatNa;
  if (w_len_ != length || w_offset_ != offset || w_sigma_ != sigma || w_floor_ != floor) {
    const double m = floor ? std::floor(offset * static_cast<double>(length - 1)) : offset * static_cast<double>(length - 1);
    const double s = static_cast<double>(length) / sigma;
    weights_.assign(n, 0.0);
    norm_ = 0.0;
    for (std::size_t k = 0; k < n; ++k) {
      const double i = static_cast<double>(n - 1 - k); // k = 0 is the newest value
      weights_[k] = std::exp(-1.0 * ((i - m) * (i - m)) / (2.0 * s * s));
      norm_ += weights_[k];
    }
    w_len_ = length;
    w_offset_ = offset;
    w_sigma_ = sigma;
    w_floor_ = floor;
  }
  double sum = 0.0;
  for (std::size_t k = 0; k < n; ++k) {
    const double x = hist_.back(k);
    if (is_na_float(x)) return kFloatNa;
    sum += weights_[k] * x;
  }
  return sum / norm_;
}
// Writes the raw window (the weights are a cache).
void Alma::save(archive::Out& ar) const { detail::save_parts(ar, hist_); }
// Reads what save() wrote and drops the weight cache.
void Alma::load(archive::In& ar) {
  detail::load_parts(ar, hist_);
  w_len_ = 0;
}

// ---------------------------------------------------------------- linreg

// TradingView's order (PyneCore probes m567/m568): x sums accumulated
// sequentially over 1..length, y sums oldest first, the intercept carrying an
// extra +slope and the evaluation point length - 1 - offset.
double Linreg::step(double src, std::int64_t length, std::int64_t offset) {
  if (!valid_length(length)) return kFloatNa;
  const auto n = static_cast<std::size_t>(length);
  hist_.reserve(n);
  hist_.push(src);
  if (hist_.size() < n || offset == kIntNa) return kFloatNa;
  if (length == 1) return src;
  double sx = 0.0, sx2 = 0.0;
  for (std::size_t i = 1; i <= n; ++i) {
    const auto per = static_cast<double>(i);
    sx = sx + per;
    sx2 = sx2 + per * per;
  }
  const auto len = static_cast<double>(length);
  const double denom = len * sx2 - sx * sx;
  double sy = 0.0, sxy = 0.0, per = 0.0;
  for (std::size_t k = n; k-- > 0;) {
    const double y = hist_.back(k);
    if (is_na_float(y)) return kFloatNa;
    per = per + 1.0;
    sy = sy + y;
    sxy = sxy + y * per;
  }
  const double slope = (len * sxy - sx * sy) / denom;
  const double average = sy / len;
  const double intercept = average - slope * sx / len + slope;
  return intercept + slope * (len - 1.0 - static_cast<double>(offset));
}
// Writes the state (version first).
void Linreg::save(archive::Out& ar) const { detail::save_parts(ar, hist_); }
// Reads what save() wrote (raw inputs may be na).
void Linreg::load(archive::In& ar) { detail::load_parts(ar, hist_); }

// ---------------------------------------------------------------- dev / cci

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

// ---------------------------------------------------------------- cog

// The RM's loop: num = sum(src[i] * (i + 1)) newest first, over math.sum.
double Cog::step(double src, std::int64_t length) {
  if (!valid_length(length)) return kFloatNa;
  const auto n = static_cast<std::size_t>(length);
  win_.reserve(n);
  const double sum = sum_.step(src, length);
  if (is_na_float(src)) return kFloatNa;
  win_.push(src);
  if (is_na_float(sum)) return kFloatNa;
  double num = 0.0;
  for (std::size_t k = 0; k < n; ++k) num += win_.back(k) * static_cast<double>(k + 1);
  return -num / sum;
}
// Writes the state (version first).
void Cog::save(archive::Out& ar) const { detail::save_parts(ar, sum_, win_); }
// Reads what save() wrote (the window is compacted: finite values only).
void Cog::load(archive::In& ar) {
  detail::load_parts(ar, sum_, win_);
  detail::require_finite(win_);
}

// ---------------------------------------------------------------- median / mode

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

// ---------------------------------------------------------------- range

// Both extremes advance together (na skips both).
double Range::step(double src, std::int64_t length) {
  const double h = hi_.step(src, length);
  const double l = lo_.step(src, length);
  if (is_na_float(h) || is_na_float(l)) return kFloatNa;
  return h - l;
}
// Writes the state (version first).
void Range::save(archive::Out& ar) const { detail::save_parts(ar, hi_, lo_); }
// Reads what save() wrote.
void Range::load(archive::In& ar) { detail::load_parts(ar, hi_, lo_); }

// ---------------------------------------------------------------- highestbars / lowestbars

// The extreme's position in the window, as a non-positive offset.
template <bool Max>
std::int64_t ExtremeBars<Max>::step(double src, std::int64_t length) {
  if (is_na_float(ext_.step(src, length))) return kIntNa;
  return -ext_.offset();
}
template struct ExtremeBars<true>;
template struct ExtremeBars<false>;

// ---------------------------------------------------------------- rising / falling

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

// ---------------------------------------------------------------- max / min

// The standing extreme; exact comparison (spec 5.3: na ignored).
template <bool Max>
double AllTime<Max>::step(double src) {
  if (!is_na_float(src) && (is_na_float(best_) || (Max ? src > best_ : src < best_))) best_ = src;
  return best_;
}
// Writes the state (version first).
template <bool Max>
void AllTime<Max>::save(archive::Out& ar) const {
  detail::save_parts(ar, best_);
}
// Reads what save() wrote.
template <bool Max>
void AllTime<Max>::load(archive::In& ar) {
  detail::load_parts(ar, best_);
}
template struct AllTime<true>;
template struct AllTime<false>;

} // namespace pine::ta
