// Errors raised while decoding an archived instance state or program, and the
// memory budget a decode charges as it allocates.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace pine {

/// Thrown by the VM's state decoder when archived bytes are inconsistent
/// (a count beyond the input, an index out of range, a bad enum value...).
/// The snapshot layer reports it as SnapshotError::Kind::Corrupt.
class StateDecodeError : public std::runtime_error {
public:
  explicit StateDecodeError(const std::string& what) : std::runtime_error(what) {}
};

/// Thrown when a decode would take more memory than its DecodeBudget allows.
/// Not a sign of corruption: a legitimate but very compressible state (huge
/// constant-filled arrays) can need more memory than the default budget for
/// its file size. The snapshot layer reports it as SnapshotError::Kind::MemoryLimit.
class DecodeBudgetExceeded : public std::runtime_error {
public:
  DecodeBudgetExceeded(std::uint64_t needed, std::uint64_t limit)
      : std::runtime_error("decoding needs more than " + std::to_string(limit) + " bytes of memory"),
        needed_(needed), limit_(limit) {}
  /// The charged total that did not fit (at least limit() + 1).
  std::uint64_t needed() const noexcept { return needed_; }
  /// The budget's limit.
  std::uint64_t limit() const noexcept { return limit_; }

private:
  std::uint64_t needed_;
  std::uint64_t limit_;
};

/// A running total of the heap bytes a decode allocates, checked against a
/// limit *before* each allocation. The decoders charge every allocation whose
/// size comes from the input (counts times the in-memory element size, with
/// growth slack), so a small but very compressible input cannot make a
/// restore take more than the limit: this is how the snapshot layer keeps a
/// restore of S bytes under 64 MiB + 16 x S (docs/fuzzing.md). Charges are
/// upper bounds of what is allocated; tests compare them with a counting
/// allocator.
class DecodeBudget {
public:
  /// A budget of `limit` bytes.
  explicit DecodeBudget(std::uint64_t limit) : limit_(limit) {}

  /// Adds `bytes` to the total; throws DecodeBudgetExceeded (and leaves the
  /// total unchanged) when the total would pass the limit.
  void charge(std::uint64_t bytes) {
    if (bytes > limit_ - used_) {
      const std::uint64_t needed = bytes > UINT64_MAX - used_ ? UINT64_MAX : used_ + bytes;
      throw DecodeBudgetExceeded(needed, limit_);
    }
    used_ += bytes;
  }
  /// Charges `count` elements of `elem_bytes` each, saturating instead of
  /// wrapping (a saturated charge always fails).
  void charge(std::uint64_t count, std::uint64_t elem_bytes) {
    charge(elem_bytes != 0 && count > UINT64_MAX / elem_bytes ? UINT64_MAX : count * elem_bytes);
  }
  /// Bytes charged so far.
  std::uint64_t used() const noexcept { return used_; }
  /// The limit given at construction.
  std::uint64_t limit() const noexcept { return limit_; }

private:
  std::uint64_t limit_;
  std::uint64_t used_ = 0;
};

} // namespace pine
