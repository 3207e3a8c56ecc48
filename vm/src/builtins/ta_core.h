// The shared machinery of the stateful builtins (ta.*, math.sum, fixnan):
// the conventions every state struct follows, the ring buffers and deques
// their windows live in, TradingView's compensated window sums, and the
// archive helpers of their save()/load(). The structs themselves are
// grouped by indicator family in ta_<family>.h.
//
// Every written call of a stateful builtin owns one of these structs (Pine's
// call-site instancing, docs/language.md); the VM allocates them in the instance's state
// layout and calls step() once per bar on which that call site is evaluated.
// A bar on which the call is skipped does not call step(), so the state does
// not advance: that is Pine's semantics, not an approximation.
//
// Conventions shared by every struct:
//  * float na is NaN; anything !isfinite counts as na (value.h). Int na is
//    kIntNa. Results that are na are returned as kFloatNa (a quiet NaN).
//  * Lengths arrive on every bar. A length that is na, <= 0 or above
//    kMaxLength makes step() return na without touching the state; the VM
//    raises the runtime error (see valid_length()).
//  * "na-ignoring" functions (sma, ema, rma, wma, rsi, atr, stdev, highest,
//    lowest, math.sum) return na on a bar whose source is na, and that value
//    does not enter the window: the window is the last `length` non-na values.
//  * A window function returns na until its window holds `length` values.
//  * Series lengths (sma, wma, stdev, highest, lowest, change, math.sum) may
//    change from bar to bar. Each struct retains the last L non-na inputs,
//    where L is the largest length requested so far (or more, see reserve()),
//    and rebuilds its window from that retained history when the length
//    changes. If the new length is larger than what was retained, the values
//    that were discarded are gone: the function returns na until enough new
//    values have arrived to fill the larger window (it never returns a value
//    computed over a shorter window). A VM that knows a series length may grow
//    (a non-constant length argument) can call reserve(max_bars_back) once so
//    that growth never loses history.
//  * Simple lengths (ema, rma, rsi, atr, macd) are constant in valid Pine; if
//    one changes anyway, each bar uses the length it was given (see Ema).
//  * Numerics follow TradingView's measured arithmetic (as PyneCore measured it):
//    the rolling sums of sma, math.sum and stdev (and the SMA seeds of ema
//    and rma) run TradingView's compensated-sum machine with its own
//    re-baselining rule, ema/rma/stdev use TradingView's exact formulas, wma
//    re-sums its window oldest first. On the exports in tests/data these
//    reproduce TradingView bit for bit (see test_ta_tradingview.cpp).
//  * Known difference: PyneCore measured that TradingView's math.sum/ta.sma
//    return the standing value (not na) on an na bar once warmed up, and that
//    ta.wma forward-fills na bars instead of compacting them. We follow
//    TradingView's documented rule (na in, na out; compacted windows).
//  * No heap allocation happens in step() once the buffers have grown to the
//    largest length used (buffers grow geometrically on first use only).
//  * save()/load() write and read a Cereal portable-binary archive through
//    archive.h. Each struct writes a small format version first (see
//    kStateVersion) and load() validates every count and invariant, throwing
//    StateDecodeError (via archive::require) or cereal::Exception on
//    truncated input; it never allocates more than a bound derived from the
//    bytes that remain.
//
// Two window models:
//  * "na ignored" functions (vwma, hma, cci, dev, cmo, cog, median, mode,
//    range, highestbars, lowestbars, stoch, wpr, bb, bbw, kc, kcw,
//    correlation, mfi, tsi, rising, falling, pivots) return na on an na
//    source and leave their state untouched: their windows are the last
//    `length` non-na values. vwma (source and volume) and stoch skip a bar
//    on which any input is na, so their windows stay aligned; correlation
//    follows TradingView's five independent sums instead (see Correlation).
//  * "na included" functions (mom, roc, swma, alma, linreg, percentrank,
//    percentile_linear_interpolation, percentile_nearest_rank, rci) keep the
//    raw inputs of every call: an na inside the window makes the result na.
// Derived data (sorted buffers, monotonic deques, cached weights) is never
// archived: load() rebuilds it from the archived raw window, which also
// removes any way to load an inconsistent copy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "archive.h"
#include "pine/vm/value.h"

