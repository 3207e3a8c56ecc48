// The strings of one instance.
//
// A string value is a handle (int64) into this table. Handles below
// `num_constants` are the program's string constants, copied in at build
// time; the rest are made while bars run (str.tostring, concatenation...).
// Made strings are reclaimed by a compacting collection at bar end
// (collect()), whose roots the interpreter supplies.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "archive.h"
#include "pine/vm/value.h"

namespace pine {

/// Pine's maximum string length (docs/limits.md); longer results are an error.
inline constexpr std::size_t kMaxStringLength = 40960;
/// Upper bound on live strings in an archive, to bound restore allocations.
inline constexpr std::uint64_t kMaxArchivedStrings = 1u << 24;

class StringTable {
public:
  /// Installs the program's constants as handles 0..n-1.
  void init(std::vector<std::string> constants) {
    strings_ = std::move(constants);
    num_constants_ = strings_.size();
    gc_threshold_ = kInitialGcThreshold;
  }

  /// Adds a string made at run time and returns its handle.
  std::int64_t add(std::string s) {
    strings_.push_back(std::move(s));
    return static_cast<std::int64_t>(strings_.size() - 1);
  }

  /// The text of a handle. Callers handle na first; any other invalid handle
  /// (only a hostile program or archive could produce one) reads as empty
  /// rather than out of bounds.
  std::string_view get(std::int64_t handle) const {
    if (!valid(handle)) return {};
    return strings_[static_cast<std::size_t>(handle)];
  }

  bool valid(std::int64_t handle) const {
    return handle >= 0 && static_cast<std::uint64_t>(handle) < strings_.size();
  }

  /// True when enough strings were made since the last collection to make
  /// one worthwhile (amortised O(1) per string made).
  bool wants_collection() const { return strings_.size() - num_constants_ > gc_threshold_; }

  /// Compacts the table keeping only the handles that `roots` point to, and
  /// rewrites those handles in place. Deterministic: survivors keep their
  /// relative order.
  void collect(const std::vector<std::int64_t*>& roots) {
    std::vector<std::int64_t> remap(strings_.size(), -1);
    for (std::size_t i = 0; i < num_constants_; ++i) remap[i] = static_cast<std::int64_t>(i);
    for (std::int64_t* r : roots)
      if (valid(*r) && *r >= static_cast<std::int64_t>(num_constants_)) remap[static_cast<std::size_t>(*r)] = 0;
    std::size_t next = num_constants_;
    for (std::size_t i = num_constants_; i < strings_.size(); ++i) {
      if (remap[i] < 0) continue;
      if (next != i) strings_[next] = std::move(strings_[i]);
      remap[i] = static_cast<std::int64_t>(next++);
    }
    strings_.resize(next);
    for (std::int64_t* r : roots)
      if (*r >= 0) *r = static_cast<std::size_t>(*r) < remap.size() ? remap[static_cast<std::size_t>(*r)] : kStringNa;
    const std::size_t live = next - num_constants_;
    gc_threshold_ = live * 2 > kInitialGcThreshold ? live * 2 : kInitialGcThreshold;
  }

  /// Heap bytes the strings hold (buffers beyond the inline capacity, and
  /// the table itself). O(strings), like Heap::memory_bytes().
  std::uint64_t memory_bytes() const {
    std::uint64_t n = strings_.capacity() * sizeof(std::string);
    for (const std::string& s : strings_) n += archive::string_buffer_bytes(s.capacity());
    return n;
  }

  std::size_t size() const { return strings_.size(); }

  void save(archive::Out& ar) const {
    ar(static_cast<std::uint64_t>(gc_threshold_));
    archive::save_count(ar, strings_.size() - num_constants_);
    for (std::size_t i = num_constants_; i < strings_.size(); ++i) archive::save_string(ar, strings_[i]);
  }
  void load(archive::In& ar) {
    std::uint64_t threshold = 0;
    ar(threshold);
    archive::require(threshold >= kInitialGcThreshold && threshold <= kMaxArchivedStrings * 2, "bad string threshold");
    gc_threshold_ = static_cast<std::size_t>(threshold);
    const std::uint64_t n = archive::load_count(ar, 8, kMaxArchivedStrings, sizeof(std::string));
    strings_.resize(num_constants_);
    // n is bounded by the input (8 bytes per string at least), so reserving
    // is safe, and it spares the doubling growth: without it a payload of
    // empty strings peaked at 8x its size in string headers, now 4x.
    strings_.reserve(num_constants_ + static_cast<std::size_t>(n));
    for (std::uint64_t i = 0; i < n; ++i) {
      std::string s;
      archive::load_string(ar, s, kMaxStringLength);
      strings_.push_back(std::move(s));
    }
  }

private:
  /// Made strings tolerated before the first collection.
  static constexpr std::size_t kInitialGcThreshold = 1024;
  std::vector<std::string> strings_;
  std::size_t num_constants_ = 0;
  std::size_t gc_threshold_ = kInitialGcThreshold;
};

} // namespace pine
