// Technical-analysis builtins: the rolling-window machinery and the moving
// averages (sma, math.sum, stdev, ema, rma, wma, rsi, macd). The range
// functions (tr, atr, highest, lowest, change, cross) are in ta_range.cpp.
// See ta.h for the conventions every struct follows.
#include "builtins/ta.h"

#include <algorithm>
#include <cmath>

namespace pine::ta {

namespace detail {

// Reads the version tag written first by every struct and rejects unknown
// versions, so that a layout change is detected instead of misread.
void load_version(archive::In& ar) {
  std::uint32_t version = 0;
  ar(version);
  archive::require(version == kStateVersion, "ta: unknown state version");
}

// Loads a length that must be 0 (nothing seen yet) or a valid length; the
// step code sizes loops and index arithmetic from it.
std::int64_t load_length(archive::In& ar) {
  std::int64_t len = 0;
  ar(len);
  archive::require(len == 0 || valid_length(len), "ta: stored length out of range");
  return len;
}

// One byte, 0 or 1 (see the declaration).
bool load_flag(archive::In& ar) {
  std::uint8_t b = 0;
  ar(b);
  archive::require(b <= 1, "ta: bad bool");
  return b == 1;
}

// A compacted window never holds na: refuse archives that say otherwise.
void require_finite(const Ring<double>& ring) {
  for (std::size_t k = 0; k < ring.size(); ++k) {
    archive::require(std::isfinite(ring.back(k)), "ta: na stored in a window");
  }
}

// Loads the ring, then checks its values.
void load_finite(archive::In& ar, Ring<double>& ring) {
  ring.load(ar);
  require_finite(ring);
}

// Version, values, length (see the declaration).
void save_window(archive::Out& ar, const Ring<double>& hist, std::int64_t len) {
  ar(kStateVersion);
  hist.save(ar);
  ar(len);
}

// Reads in save_window()'s order; the checks follow the reads, so a garbled
// archive fails at the first field that is wrong.
std::int64_t load_window(archive::In& ar, Ring<double>& hist, Stored stored) {
  load_version(ar);
  if (stored == Stored::kFinite) {
    load_finite(ar, hist);
  } else {
    hist.load(ar);
  }
  const std::int64_t len = load_length(ar);
  archive::require(hist.capacity() >= static_cast<std::size_t>(len), "ta: history smaller than window");
  return len;
}

namespace {

// The square of a raw value as TradingView's q machine sees it: the rounded
// product, exactly as the series `src * src` would hold it.
double sq(double x) { return x * x; }

} // namespace

// Raises the retention of the raw values and of their entries together.
template <bool kSquares>
void WindowSums<kSquares>::reserve(std::int64_t n) {
  const auto cap = static_cast<std::size_t>(n);
  hist_.reserve(cap);
  ent_p_.reserve(cap);
  if constexpr (kSquares) ent_q_.reserve(cap);
}

// One step of a compensated sum with the new raw value `v`; returns the
// entry to store for it. The arithmetic is TradingView's, as measured bit for
// bit by PyneCore (src/pynecore/lib/_math_stateful.py, probes m561/m562):
//  * re-baseline when `force`, or when TradingView's rule fires: the
//    compensation is non-zero and adding |c| to v rounds down (a positive
//    residue). The sum becomes the plain newest-first sum of the raw window
//    (v, then raw(1), raw(2)...), the compensation clears and v itself is the
//    entry;
//  * while nothing leaves the window (warm-up): one Kahan step, v - c enters;
//  * otherwise a fused evict-and-add: the leaving value's entry goes out and
//    v comes in within one two-round compensated step; the realized amount is
//    the entry.
// The reported sum is `s` alone, not s + c.
template <bool kSquares>
template <class Raw>
double WindowSums<kSquares>::step_sum(CompensatedSum& acc, double v, bool evict, double leaving, bool force,
                                      Raw raw) const {
  bool fires = force;
  if (!fires && acc.c != 0.0 && v != 0.0) {
    const double b = std::fabs(acc.c);
    const double r = v + b;
    fires = r != 0.0 && std::isfinite(r) && b - (r - v) > 0.0;
  }
  if (fires) {
    const std::size_t w = std::min(hist_.size(), static_cast<std::size_t>(len_));
    double total = v;
    for (std::size_t k = 1; k < w; ++k) total += raw(k);
    acc.s = total;
    acc.c = 0.0;
    acc.quiet = 0;
    return v;
  }
  if (!evict) {
    const double y = v - acc.c;
    const double t = acc.s + y;
    acc.c = (t - acc.s) - y;
    acc.s = t;
    return y;
  }
  const double y1 = -leaving - acc.c;
  const double t = acc.s + y1;
  const double e1 = (t - acc.s) - y1;
  const double y2 = v - e1;
  const double u = t + y2;
  acc.c = (u - t) - y2;
  acc.s = u;
  ++acc.quiet;
  return y2;
}

// Enters `x`. With the length unchanged and the window full, the value
// `length` positions back leaves: its entry is read before the push can
// overwrite it. A changed length re-baselines both sums over the new window
// (TradingView walks a length change as a sequence of compensated steps
// instead; our result can differ from it in the last bits until the next
// re-baseline). The forced re-baseline after kQuietLimit sliding steps bounds
// any drift (see kQuietLimit for why it practically never changes a result).
// Note the quiet counter also guards against a load()ed counter above the
// limit: it simply forces a re-baseline on the next step.
template <bool kSquares>
void WindowSums<kSquares>::push(double x, std::int64_t length) {
  const auto n = static_cast<std::size_t>(length);
  reserve(length);
  const bool relen = length != len_;
  const bool evict = !relen && hist_.size() >= n;
  const double leave_p = evict ? ent_p_.back(n - 1) : 0.0;
  double leave_q = 0.0;
  if constexpr (kSquares) leave_q = evict ? ent_q_.back(n - 1) : 0.0;
  hist_.push(x);
  len_ = length;
  // raw(k) reads the value pushed k pushes ago; hist_ already holds x at 0.
  const double ep = step_sum(p_, x, evict, leave_p, relen || p_.quiet >= kQuietLimit,
                             [this](std::size_t k) { return hist_.back(k); });
  ent_p_.push(ep);
  if constexpr (kSquares) {
    const double eq = step_sum(q_, sq(x), evict, leave_q, relen || q_.quiet >= kQuietLimit,
                               [this](std::size_t k) { return sq(hist_.back(k)); });
    ent_q_.push(eq);
  }
}

// The variance in TradingView's exact form from the two running sums (PyneCore
// measured it bit for bit, probes m556). It cancels when the deviation is
// small next to the mean (prices near 1.07 with a deviation of 5e-4 lose about
// 7 digits), but that error is TradingView's own: an accurate evaluation was
// measured 9.7e-10 away from the bb.csv export, this one 1e-13 (the export's
// resolution).
template <bool kSquares>
double WindowSums<kSquares>::variance(std::int64_t length, bool biased) const
  requires kSquares
{
  const auto n = static_cast<double>(length);
  const double p = p_.s;
  const double q = q_.s;
  const double m = p / n;
  if (biased) return std::max(0.0, q / n - m * m);
  if (length == 1) return kFloatNa;
  return std::max(0.0, q / (n - 1.0) - p * m / (n - 1.0));
}

// Archive layout: version, raw values, entries, sums, window length.
template <bool kSquares>
void WindowSums<kSquares>::save(archive::Out& ar) const {
  ar(kStateVersion);
  hist_.save(ar);
  ent_p_.save(ar);
  if constexpr (kSquares) ent_q_.save(ar);
  p_.save(ar);
  if constexpr (kSquares) q_.save(ar);
  ar(len_);
}

// Reads save()'s layout and checks the invariants push() relies on: raw
// values are finite (na never enters), every raw value has its entries (same
// count and capacity), and the capacity covers the window length.
template <bool kSquares>
void WindowSums<kSquares>::load(archive::In& ar) {
  load_version(ar);
  hist_.load(ar);
  ent_p_.load(ar);
  if constexpr (kSquares) ent_q_.load(ar);
  p_.load(ar);
  if constexpr (kSquares) q_.load(ar);
  len_ = load_length(ar);
  const auto same_shape = [this](const Ring<double>& r) {
    return r.size() == hist_.size() && r.capacity() == hist_.capacity();
  };
  archive::require(same_shape(ent_p_), "ta: window entries do not match its values");
  if constexpr (kSquares) archive::require(same_shape(ent_q_), "ta: window entries do not match its values");
  archive::require(hist_.capacity() >= static_cast<std::size_t>(len_), "ta: history smaller than window");
  require_finite(hist_);
}

template class WindowSums<false>;
template class WindowSums<true>;

} // namespace detail

// ---------------------------------------------------------------- sma / sum

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

// ---------------------------------------------------------------- stdev

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

// ---------------------------------------------------------------- ema / rma

namespace {

// The warm-up shared by ema and rma: the seed is ta.sma(src, length) on the
// first bar it is defined (the same machine as Sma, so the seed equals the
// sma plotted on that bar bit for bit). The seeding window is released once
// seeded. Returns the seed, or na while warming up. If the length changes
// during the warm-up, the sma follows it (see WindowSums::push).
double seed_step(detail::WindowSums<false>& seed, double src, std::int64_t length) {
  seed.push(src, length);
  if (!seed.full(length)) return kFloatNa;
  const double v = seed.sum() / static_cast<double>(length);
  seed.release();
  return v;
}

} // namespace

// prev + alpha*(src - prev) with alpha = 2/(length+1): this exact form is
// TradingView's (spec 5.2); length 1 returns src unchanged (alpha = 1 in the
// formula could round prev + (src - prev) away from src).
double Ema::step(double src, std::int64_t length) {
  if (!valid_length(length)) return kFloatNa;
  if (is_na_float(src)) return kFloatNa;
  if (length == 1) return src;
  if (is_na_float(value_)) return value_ = seed_step(seed_, src, length);
  const double alpha = 2.0 / static_cast<double>(length + 1);
  value_ = value_ + alpha * (src - value_);
  return value_;
}
// Writes the state (version first).
void Ema::save(archive::Out& ar) const { detail::save_parts(ar, seed_, value_); }
// Reads and validates what save() wrote.
void Ema::load(archive::In& ar) { detail::load_parts(ar, seed_, value_); }

// (prev*(length-1) + src)/length: TradingView's exact form (spec 5.2), not an
// ema with alpha = 1/length, which rounds differently.
double Rma::step(double src, std::int64_t length) {
  if (!valid_length(length)) return kFloatNa;
  if (is_na_float(src)) return kFloatNa;
  if (length == 1) return src;
  if (is_na_float(value_)) return value_ = seed_step(seed_, src, length);
  const auto n = static_cast<double>(length);
  value_ = (value_ * (n - 1.0) + src) / n;
  return value_;
}
// Writes the state (version first).
void Rma::save(archive::Out& ar) const { detail::save_parts(ar, seed_, value_); }
// Reads and validates what save() wrote.
void Rma::load(archive::In& ar) { detail::load_parts(ar, seed_, value_); }

// ---------------------------------------------------------------- wma

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

// ---------------------------------------------------------------- rsi

// Changes are taken between consecutive non-na sources (the window is
// na-compacted, so src[1] is the previous non-na value). The first non-na
// source has no change and returns na. 0/0 (no movement over the whole
// smoothing) is NaN, i.e. na: the spec leaves it open and PyneCore returns
// na too.
double Rsi::step(double src, std::int64_t length) {
  if (!valid_length(length)) return kFloatNa;
  if (is_na_float(src)) return kFloatNa;
  if (is_na_float(prev_)) {
    prev_ = src;
    return kFloatNa;
  }
  const double up = std::max(src - prev_, 0.0);
  const double down = std::max(prev_ - src, 0.0);
  prev_ = src;
  const double ru = up_.step(up, length);
  const double rd = down_.step(down, length);
  if (is_na_float(ru) || is_na_float(rd)) return kFloatNa;
  const double r = 100.0 - 100.0 / (1.0 + ru / rd);
  return std::isnan(r) ? kFloatNa : r;
}
// Writes the state (version first).
void Rsi::save(archive::Out& ar) const { detail::save_parts(ar, prev_, up_, down_); }
// Reads and validates what save() wrote.
void Rsi::load(archive::In& ar) { detail::load_parts(ar, prev_, up_, down_); }

// ---------------------------------------------------------------- macd

// Both emas advance on every non-na source; the signal ema only advances once
// the macd line exists (an na input never advances an ema).
Macd::Result Macd::step(double src, std::int64_t fast, std::int64_t slow, std::int64_t signal) {
  if (!valid_length(fast) || !valid_length(slow) || !valid_length(signal)) {
    return {kFloatNa, kFloatNa, kFloatNa};
  }
  const double f = fast_.step(src, fast);
  const double s = slow_.step(src, slow);
  const double m = (is_na_float(f) || is_na_float(s)) ? kFloatNa : f - s;
  const double sig = signal_.step(m, signal);
  const double hist = (is_na_float(m) || is_na_float(sig)) ? kFloatNa : m - sig;
  return {m, sig, hist};
}
// Writes the state (version first).
void Macd::save(archive::Out& ar) const { detail::save_parts(ar, fast_, slow_, signal_); }
// Reads and validates what save() wrote.
void Macd::load(archive::In& ar) { detail::load_parts(ar, fast_, slow_, signal_); }

} // namespace pine::ta