namespace pine::ta {

/// Largest window length accepted. It bounds the memory a call site can claim
/// (8 bytes per retained value per ring: 8 MB for highest, 24 MB for stdev)
/// and what an archive may declare; Pine scripts never get near it
/// (TradingView's series history is 5,000 bars by default).
inline constexpr std::int64_t kMaxLength = 1'000'000;
/// Format version written first by every struct's save(). A struct's load()
/// accepts the versions it knows (only 1 so far) and rejects anything else,
/// so a future layout change can bump it and keep reading old snapshots.
inline constexpr std::uint32_t kStateVersion = 1;
/// True when `length` can be used as a window length: not na, at least 1 and
/// at most kMaxLength. On false step() returns na and the VM raises the
/// runtime error (length <= 0 and na are Pine errors; the upper bound is a
/// pinevm limit that TradingView's bar counts never reach).
inline bool valid_length(std::int64_t length) {
  return length != kIntNa && length >= 1 && length <= kMaxLength;
}

namespace detail {

/// Reads a struct's version tag and rejects versions this build does not know.
void load_version(archive::In& ar);

/// Reads a window length that must be 0 (nothing seen yet) or valid.
std::int64_t load_length(archive::In& ar);

/// A double-ended queue on a power-of-two ring that only allocates when it
/// grows (doubling). Used for value histories and monotonic deques.
template <class T>
class Deque {
public:
  /// Number of stored elements.
  std::size_t size() const { return size_; }
  /// True when nothing is stored.
  bool empty() const { return size_ == 0; }
  /// Forgets every element but keeps the storage (no allocation later).
  void clear() {
    head_ = 0;
    size_ = 0;
  }
  /// Element `i` counted from the front (the oldest); requires i < size().
  const T& operator[](std::size_t i) const { return buf_[(head_ + i) & mask_]; }
  /// The oldest element; requires !empty().
  const T& front() const { return (*this)[0]; }
  /// The newest element; requires !empty().
  const T& back() const { return (*this)[size_ - 1]; }
  /// Appends at the back, doubling the storage when it is full.
  void push_back(const T& v) {
    if (size_ == buf_.size()) grow();
    buf_[(head_ + size_) & mask_] = v;
    ++size_;
  }
  /// Drops the oldest element; requires !empty().
  void pop_front() {
    head_ = (head_ + 1) & mask_;
    --size_;
  }
  /// Drops the newest element; requires !empty().
  void pop_back() { --size_; }
  /// pop_front() then push_back(v) in one step (the size is unchanged);
  /// requires !empty().
  void shift(const T& v) {
    buf_[(head_ + size_) & mask_] = v;
    head_ = (head_ + 1) & mask_;
  }

  /// Writes the element count, then the elements oldest first.
  void save(archive::Out& ar) const {
    archive::save_count(ar, size_);
    for (std::size_t i = 0; i < size_; ++i) ar((*this)[i]);
  }
  /// Reads what save() wrote. The count is checked against `hard_max` and
  /// against the bytes left before anything is allocated, and the storage is
  /// charged to the decode budget twice over: the states that keep a window
  /// rebuild a derived copy of it on load (sorted values, monotonic deques).
  void load(archive::In& ar, std::uint64_t hard_max) {
    const std::uint64_t n = archive::load_count(ar, sizeof(T), hard_max, 0);
    std::size_t phys = 0;
    if (n > 0) {
      phys = 16;
      while (phys < n) phys *= 2;
    }
    archive::charge(ar, phys, 2 * sizeof(T));
    buf_.assign(phys, T{});
    mask_ = phys == 0 ? 0 : phys - 1;
    head_ = 0;
    size_ = static_cast<std::size_t>(n);
    if constexpr (std::is_arithmetic_v<T>) {
      archive::load_array(ar, buf_.data(), size_);
    } else {
      for (std::size_t i = 0; i < size_; ++i) ar(buf_[i]);
    }
  }

private:
  /// Doubles the storage (16 slots at first), moving the elements to its start.
  void grow() {
    std::vector<T> bigger(buf_.empty() ? 16 : buf_.size() * 2);
    for (std::size_t i = 0; i < size_; ++i) bigger[i] = (*this)[i];
    buf_.swap(bigger);
    mask_ = buf_.size() - 1;
    head_ = 0;
  }

  std::vector<T> buf_;
  std::size_t mask_ = 0;  // buf_.size() - 1 (the size is a power of two), 0 when empty
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

/// The last `capacity()` values pushed, newest addressable as back(0). The
/// capacity is logical: storage grows with the values actually stored, so a
/// huge length on a short run costs only what was pushed.
template <class T>
class Ring {
public:
  /// Raises the capacity to at least `n` (never lowers it). Values already
  /// discarded by a smaller capacity are not recovered.
  void reserve(std::size_t n) {
    if (n > cap_) cap_ = n;
  }
  /// Retains at least lag + 1 values and appends `v`; returns whether the
  /// value pushed `lag` pushes before it is there to read as back(lag) (the
  /// src[length] of change, roc and percentrank).
  bool push_lagged(const T& v, std::size_t lag) {
    reserve(lag + 1);
    push(v);
    return size() > lag;
  }
  /// How many values the ring keeps at most.
  std::size_t capacity() const { return cap_; }
  /// How many values it holds now (<= capacity()).
  std::size_t size() const { return d_.size(); }
  /// Appends `v`, discarding the oldest value when the ring is at capacity.
  void push(const T& v) {
    if (d_.size() >= cap_ && !d_.empty()) d_.shift(v);
    else d_.push_back(v);
  }
  /// The value pushed `k` pushes ago (0 = newest); requires k < size().
  const T& back(std::size_t k) const { return d_[d_.size() - 1 - k]; }

