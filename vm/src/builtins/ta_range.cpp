// Technical-analysis builtins over ranges and differences: tr, atr, highest,
// lowest, change (float, int, bool) and the cross family. See ta.h for the
// conventions every struct follows.
#include <algorithm>
#include <cmath>

#include "builtins/ta.h"

namespace pine::ta {

namespace {

// Reads a bool stored as one byte, rejecting anything but 0 and 1 (reading a
// garbled byte straight into a bool would be undefined behaviour).
bool load_bool(archive::In& ar) {
  std::uint8_t b = 0;
  ar(b);
  archive::require(b <= 1, "ta: bad bool");
  return b == 1;
}

} // namespace

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
void Tr::save(archive::Out& ar) const { ar(kStateVersion, prev_close_); }
// Reads what save() wrote (any double is a valid previous close).
void Tr::load(archive::In& ar) {
  detail::load_version(ar);
  ar(prev_close_);
}

// rma of tr(true): the first bar's range is high - low, so atr(n) is defined
// from the n-th bar on (spec 5.3).
double Atr::step(double high, double low, double close, std::int64_t length) {
  if (!valid_length(length)) return kFloatNa;
  return rma_.step(tr_.step(high, low, close, true), length);
}
// Writes the state (version first).
void Atr::save(archive::Out& ar) const {
  ar(kStateVersion);
  tr_.save(ar);
  rma_.save(ar);
}
// Reads and validates what save() wrote.
void Atr::load(archive::In& ar) {
  detail::load_version(ar);
  tr_.load(ar);
  rma_.load(ar);
}

// ---------------------------------------------------------------- highest / lowest

// Appends sequence `seq` to the monotonic deque: candidates it beats can never
// be the extreme again while it is in the window (it is newer), so they go.
// Ties are kept, so the front is the oldest of equal extremes (what
// highestbars/lowestbars would report).
template <bool Max>
void Extreme<Max>::enter(std::uint64_t seq) {
  const double v = at_seq(seq);
  while (!dq_.empty() && beats(v, at_seq(dq_.back()))) dq_.pop_back();
  dq_.push_back(seq);
}

// Rebuilds the deque from the retained values of the current window. The
// deque is a function of the window's contents only, so this gives exactly
// the deque an uninterrupted run would hold (used on length changes and after
// load(), which therefore does not need to archive the deque).
template <bool Max>
void Extreme<Max>::rebuild() {
  dq_.clear();
  const std::size_t n = std::min(hist_.size(), static_cast<std::size_t>(len_));
  for (std::size_t k = n; k-- > 0;) enter(pushed_ - 1 - k);
}

// Pushes the value, updates the deque (or rebuilds it on a length change),
// drops the front when it left the window, and reads the extreme at the front.
template <bool Max>
double Extreme<Max>::step(double src, std::int64_t length) {
  if (!valid_length(length)) return kFloatNa;
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
    if (pushed_ - dq_.front() > n) dq_.pop_front();
  }
  if (hist_.size() < n) return kFloatNa;
  return at_seq(dq_.front());
}
// Archive layout: version, history, window length. The deque is rebuilt on
// load (see rebuild()), which also removes any way to load an inconsistent one.
template <bool Max>
void Extreme<Max>::save(archive::Out& ar) const {
  ar(kStateVersion);
  hist_.save(ar);
  ar(len_);
}
// Reads save()'s layout, checks that the values are finite and the capacity
// covers the window, then rebuilds the deque with sequence numbers restarted
// at the retained count (only their differences matter).
template <bool Max>
void Extreme<Max>::load(archive::In& ar) {
  detail::load_version(ar);
  hist_.load(ar);
  len_ = detail::load_length(ar);
  archive::require(hist_.capacity() >= static_cast<std::size_t>(len_), "ta: history smaller than window");
  for (std::size_t k = 0; k < hist_.size(); ++k) {
    archive::require(std::isfinite(hist_.back(k)), "ta: na stored in a window");
  }
  pushed_ = hist_.size();
  rebuild();
}

template class Extreme<true>;
template class Extreme<false>;

// ---------------------------------------------------------------- change

// src - src[length] over the raw inputs of this call site (na included: na
// propagates instead of being skipped).
double Change::step(double src, std::int64_t length) {
  if (!valid_length(length)) return kFloatNa;
  const auto n = static_cast<std::size_t>(length);
  hist_.reserve(n + 1);
  hist_.push(src);
  if (hist_.size() <= n) return kFloatNa;
  const double old = hist_.back(n);
  if (is_na_float(src) || is_na_float(old)) return kFloatNa;
  return src - old;
}
// Writes the state (version first).
void Change::save(archive::Out& ar) const {
  ar(kStateVersion);
  hist_.save(ar);
}
// Reads what save() wrote (raw inputs may be na, so values are not checked).
void Change::load(archive::In& ar) {
  detail::load_version(ar);
  hist_.load(ar);
}

// Integer version: kIntNa propagates; the subtraction is done in unsigned
// arithmetic so an overflow wraps instead of being undefined behaviour.
std::int64_t ChangeInt::step(std::int64_t src, std::int64_t length) {
  if (!valid_length(length)) return kIntNa;
  const auto n = static_cast<std::size_t>(length);
  hist_.reserve(n + 1);
  hist_.push(src);
  if (hist_.size() <= n) return kIntNa;
  const std::int64_t old = hist_.back(n);
  if (src == kIntNa || old == kIntNa) return kIntNa;
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(src) - static_cast<std::uint64_t>(old));
}
// Writes the state (version first).
void ChangeInt::save(archive::Out& ar) const {
  ar(kStateVersion);
  hist_.save(ar);
}
// Reads what save() wrote (any int, na included, is a valid input).
void ChangeInt::load(archive::In& ar) {
  detail::load_version(ar);
  hist_.load(ar);
}

// Bool version: history before the first call reads false (v6 bools are
// never na), so there is no warm-up.
bool ChangeBool::step(bool src, std::int64_t length) {
  if (!valid_length(length)) return false;
  const auto n = static_cast<std::size_t>(length);
  hist_.reserve(n + 1);
  hist_.push(src ? 1 : 0);
  const bool old = hist_.size() > n && hist_.back(n) != 0;
  return src != old;
}
// Writes the state (version first).
void ChangeBool::save(archive::Out& ar) const {
  ar(kStateVersion);
  hist_.save(ar);
}
// Reads what save() wrote; every stored byte must be 0 or 1.
void ChangeBool::load(archive::In& ar) {
  detail::load_version(ar);
  hist_.load(ar);
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
void Cross::save(archive::Out& ar) const {
  ar(kStateVersion, static_cast<std::uint8_t>(prev_le_), static_cast<std::uint8_t>(prev_ge_));
}
// Reads what save() wrote; each flag byte must be 0 or 1.
void Cross::load(archive::In& ar) {
  detail::load_version(ar);
  prev_le_ = load_bool(ar);
  prev_ge_ = load_bool(ar);
}

} // namespace pine::ta
