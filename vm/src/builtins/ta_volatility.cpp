// Volatility and bands: ta.tr, ta.atr, ta.bb, ta.bbw, ta.kc and ta.kcw.
// The state structs of ta_volatility.h.
#include "builtins/ta_volatility.h"

#include <cmath>

namespace pine::ta {

// basis +- mult*stdev with the sma and the biased stdev of ta_statistics.h (bit-exact
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

// The three candidate ranges are compared explicitly (std::max with a NaN
// argument depends on argument order); an na high or low makes the bar na.
double Tr::step(double high, double low, double close, bool handle_na) {
  const double prev = prev_close_;
  prev_close_ = close;
  if (is_na_float(high) || is_na_float(low)) return kFloatNa;
  const double hl = high - low;
  if (is_na_float(prev)) return handle_na ? hl : kFloatNa;
  return std::max(hl, std::max(std::fabs(high - prev), std::fabs(low - prev)));
}

// Writes the state (version first).
void Tr::save(archive::Out& ar) const { detail::save_parts(ar, prev_close_); }

// Reads what save() wrote (any double is a valid previous close).
void Tr::load(archive::In& ar) { detail::load_parts(ar, prev_close_); }

// rma of tr(true): the first bar's range is high - low, so atr(n) is defined
// from the n-th bar on (Reference: ta.atr).
double Atr::step(double high, double low, double close, std::int64_t length) {
  if (!valid_length(length)) return kFloatNa;
  return rma_.step(tr_.step(high, low, close, true), length);
}

// Writes the state (version first).
void Atr::save(archive::Out& ar) const { detail::save_parts(ar, tr_, rma_); }

// Reads and validates what save() wrote.
void Atr::load(archive::In& ar) { detail::load_parts(ar, tr_, rma_); }

} // namespace pine::ta