  /// Writes the capacity and the values, oldest first.
  void save(archive::Out& ar) const {
    ar(static_cast<std::uint64_t>(cap_));
    d_.save(ar);
  }
  /// Reads what save() wrote: capacity within [0, kMaxLength + 1] (change
  /// keeps length + 1 values), and at most `capacity` values.
  void load(archive::In& ar) {
    std::uint64_t cap = 0;
    ar(cap);
    archive::require(cap <= static_cast<std::uint64_t>(kMaxLength) + 1, "ta: history capacity above its limit");
    d_.load(ar, cap);
    cap_ = static_cast<std::size_t>(cap);
  }

private:
  Deque<T> d_;
  std::size_t cap_ = 0;
};

/// Reads a bool stored as one byte, rejecting anything but 0 and 1 (reading
/// a garbled byte straight into a bool would be undefined behaviour).
bool load_flag(archive::In& ar);

/// Rejects a window that holds na (compacted windows never do; the step code
/// would turn such an archive into wrong results forever).
void require_finite(const Ring<double>& ring);

/// Loads a ring and rejects na values (require_finite).
void load_finite(archive::In& ar, Ring<double>& ring);

/// Writes one part of a state archive: a bool as one byte (0 or 1), any other
/// arithmetic value as itself, anything else (a ring, a nested state struct)
/// through its own save().
template <class T>
void save_part(archive::Out& ar, const T& part) {
  if constexpr (std::is_same_v<T, bool>) {
    ar(static_cast<std::uint8_t>(part ? 1 : 0));
  } else if constexpr (std::is_arithmetic_v<T>) {
    ar(part);
  } else {
    part.save(ar);
  }
}

/// Reads one part written by save_part() (a bool through load_flag()).
template <class T>
void load_part(archive::In& ar, T& part) {
  if constexpr (std::is_same_v<T, bool>) {
    part = load_flag(ar);
  } else if constexpr (std::is_arithmetic_v<T>) {
    ar(part);
  } else {
    part.load(ar);
  }
}

/// The archive layout of a state struct: the version tag (kStateVersion),
/// then its parts in order (see save_part()).
template <class... Parts>
void save_parts(archive::Out& ar, const Parts&... parts) {
  ar(kStateVersion);
  (save_part(ar, parts), ...);
}

/// Reads save_parts()'s layout: checks the version, then reads the parts in
/// order. Invariants beyond what each part checks are the caller's.
template <class... Parts>
void load_parts(archive::In& ar, Parts&... parts) {
  load_version(ar);
  (load_part(ar, parts), ...);
}

/// What the values of a loaded window may hold: raw inputs may be na,
/// na-compacted windows must be finite.
enum class Stored { kMayBeNa, kFinite };

/// The archive layout of a struct that keeps one window of retained values
/// and derives everything else from them (sorted copies, deques): version,
/// values, window length.
void save_window(archive::Out& ar, const Ring<double>& hist, std::int64_t len);

/// Reads save_window()'s layout into `hist`, rejecting na values when
/// `stored` says the window is finite, and checks that the length is 0 or
/// valid and that the retained capacity covers it. Returns the length.
std::int64_t load_window(archive::In& ar, Ring<double>& hist, Stored stored);

/// The last `length` non-na values of a series with a monotonic deque of the
/// candidates for their extreme (greatest for Max, smallest otherwise): O(1)
/// amortized per value, O(length) when the length changes. Among equal
/// extremes the oldest is the front (kTiesToNewest = false, ta.highestbars'
/// rule) or the newest (true, the pivots' rule: an equal value to the right
/// disqualifies a candidate). The deque is a function of the window's values
/// only, so it is rebuilt instead of archived.
template <bool Max, bool kTiesToNewest>
class ExtremeWindow {
public:
  /// Retains at least `n` values.
  void reserve(std::size_t n) { hist_.reserve(n); }
  /// Enters `src` into a window of `length` (a valid length) and returns the
  /// window's extreme: na on an na `src` (which does not enter) and while
  /// fewer than `length` values have entered.
  double step(double src, std::int64_t length);
  /// How many values back the extreme is (0 = the newest); only meaningful
  /// right after a step() that returned a value.
  std::int64_t offset() const { return dq_.empty() ? 0 : static_cast<std::int64_t>(pushed_ - 1 - dq_.front()); }
  /// The retained values (for checks after load()).
  const Ring<double>& values() const { return hist_; }
  /// Writes the window with save_window()'s layout (version first).
  void save(archive::Out& ar) const { save_window(ar, hist_, len_); }
  /// Reads it (load_window() with `stored`) and rebuilds the deque, with
  /// sequence numbers restarted at the retained count (only their
  /// differences matter).
  void load(archive::In& ar, Stored stored);

private:
  /// True when the newer value `v` removes the older candidate `b` from the deque.
  static bool displaces(double v, double b) { return (Max ? v > b : v < b) || (kTiesToNewest && v == b); }
  /// The retained value with sequence number `seq` (must be retained).
  double at_seq(std::uint64_t seq) const { return hist_.back(static_cast<std::size_t>(pushed_ - 1 - seq)); }
  /// Appends a newly pushed value to the monotonic deque.
  void enter(std::uint64_t seq);
  /// Recomputes the deque from the retained window.
  void rebuild();

