// Oscillators and momentum: ta.rsi, ta.macd, ta.roc, ta.cmo, ta.mfi, ta.tsi,
// ta.cog, ta.stoch and ta.wpr.
// The state structs of ta_oscillators.h.
#include "builtins/ta_oscillators.h"

#include <cmath>

namespace pine::ta {

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

// The one-bar change is over the raw inputs (na propagates into the next
// bar's change, as ta.change does); a change >= -1e-10 is an up move.
double Cmo::step(double src, std::int64_t length) {
  if (!valid_length(length)) return kFloatNa;
  const double m = change_.step(src, 1);
  if (is_na_float(m)) return kFloatNa;
  const bool up = m >= -kEpsilon;
  const double s1 = up_.step(up ? m : 0.0, length);
  const double s2 = down_.step(up ? 0.0 : -m, length);
  if (is_na_float(s1) || is_na_float(s2)) return kFloatNa;
  const double total = s1 + s2;
  if (total == 0.0) return kFloatNa;
  return 100.0 * (s1 - s2) / total;
}

// Writes the state (version first).
void Cmo::save(archive::Out& ar) const { detail::save_parts(ar, change_, up_, down_); }

// Reads what save() wrote.
void Cmo::load(archive::In& ar) { detail::load_parts(ar, change_, up_, down_); }

// PyneCore's measured law: the change is taken between consecutive non-na
// sources; a bar with no change yet (the first) puts volume*src in both
// sums; sums within 1e-10 of 0 count as 0; lower == 0 gives 100; otherwise
// 100 - 100/(1 + upper/lower) (that operation order).
double Mfi::step(double src, double volume, std::int64_t length) {
  if (!valid_length(length) || is_na_float(src)) return kFloatNa;
  const double chg = is_na_float(prev_) ? kFloatNa : src - prev_;
  prev_ = src;
  const bool chg_na = is_na_float(chg);
  double upper = upper_.step(volume * ((!chg_na && chg <= kEpsilon) ? 0.0 : src), length);
  double lower = lower_.step(volume * ((!chg_na && chg >= -kEpsilon) ? 0.0 : src), length);
  if (is_na_float(upper) || is_na_float(lower)) return kFloatNa;
  if (std::fabs(upper) <= kEpsilon) upper = 0.0;
  if (std::fabs(lower) <= kEpsilon) lower = 0.0;
  if (lower == 0.0) return 100.0;
  return 100.0 - (100.0 / (1.0 + upper / lower));
}

// Writes the state (version first).
void Mfi::save(archive::Out& ar) const { detail::save_parts(ar, prev_, upper_, lower_); }

// Reads what save() wrote.
void Mfi::load(archive::In& ar) { detail::load_parts(ar, prev_, upper_, lower_); }

// Momentum between consecutive non-na sources, double-smoothed by emas.
double Tsi::step(double src, std::int64_t short_len, std::int64_t long_len) {
  if (!valid_length(short_len) || !valid_length(long_len) || is_na_float(src)) return kFloatNa;
  const double m = is_na_float(prev_) ? kFloatNa : src - prev_;
  prev_ = src;
  if (is_na_float(m)) return kFloatNa;
  const double n = num2_.step(num1_.step(m, long_len), short_len);
  const double d = den2_.step(den1_.step(std::fabs(m), long_len), short_len);
  if (is_na_float(n) || is_na_float(d)) return kFloatNa;
  return n / d;
}

// Writes the state (version first).
void Tsi::save(archive::Out& ar) const { detail::save_parts(ar, prev_, num1_, num2_, den1_, den2_); }

// Reads what save() wrote.
void Tsi::load(archive::In& ar) { detail::load_parts(ar, prev_, num1_, num2_, den1_, den2_); }

// 100 * (src - low) / (high - low), multiplication first and unclamped
// (PyneCore probe m561).
double Stoch::step(double src, double high, double low, std::int64_t length) {
  if (!valid_length(length) || is_na_float(src) || is_na_float(high) || is_na_float(low)) return kFloatNa;
  const double h = hi_.step(high, length);
  const double l = lo_.step(low, length);
  if (is_na_float(h) || is_na_float(l)) return kFloatNa;
  return 100.0 * (src - l) / (h - l);
}

// Writes the state (version first).
void Stoch::save(archive::Out& ar) const { detail::save_parts(ar, hi_, lo_); }

// Reads what save() wrote.
void Stoch::load(archive::In& ar) { detail::load_parts(ar, hi_, lo_); }

// Williams %R: the extremes follow high and low each on its own (na skips
// only that extreme's window, as two ta.highest/ta.lowest calls would).
double Wpr::step(double high, double low, double close, std::int64_t length) {
  if (!valid_length(length)) return kFloatNa;
  const double h = hi_.step(high, length);
  const double l = lo_.step(low, length);
  if (is_na_float(h) || is_na_float(l) || is_na_float(close)) return kFloatNa;
  return 100.0 * (close - h) / (h - l);
}

// Writes the state (version first).
void Wpr::save(archive::Out& ar) const { detail::save_parts(ar, hi_, lo_); }

// Reads what save() wrote.
void Wpr::load(archive::In& ar) { detail::load_parts(ar, hi_, lo_); }

} // namespace pine::ta
