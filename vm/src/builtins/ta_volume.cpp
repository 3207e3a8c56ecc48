// Volume indicators: ta.vwap and the volume variables ta.obv, ta.accdist,
// ta.nvi, ta.pvi, ta.pvt, ta.wad, ta.iii and ta.wvad.
// The state structs of ta_volume.h.
#include "builtins/ta_volume.h"

#include <cmath>

namespace pine::ta {

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
