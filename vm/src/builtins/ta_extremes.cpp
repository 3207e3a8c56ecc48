// Extremes over windows and over all bars: ta.highest, ta.lowest, ta.range,
// ta.highestbars, ta.lowestbars, ta.max and ta.min.
// The state structs of ta_extremes.h.
#include "builtins/ta_extremes.h"

#include <cmath>

namespace pine::ta {

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

// The extreme's position in the window, as a non-positive offset.
template <bool Max>
std::int64_t ExtremeBars<Max>::step(double src, std::int64_t length) {
  if (is_na_float(ext_.step(src, length))) return kIntNa;
  return -ext_.offset();
}
template struct ExtremeBars<true>;
template struct ExtremeBars<false>;
// The standing extreme; exact comparison, na ignored (Reference: ta.max).
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
// The window's extreme (see ExtremeWindow::step).
template <bool Max>
double Extreme<Max>::step(double src, std::int64_t length) {
  if (!valid_length(length)) return kFloatNa;
  return win_.step(src, length);
}

// Archive layout: version, history, window length (the deque is derived).
template <bool Max>
void Extreme<Max>::save(archive::Out& ar) const {
  win_.save(ar);
}

// Reads save()'s layout; the values must be finite (checked after the
// length and capacity, the order this layout has always been validated in).
template <bool Max>
void Extreme<Max>::load(archive::In& ar) {
  win_.load(ar, detail::Stored::kMayBeNa);
  detail::require_finite(win_.values());
}
template class Extreme<true>;
template class Extreme<false>;

} // namespace pine::ta
