// Helpers for writing and (defensively) reading the instance archive.
//
// The snapshot payload is a Cereal portable-binary archive. Cereal trusts the
// lengths it reads, so every variable-sized thing is read through the helpers
// here, which check each count against the bytes that remain in the input
// before anything is allocated (as QuickJS's bytecode reader does). A failed
// check throws StateDecodeError; the snapshot layer turns it into a typed
// SnapshotError.
#pragma once

// UserDataAdapter (how loaders reach the remaining-bytes context) is declared
// by cereal 1.3 only under CEREAL_FUTURE_EXPERIMENTAL.
#ifndef CEREAL_FUTURE_EXPERIMENTAL
#define CEREAL_FUTURE_EXPERIMENTAL
#endif
#include <cereal/archives/adapters.hpp>
#include <cereal/archives/portable_binary.hpp>
#include <cereal/cereal.hpp>

#include <cstdint>
#include <span>
#include <streambuf>
#include <string>
#include <vector>

#include "pine/vm/state_io.h"

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
using In = cereal::UserDataAdapter<LoadContext, cereal::PortableBinaryInputArchive>;

/// Throws StateDecodeError with `what` unless `ok`.
inline void require(bool ok, const char* what) {
  if (!ok) throw StateDecodeError(what);
}

/// The load context of `ar`.
inline const LoadContext& context(In& ar) {
  // get_user_data casts to UserDataAdapter<LoadContext, Base>: pass the base.
  return cereal::get_user_data<LoadContext>(static_cast<cereal::PortableBinaryInputArchive&>(ar));
}

/// Charges `count` x `elem_bytes` to the decode's budget, if it has one;
/// throws DecodeBudgetExceeded when that passes the limit. Call it before
/// allocating what the bytes describe.
inline void charge(In& ar, std::uint64_t count, std::uint64_t elem_bytes) {
  if (DecodeBudget* budget = context(ar).budget) budget->charge(count, elem_bytes);
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
  require(min_elem_bytes == 0 || count <= context(ar).remaining() / min_elem_bytes,
          "element count larger than the remaining input");
  charge(ar, count, mem_elem_bytes);
  return count;
}

inline void save_count(Out& ar, std::uint64_t count) { ar(count); }

/// Vectors of arithmetic types (and Value-like PODs made of them).
template <class T>
void save_vector(Out& ar, const std::vector<T>& v) {
  save_count(ar, v.size());
  for (const T& x : v) ar(x);
}

template <class T>
void load_vector(In& ar, std::vector<T>& v, std::uint64_t hard_max) {
  const std::uint64_t n = load_count(ar, sizeof(T), hard_max, sizeof(T));
  v.assign(static_cast<std::size_t>(n), T{});
  for (T& x : v) ar(x);
}

inline void save_string(Out& ar, const std::string& s) {
  save_count(ar, s.size());
  ar(cereal::binary_data(s.data(), s.size()));
}

/// Reads a string written by save_string. Charges its heap buffer (none for
/// the short strings std::string keeps inline); the std::string object itself
/// is charged by whoever holds it.
inline void load_string(In& ar, std::string& s, std::uint64_t hard_max) {
  const std::uint64_t n = load_count(ar, 1, hard_max, 0);
  constexpr std::uint64_t kInlineChars = 15;  // libstdc++'s small-string capacity
  if (n > kInlineChars) charge(ar, n + 1, 1);
  s.resize(static_cast<std::size_t>(n));
  ar(cereal::binary_data(s.data(), s.size()));
}

} // namespace pine::archive
