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

/// What a loader may consult while decoding: how many bytes are left.
struct LoadContext {
  const SpanBuf* buf = nullptr;
  std::size_t remaining() const { return buf->remaining(); }
};

using Out = cereal::PortableBinaryOutputArchive;
using In = cereal::UserDataAdapter<LoadContext, cereal::PortableBinaryInputArchive>;

/// Throws StateDecodeError with `what` unless `ok`.
inline void require(bool ok, const char* what) {
  if (!ok) throw StateDecodeError(what);
}

/// Reads an element count written by save_count and checks that `count`
/// elements of at least `min_elem_bytes` each can still be in the input and
/// that it does not exceed `hard_max`.
inline std::uint64_t load_count(In& ar, std::size_t min_elem_bytes, std::uint64_t hard_max) {
  std::uint64_t count = 0;
  ar(count);
  // get_user_data casts to UserDataAdapter<LoadContext, Base>: pass the base.
  const auto& ctx = cereal::get_user_data<LoadContext>(static_cast<cereal::PortableBinaryInputArchive&>(ar));
  require(count <= hard_max, "element count above its limit");
  require(min_elem_bytes == 0 || count <= ctx.remaining() / min_elem_bytes,
          "element count larger than the remaining input");
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
  const std::uint64_t n = load_count(ar, sizeof(T), hard_max);
  v.assign(static_cast<std::size_t>(n), T{});
  for (T& x : v) ar(x);
}

inline void save_string(Out& ar, const std::string& s) {
  save_count(ar, s.size());
  ar(cereal::binary_data(s.data(), s.size()));
}

inline void load_string(In& ar, std::string& s, std::uint64_t hard_max) {
  const std::uint64_t n = load_count(ar, 1, hard_max);
  s.resize(static_cast<std::size_t>(n));
  ar(cereal::binary_data(s.data(), s.size()));
}

} // namespace pine::archive
