// Moving averages and running sums: ta.sma, ta.ema, ta.rma, ta.wma, ta.vwma,
// ta.swma, ta.hma, ta.alma, ta.linreg, ta.cum and math.sum.
// The state structs of ta_moving_averages.h.
#include "builtins/ta_moving_averages.h"

#include <algorithm>
#include <cmath>

namespace pine::ta {

// Mean of the window: the compensated sum divided by the length.
double Sma::step(double src, std::int64_t length) {
  if (!valid_length(length)) return kFloatNa;
  w_.reserve(length);
  if (is_na_float(src)) return kFloatNa;
  w_.push(src, length);
  return w_.full(length) ? w_.sum() / static_cast<double>(length) : kFloatNa;
}

// Writes the state (version first).
void Sma::save(archive::Out& ar) const { detail::save_parts(ar, w_); }

// Reads and validates what save() wrote.
void Sma::load(archive::In& ar) { detail::load_parts(ar, w_); }

// The compensated window sum itself (math.sum).
double Sum::step(double src, std::int64_t length) {
  if (!valid_length(length)) return kFloatNa;
  w_.reserve(length);
  if (is_na_float(src)) return kFloatNa;
  w_.push(src, length);
  return w_.full(length) ? w_.sum() : kFloatNa;
}

// Writes the state (version first).
void Sum::save(archive::Out& ar) const { detail::save_parts(ar, w_); }

// Reads and validates what save() wrote.
void Sum::load(archive::In& ar) { detail::load_parts(ar, w_); }

// Writes the state (version first).
void Ema::save(archive::Out& ar) const { detail::save_parts(ar, seed_, value_); }

// Reads and validates what save() wrote.
void Ema::load(archive::In& ar) { detail::load_parts(ar, seed_, value_); }

// Writes the state (version first).
void Rma::save(archive::Out& ar) const { detail::save_parts(ar, seed_, value_); }

// Reads and validates what save() wrote.
void Rma::load(archive::In& ar) { detail::load_parts(ar, seed_, value_); }

// Re-sums the window oldest first with weights 1..length (PyneCore measured
// that TradingView does exactly this; the sum of positive weighted terms has
// a relative error below length*2^-53, far inside the 1e-10 budget). The
// weight total length*(length+1)/2 is exact in double for any valid length.
double Wma::step(double src, std::int64_t length) {
  if (!valid_length(length)) return kFloatNa;
  const auto n = static_cast<std::size_t>(length);
  hist_.reserve(n);
  if (is_na_float(src)) return kFloatNa;
  hist_.push(src);
  if (hist_.size() < n) return kFloatNa;
  double sum = 0.0;
  double weight = 0.0;
  for (std::size_t k = n; k-- > 0;) {
    weight += 1.0;
    sum += hist_.back(k) * weight;
  }
  const auto len = static_cast<double>(length);
  return sum / (len * (len + 1.0) / 2.0);
}

// Writes the state (version first).
void Wma::save(archive::Out& ar) const { detail::save_parts(ar, hist_); }

// Reads and validates what save() wrote (only finite values are stored).
void Wma::load(archive::In& ar) {
  detail::load_parts(ar, hist_);
  detail::require_finite(hist_);
}

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

// Both smas see the same bars: a bar with an na source or volume is skipped
// whole, so the windows never drift apart.
double Vwma::step(double src, double volume, std::int64_t length) {
  if (!valid_length(length)) return kFloatNa;
  if (is_na_float(src) || is_na_float(volume)) return kFloatNa;
  const double pv = pv_.step(src * volume, length);
  const double v = v_.step(volume, length);
  if (is_na_float(pv) || is_na_float(v)) return kFloatNa;
  return pv / v;
}

// Writes the state (version first).
void Vwma::save(archive::Out& ar) const { detail::save_parts(ar, pv_, v_); }

// Reads what save() wrote.
void Vwma::load(archive::In& ar) { detail::load_parts(ar, pv_, v_); }

// The two inner wmas see every non-na value; the outer one sees their
// combination once both exist.
double Hma::step(double src, std::int64_t length) {
  if (!valid_length(length) || is_na_float(src)) return kFloatNa;
  const double half = half_.step(src, std::max<std::int64_t>(1, length / 2));
  const double full = full_.step(src, length);
  if (is_na_float(half) || is_na_float(full)) return kFloatNa;
  const auto root = static_cast<std::int64_t>(std::floor(std::sqrt(static_cast<double>(length))));
  return out_.step(2.0 * half - full, root);
}

// Writes the state (version first).
void Hma::save(archive::Out& ar) const { detail::save_parts(ar, half_, full_, out_); }

// Reads what save() wrote.
void Hma::load(archive::In& ar) { detail::load_parts(ar, half_, full_, out_); }

} // namespace pine::ta
