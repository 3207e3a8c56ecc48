// Conditions and their history: ta.change, ta.mom, ta.crossover,
// ta.crossunder, ta.cross, ta.barssince, ta.valuewhen and fixnan.
// One state struct per function, with the conventions of ta_core.h, and
// each function's typed handler TaStep<StateKind::K> (see ta_step.h).
#pragma once

#include <cstdint>

#include "builtins/ta_core.h"
#include "builtins/ta_step.h"

namespace pine::ta {

/// ta.change(src, length) for float sources: src - src[length]; na when
/// either is na (na propagates, nothing is skipped). It keeps its own ring of
/// the last length+1 inputs given to this call site.
struct Change {
  /// Advances with `src`; na until `length` earlier inputs exist.
  double step(double src, std::int64_t length);
  /// Retains at least n + 1 inputs (see Sma::reserve).
  void reserve(std::int64_t n) { if (valid_length(n)) hist_.reserve(static_cast<std::size_t>(n) + 1); }
  /// Writes the state, version first (see kStateVersion).
  void save(archive::Out& ar) const;
  /// Reads and validates the state written by save().
  void load(archive::In& ar);

private:
  detail::Ring<double> hist_;
};

/// ta.change(src, length) for int sources: na (kIntNa) when either value is
/// na; the difference wraps like unsigned arithmetic instead of overflowing.
struct ChangeInt {
  /// Advances with `src`; kIntNa until `length` earlier inputs exist.
  std::int64_t step(std::int64_t src, std::int64_t length);
  /// Writes the state, version first (see kStateVersion).
  void save(archive::Out& ar) const;
  /// Reads and validates the state written by save().
  void load(archive::In& ar);

private:
  detail::Ring<std::int64_t> hist_;
};

/// ta.change(src, length) for bool sources: src != src[length]. Bool is never
/// na in v6 and history before the first call reads false (docs/semantics.md), so the
/// first `length` calls compare against false.
struct ChangeBool {
  /// Advances with `src`.
  bool step(bool src, std::int64_t length);
  /// Writes the state, version first (see kStateVersion).
  void save(archive::Out& ar) const;
  /// Reads and validates the state written by save().
  void load(archive::In& ar);

private:
  detail::Ring<std::uint8_t> hist_;
};

/// ta.crossover / ta.crossunder / ta.cross: one struct serves all three (a
/// call site uses one of the step functions). a[1] and b[1] are the values of
/// the last previous call on which both a and b were non-na (PyneCore's
/// measurement). A call with an na operand returns false and leaves
/// that remembered relation unchanged; the first defined call returns false.
/// Comparisons are exact (no 1e-10 tolerance; see kEpsilon in ta_core.h).
struct Cross {
  /// a > b and a[1] <= b[1].
  bool step_over(double a, double b);
  /// a < b and a[1] >= b[1].
  bool step_under(double a, double b);
  /// step_over or step_under, from the same remembered relation.
  bool step_cross(double a, double b);
  /// Writes the state, version first (see kStateVersion).
  void save(archive::Out& ar) const;
  /// Reads and validates the state written by save().
  void load(archive::In& ar);

private:
  void remember(double a, double b);
  bool prev_le_ = false; // a[1] <= b[1] (false: no defined previous bar)
  bool prev_ge_ = false; // a[1] >= b[1]
};

/// ta.barssince(cond): 0 on a bar where cond is true, +1 per later call,
/// na (kIntNa) before the first true.
struct BarsSince {
  /// Advances with `cond`.
  std::int64_t step(bool cond);
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote.
  void load(archive::In& ar);

private:
  std::int64_t count_ = -1; // -1: never true yet
};

/// ta.valuewhen(cond, src, occurrence) for float (T = double) and int
/// (T = std::int64_t) sources: src on the occurrence-th most recent call on
/// which cond was true (0 = the latest, possibly this one). An na src on a
/// true bar is recorded as na (PyneCore's measurement).
template <class T>
struct ValueWhen {
  /// Records `src` when `cond`; returns the occurrence, or na when fewer
  /// true calls happened. `occurrence` must be in [0, kMaxLength).
  T step(bool cond, T src, std::int64_t occurrence);
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote.
  void load(archive::In& ar);

private:
  detail::Ring<T> hits_;
};

/// fixnan(src): the last non-na value seen at this call site, na before the
/// first. One struct serves the float and the int overload (it keeps the
/// slot's bits).
struct Fixnan {
  /// Advances with a float source; na (NaN or +-inf) leaves the state.
  double step_float(double source) {
    if (!is_na_float(source)) remember(make_float(source));
    return seen_ ? last_.f : kFloatNa;
  }
  /// Advances with an int source; kIntNa leaves the state.
  std::int64_t step_int(std::int64_t source) {
    if (source != kIntNa) remember(make_int(source));
    return seen_ ? last_.i : kIntNa;
  }
  /// Writes the state, version first.
  void save(archive::Out& ar) const;
  /// Reads what save() wrote; throws on a bad version or flag.
  void load(archive::In& ar);

 private:
  void remember(Value v) {
    last_ = v;
    seen_ = true;
  }
  Value last_{};
  bool seen_ = false;
};

// ---------------------------------------------------------------- handlers

template <> struct TaStep<StateKind::CHANGE> : SourceLengthStep<Change> {};

template <> struct TaStep<StateKind::MOM> : SourceLengthStep<Change> {};

template <> struct TaStep<StateKind::CHANGE_I> {
  static std::int64_t run(ChangeInt& s, std::int64_t source, Length length) { return s.step(source, length.value); }
};

template <> struct TaStep<StateKind::CHANGE_B> {
  static bool run(ChangeBool& s, bool source, Length length) { return s.step(source, length.value); }
};

template <> struct TaStep<StateKind::CROSSOVER> {
  static bool run(Cross& s, double source1, double source2) { return s.step_over(source1, source2); }
};

template <> struct TaStep<StateKind::CROSSUNDER> {
  static bool run(Cross& s, double source1, double source2) { return s.step_under(source1, source2); }
};

template <> struct TaStep<StateKind::CROSS> {
  static bool run(Cross& s, double source1, double source2) { return s.step_cross(source1, source2); }
};

template <> struct TaStep<StateKind::FIXNAN_F> {
  static double run(Fixnan& s, double source) { return s.step_float(source); }
};

template <> struct TaStep<StateKind::FIXNAN_I> {
  static std::int64_t run(Fixnan& s, std::int64_t source) { return s.step_int(source); }
};

template <> struct TaStep<StateKind::BARSSINCE> {
  static std::int64_t run(BarsSince& s, bool condition) { return s.step(condition); }
};

/// The runtime error for a negative or too large valuewhen occurrence.
const char* bad_occurrence(std::int64_t occurrence);

template <> struct TaStep<StateKind::VALUEWHEN> {
  static const char* check(bool, double, std::int64_t occurrence) { return bad_occurrence(occurrence); }
  static double run(ValueWhen<double>& s, bool condition, double source, std::int64_t occurrence) {
    return s.step(condition, source, occurrence == kIntNa ? -1 : occurrence);
  }
};

template <> struct TaStep<StateKind::VALUEWHEN_I> {
  static const char* check(bool, std::int64_t, std::int64_t occurrence) { return bad_occurrence(occurrence); }
  static std::int64_t run(ValueWhen<std::int64_t>& s, bool condition, std::int64_t source, std::int64_t occurrence) {
    return s.step(condition, source, occurrence == kIntNa ? -1 : occurrence);
  }
};

} // namespace pine::ta
