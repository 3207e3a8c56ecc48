// Heap objects at run time: error messages of collection misuse, the limits,
// garbage collection, and the heap archive's validation of hostile input.
#include <doctest/doctest.h>

#include <sstream>

#include "archive.h"
#include "heap.h"
#include "instance_state.h"
#include "pine/vm/instance.h"
#include "vm_helpers.h"

namespace {

/// Runs `body` over bars until it fails; returns "bar B, line L: message".
std::string runtime_error_of(const std::string& body, int bars = 3) {
  pine::Instance inst = pine::InstanceBuilder(compile_ok(body)).build();
  for (int i = 0; i < bars; ++i) {
    try {
      inst.run_bar(bar_at(i));
    } catch (const pine::RuntimeError& e) {
      return "bar " + std::to_string(e.bar_index()) + ", line " + std::to_string(e.line()) + ": " + e.message();
    }
  }
  return "no error";
}

} // namespace

TEST_CASE("heap: collection errors name the function, the index and the size") {
  CHECK(runtime_error_of("a = array.from(1, 2, 3)\nx = a.get(5)\n") ==
        "bar 0, line 4: Index out of bounds in 'array.get': index 5, array size 3");
  CHECK(runtime_error_of("a = array.from(1, 2, 3)\nx = a.get(-4)\n") ==
        "bar 0, line 4: Index out of bounds in 'array.get': index -4, array size 3");
  CHECK(runtime_error_of("a = array.new<int>()\nx = a.pop()\n") == "bar 0, line 4: Cannot use pop() if array is empty");
  CHECK(runtime_error_of("array<int> a = na\na.push(1)\n") ==
        "bar 0, line 4: Cannot call 'array.push' on an na array reference");
  CHECK(runtime_error_of("a = array.new<int>(-1)\n") == "bar 0, line 3: Cannot create an array with a negative size");
  CHECK(runtime_error_of("type P\n    int x\nP p = na\ny = p.x\n") == "bar 0, line 6: Cannot access a field of an na object");
  CHECK(runtime_error_of("x = array.from(1).first()\ny = array.new<int>().last()\n") ==
        "bar 0, line 4: Cannot call 'array.last' on an empty array");
  CHECK(runtime_error_of("x = array.from(1, 2).slice(1, 3)\n") ==
        "bar 0, line 3: Slice is out of bounds of the parent array (size 2)");
}

TEST_CASE("heap: an array holds at most 100,000 elements") {
  CHECK(runtime_error_of("var a = array.new<int>(99999)\na.push(1)\n", 2) ==
        "bar 1, line 4: Array is too large. Maximum size is 100000");
}

TEST_CASE("heap: garbage is collected and live objects survive intact") {
  // Each bar makes 50 temporary arrays; a var array keeps growing by one.
  pine::Instance inst = pine::InstanceBuilder(compile_ok("var keep = array.new<float>()\nkeep.push(close)\n"
                                                         "for i = 1 to 50\n    t = array.from(i, i)\n"
                                                         "plot(keep.sum())\n"))
                            .build();
  std::size_t peak = 0;
  double expected = 0;
  for (int i = 0; i < 400; ++i) {
    inst.run_bar(bar_at(i));
    expected += 100 + i;
    peak = std::max(peak, inst.state().heap.size());
    REQUIRE(inst.plot_values()[0].f == expected);
  }
  // 400 bars made 20,400 objects; collection keeps the heap near its threshold.
  CHECK(peak < 2200);
}

namespace {

/// One archived heap object, written field by field (heap.cpp's layout).
struct RawObject {
  std::uint8_t kind = 0, elem = 0, key = 0;
  std::uint32_t type_index = 0;
  std::int64_t view_of = -1; ///< arrays only
  std::uint32_t view_from = 0, view_size = 0;
  std::vector<std::uint64_t> items, keys;
};

/// Archive bytes of a heap holding `objects`.
std::string heap_bytes(const std::vector<RawObject>& objects) {
  std::ostringstream os(std::ios::binary);
  {
    pine::archive::Out ar(os);
    ar(std::uint64_t{1024}, static_cast<std::uint64_t>(objects.size()));
    for (const RawObject& o : objects) {
      ar(o.kind, o.elem, o.key, o.type_index);
      if (o.kind == 0) ar(o.view_of, o.view_from, o.view_size);
      ar(static_cast<std::uint64_t>(o.items.size()));
      for (std::uint64_t v : o.items) ar(v);
      ar(static_cast<std::uint64_t>(o.keys.size()));
      for (std::uint64_t v : o.keys) ar(v);
    }
  }
  return os.str();
}

/// Archive bytes of a heap with one object (not a view).
std::string heap_bytes(std::uint8_t kind, std::uint8_t elem, std::uint8_t key, std::uint32_t type_index,
                       const std::vector<std::uint64_t>& items, const std::vector<std::uint64_t>& keys) {
  std::ostringstream os(std::ios::binary);
  {
    pine::archive::Out ar(os);
    ar(std::uint64_t{1024}, std::uint64_t{1}, kind, elem, key, type_index);
    if (kind == 0) ar(std::int64_t{-1}, std::uint32_t{0}, std::uint32_t{0});
    ar(static_cast<std::uint64_t>(items.size()));
    for (std::uint64_t v : items) ar(v);
    ar(static_cast<std::uint64_t>(keys.size()));
    for (std::uint64_t v : keys) ar(v);
  }
  return os.str();
}

/// Loads heap bytes; returns the decode error, or "ok".
std::string load_heap(const std::string& bytes, const pine::Program& program) {
  std::span<const std::uint8_t> span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  pine::archive::SpanBuf buf(span);
  std::istream is(&buf);
  pine::archive::LoadContext ctx{&buf};
  pine::archive::In ar(ctx, is);
  pine::Heap heap;
  try {
    heap.load(ar, program);
  } catch (const pine::StateDecodeError& e) {
    return e.what();
  } catch (const cereal::Exception&) {
    return "truncated"; // state_archive.cpp turns this into a typed error
  }
  return "ok";
}

} // namespace

