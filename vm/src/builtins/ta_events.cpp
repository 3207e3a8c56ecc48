// Conditions and their history: ta.change, ta.mom, ta.crossover,
// ta.crossunder, ta.cross, ta.barssince, ta.valuewhen and fixnan.
// The state structs of ta_events.h.
#include "builtins/ta_events.h"

#include <cmath>
#include <limits>

namespace pine::ta {

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
// not recovered, as for series lengths in ta_core.h).
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

// ---------------------------------------------------------------- fixnan

// The slot's bits and the seen flag as a byte.
void Fixnan::save(archive::Out& ar) const {
  ar(std::uint32_t{1}, last_.u, static_cast<std::uint8_t>(seen_ ? 1 : 0));
}

void Fixnan::load(archive::In& ar) {
  std::uint32_t version = 0;
  std::uint8_t seen = 0;
  ar(version, last_.u, seen);
  archive::require(version == 1 && seen <= 1, "bad fixnan state");
  seen_ = seen == 1;
}

// ---------------------------------------------------------------- argument checks

// TradingView's messages; na is valid (valuewhen then returns na).
const char* bad_occurrence(std::int64_t occurrence) {
  if (occurrence != kIntNa && occurrence < 0) return "invalid occurrence argument: it must be at least 0";
  if (occurrence != kIntNa && occurrence >= kMaxLength) return "invalid occurrence argument: it is larger than 999999";
  return nullptr;
}

} // namespace pine::ta
