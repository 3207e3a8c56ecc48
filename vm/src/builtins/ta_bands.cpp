// ta.* builtins of ta_more.h, part two: averages, oscillators and bands
// built from the primitives of ta.h (vwma, hma, cmo, mfi, tsi, stoch, wpr,
// bb, bbw, kc, kcw, correlation). Operation orders follow TradingView as
// PyneCore measured them; each function says where that matters.
#include <algorithm>
#include <cmath>

#include "builtins/ta_more.h"

namespace pine::ta {

// ---------------------------------------------------------------- vwma

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

// ---------------------------------------------------------------- hma

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

// ---------------------------------------------------------------- cmo

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

// ---------------------------------------------------------------- mfi

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

// ---------------------------------------------------------------- tsi

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

// ---------------------------------------------------------------- stoch / wpr

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

// ---------------------------------------------------------------- bb / bbw

// basis +- mult*stdev with the sma and the biased stdev of ta.h (bit-exact
// with TradingView on bb.csv).
Bb::Result Bb::step(double src, std::int64_t length, double mult) {
  const double basis = basis_.step(src, length);
  const double dev = dev_.step(src, length, true);
  if (is_na_float(basis) || is_na_float(dev)) return {kFloatNa, kFloatNa, kFloatNa};
  const double span = mult * dev;
  return {basis, basis + span, basis - span};
}
// ((upper - lower) / basis) * 100 (this order is bit-exact on bb.csv).
double Bb::step_width(double src, std::int64_t length, double mult) {
  const Result r = step(src, length, mult);
  if (is_na_float(r.basis)) return kFloatNa;
  return (r.upper - r.lower) / r.basis * 100.0;
}
// Writes the state (version first).
void Bb::save(archive::Out& ar) const { detail::save_parts(ar, basis_, dev_); }
// Reads what save() wrote.
void Bb::load(archive::In& ar) { detail::load_parts(ar, basis_, dev_); }

// ---------------------------------------------------------------- kc / kcw

// The true range is stepped on every call so its previous close stays the
// previous bar's; the range ema sees tr (na on the first bar, as ta.tr) or
// high - low.
Bb::Result Kc::step(double src, std::int64_t length, double mult, bool use_tr, double high, double low,
                    double close) {
  const double tr = tr_.step(high, low, close, false);
  if (!valid_length(length)) return {kFloatNa, kFloatNa, kFloatNa};
  const double basis = basis_.step(src, length);
  const double range = range_.step(use_tr ? tr : high - low, length);
  if (is_na_float(basis)) return {kFloatNa, kFloatNa, kFloatNa};
  if (is_na_float(range)) return {basis, kFloatNa, kFloatNa};
  const double span = range * mult;
  return {basis, basis + span, basis - span};
}
// (upper - lower) / basis, without the *100 of bbw (the RM's definition).
double Kc::step_width(double src, std::int64_t length, double mult, bool use_tr, double high, double low,
                      double close) {
  const Bb::Result r = step(src, length, mult, use_tr, high, low, close);
  if (is_na_float(r.basis) || is_na_float(r.upper)) return kFloatNa;
  return (r.upper - r.lower) / r.basis;
}
// Writes the state (version first).
void Kc::save(archive::Out& ar) const { detail::save_parts(ar, basis_, range_, tr_); }
// Reads what save() wrote.
void Kc::load(archive::In& ar) { detail::load_parts(ar, basis_, range_, tr_); }

// ---------------------------------------------------------------- correlation

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

} // namespace pine::ta