TEST_CASE("heap: the archive reader rejects every malformed object") {
  pine::Program program;
  program.types.push_back(pine::TypeDecl{"P", {{"x", pine::Type::Float}, {"next", pine::Type::Ref}}});
  const auto Ref = static_cast<std::uint8_t>(pine::Type::Ref);
  const auto F = static_cast<std::uint8_t>(pine::Type::Float);
  const auto S = static_cast<std::uint8_t>(pine::Type::String);
  CHECK(load_heap(heap_bytes(0, F, 0, 0, {1, 2}, {}), program) == "ok");
  CHECK(load_heap(heap_bytes(0, Ref, 0, 0, {0, std::uint64_t(-1)}, {}), program) == "ok"); // itself and na
  CHECK(load_heap(heap_bytes(0, Ref, 0, 0, {1}, {}), program) == "dangling heap reference");
  CHECK(load_heap(heap_bytes(2, 0, 0, 0, {0, 7}, {}), program) == "dangling heap reference"); // UDT field `next`
  CHECK(load_heap(heap_bytes(9, F, 0, 0, {}, {}), program) == "bad heap object kind");
  CHECK(load_heap(heap_bytes(0, 99, 0, 0, {}, {}), program) == "bad heap element type");
  CHECK(load_heap(heap_bytes(2, 0, 0, 5, {0, 0}, {}), program) == "heap object of an unknown type");
  CHECK(load_heap(heap_bytes(2, 0, 0, 0, {0}, {}), program) == "heap object field count mismatch");
  CHECK(load_heap(heap_bytes(1, F, S, 0, {1, 2}, {0}), program) == "bad map key count");
  CHECK(load_heap(heap_bytes(0, F, 0, 3, {}, {}), program) == "collection with a type index");
  // Array views: the parent must be another ordinary array of the same type.
  RawObject parent{0, F, 0, 0, -1, 0, 0, {1, 2, 3}, {}};
  CHECK(load_heap(heap_bytes({parent, RawObject{0, F, 0, 0, 0, 1, 2, {}, {}}}), program) == "ok");
  CHECK(load_heap(heap_bytes({parent, RawObject{0, F, 0, 0, 1, 0, 1, {}, {}}}), program) == "array view of a missing array");
  CHECK(load_heap(heap_bytes({parent, RawObject{0, F, 0, 0, 7, 0, 1, {}, {}}}), program) == "array view of a missing array");
  CHECK(load_heap(heap_bytes({parent, RawObject{0, S, 0, 0, 0, 0, 1, {}, {}}}), program) == "array view of a non-array");
  CHECK(load_heap(heap_bytes({parent, RawObject{0, F, 0, 0, 0, 0, 1, {5}, {}}}), program) ==
        "an array view with elements of its own");
  CHECK(load_heap(heap_bytes({parent, RawObject{0, F, 0, 0, -5, 0, 0, {}, {}}}), program) == "bad array view");
  CHECK(load_heap(heap_bytes({parent, RawObject{0, F, 0, 0, -1, 2, 0, {}, {}}}), program) == "bad array view");
  // A count larger than the bytes left is refused before anything is allocated.
  std::string huge = heap_bytes(0, F, 0, 0, {}, {});
  CHECK(load_heap(huge.substr(0, huge.size() - 16), program) != "ok");
}

TEST_CASE("runtime: a negative history offset is an error naming the offset") {
  CHECK(runtime_error_of("n = -1\nx = close[n]\n") == "bar 0, line 4: history offset -1: a history-reference offset cannot be negative");
}

TEST_CASE("heap: an array slice is a view that cannot resize and fails once its parent shrinks") {
  CHECK(runtime_error_of("a = array.from(1, 2, 3)\ns = a.slice(0, 2)\ns.push(4)\n") ==
        "bar 0, line 5: Cannot change the size of an array slice in 'array.push'");
  CHECK(runtime_error_of("a = array.from(1, 2, 3)\ns = a.slice(1, 3)\na.pop()\nx = s.get(0)\n") ==
        "bar 0, line 6: Slice is out of bounds of the parent array (the parent has 2 elements now)");
  // A var slice keeps its parent alive through garbage collection.
  pine::Instance inst = pine::InstanceBuilder(compile_ok("var parent = array.from(1.0, 2.0, 3.0)\nvar view = parent.slice(1, 3)\n"
                                                         "view.set(0, close)\nfor i = 1 to 60\n    t = array.from(i)\n"
                                                         "plot(parent.get(1) + view.get(1))\n"))
                            .build();
  for (int i = 0; i < 100; ++i) {
    inst.run_bar(bar_at(i));
    REQUIRE(inst.plot_values()[0].f == 100 + i + 3.0);
  }
}
