// The shared machinery of ta_core.h: archive helpers, the compensated window
// sums and the monotonic extreme windows.
#include "builtins/ta_core.h"

#include <algorithm>
#include <cmath>

namespace pine::ta {

namespace detail {

// Reads the version tag written first by every struct and rejects unknown
// versions, so that a layout change is detected instead of misread.
void load_version(archive::In& ar) {
  std::uint32_t version = 0;
  ar(version);
  archive::require(version == kStateVersion, "ta: unknown state version");
}

// Loads a length that must be 0 (nothing seen yet) or a valid length; the
// step code sizes loops and index arithmetic from it.
std::int64_t load_length(archive::In& ar) {
  std::int64_t len = 0;
  ar(len);
  archive::require(len == 0 || valid_length(len), "ta: stored length out of range");
  return len;
}

// One byte, 0 or 1 (see the declaration).
bool load_flag(archive::In& ar) {
  std::uint8_t b = 0;
  ar(b);
  archive::require(b <= 1, "ta: bad bool");
  return b == 1;
}

// A compacted window never holds na: refuse archives that say otherwise.
void require_finite(const Ring<double>& ring) {
  for (std::size_t k = 0; k < ring.size(); ++k) {
    archive::require(std::isfinite(ring.back(k)), "ta: na stored in a window");
  }
}

// Loads the ring, then checks its values.
void load_finite(archive::In& ar, Ring<double>& ring) {
  ring.load(ar);
  require_finite(ring);
}

// Version, values, length (see the declaration).
void save_window(archive::Out& ar, const Ring<double>& hist, std::int64_t len) {
  ar(kStateVersion);
  hist.save(ar);
  ar(len);
}

// Reads in save_window()'s order; the checks follow the reads, so a garbled
// archive fails at the first field that is wrong.
std::int64_t load_window(archive::In& ar, Ring<double>& hist, Stored stored) {
  load_version(ar);
  if (stored == Stored::kFinite) {
    load_finite(ar, hist);
  } else {
    hist.load(ar);
  }
  const std::int64_t len = load_length(ar);
  archive::require(hist.capacity() >= static_cast<std::size_t>(len), "ta: history smaller than window");
  return len;
}

namespace {

// The square of a raw value as TradingView's q machine sees it: the rounded
// product, exactly as the series `src * src` would hold it.
double sq(double x) { return x * x; }

} // namespace

// Raises the retention of the raw values and of their entries together.
template <bool kSquares>
void WindowSums<kSquares>::reserve(std::int64_t n) {
  const auto cap = static_cast<std::size_t>(n);
  hist_.reserve(cap);
  ent_p_.reserve(cap);
  if constexpr (kSquares) ent_q_.reserve(cap);
}

// One step of a compensated sum with the new raw value `v`; returns the
// entry to store for it. The arithmetic is TradingView's, as measured bit for
// bit by PyneCore (src/pynecore/lib/_math_stateful.py, probes m561/m562):
//  * re-baseline when `force`, or when TradingView's rule fires: the
//    compensation is non-zero and adding |c| to v rounds down (a positive
//    residue). The sum becomes the plain newest-first sum of the raw window
//    (v, then raw(1), raw(2)...), the compensation clears and v itself is the
//    entry;
//  * while nothing leaves the window (warm-up): one Kahan step, v - c enters;
//  * otherwise a fused evict-and-add: the leaving value's entry goes out and
//    v comes in within one two-round compensated step; the realized amount is
//    the entry.
// The reported sum is `s` alone, not s + c.
template <bool kSquares>
template <class Raw>
double WindowSums<kSquares>::step_sum(CompensatedSum& acc, double v, bool evict, double leaving, bool force,
                                      Raw raw) const {
  bool fires = force;
  if (!fires && acc.c != 0.0 && v != 0.0) {
    const double b = std::fabs(acc.c);
    const double r = v + b;
    fires = r != 0.0 && std::isfinite(r) && b - (r - v) > 0.0;
  }
  if (fires) {
    const std::size_t w = std::min(hist_.size(), static_cast<std::size_t>(len_));
    double total = v;
    for (std::size_t k = 1; k < w; ++k) total += raw(k);
    acc.s = total;
    acc.c = 0.0;
    acc.quiet = 0;
    return v;
  }
  if (!evict) {
    const double y = v - acc.c;
    const double t = acc.s + y;
    acc.c = (t - acc.s) - y;
    acc.s = t;
    return y;
  }
  const double y1 = -leaving - acc.c;
  const double t = acc.s + y1;
  const double e1 = (t - acc.s) - y1;
  const double y2 = v - e1;
  const double u = t + y2;
  acc.c = (u - t) - y2;
  acc.s = u;
  ++acc.quiet;
  return y2;
}

// Enters `x`. With the length unchanged and the window full, the value
// `length` positions back leaves: its entry is read before the push can
// overwrite it. A changed length re-baselines both sums over the new window
// (TradingView walks a length change as a sequence of compensated steps
// instead; our result can differ from it in the last bits until the next
// re-baseline). The forced re-baseline after kQuietLimit sliding steps bounds
// any drift (see kQuietLimit for why it practically never changes a result).
// Note the quiet counter also guards against a load()ed counter above the
// limit: it simply forces a re-baseline on the next step.
template <bool kSquares>
void WindowSums<kSquares>::push(double x, std::int64_t length) {
  const auto n = static_cast<std::size_t>(length);
  reserve(length);
  const bool relen = length != len_;
  const bool evict = !relen && hist_.size() >= n;
  const double leave_p = evict ? ent_p_.back(n - 1) : 0.0;
  double leave_q = 0.0;
  if constexpr (kSquares) leave_q = evict ? ent_q_.back(n - 1) : 0.0;
  hist_.push(x);
  len_ = length;
  // raw(k) reads the value pushed k pushes ago; hist_ already holds x at 0.
  const double ep = step_sum(p_, x, evict, leave_p, relen || p_.quiet >= kQuietLimit,
                             [this](std::size_t k) { return hist_.back(k); });
  ent_p_.push(ep);
  if constexpr (kSquares) {
    const double eq = step_sum(q_, sq(x), evict, leave_q, relen || q_.quiet >= kQuietLimit,
                               [this](std::size_t k) { return sq(hist_.back(k)); });
    ent_q_.push(eq);
  }
}

// The variance in TradingView's exact form from the two running sums (PyneCore
// measured it bit for bit, probes m556). It cancels when the deviation is
// small next to the mean (prices near 1.07 with a deviation of 5e-4 lose about
// 7 digits), but that error is TradingView's own: an accurate evaluation was
// measured 9.7e-10 away from the bb.csv export, this one 1e-13 (the export's
// resolution).
template <bool kSquares>
double WindowSums<kSquares>::variance(std::int64_t length, bool biased) const
  requires kSquares
{
  const auto n = static_cast<double>(length);
  const double p = p_.s;
  const double q = q_.s;
  const double m = p / n;
  if (biased) return std::max(0.0, q / n - m * m);
  if (length == 1) return kFloatNa;
  return std::max(0.0, q / (n - 1.0) - p * m / (n - 1.0));
}

// Archive layout: version, raw values, entries, sums, window length.
template <bool kSquares>
void WindowSums<kSquares>::save(archive::Out& ar) const {
  ar(kStateVersion);
  hist_.save(ar);
  ent_p_.save(ar);
  if constexpr (kSquares) ent_q_.save(ar);
  p_.save(ar);
  if constexpr (kSquares) q_.save(ar);
  ar(len_);
}

// Reads save()'s layout and checks the invariants push() relies on: raw
// values are finite (na never enters), every raw value has its entries (same
// count and capacity), and the capacity covers the window length.
template <bool kSquares>
void WindowSums<kSquares>::load(archive::In& ar) {
  load_version(ar);
  hist_.load(ar);
  ent_p_.load(ar);
  if constexpr (kSquares) ent_q_.load(ar);
  p_.load(ar);
  if constexpr (kSquares) q_.load(ar);
  len_ = load_length(ar);
  const auto same_shape = [this](const Ring<double>& r) {
    return r.size() == hist_.size() && r.capacity() == hist_.capacity();
  };
  archive::require(same_shape(ent_p_), "ta: window entries do not match its values");
  if constexpr (kSquares) archive::require(same_shape(ent_q_), "ta: window entries do not match its values");
  archive::require(hist_.capacity() >= static_cast<std::size_t>(len_), "ta: history smaller than window");
  require_finite(hist_);
}

template class WindowSums<false>;
template class WindowSums<true>;

} // namespace detail

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

} // namespace pine::ta