  Ring<double> hist_;
  Deque<std::uint64_t> dq_;  // sequence numbers of candidate extremes, oldest first
  std::uint64_t pushed_ = 0; // values pushed; the newest has sequence pushed_ - 1
  std::int64_t len_ = 0;     // window length the deque describes
};

/// One compensated running sum with TradingView's arithmetic (its reference manual:
/// "a rolling compensated (Kahan-style) sum with periodic re-baselining";
/// the exact steps are PyneCore's measurement, see ta_core.cpp). `s` is the sum
/// that is reported, `c` the pending compensation.
struct CompensatedSum {
  double s = 0.0;
  double c = 0.0;
  std::uint32_t quiet = 0; // sliding steps since the last re-baseline
  /// Writes s, c and the quiet counter.
  void save(archive::Out& ar) const { ar(s, c, quiet); }
  /// Reads what save() wrote.
  void load(archive::In& ar) { ar(s, c, quiet); }
};

/// The na-compacted window of a rolling sum (and, with kSquares, of a rolling
/// sum of squares) shared by sma, math.sum, stdev and the ema/rma seeds.
/// Values enter one per push(). Every value keeps the "entry" it was added
/// with (the compensated amount that actually entered the sum), and leaves
/// the sum by subtracting that same entry. A re-baseline (the sum recomputed
/// from the raw window) happens when TradingView's rule fires, on every
/// length change, and as a safety net after kQuietLimit sliding steps without
/// one, so long runs cannot drift.
template <bool kSquares>
class WindowSums {
public:
  /// Sliding steps after which a re-baseline is forced. TradingView's rule
  /// fired on average every ~700 bars on random-walk data (longest gap seen:
  /// 73,484 bars in 300,000), and never on integer data, whose sums are exact
  /// anyway; 2^20 keeps the safety net out of the way of bit-exactness.
  static constexpr std::uint32_t kQuietLimit = 1u << 20;

  /// Retains at least `n` values from now on.
  void reserve(std::int64_t n);
  /// Enters the finite value `x` into a window of `length` (a valid length).
  void push(double x, std::int64_t length);
  /// True when the window holds `length` values (the result is defined).
  bool full(std::int64_t length) const { return hist_.size() >= static_cast<std::size_t>(length); }
  /// The window sum as TradingView reports it (the running sum without the
  /// pending compensation).
  double sum() const { return p_.s; }
  /// Variance of a full window of `length`: biased max(0, q/n - m^2), or
  /// unbiased max(0, q/(n-1) - p*m/(n-1)) (na for n == 1), with p and q the
  /// sums of x and x*x and m = p/n (TradingView's exact form, Reference: ta.stdev).
  double variance(std::int64_t length, bool biased) const
    requires kSquares;
  /// Forgets everything and releases the memory (used once an ema is seeded).
  void release() { *this = WindowSums{}; }

  /// Writes version, raw values, entries, sums and the window length.
  void save(archive::Out& ar) const;
  /// Reads and validates what save() wrote.
  void load(archive::In& ar);

private:
  /// One TradingView compensated-sum step for `acc`; returns the entry to store.
  template <class Raw>
  double step_sum(CompensatedSum& acc, double v, bool evict, double leaving, bool force, Raw raw) const;

  Ring<double> hist_;      // raw values, newest last
  Ring<double> ent_p_;     // entry of each raw value in p_
  Ring<double> ent_q_;     // entry of each raw value's square in q_ (kSquares only)
  CompensatedSum p_;       // sum of x over the window
  CompensatedSum q_;       // sum of x*x over the window (kSquares only)
  std::int64_t len_ = 0;   // window length the sums describe (0 = none yet)
};

} // namespace detail

/// Pine's float comparison tolerance: the builtins that PyneCore
/// measured to compare tolerantly (rising, falling, cmo, mfi, correlation,
/// percentrank, rci) use it; the others compare exactly.
inline constexpr double kEpsilon = 1e-10;

} // namespace pine::ta
