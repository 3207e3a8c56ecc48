// Collection operations: arrays, maps and UDT object copies (COLL).
//
// Elements are untyped slots; the element type T from the instruction says
// how to order, compare and print them. Statistics skip na elements and give
// na when nothing is left (Reference: array.avg, array.max...).
#include "collections.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <string_view>

#include "compare.h"
#include "matrix_ops.h"
#include "pine/vm/number_format.h"

namespace pine {

namespace {

/// A strict weak order on elements of type t, na last (sort, min, max...).
struct ElementLess {
  Type t;
  const StringTable& strings;
  bool operator()(Value a, Value b) const {
    const bool na_a = element_is_na(t, a), na_b = element_is_na(t, b);
    if (na_a || na_b) return !na_a && na_b;
    switch (t) {
      case Type::Float: return a.f < b.f;
      case Type::String: return strings.get(a.i) < strings.get(b.i);
      default: return a.i < b.i;
    }
  }
};

/// Element equality as the language's `==` sees it (floats with tolerance,
/// strings by content); na equals nothing.
bool element_eq(Type t, Value a, Value b, const StringTable& strings) {
  if (element_is_na(t, a) || element_is_na(t, b)) return false;
  switch (t) {
    case Type::Float: return float_eq(a.f, b.f);
    case Type::String: return strings.get(a.i) == strings.get(b.i);
    default: return a.i == b.i;
  }
}

/// Map keys are equal when their bits are (strings: their contents), so na
/// keys and float keys behave deterministically.
bool key_eq(Type t, Value a, Value b, const StringTable& strings) {
  if (t == Type::String) {
    if (a.i == kStringNa || b.i == kStringNa) return a.i == b.i;
    return strings.get(a.i) == strings.get(b.i);
  }
  if (t == Type::Float && a.f == 0.0 && b.f == 0.0) return true; // +0 and -0
  return a.u == b.u;
}

thread_local std::uint64_t t_map_key_comparisons = 0;

/// The hash of map key `k` (map_index.h): of a string's contents, of a
/// float with -0 as +0 (key_eq treats them as one key), else of the bits;
/// mixed (SplitMix64's finaliser) so consecutive ints spread over the table.
/// Only slot placement depends on it, never a result.
std::uint32_t key_hash(Type t, Value k, const StringTable& strings) {
  std::uint64_t h = k.u;
  if (t == Type::String) h = k.i == kStringNa ? 0x9e3779b97f4a7c15ull : std::hash<std::string_view>{}(strings.get(k.i));
  else if (t == Type::Float && k.f == 0.0) h = 0;
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 31;
  return static_cast<std::uint32_t>(h);
}

/// The non-na elements of an array, as doubles.
std::vector<double> numbers(const HeapObject& a, Type t) {
  std::vector<double> out;
  out.reserve(a.items.size());
  for (Value v : a.items)
    if (!element_is_na(t, v)) out.push_back(element_as_double(t, v));
  return out;
}

double mean_of(const std::vector<double>& xs) {
  if (xs.empty()) return kFloatNa;
  return std::accumulate(xs.begin(), xs.end(), 0.0) / static_cast<double>(xs.size());
}

double variance_of(const std::vector<double>& xs, bool biased) {
  const std::size_t n = xs.size();
  if (n == 0 || (!biased && n < 2)) return kFloatNa;
  const double m = mean_of(xs);
  double ss = 0;
  for (double x : xs) ss += (x - m) * (x - m);
  return ss / static_cast<double>(biased ? n : n - 1);
}

/// The runner of one operation: arguments, results and error reporting.
class Op : CollOpRunner {
public:
  Op(std::uint8_t t, const Value* args, Value* results, CollContext& ctx) : CollOpRunner(t, args, results, ctx) {}

