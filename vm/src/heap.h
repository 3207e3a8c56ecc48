// The object heap of one instance: arrays, maps, matrices and UDT objects.
//
// A reference is a handle (int64) into `objects_`; na is -1. Objects are
// mutable and shared: two variables holding the same handle see the same
// object, and a snapshot restores handles verbatim, so shared references
// stay shared. Garbage is reclaimed at bar end by a compacting
// mark-and-slide collection (collect()) whose roots the instance supplies;
// survivors keep their relative order, so collection is deterministic and a
// restored instance collects exactly as the original would have.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "archive.h"
#include "map_index.h"
#include "pine/vm/program.h"
#include "pine/vm/value.h"

namespace pine {

enum class ObjKind : std::uint8_t { Array, Map, Object, Matrix };

/// One heap object. Arrays keep their elements in `items`; maps keep keys
/// and values in insertion order in `keys`/`items`; UDT objects keep their
/// fields in `items` in declaration order; matrices keep their elements in
/// `items` row by row, with rows * cols == items.size().
struct HeapObject {
  ObjKind kind = ObjKind::Array;
  Type elem = Type::Float;      ///< array element / map value type (UDT: unused)
  Type key = Type::Void;        ///< map key type
  std::uint32_t type_index = 0; ///< UDT objects: index into Program::types
  std::vector<Value> items;
  std::vector<Value> keys;
  std::uint32_t rows = 0; ///< matrices: number of rows (others: 0)
  std::uint32_t cols = 0; ///< matrices: number of columns (others: 0)
  /// An array made by array.slice is a live view: it owns no items and
  /// stands for elements [view_from, view_from + view_size) of the array
  /// `view_of` (never itself a view); -1 for an ordinary array.
  std::int64_t view_of = -1;
  std::uint32_t view_from = 0;
  std::uint32_t view_size = 0;
  /// Maps: the hash index over `keys` (map_index.h); derived, never archived.
  MapIndexBox index;
};

/// Limits that keep a script (or a hostile snapshot) from exhausting memory.
/// Pine caps collections at 100,000 elements; the object count bounds the
/// handle space.
inline constexpr std::size_t kMaxCollectionSize = 100'000;
inline constexpr std::uint64_t kMaxObjects = 1u << 22;

class Heap {
public:
  /// Adds an object and returns its handle, or -1 when the heap is full.
  std::int64_t add(HeapObject obj) {
    if (objects_.size() >= kMaxObjects) return -1;
    objects_.push_back(std::move(obj));
    return static_cast<std::int64_t>(objects_.size() - 1);
  }

  /// The object behind a handle, or null for na (and for any handle a
  /// hostile snapshot could forge).
  HeapObject* get(std::int64_t handle) {
    if (handle < 0 || static_cast<std::uint64_t>(handle) >= objects_.size()) return nullptr;
    return &objects_[static_cast<std::size_t>(handle)];
  }
  const HeapObject* get(std::int64_t handle) const { return const_cast<Heap*>(this)->get(handle); }

  std::size_t size() const { return objects_.size(); }

  /// Heap bytes the objects hold (their element and key storage and the
  /// object table). O(objects): the interpreter calls it every few hundred
  /// allocating instructions, not per instruction.
  std::uint64_t memory_bytes() const {
    std::uint64_t n = objects_.capacity() * sizeof(HeapObject);
    for (const HeapObject& o : objects_)
      n += (o.items.capacity() + o.keys.capacity()) * sizeof(Value) + o.index.memory_bytes();
    return n;
  }

  /// True when enough objects were made since the last collection.
  bool wants_collection() const { return objects_.size() > gc_threshold_; }

  /// Keeps only the objects reachable from `roots` (handles in slots and
  /// series), compacts them and rewrites every handle: the roots' and those
  /// inside surviving objects.
  void collect(const Program& program, const std::vector<std::int64_t*>& roots);

  /// Calls `fn` on every string handle stored in an object (string GC roots).
  void for_each_string(const Program& program, const std::function<void(std::int64_t&)>& fn);

  void save(archive::Out& ar) const;
  /// Loads objects, validating kinds, types and every handle they hold.
  void load(archive::In& ar, const Program& program);

private:
  /// Objects tolerated before the first collection.
  static constexpr std::size_t kInitialGcThreshold = 1024;
  std::vector<HeapObject> objects_;
  std::size_t gc_threshold_ = kInitialGcThreshold;
};

/// Calls `fn` on each value slot of `obj` that holds a value of storage type
/// `want` (String or Ref), using the program's UDT layouts for fields.
void for_each_value_of_type(const Program& program, HeapObject& obj, Type want,
                            const std::function<void(std::int64_t&)>& fn);

} // namespace pine
