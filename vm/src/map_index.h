// A hash index over a map's keys, so map.get/put/contains/remove find a key
// in O(1) expected probes (plus an O(log n) position lookup after removals).
//
// A map keeps its pairs in insertion order in HeapObject::keys/items (that
// order is what map.keys() returns and what a snapshot saves). Looking a key
// up used to scan `keys`, so filling a map with n keys took O(n^2) key
// comparisons (50,000 string keys: 2.5 s). The index is derived data: never
// archived (snapshot bytes are unchanged), and empty until a map grows past
// kMapLinearMax pairs, where it is built from `keys` (also after a restore).
// Hashes are of key contents, never of string handles, so string collection
// (which renumbers handles) leaves the index valid.
//
// The table stores each key's insertion serial, not its position: removing
// a pair shifts the positions of all later pairs, and renumbering them in
// the table cost O(table) per removal (removing 25,000 of 50,000 keys took
// 9 s). `serials_` lists the live serials in position order (ascending, as
// pairs are appended in serial order and removal keeps the order), so a
// serial's position is a binary search, or O(1) while nothing before it was
// removed (serial == position).
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

namespace pine {

/// Maps with at most this many pairs are searched linearly and carry no
/// index: for a handful of keys a scan is as fast and costs no memory.
inline constexpr std::size_t kMapLinearMax = 8;

/// Open addressing with linear probing, at most half full; each slot holds a
/// serial + 1 (0 = empty) and the key's 32-bit hash, so growing never
/// rehashes keys.
class MapIndex {
public:
  struct Slot {
    std::uint32_t serial1 = 0; ///< the pair's insertion serial + 1; 0 means empty
    std::uint32_t hash = 0;
  };

  bool built() const { return !slots_.empty(); }
  void clear() {
    std::vector<Slot>().swap(slots_);
    std::vector<std::uint32_t>().swap(serials_);
    next_serial_ = 0;
  }

  /// The position of a key whose hash is `hash` and for which `equal(pos)`
  /// holds, or -1. Requires built().
  template <class Equal>
  std::int64_t find(std::uint32_t hash, Equal&& equal) const {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.serial1 == 0) return -1;
      if (s.hash != hash) continue;
      const std::size_t pos = position_of(s.serial1 - 1);
      if (equal(pos)) return static_cast<std::int64_t>(pos);
    }
  }

  /// Records a new last pair (position serials_.size()) whose key hashes to
  /// `hash`; grows the table to keep it at most half full.
  void insert(std::uint32_t hash) {
    if (next_serial_ == std::numeric_limits<std::uint32_t>::max() - 1) renumber();
    if ((serials_.size() + 1) * 2 > slots_.size()) grow((serials_.size() + 1) * 2);
    serials_.push_back(next_serial_);
    place(Slot{next_serial_ + 1, hash});
    ++next_serial_;
  }

  /// Forgets the pair at position `pos` (whose key hashes to `hash`), as it
  /// is erased from keys/items. O(log n) for the slot plus the shift of
  /// serials_, which is as long as the shift of keys and items.
  void erase(std::size_t pos, std::uint32_t hash) {
    const std::uint32_t serial1 = serials_[pos] + 1;
    const std::size_t mask = slots_.size() - 1;
    std::size_t hole = hash & mask;
    while (slots_[hole].serial1 != serial1) hole = (hole + 1) & mask;
    // Backward-shift deletion: entries later in the probe run move into the
    // hole unless their home slot lies cyclically in (hole, j], where moving
    // them would put them before their home.
    slots_[hole] = Slot{};
    for (std::size_t j = (hole + 1) & mask; slots_[j].serial1 != 0; j = (j + 1) & mask) {
      const std::size_t home = slots_[j].hash & mask;
      const bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
      if (stays) continue;
      slots_[hole] = slots_[j];
      slots_[j] = Slot{};
      hole = j;
    }
    serials_.erase(serials_.begin() + static_cast<std::ptrdiff_t>(pos));
  }

  /// Heap bytes the index holds (for the memory limit).
  std::uint64_t memory_bytes() const {
    return slots_.capacity() * sizeof(Slot) + serials_.capacity() * sizeof(std::uint32_t);
  }

private:
  /// The position of a live serial: serials_ is ascending and a serial is
  /// never below its position, so when nothing before it was removed it is
  /// its own position, else a binary search below it finds it.
  std::size_t position_of(std::uint32_t serial) const {
    if (serial < serials_.size() && serials_[serial] == serial) return serial;
    const auto end = serials_.begin() + std::min<std::size_t>(serial, serials_.size());
    return static_cast<std::size_t>(std::lower_bound(serials_.begin(), end, serial) - serials_.begin());
  }
  /// Puts `s` in the first free slot of its probe run.
  void place(Slot s) {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = s.hash & mask;
    while (slots_[i].serial1 != 0) i = (i + 1) & mask;
    slots_[i] = s;
  }
  /// Rebuilds the table with at least `min_slots` slots (a power of two, at
  /// least 32) from the stored hashes.
  void grow(std::size_t min_slots) {
    std::size_t n = 32;
    while (n < min_slots) n *= 2;
    std::vector<Slot> old(n);
    old.swap(slots_);
    for (const Slot& s : old)
      if (s.serial1 != 0) place(s);
  }
  /// Makes every serial its position again (once per 4 billion insertions,
  /// before the counter would wrap).
  void renumber() {
    for (Slot& s : slots_)
      if (s.serial1 != 0) s.serial1 = static_cast<std::uint32_t>(position_of(s.serial1 - 1)) + 1;
    for (std::size_t i = 0; i < serials_.size(); ++i) serials_[i] = static_cast<std::uint32_t>(i);
    next_serial_ = static_cast<std::uint32_t>(serials_.size());
  }

  std::vector<Slot> slots_;
  std::vector<std::uint32_t> serials_; ///< live serials in position order
  std::uint32_t next_serial_ = 0;
};

/// A map's index held through a pointer: every heap object carries one, and
/// only maps past kMapLinearMax pairs allocate it, so arrays and UDT objects
/// pay 8 bytes (an inline MapIndex made every object 56 bytes larger, which
/// slowed the heap's collection, which moves objects). Copies are deep, so a
/// copied map (map.copy) gets an index of its own.
class MapIndexBox {
public:
  MapIndexBox() = default;
  MapIndexBox(const MapIndexBox& o) : p_(o.p_ ? std::make_unique<MapIndex>(*o.p_) : nullptr) {}
  MapIndexBox& operator=(const MapIndexBox& o) {
    if (this != &o) p_ = o.p_ ? std::make_unique<MapIndex>(*o.p_) : nullptr;
    return *this;
  }
  MapIndexBox(MapIndexBox&&) noexcept = default;
  MapIndexBox& operator=(MapIndexBox&&) noexcept = default;

  /// The index, or null when the map has none (small, or not yet built).
  MapIndex* get() const { return p_.get(); }
  /// An empty index, made now.
  MapIndex& make() {
    p_ = std::make_unique<MapIndex>();
    return *p_;
  }
  void reset() { p_.reset(); }
  /// Heap bytes the index holds (for the memory limit).
  std::uint64_t memory_bytes() const { return p_ ? sizeof(MapIndex) + p_->memory_bytes() : 0; }

private:
  std::unique_ptr<MapIndex> p_;
};

} // namespace pine