  bool run(CollOp op);

private:
  /// The object of argument i, of kind `kind`; null (with the error set)
  /// when it is na or not such an object.
  HeapObject* object(std::size_t i, ObjKind kind, const char* fname) {
    HeapObject* o = ctx_.heap.get(args_[i].i);
    if (o == nullptr || o->kind != kind) {
      fail(std::string("Cannot call '") + fname + "' on an na " +
           (kind == ObjKind::Array ? "array" : kind == ObjKind::Map ? "map" : "object") + " reference");
      return nullptr;
    }
    return o;
  }
  /// Resolves a possibly negative index into [0, size); false when outside.
  bool index(std::int64_t raw, std::size_t size, const char* fname, std::size_t& out) {
    std::int64_t i = raw;
    if (i != kIntNa && i < 0) i += static_cast<std::int64_t>(size);
    if (raw == kIntNa || i < 0 || static_cast<std::uint64_t>(i) >= size)
      return fail(std::string("Index out of bounds in '") + fname + "': index " +
                  (raw == kIntNa ? std::string("na") : std::to_string(raw)) + ", array size " + std::to_string(size));
    out = static_cast<std::size_t>(i);
    return true;
  }
  /// False (error set) when `more` elements would take `a` past Pine's cap.
  bool room(const HeapObject& a, std::size_t more) {
    if (a.items.size() + more > kMaxCollectionSize) return fail("Array is too large. Maximum size is 100000");
    return true;
  }
  bool array_op(CollOp op);
  bool stats_op(CollOp op, HeapObject& a);
  bool search_op(CollOp op, HeapObject& a);
  // Out of line: its lambdas would otherwise enlarge run()'s frame for every array op.
  [[gnu::noinline]] bool map_op(CollOp op);
  bool split(Value& out);
  bool view_op(CollOp op);
};

bool Op::run(CollOp op) {
  switch (op) {
    case CollOp::ARRAY_NEW: {
      const std::int64_t n = args_[0].i;
      if (n == kIntNa || n < 0) return fail("Cannot create an array with a negative size");
      if (static_cast<std::uint64_t>(n) > kMaxCollectionSize) return fail("Array is too large. Maximum size is 100000");
      HeapObject a = new_array(t_);
      a.items.assign(static_cast<std::size_t>(n), args_[1]);
      return new_object(std::move(a), results_[0]);
    }
    case CollOp::MAP_NEW: {
      HeapObject m;
      m.kind = ObjKind::Map;
      m.elem = t_;
      m.key = key_;
      return new_object(std::move(m), results_[0]);
    }
    case CollOp::STR_SPLIT: return split(results_[0]);
    case CollOp::OBJECT_COPY: {
      HeapObject* o = object(0, ObjKind::Object, "copy");
      if (!o) return false;
      HeapObject c = *o;
      return new_object(std::move(c), results_[0]);
    }
    default: break;
  }
  if (op >= CollOp::MAP_NEW && op <= CollOp::MAP_PUT_ALL) return map_op(op);
  return array_op(op);
}

bool Op::array_op(CollOp op) {
  const char* fname = coll_op_info(op).name;
  HeapObject* a = object(0, ObjKind::Array, fname);
  if (!a) return false;
  if (a->view_of >= 0) return view_op(op);
  std::vector<Value>& v = a->items;
  const std::size_t n = v.size();
  std::size_t i = 0;
  switch (op) {
    case CollOp::ARRAY_SIZE: results_[0].i = static_cast<std::int64_t>(n); return true;
    case CollOp::ARRAY_GET:
      if (!index(args_[1].i, n, fname, i)) return false;
      results_[0] = v[i];
      return true;
    case CollOp::ARRAY_SET:
      if (!index(args_[1].i, n, fname, i)) return false;
      v[i] = args_[2];
      return true;
    case CollOp::ARRAY_PUSH:
      if (!room(*a, 1)) return false;
      v.push_back(args_[1]);
      return true;
    case CollOp::ARRAY_UNSHIFT:
      if (!room(*a, 1)) return false;
      v.insert(v.begin(), args_[1]);
      return true;
    case CollOp::ARRAY_INSERT: {
      std::int64_t at = args_[1].i;
      if (at != kIntNa && at < 0) at += static_cast<std::int64_t>(n);
      if (at == kIntNa || at < 0 || static_cast<std::uint64_t>(at) > n)
        return fail(std::string("Index out of bounds in 'array.insert': index ") +
                    (args_[1].i == kIntNa ? std::string("na") : std::to_string(args_[1].i)) + ", array size " + std::to_string(n));
      if (!room(*a, 1)) return false;
      v.insert(v.begin() + at, args_[2]);
      return true;
    }
    case CollOp::ARRAY_POP:
    case CollOp::ARRAY_SHIFT:
      if (n == 0) return fail(std::string("Cannot use ") + (op == CollOp::ARRAY_POP ? "pop()" : "shift()") + " if array is empty");
      if (op == CollOp::ARRAY_POP) {
        results_[0] = v.back();
        v.pop_back();
      } else {
        results_[0] = v.front();
        v.erase(v.begin());
      }
      return true;
    case CollOp::ARRAY_REMOVE: {
      if (!index(args_[1].i, n, fname, i)) return false;
      const Value out = v[i];
      v.erase(v.begin() + static_cast<std::ptrdiff_t>(i));
      results_[0] = out;
      return true;
    }
    case CollOp::ARRAY_CLEAR: v.clear(); return true;
    case CollOp::ARRAY_FIRST:
    case CollOp::ARRAY_LAST:
      if (n == 0) return fail(std::string("Cannot call '") + fname + "' on an empty array");
      results_[0] = op == CollOp::ARRAY_FIRST ? v.front() : v.back();
      return true;
    case CollOp::ARRAY_COPY: {
      // A copy is an ordinary array, also when `a` is a slice being run.
      HeapObject c = *a;
      c.view_of = -1;
      c.view_from = c.view_size = 0;
      return new_object(std::move(c), results_[0]);
    }
    case CollOp::ARRAY_SLICE: {
      std::int64_t from = args_[1].i, to = args_[2].i;
      if (from == kIntNa || to == kIntNa || from < 0 || to < 0 || static_cast<std::uint64_t>(to) > n ||
          static_cast<std::uint64_t>(from) > n)
        return fail("Slice is out of bounds of the parent array (size " + std::to_string(n) + ")");
      if (from > to) return fail("Index 'from' should be less than index 'to'");
      // A live view of the range: writes through either side are seen by
      // both (Reference: array.slice).
      HeapObject s = new_array(a->elem);
      s.view_of = args_[0].i;
      s.view_from = static_cast<std::uint32_t>(from);
      s.view_size = static_cast<std::uint32_t>(to - from);
      return new_object(std::move(s), results_[0]);
    }
    case CollOp::ARRAY_CONCAT: {
      HeapObject scratch;
      const HeapObject* b = resolve_view(object(1, ObjKind::Array, fname), scratch);
      if (!b) return false;
      if (!room(*a, b->items.size())) return false;
      const std::vector<Value> tail = b->items; // b may be a
      v.insert(v.end(), tail.begin(), tail.end());
      results_[0] = args_[0];
      return true;
    }
    case CollOp::ARRAY_REVERSE: std::reverse(v.begin(), v.end()); return true;
    case CollOp::ARRAY_FILL: {
      std::int64_t from = args_[2].i, to = args_[3].i;
      if (from == kIntNa) from = 0;
      if (to == kIntNa) to = static_cast<std::int64_t>(n);
      if (from < 0) from += static_cast<std::int64_t>(n);
      if (to < 0) to += static_cast<std::int64_t>(n);
      if (from < 0 || to > static_cast<std::int64_t>(n) || from > to)
        return fail("Index out of bounds in 'array.fill': from " + std::to_string(args_[2].i) + ", to " +
                    std::to_string(args_[3].i) + ", array size " + std::to_string(n));
      std::fill(v.begin() + from, v.begin() + to, args_[1]);
      return true;
    }
    case CollOp::ARRAY_JOIN:
    case CollOp::ARRAY_TOSTRING: {
      const bool join = op == CollOp::ARRAY_JOIN;
      const std::string sep = join ? (args_[1].i == kStringNa ? std::string() : std::string(ctx_.strings.get(args_[1].i))) : ", ";
      std::string s = join ? "" : "[";
      for (std::size_t k = 0; k < n; ++k) {
        if (k > 0) s += sep;
        s += value_to_string(t_, v[k], ctx_.strings);
        if (s.size() > kMaxStringLength) return fail("string is longer than 40960 characters");
      }
      if (!join) s += "]";
      results_[0].i = ctx_.strings.add(std::move(s));
      return true;
    }
    case CollOp::ARRAY_SORT: {
      const bool descending = args_[1].i != 0;
      ElementLess less{t_, ctx_.strings};
      if (descending) {
        // na stays last in both orders.
        std::stable_sort(v.begin(), v.end(), [&](Value x, Value y) {
          const bool nx = element_is_na(t_, x), ny = element_is_na(t_, y);
          if (nx || ny) return !nx && ny;
          return less(y, x);
        });
      } else {
        std::stable_sort(v.begin(), v.end(), less);
      }
      return true;
    }
    case CollOp::ARRAY_SORT_INDICES: {
      const bool descending = args_[1].i != 0;
      ElementLess less{t_, ctx_.strings};
      std::vector<std::size_t> idx(n);
      std::iota(idx.begin(), idx.end(), std::size_t{0});
      std::stable_sort(idx.begin(), idx.end(), [&](std::size_t x, std::size_t y) {
        const bool nx = element_is_na(t_, v[x]), ny = element_is_na(t_, v[y]);
        if (nx || ny) return !nx && ny;
        return descending ? less(v[y], v[x]) : less(v[x], v[y]);
      });
      HeapObject out = new_array(Type::Int);
      for (std::size_t k : idx) out.items.push_back(make_int(static_cast<std::int64_t>(k)));
      return new_object(std::move(out), results_[0]);
    }
    case CollOp::ARRAY_INCLUDES: case CollOp::ARRAY_INDEXOF: case CollOp::ARRAY_LASTINDEXOF:
    case CollOp::ARRAY_BSEARCH: case CollOp::ARRAY_BSEARCH_LEFT: case CollOp::ARRAY_BSEARCH_RIGHT:
      return search_op(op, *a);
    case CollOp::ARRAY_EVERY:
    case CollOp::ARRAY_SOME: {
      const bool every = op == CollOp::ARRAY_EVERY;
      bool result = every;
      for (Value x : v) {
        const bool truthy = !element_is_na(t_, x) && (t_ == Type::Float ? x.f != 0 : x.i != 0);
        if (every && !truthy) result = false;
        if (!every && truthy) result = true;
      }
      results_[0].i = result && !(every && n == 0) ? 1 : 0;
      return true;
    }
    default: return stats_op(op, *a);
  }
}

bool Op::search_op(CollOp op, HeapObject& a) {
  const std::vector<Value>& v = a.items;
  const Value x = args_[1];
  const auto n = static_cast<std::int64_t>(v.size());
  switch (op) {
    case CollOp::ARRAY_INCLUDES:
    case CollOp::ARRAY_INDEXOF: {
      std::int64_t found = -1;
      for (std::int64_t k = 0; k < n && found < 0; ++k)
        if (element_eq(t_, v[static_cast<std::size_t>(k)], x, ctx_.strings)) found = k;
      results_[0].i = op == CollOp::ARRAY_INCLUDES ? (found >= 0 ? 1 : 0) : found;
      return true;
    }
    case CollOp::ARRAY_LASTINDEXOF: {
      std::int64_t found = -1;
      for (std::int64_t k = n - 1; k >= 0 && found < 0; --k)
        if (element_eq(t_, v[static_cast<std::size_t>(k)], x, ctx_.strings)) found = k;
      results_[0].i = found;
      return true;
    }
    default: break;
  }
  // Binary searches assume an ascending array (as Pine documents).
  ElementLess less{t_, ctx_.strings};
  const auto lo = std::lower_bound(v.begin(), v.end(), x, less);
  const auto hi = std::upper_bound(v.begin(), v.end(), x, less);
  const bool found = lo != hi;
  const auto lo_i = static_cast<std::int64_t>(lo - v.begin());
  const auto hi_i = static_cast<std::int64_t>(hi - v.begin());
  if (op == CollOp::ARRAY_BSEARCH) results_[0].i = found ? lo_i : -1;
  // Not found: leftmost gives the element left of where x would go,
  // rightmost the element right of it (Reference: array.binary_search_leftmost).
  else if (op == CollOp::ARRAY_BSEARCH_LEFT) results_[0].i = found ? lo_i : lo_i - 1;
  else results_[0].i = found ? hi_i - 1 : hi_i;
  return true;
}

bool Op::stats_op(CollOp op, HeapObject& a) {
  const std::vector<double> xs = numbers(a, t_);
  Value& out = results_[0];
  switch (op) {
    case CollOp::ARRAY_SUM: {
      if (xs.empty()) {
        out = na_value(t_);
        return true;
      }
      if (t_ == Type::Int) {
        std::int64_t s = 0;
        for (Value x : a.items)
          if (x.i != kIntNa) s = static_cast<std::int64_t>(static_cast<std::uint64_t>(s) + static_cast<std::uint64_t>(x.i));
        out.i = s;
      } else {
        out.f = std::accumulate(xs.begin(), xs.end(), 0.0);
      }
      return true;
    }
    case CollOp::ARRAY_AVG: out.f = mean_of(xs); return true;
    case CollOp::ARRAY_MIN:
    case CollOp::ARRAY_MAX: {
      const std::int64_t nth = args_[1].i == kIntNa ? 0 : args_[1].i;
      std::vector<double> s = xs;
      std::sort(s.begin(), s.end());
      if (nth < 0 || static_cast<std::uint64_t>(nth) >= s.size()) {
        out = na_value(t_);
        return true;
      }
      const std::size_t k = static_cast<std::size_t>(nth);
      out = element_from_double(t_, op == CollOp::ARRAY_MIN ? s[k] : s[s.size() - 1 - k]);
      return true;
    }
    case CollOp::ARRAY_RANGE: {
      if (xs.empty()) {
        out = na_value(t_);
        return true;
      }
      const auto [mn, mx] = std::minmax_element(xs.begin(), xs.end());
      out = element_from_double(t_, *mx - *mn);
      return true;
    }
    case CollOp::ARRAY_MEDIAN: {
      std::vector<double> s = xs;
      std::sort(s.begin(), s.end());
      const std::size_t n = s.size();
      out.f = n == 0 ? kFloatNa : n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
      return true;
    }
    case CollOp::ARRAY_MODE: {
      // The most frequent value; ties go to the smallest (RM).
      std::vector<double> s = xs;
      std::sort(s.begin(), s.end());
      out = element_from_double(t_, mode_of_sorted(s));
      return true;
    }
    case CollOp::ARRAY_STDEV: out.f = std::sqrt(variance_of(xs, args_[1].i != 0)); return true;
    case CollOp::ARRAY_VARIANCE: out.f = variance_of(xs, args_[1].i != 0); return true;
    case CollOp::ARRAY_COVARIANCE: {
      HeapObject scratch;
      const HeapObject* b = resolve_view(object(1, ObjKind::Array, "array.covariance"), scratch);
      if (!b) return false;
      const std::size_t n = a.items.size();
      if (b->items.size() != n || n == 0) {
        out.f = kFloatNa;
        return true;
      }
      std::vector<double> x(n), y(n);
      for (std::size_t k = 0; k < n; ++k) {
        x[k] = element_as_double(t_, a.items[k]);
        y[k] = element_as_double(t_, b->items[k]);
      }
      const bool biased = args_[2].i != 0;
      if (!biased && n < 2) {
        out.f = kFloatNa;
        return true;
      }
      const double mx = mean_of(x), my = mean_of(y);
      double s = 0;
      for (std::size_t k = 0; k < n; ++k) s += (x[k] - mx) * (y[k] - my);
      out.f = s / static_cast<double>(biased ? n : n - 1);
      return true;
    }
    case CollOp::ARRAY_STANDARDIZE: {
      const double m = mean_of(xs), sd = std::sqrt(variance_of(xs, true));
      HeapObject r = new_array(Type::Float);
      for (Value x : a.items) r.items.push_back(make_float(element_is_na(t_, x) ? kFloatNa : (element_as_double(t_, x) - m) / sd));
      return new_object(std::move(r), out);
    }
    case CollOp::ARRAY_ABS: {
      HeapObject r = new_array(t_);
      for (Value x : a.items)
        r.items.push_back(element_is_na(t_, x) ? x : element_from_double(t_, std::fabs(element_as_double(t_, x))));
      return new_object(std::move(r), out);
    }
    case CollOp::ARRAY_PERCENTILE_LINEAR:
    case CollOp::ARRAY_PERCENTILE_NEAREST: {
      std::vector<double> s = xs;
      std::sort(s.begin(), s.end());
      const double p = args_[1].f;
      if (s.empty() || !std::isfinite(p)) {
        out = op == CollOp::ARRAY_PERCENTILE_LINEAR ? make_float(kFloatNa) : na_value(t_);
        return true;
      }
      const double pc = std::clamp(p, 0.0, 100.0);
      if (op == CollOp::ARRAY_PERCENTILE_LINEAR) {
        const double pos = pc / 100.0 * static_cast<double>(s.size() - 1);
        const auto lo = static_cast<std::size_t>(std::floor(pos));
        const std::size_t hi = std::min(lo + 1, s.size() - 1);
        out.f = s[lo] + (pos - static_cast<double>(lo)) * (s[hi] - s[lo]);
      } else {
        const auto rank = static_cast<std::size_t>(std::ceil(pc / 100.0 * static_cast<double>(s.size())));
        out = element_from_double(t_, s[rank == 0 ? 0 : rank - 1]);
      }
      return true;
    }
    case CollOp::ARRAY_PERCENTRANK: {
      std::size_t i = 0;
      if (!index(args_[1].i, a.items.size(), "array.percentrank", i)) return false;
      const Value x = a.items[i];
      if (element_is_na(t_, x) || xs.size() < 2) {
        out.f = kFloatNa;
        return true;
      }
      // Share of the other non-na elements that are <= the element.
      const double xv = element_as_double(t_, x);
      std::size_t le = 0;
      for (double y : xs) le += y <= xv ? 1 : 0;
      out.f = 100.0 * static_cast<double>(le - 1) / static_cast<double>(xs.size() - 1);
      return true;
    }
    default: break;
  }
  return fail("unknown array operation");
}

/// An operation on an array slice: the slice's elements are copied out of
/// the parent, the operation runs on them, and what it wrote (set, fill,
/// reverse, sort) is copied back. Operations that would change the slice's
/// size are errors: a view cannot grow or shrink its parent's range.
bool Op::view_op(CollOp op) {
  const char* fname = coll_op_info(op).name;
  const std::int64_t h = args_[0].i;
  HeapObject scratch;
  const HeapObject* elements = resolve_view(ctx_.heap.get(h), scratch);
  if (!elements) return false;
  HeapObject* view = ctx_.heap.get(h);
  const std::int64_t parent_h = view->view_of;
  const std::size_t from = view->view_from, size = view->view_size;
  switch (op) {
    case CollOp::ARRAY_PUSH: case CollOp::ARRAY_POP: case CollOp::ARRAY_SHIFT: case CollOp::ARRAY_UNSHIFT:
    case CollOp::ARRAY_INSERT: case CollOp::ARRAY_REMOVE: case CollOp::ARRAY_CLEAR: case CollOp::ARRAY_CONCAT:
      return fail(std::string("Cannot change the size of an array slice in '") + fname + "'");
    case CollOp::ARRAY_SLICE: {
      // A slice of a slice is a view of the same parent.
      const std::int64_t f = args_[1].i, t = args_[2].i;
      if (f == kIntNa || t == kIntNa || f < 0 || t < 0 || static_cast<std::uint64_t>(t) > size ||
          static_cast<std::uint64_t>(f) > size)
        return fail("Slice is out of bounds of the parent array (size " + std::to_string(size) + ")");
      if (f > t) return fail("Index 'from' should be less than index 'to'");
      HeapObject s = new_array(view->elem);
      s.view_of = parent_h;
      s.view_from = static_cast<std::uint32_t>(from + static_cast<std::size_t>(f));
      s.view_size = static_cast<std::uint32_t>(t - f);
      return new_object(std::move(s), results_[0]);
    }
    default: break;
  }
  const bool writes = op == CollOp::ARRAY_SET || op == CollOp::ARRAY_FILL || op == CollOp::ARRAY_REVERSE ||
                      op == CollOp::ARRAY_SORT;
  view->items = std::move(scratch.items);
  view->view_of = -1;
  const bool ok = array_op(op);
  // The operation may have made objects (and moved every object).
  view = ctx_.heap.get(h);
  HeapObject* parent = ctx_.heap.get(parent_h);
  if (ok && writes) std::copy(view->items.begin(), view->items.end(), parent->items.begin() + static_cast<std::ptrdiff_t>(from));
  std::vector<Value>().swap(view->items);
  view->view_of = parent_h;
  return ok;
}

/// str.split: the pieces between separators; an empty separator splits
/// into single characters, an na string gives an empty array.
bool Op::split(Value& out) {
  HeapObject a = new_array(Type::String);
  if (args_[0].i != kStringNa) {
    const std::string s(ctx_.strings.get(args_[0].i));
    const std::string sep = args_[1].i == kStringNa ? std::string() : std::string(ctx_.strings.get(args_[1].i));
    if (sep.empty()) {
      for (char c : s) a.items.push_back(make_int(ctx_.strings.add(std::string(1, c))));
    } else {
      std::size_t start = 0;
      for (;;) {
        const std::size_t at = s.find(sep, start);
        a.items.push_back(make_int(ctx_.strings.add(s.substr(start, at == std::string::npos ? std::string::npos : at - start))));
        if (at == std::string::npos) break;
        start = at + sep.size();
      }
    }
  }
  return new_object(std::move(a), out);
}

bool Op::map_op(CollOp op) {
  const char* fname = coll_op_info(op).name;
  HeapObject* m = object(0, ObjKind::Map, fname);
  if (!m) return false;
  // Builds the index from the keys once the map is past a linear scan's size
  // (first use after growing, or after a restore, which does not save it).
  MapIndex* ix = m->index.get();
  auto index_keys = [&] {
    if (ix != nullptr || m->keys.size() <= kMapLinearMax) return;
    ix = &m->index.make();
    for (const Value& k : m->keys) ix->insert(key_hash(key_, k, ctx_.strings));
  };
  // The position of key k, or -1. Hashes k only when the map has an index
  // (small maps scan, and a string key's hash reads its whole text), and
  // then leaves the hash in `h` for the caller's insert or erase.
  auto find = [&](Value k, std::uint32_t& h) -> std::ptrdiff_t {
    index_keys();
    if (ix != nullptr) {
      h = key_hash(key_, k, ctx_.strings);
      return ix->find(h, [&](std::size_t pos) {
        ++t_map_key_comparisons;
        return key_eq(key_, m->keys[pos], k, ctx_.strings);
      });
    }
    for (std::size_t i = 0; i < m->keys.size(); ++i) {
      ++t_map_key_comparisons;
      if (key_eq(key_, m->keys[i], k, ctx_.strings)) return static_cast<std::ptrdiff_t>(i);
    }
    return -1;
  };
  // Sets k to x: replaces the value of an existing key (returning the old
  // one in `old`), else appends the pair, keeping insertion order.
  auto put = [&](Value k, Value x, Value& old) {
    std::uint32_t h = 0;
    const std::ptrdiff_t i = find(k, h);
    if (i >= 0) {
      old = m->items[static_cast<std::size_t>(i)];
      m->items[static_cast<std::size_t>(i)] = x;
      return true;
    }
    // Pine caps maps at 50,000 pairs.
    if (m->keys.size() >= 50'000) return fail("Map is too large. Maximum size is 50000");
    m->keys.push_back(k);
    try {
      m->items.push_back(x);
    } catch (...) {
      m->keys.pop_back(); // keys and items stay in step if the second push cannot allocate
      throw;
    }
    if (ix != nullptr) ix->insert(h);
    else index_keys();
    old = na_value(t_);
    return true;
  };
  switch (op) {
    case CollOp::MAP_SIZE: results_[0].i = static_cast<std::int64_t>(m->keys.size()); return true;
    case CollOp::MAP_GET: {
      std::uint32_t h = 0;
      const std::ptrdiff_t i = find(args_[1], h);
      results_[0] = i < 0 ? na_value(t_) : m->items[static_cast<std::size_t>(i)];
      return true;
    }
    case CollOp::MAP_CONTAINS: {
      std::uint32_t h = 0;
      results_[0].i = find(args_[1], h) >= 0 ? 1 : 0;
      return true;
    }
    case CollOp::MAP_PUT: {
      const Value k = args_[1], x = args_[2];
      return put(k, x, results_[0]);
    }
    case CollOp::MAP_REMOVE: {
      std::uint32_t h = 0;
      const std::ptrdiff_t i = find(args_[1], h);
      if (i < 0) {
        results_[0] = na_value(t_);
        return true;
      }
      const Value old = m->items[static_cast<std::size_t>(i)];
      if (ix != nullptr) ix->erase(static_cast<std::size_t>(i), h);
      m->keys.erase(m->keys.begin() + i);
      m->items.erase(m->items.begin() + i);
      results_[0] = old;
      return true;
    }
    case CollOp::MAP_CLEAR:
      m->keys.clear();
      m->items.clear();
      m->index.reset();
      return true;
    case CollOp::MAP_KEYS:
    case CollOp::MAP_VALUES: {
      HeapObject a = new_array(op == CollOp::MAP_KEYS ? key_ : t_);
      a.items = op == CollOp::MAP_KEYS ? m->keys : m->items;
      return new_object(std::move(a), results_[0]);
    }
    case CollOp::MAP_COPY: {
      HeapObject c = *m; // the index is copied with the keys it describes
      return new_object(std::move(c), results_[0]);
    }
    case CollOp::MAP_PUT_ALL: {
      HeapObject* other = object(1, ObjKind::Map, fname);
      if (!other) return false;
      const std::vector<Value> keys = other->keys, items = other->items; // other may be m
      Value ignored;
      for (std::size_t i = 0; i < keys.size(); ++i)
        if (!put(keys[i], items[i], ignored)) return false;
      return true;
    }
    default: break;
  }
  return fail("unknown map operation");
}

} // namespace

std::string value_to_string(Type t, Value v, const StringTable& strings) {
  switch (t) {
    case Type::Float: return format_pine_number(v.f);
    case Type::Int: return v.i == kIntNa ? "NaN" : std::to_string(v.i);
    case Type::Bool: return v.i ? "true" : "false";
    case Type::String: return v.i == kStringNa ? "NaN" : std::string(strings.get(v.i));
    case Type::Color: {
      if (v.i == kColorNa) return "NaN";
      static const char* hex = "0123456789ABCDEF";
      std::string s = "#";
      for (int shift = 28; shift >= 0; shift -= 4) s += hex[(v.u >> shift) & 0xF];
      return s;
    }
    default: return v.i == -1 || v.i == kIntNa ? "NaN" : std::to_string(v.i);
  }
}

std::uint64_t& map_key_comparisons() { return t_map_key_comparisons; }

bool call_collection(CollOp op, std::uint8_t t, const Value* args, Value* results, CollContext& ctx) {
  if (is_matrix_op(op)) return call_matrix(op, t, args, results, ctx);
  return Op(t, args, results, ctx).run(op);
}

} // namespace pine
