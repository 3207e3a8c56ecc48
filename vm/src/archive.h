// Helpers for writing and (defensively) reading the instance archive.
//
// The snapshot payload is a Cereal portable-binary archive. Cereal trusts the
// lengths it reads, so every variable-sized thing is read through the helpers
// here, which check each count against the bytes that remain in the input
// before anything is allocated (as QuickJS's bytecode reader does). A failed
// check throws StateDecodeError; the snapshot layer turns it into a typed
// SnapshotError.
#pragma once

#include <cereal/archives/portable_binary.hpp>
#include <cereal/cereal.hpp>

#include <cstdint>
#include <span>
#include <streambuf>
#include <string>
#include <type_traits>
#include <vector>

#include "pine/vm/state_io.h"
#include "pine/vm/value.h"

namespace pine::archive {

/// A read-only streambuf over a byte span that can say how much is left.
class SpanBuf : public std::streambuf {
public:
  explicit SpanBuf(std::span<const std::uint8_t> bytes) {
    char* begin = reinterpret_cast<char*>(const_cast<std::uint8_t*>(bytes.data()));
    setg(begin, begin, begin + bytes.size());
  }
  std::size_t remaining() const { return static_cast<std::size_t>(egptr() - gptr()); }
};

/// What a loader may consult while decoding: how many bytes are left, and
/// the memory budget to charge before allocating (null: unlimited).
struct LoadContext {
  const SpanBuf* buf = nullptr;
  DecodeBudget* budget = nullptr;
  std::size_t remaining() const { return buf->remaining(); }
};

using Out = cereal::PortableBinaryOutputArchive;

/// The input archive: Cereal's portable binary reader plus the LoadContext
/// the loaders consult. (Cereal's own UserDataAdapter reaches its data
/// through a dynamic_cast on every access, a fifth of a small restore.)
class In : public cereal::PortableBinaryInputArchive {
public:
  In(LoadContext& context, std::istream& stream) : cereal::PortableBinaryInputArchive(stream), context_(context) {}
  /// What the loaders may consult: bytes left, the memory budget.
  const LoadContext& context() const { return context_; }

private:
  LoadContext& context_;
};

/// Throws StateDecodeError with `what` unless `ok`.
inline void require(bool ok, const char* what) {
  if (!ok) throw StateDecodeError(what);
}

/// Charges `count` x `elem_bytes` to the decode's budget, if it has one;
/// throws DecodeBudgetExceeded when that passes the limit. Call it before
/// allocating what the bytes describe.
inline void charge(In& ar, std::uint64_t count, std::uint64_t elem_bytes) {
  if (DecodeBudget* budget = ar.context().budget) budget->charge(count, elem_bytes);
}

/// Reads an element count written by save_count, checks that `count`
/// elements of at least `min_elem_bytes` each can still be in the input and
/// that it does not exceed `hard_max`, then charges `count` x `mem_elem_bytes`
/// (what the caller is about to allocate per element) to the budget.
inline std::uint64_t load_count(In& ar, std::size_t min_elem_bytes, std::uint64_t hard_max,
                                std::size_t mem_elem_bytes) {
  std::uint64_t count = 0;
  ar(count);
  require(count <= hard_max, "element count above its limit");
  require(min_elem_bytes == 0 || count <= ar.context().remaining() / min_elem_bytes,
          "element count larger than the remaining input");
  charge(ar, count, mem_elem_bytes);
  return count;
}

inline void save_count(Out& ar, std::uint64_t count) { ar(count); }

/// Writes `n` values of the arithmetic type T as one block. The bytes are
/// exactly those of `n` separate ar(x) calls: Cereal's portable binary keeps
/// each element in the archive's byte order and swaps per sizeof(T).
template <class T>
void save_array(Out& ar, const T* data, std::size_t n) {
  static_assert(std::is_arithmetic_v<T>);
  ar(cereal::binary_data(data, n * sizeof(T)));
}

/// Reads what save_array (or `n` separate ar(x) calls) wrote, in one read: a
/// restore's arrays (series history, windows, collections) cost one stream
/// call each instead of one per element.
template <class T>
void load_array(In& ar, T* data, std::size_t n) {
  static_assert(std::is_arithmetic_v<T>);
  ar(cereal::binary_data(data, n * sizeof(T)));
}

/// save_array for Values, stored as their 64 bits (Value is a union of 8
/// bytes: the bytes are the same whichever member is active).
inline void save_values(Out& ar, const Value* values, std::size_t n) {
  static_assert(sizeof(Value) == sizeof(std::uint64_t));
  ar(cereal::binary_data(reinterpret_cast<const std::uint64_t*>(values), n * sizeof(Value)));
}

/// load_array for Values (see save_values).
inline void load_values(In& ar, Value* values, std::size_t n) {
  ar(cereal::binary_data(reinterpret_cast<std::uint64_t*>(values), n * sizeof(Value)));
}

/// Vectors of arithmetic types: a count, then the elements (one block).
template <class T>
void save_vector(Out& ar, const std::vector<T>& v) {
  save_count(ar, v.size());
  save_array(ar, v.data(), v.size());
}

template <class T>
void load_vector(In& ar, std::vector<T>& v, std::uint64_t hard_max) {
  const std::uint64_t n = load_count(ar, sizeof(T), hard_max, sizeof(T));
  v.assign(static_cast<std::size_t>(n), T{});
  load_array(ar, v.data(), v.size());
}

inline void save_string(Out& ar, const std::string& s) {
  save_count(ar, s.size());
  ar(cereal::binary_data(s.data(), s.size()));
}

/// Heap bytes of a std::string buffer holding `chars` characters: none up
/// to the 15 that libstdc++ keeps inline, else the characters and their
/// terminator. The std::string object itself is counted by its holder.
constexpr std::uint64_t string_buffer_bytes(std::uint64_t chars) { return chars > 15 ? chars + 1 : 0; }

/// Reads a string written by save_string, charging its heap buffer first.
inline void load_string(In& ar, std::string& s, std::uint64_t hard_max) {
  const std::uint64_t n = load_count(ar, 1, hard_max, 0);
  charge(ar, 1, string_buffer_bytes(n));
  s.resize(static_cast<std::size_t>(n));
  ar(cereal::binary_data(s.data(), s.size()));
}

} // namespace pine::archive
