// Heap collection and archiving (see heap.h).
#include "heap.h"

namespace pine {

namespace {

/// Reads a counted list of 8-byte values (at most a collection's limit).
void load_values(archive::In& ar, std::vector<Value>& out) {
  const std::uint64_t n = archive::load_count(ar, 8, kMaxCollectionSize, sizeof(Value));
  out.resize(static_cast<std::size_t>(n));
  archive::load_values(ar, out.data(), out.size());
}

} // namespace

void for_each_value_of_type(const Program& program, HeapObject& obj, Type want,
                            const std::function<void(std::int64_t&)>& fn) {
  switch (obj.kind) {
    case ObjKind::Array:
    case ObjKind::Matrix:
    case ObjKind::Map:
      if (want == Type::Ref && obj.view_of >= 0) fn(obj.view_of); // a slice keeps its parent alive
      if (obj.elem == want)
        for (Value& v : obj.items) fn(v.i);
      if (obj.kind == ObjKind::Map && obj.key == want)
        for (Value& v : obj.keys) fn(v.i);
      break;
    case ObjKind::Object: {
      const TypeDecl& t = program.types[obj.type_index];
      for (std::size_t f = 0; f < t.fields.size() && f < obj.items.size(); ++f)
        if (t.fields[f].type == want) fn(obj.items[f].i);
      break;
    }
  }
}

void Heap::collect(const Program& program, const std::vector<std::int64_t*>& roots) {
  // Mark: an explicit work list, so deep object graphs cannot overflow the stack.
  std::vector<std::int64_t> remap(objects_.size(), -1);
  std::vector<std::size_t> work;
  auto mark = [&](std::int64_t h) {
    if (h < 0 || static_cast<std::uint64_t>(h) >= objects_.size()) return;
    if (remap[static_cast<std::size_t>(h)] == 0) return;
    remap[static_cast<std::size_t>(h)] = 0;
    work.push_back(static_cast<std::size_t>(h));
  };
  for (std::int64_t* r : roots) mark(*r);
  while (!work.empty()) {
    const std::size_t i = work.back();
    work.pop_back();
    for_each_value_of_type(program, objects_[i], Type::Ref, [&](std::int64_t& h) { mark(h); });
  }
  // Slide survivors down in order.
  std::size_t next = 0;
  for (std::size_t i = 0; i < objects_.size(); ++i) {
    if (remap[i] < 0) continue;
    if (next != i) objects_[next] = std::move(objects_[i]);
    remap[i] = static_cast<std::int64_t>(next++);
  }
  objects_.resize(next);
  auto rewrite = [&](std::int64_t& h) {
    h = (h >= 0 && static_cast<std::uint64_t>(h) < remap.size()) ? remap[static_cast<std::size_t>(h)] : kRefNa;
  };
  for (std::int64_t* r : roots) rewrite(*r);
  for (HeapObject& obj : objects_) for_each_value_of_type(program, obj, Type::Ref, rewrite);
  gc_threshold_ = next * 2 > kInitialGcThreshold ? next * 2 : kInitialGcThreshold;
}

void Heap::for_each_string(const Program& program, const std::function<void(std::int64_t&)>& fn) {
  for (HeapObject& obj : objects_) for_each_value_of_type(program, obj, Type::String, fn);
}

void Heap::save(archive::Out& ar) const {
  ar(static_cast<std::uint64_t>(gc_threshold_));
  archive::save_count(ar, objects_.size());
  for (const HeapObject& o : objects_) {
    ar(static_cast<std::uint8_t>(o.kind), static_cast<std::uint8_t>(o.elem), static_cast<std::uint8_t>(o.key), o.type_index);
    if (o.kind == ObjKind::Matrix) ar(o.rows, o.cols);
    if (o.kind == ObjKind::Array) ar(o.view_of, o.view_from, o.view_size);
    archive::save_count(ar, o.items.size());
    archive::save_values(ar, o.items.data(), o.items.size());
    archive::save_count(ar, o.keys.size());
    archive::save_values(ar, o.keys.data(), o.keys.size());
  }
}

void Heap::load(archive::In& ar, const Program& program) {
  std::uint64_t threshold = 0;
  ar(threshold);
  archive::require(threshold >= kInitialGcThreshold && threshold <= kMaxObjects * 2, "bad heap threshold");
  gc_threshold_ = static_cast<std::size_t>(threshold);
  // An object takes at least 23 bytes: kind, types, type index, two counts.
  const std::uint64_t n = archive::load_count(ar, 23, kMaxObjects, sizeof(HeapObject));
  objects_.clear();
  objects_.resize(static_cast<std::size_t>(n));
  for (HeapObject& o : objects_) {
    std::uint8_t kind = 0, elem = 0, key = 0;
    ar(kind, elem, key, o.type_index);
    archive::require(kind <= static_cast<std::uint8_t>(ObjKind::Matrix), "bad heap object kind");
    archive::require(elem < kTypeCount && key < kTypeCount, "bad heap element type");
    o.kind = static_cast<ObjKind>(kind);
    o.elem = static_cast<Type>(elem);
    o.key = static_cast<Type>(key);
    if (o.kind == ObjKind::Matrix) {
      // Each dimension alone is bounded too: a 0 x 4,000,000,000 matrix
      // holds no element but would make every row operation loop forever.
      ar(o.rows, o.cols);
      archive::require(o.rows <= kMaxCollectionSize && o.cols <= kMaxCollectionSize, "matrix dimension above its limit");
    }
    if (o.kind == ObjKind::Array) {
      ar(o.view_of, o.view_from, o.view_size);
      archive::require(o.view_of >= -1 && o.view_size <= kMaxCollectionSize && o.view_from <= kMaxCollectionSize,
                       "bad array view");
      if (o.view_of < 0) archive::require(o.view_from == 0 && o.view_size == 0, "bad array view");
    }
    load_values(ar, o.items);
    load_values(ar, o.keys);
    archive::require(o.view_of < 0 || o.items.empty(), "an array view with elements of its own");
    if (o.kind == ObjKind::Object) {
      archive::require(o.type_index < program.types.size(), "heap object of an unknown type");
      archive::require(o.items.size() == program.types[o.type_index].fields.size(), "heap object field count mismatch");
    } else {
      archive::require(o.type_index == 0, "collection with a type index");
    }
    archive::require(o.kind == ObjKind::Map ? o.keys.size() == o.items.size() : o.keys.empty(), "bad map key count");
    if (o.kind == ObjKind::Matrix)
      archive::require(std::uint64_t{o.rows} * o.cols == o.items.size(), "matrix rows * columns does not match its element count");
  }
  // A view's parent is an ordinary array of the same element type.
  for (std::size_t i = 0; i < objects_.size(); ++i) {
    const HeapObject& o = objects_[i];
    if (o.view_of < 0) continue;
    archive::require(static_cast<std::uint64_t>(o.view_of) < objects_.size() && static_cast<std::size_t>(o.view_of) != i,
                     "array view of a missing array");
    const HeapObject& parent = objects_[static_cast<std::size_t>(o.view_of)];
    archive::require(parent.kind == ObjKind::Array && parent.view_of < 0 && parent.elem == o.elem, "array view of a non-array");
  }
  // Every reference must name an object of this heap (or be na).
  for (HeapObject& o : objects_)
    for_each_value_of_type(program, o, Type::Ref, [&](std::int64_t& h) {
      archive::require(h == kRefNa || (h >= 0 && static_cast<std::uint64_t>(h) < objects_.size()), "dangling heap reference");
    });
}

} // namespace pine
