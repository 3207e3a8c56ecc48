// Technical-analysis builtins over ranges and differences: tr, atr, highest,
// lowest (and the extreme window they share with the pivots of ta_extra.h),
// change (float, int, bool) and the cross family. See ta.h for the
// conventions every struct follows.
#include <algorithm>
#include <cmath>

#include "builtins/ta.h"

namespace pine::ta {

// ---------------------------------------------------------------- tr / atr

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
// from the n-th bar on (spec 5.3).
double Atr::step(double high, double low, double close, std::int64_t length) {
  if (!valid_length(length)) return kFloatNa;
  return rma_.step(tr_.step(high, low, close, true), length);
}
// Writes the state (version first).
void Atr::save(archive::Out& ar) const { detail::save_parts(ar, tr_, rma_); }
// Reads and validates what save() wrote.
void Atr::load(archive::In& ar) { detail::load_parts(ar, tr_, rma_); }

// ---------------------------------------------------------------- highest / lowest

namespace detail {

// Appends sequence `seq` to the monotonic deque: candidates it displaces can
// never be the extreme again while it is in the window (it is newer), so
// they go. Whether equal values stay decides which of equal extremes is the
// front (see kTiesToNewest).
template <bool Max, bool kTiesToNewest>
void ExtremeWindow<Max, kTiesToNewest>::enter(std::uint64_t seq) {
  const double v = at_seq(seq);
  while (!dq_.empty() && displaces(v, at_seq(dq_.back()))) dq_.pop_back();
  dq_.push_back(seq);
}

// Rebuilds the deque from the retained values of the current window. The
// deque is a function of the window's contents only, so this gives exactly
// the deque an uninterrupted run would hold (used on length changes and after
// load(), which therefore does not need to archive the deque).
template <bool Max, bool kTiesToNewest>
void ExtremeWindow<Max, kTiesToNewest>::rebuild() {
  dq_.clear();
  const std::size_t n = std::min(hist_.size(), static_cast<std::size_t>(len_));
  for (std::size_t k = n; k-- > 0;) enter(pushed_ - 1 - k);
}

// Pushes the value, updates the deque (or rebuilds it on a length change),
// drops the front once it has left the window (with the length unchanged at
// most one candidate leaves per push; the loop states the invariant) and
// reads the extreme at the front.
template <bool Max, bool kTiesToNewest>
double ExtremeWindow<Max, kTiesToNewest>::step(double src, std::int64_t length) {
  const auto n = static_cast<std::size_t>(length);
  hist_.reserve(n);
  if (is_na_float(src)) return kFloatNa;
  hist_.push(src);
  ++pushed_;
  if (length != len_) {
    len_ = length;
    rebuild();
  } else {
    enter(pushed_ - 1);
    while (pushed_ - dq_.front() > n) dq_.pop_front();
  }
  if (hist_.size() < n) return kFloatNa;
  return at_seq(dq_.front());
}

// Reads the window, then rebuilds the deque over it.
template <bool Max, bool kTiesToNewest>
void ExtremeWindow<Max, kTiesToNewest>::load(archive::In& ar, Stored stored) {
  len_ = load_window(ar, hist_, stored);
  pushed_ = hist_.size();
  rebuild();
}

template class ExtremeWindow<true, false>;
template class ExtremeWindow<false, false>;
template class ExtremeWindow<true, true>;
template class ExtremeWindow<false, true>;

} // namespace detail

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

// ---------------------------------------------------------------- change

// src - src[length] over the raw inputs of this call site (na included: na
// propagates instead of being skipped).
double Change::step(double src, std::int64_t length) {
  if (!valid_length(length)) return kFloatNa;
  const auto n = static_cast<std::size_t>(length);
  if (!hist_.push_lagged(src, n)) return kFloatNa;
  const double old = hist_.back(n);
  if (is_na_float(src) || is_na_float(old)) return kFloatNa;
  return src - old;
}
// Writes the state (version first).
void Change::save(archive::Out& ar) const { detail::save_parts(ar, hist_); }
// Reads what save() wrote (raw inputs may be na, so values are not checked).
void Change::load(archive::In& ar) { detail::load_parts(ar, hist_); }

// Integer version: kIntNa propagates; the subtraction is done in unsigned
// arithmetic so an overflow wraps instead of being undefined behaviour.
std::int64_t ChangeInt::step(std::int64_t src, std::int64_t length) {
  if (!valid_length(length)) return kIntNa;
  const auto n = static_cast<std::size_t>(length);
  if (!hist_.push_lagged(src, n)) return kIntNa;
  const std::int64_t old = hist_.back(n);
  if (src == kIntNa || old == kIntNa) return kIntNa;
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(src) - static_cast<std::uint64_t>(old));
}
// Writes the state (version first).
void ChangeInt::save(archive::Out& ar) const { detail::save_parts(ar, hist_); }
// Reads what save() wrote (any int, na included, is a valid input).
void ChangeInt::load(archive::In& ar) { detail::load_parts(ar, hist_); }

// Bool version: history before the first call reads false (v6 bools are
// never na), so there is no warm-up.
bool ChangeBool::step(bool src, std::int64_t length) {
  if (!valid_length(length)) return false;
  const auto n = static_cast<std::size_t>(length);
  const bool old = hist_.push_lagged(src ? 1 : 0, n) && hist_.back(n) != 0;
  return src != old;
}
// Writes the state (version first).
void ChangeBool::save(archive::Out& ar) const { detail::save_parts(ar, hist_); }
// Reads what save() wrote; every stored byte must be 0 or 1.
void ChangeBool::load(archive::In& ar) {
  detail::load_parts(ar, hist_);
  for (std::size_t k = 0; k < hist_.size(); ++k) {
    archive::require(hist_.back(k) <= 1, "ta: bad bool");
  }
}

// ---------------------------------------------------------------- cross

// Records the relation of a defined pair for the next call; pairs with an na
// side are not recorded, so the next call compares with the last defined pair.
void Cross::remember(double a, double b) {
  if (is_na_float(a) || is_na_float(b)) return;
  prev_le_ = a <= b;
  prev_ge_ = a >= b;
}

// a > b now and a <= b on the last defined previous call. Comparisons with na
// are false, so an na operand never crosses.
bool Cross::step_over(double a, double b) {
  const bool res = prev_le_ && !is_na_float(a) && !is_na_float(b) && a > b;
  remember(a, b);
  return res;
}

// a < b now and a >= b on the last defined previous call.
bool Cross::step_under(double a, double b) {
  const bool res = prev_ge_ && !is_na_float(a) && !is_na_float(b) && a < b;
  remember(a, b);
  return res;
}

// Either crossing. Both relations are evaluated from the same remembered pair
// before it is updated (evaluating over and then under in sequence would make
// the second see this bar's pair as the previous one).
bool Cross::step_cross(double a, double b) {
  const bool defined = !is_na_float(a) && !is_na_float(b);
  const bool res = defined && ((prev_le_ && a > b) || (prev_ge_ && a < b));
  remember(a, b);
  return res;
}

// Writes the state (version first); bools as bytes.
void Cross::save(archive::Out& ar) const { detail::save_parts(ar, prev_le_, prev_ge_); }
// Reads what save() wrote; each flag byte must be 0 or 1.
void Cross::load(archive::In& ar) { detail::load_parts(ar, prev_le_, prev_ge_); }

} // namespace pine::ta
