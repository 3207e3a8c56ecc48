// The restore memory bound: restoring any input of S bytes keeps the peak of
// live heap bytes under 64 MiB + 16 x S (docs/fuzzing.md).
//
// This file is its own executable (tests/CMakeLists.txt): it replaces the
// global operator new/delete (every form: plain, array, nothrow, aligned,
// sized) with malloc-based versions that keep the number of live bytes
// (malloc_usable_size, so a release subtracts exactly what its allocation
// added) and, while a PeakMeter is alive, the peak above the level at which
// the meter started. The snapshot suite's own allocation guard
// (test_restore_hostile.cpp) replaces the same operators, hence the split.
//
// Inputs: valid snapshots of several scripts, and crafted payloads re-sealed
// with VALID checksums (the program hash recomputed over the crafted program,
// as an attacker would) that carry absurd counts, capacities, indices, types
// and opcodes: every offset of the program and state archives overwritten
// with huge values, and hand-built programs whose frame layout asks for far
// more slots, series history and builtin states than the archive holds.
#include <doctest/doctest.h>

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <new>
#include <sstream>
#include <string>
#include <vector>

#include "bars_csv.h"
#include "sample_bars.h"
#include "pine/compiler/compile.h"
#include "pine/snapshot/envelope.h"
#include "pine/snapshot/snapshot.h"
#include "pine/vm/bytecode.h"
#include "pine/vm/instance.h"
#include "crafted_snapshots.h"
#include "snapshot_outcome.h"

// ---- Counting allocator ------------------------------------------------------

namespace memory_meter {
std::atomic<std::int64_t> live{0};      ///< bytes currently allocated through operator new
std::atomic<bool> metering{false};      ///< a PeakMeter is alive
std::atomic<std::int64_t> peak{0};      ///< highest `live` seen while metering

/// Counts a block that malloc returned (null is not counted).
void* counted(void* p) {
  if (p == nullptr) return nullptr;
  const auto n = static_cast<std::int64_t>(malloc_usable_size(p));
  const std::int64_t now = live.fetch_add(n, std::memory_order_relaxed) + n;
  if (metering.load(std::memory_order_relaxed)) {
    std::int64_t seen = peak.load(std::memory_order_relaxed);
    while (now > seen && !peak.compare_exchange_weak(seen, now, std::memory_order_relaxed)) {
    }
  }
  return p;
}

/// Uncounts and frees a block from counted().
void release(void* p) noexcept {
  if (p == nullptr) return;
  live.fetch_sub(static_cast<std::int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
  std::free(p);
}

/// malloc for operator new: never returns null for n == 0.
void* plain(std::size_t n) { return counted(std::malloc(n == 0 ? 1 : n)); }

/// aligned_alloc for the aligned forms (size rounded up to the alignment, as
/// aligned_alloc requires).
void* aligned(std::size_t n, std::align_val_t al) {
  const auto a = static_cast<std::size_t>(al);
  const std::size_t rounded = (n == 0 ? a : (n + a - 1) / a * a);
  return counted(std::aligned_alloc(a, rounded));
}
} // namespace memory_meter

// operator new/delete are malloc/free here, which GCC cannot see through when
// it inlines a delete (a false -Wmismatched-new-delete alarm).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

void* operator new(std::size_t n) {
  if (void* p = memory_meter::plain(n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  if (void* p = memory_meter::plain(n)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return memory_meter::plain(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return memory_meter::plain(n); }
void* operator new(std::size_t n, std::align_val_t a) {
  if (void* p = memory_meter::aligned(n, a)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t a) {
  if (void* p = memory_meter::aligned(n, a)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept { return memory_meter::aligned(n, a); }
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return memory_meter::aligned(n, a);
}
void operator delete(void* p) noexcept { memory_meter::release(p); }
void operator delete[](void* p) noexcept { memory_meter::release(p); }
void operator delete(void* p, std::size_t) noexcept { memory_meter::release(p); }
void operator delete[](void* p, std::size_t) noexcept { memory_meter::release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { memory_meter::release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { memory_meter::release(p); }
void operator delete(void* p, std::align_val_t) noexcept { memory_meter::release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { memory_meter::release(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { memory_meter::release(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { memory_meter::release(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { memory_meter::release(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { memory_meter::release(p); }

using namespace pine;
using namespace pine::snapshot;
using pine::test::fanned_out_program;
using pine::test::minimal_program;
using pine::test::seal_blobs;

using pine::test::sample_bars;

namespace {

using Bytes = std::vector<std::uint8_t>;

/// Measures the peak of live bytes, above the level at construction, while alive.
class PeakMeter {
public:
  PeakMeter() : base_(memory_meter::live.load()) {
    memory_meter::peak.store(base_);
    memory_meter::metering.store(true);
  }
  ~PeakMeter() { memory_meter::metering.store(false); }
  /// Peak live bytes above the starting level so far.
  std::int64_t peak() const { return memory_meter::peak.load() - base_; }

private:
  std::int64_t base_;
};

/// The bound under test: 64 MiB + 16 bytes per input byte.
std::int64_t bound_for(std::size_t input_size) {
  return (std::int64_t{64} << 20) + 16 * static_cast<std::int64_t>(input_size);
}

/// What restoring `bytes` did, and the peak of live bytes while it ran (the
/// restored instance is destroyed inside the measurement).
struct Measured {
  std::string outcome;
  std::int64_t peak = 0;
};

Measured measure_restore(const Bytes& bytes) {
  Measured m;
  PeakMeter meter;
  m.outcome = pine::test::outcome([&] { (void)RestoreBuilder(bytes).build(); });
  m.peak = meter.peak();
  return m;
}

/// A snapshot of `script` (a .pine file under the source tree) after `bars` bars.
Bytes snapshot_of_file(const std::string& script, std::size_t bars) {
  const std::filesystem::path path = std::filesystem::path(PINEVM_SOURCE_DIR) / script;
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string source = ss.str();
  CompileResult r = compile(source);
  if (!r.ok()) FAIL(r.format(source, script));
  Instance inst = InstanceBuilder(r.program).build();
  for (std::size_t i = 0; i < bars && i < sample_bars().size(); ++i) inst.run_bar(sample_bars()[i]);
  return save_state(inst);
}

/// A script whose state holds a large array, so a valid restore allocates a
/// known, measurable amount: 50,000 floats in a var array (400,000 bytes).
constexpr const char* kBigArrayScript = R"(//@version=6
indicator("big array")
var a = array.new<float>(50000, 1.5)
a.set(bar_index % 50000, close)
plot(a.size())
)";

// ---- Crafted archives (seal_blobs and the programs: crafted_snapshots.h) ------

/// Overwrites `width` bytes at `at` with `v` little-endian (clipped at the end).
void write_le(Bytes& b, std::size_t at, std::uint64_t v, std::size_t width) {
  for (std::size_t i = 0; i < width && at + i < b.size(); ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

/// The state archive of a fresh instance of the minimal program: a valid
/// prefix (configuration, counters) for the crafted programs above, far too
/// short for the layouts they declare.
Bytes minimal_state() {
  Instance inst(std::make_shared<const Program>(minimal_program(2)), InstanceConfig{});
  return save_instance_state(inst);
}

/// Sizes of the blobs inside a valid snapshot's payload.
struct Blobs {
  Bytes program, state;
};

Blobs blobs_of(const Bytes& snapshot) {
  const OpenedSnapshot opened = open_snapshot(snapshot);
  const Bytes& p = opened.payload;
  auto get = [&](std::size_t at) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(p[at + i]) << (8 * i);
    return static_cast<std::size_t>(v);
  };
  Blobs b;
  const std::size_t np = get(5);
  b.program.assign(p.begin() + 13, p.begin() + 13 + static_cast<std::ptrdiff_t>(np));
  const std::size_t ns = get(13 + np);
  b.state.assign(p.begin() + 21 + static_cast<std::ptrdiff_t>(np), p.begin() + 21 + static_cast<std::ptrdiff_t>(np + ns));
  return b;
}

} // namespace

// Proves the meter measures: a restore of a state holding a 50,000-float
// array peaks at no less than the array's 400,000 bytes (so a meter that
// counted nothing would fail here), and under the bound.
TEST_CASE("restore memory: the meter sees a known allocation") {
  CompileResult r = compile(kBigArrayScript);
  REQUIRE(r.ok());
  Instance inst = InstanceBuilder(r.program).build();
  for (std::size_t i = 0; i < 20; ++i) inst.run_bar(sample_bars()[i]);
  const Bytes bytes = save_state(inst);
  const Measured m = measure_restore(bytes);
  CHECK(m.outcome == "success");
  CHECK(m.peak >= 50'000 * 8);
  CHECK(m.peak < bound_for(bytes.size()));
  MESSAGE("big array snapshot: " << bytes.size() << " bytes, restore peak " << m.peak << " bytes");
}

// Proves valid snapshots of every snapshot-suite script and a few
// conformance scripts, at several bar counts, restore under the bound.
TEST_CASE("restore memory: valid snapshots stay under 64 MiB + 16 x size") {
  const std::vector<std::string> scripts = {
      "tests/snapshot/scripts/counters_strings.pine", "tests/snapshot/scripts/functions.pine",
      "tests/snapshot/scripts/history.pine",          "tests/snapshot/scripts/inputs.pine",
      "tests/snapshot/scripts/loops.pine",            "tests/snapshot/scripts/ta_all.pine",
      "tests/conformance/arrays.pine",                "tests/conformance/matrices.pine",
      "tests/conformance/maps_enums.pine",            "tests/conformance/objects.pine",
      "tests/conformance/strings.pine"};
  std::int64_t largest = 0;
  for (const std::string& script : scripts) {
    for (std::size_t bars : {1u, 100u, 1000u}) {
      const Bytes bytes = snapshot_of_file(script, bars);
      const Measured m = measure_restore(bytes);
      INFO(script, " after ", bars, " bars: ", m.outcome, ", peak ", m.peak, " for ", bytes.size(), " bytes");
      CHECK(m.outcome == "success");
      CHECK(m.peak < bound_for(bytes.size()));
      largest = std::max(largest, m.peak);
    }
  }
  MESSAGE("largest restore peak over the valid snapshots: " << largest << " bytes");
}

// Proves a program cannot size the instance beyond what its archive holds:
// hand-built programs (valid to the verifier, program hash recomputed) whose
// call tree fans one function out over many frames, each asking for slots,
// series history or builtin states, with the short state of an empty
// program. Before the layout check, each of these allocated its whole layout
// (up to gigabytes) before reading a byte of the state.
TEST_CASE("restore memory: a program's layout is checked against the archive") {
  const Bytes state = minimal_state();
  struct Case {
    const char* what;
    std::size_t sites;
    std::function<void(FunctionProto&)> shape;
  };
  const std::vector<Case> cases = {
      {"65,535 slots x 64 frames", 64, [](FunctionProto& f) { f.num_slots = 65535; }},
      {"one 100,001-value series x 300 frames", 300,
       [](FunctionProto& f) { f.series = {SeriesDecl{Type::Float, 100'001}}; }},
      {"1,000 series x 60,000 frames", 60'000,
       [](FunctionProto& f) { f.series.assign(1000, SeriesDecl{Type::Float, 1}); }},
      {"1,000 sma states x 1,000 frames", 1000,
       [](FunctionProto& f) { f.states.assign(1000, StateKind::SMA); }},
      {"60 sma states x 1,000 frames", 1000, [](FunctionProto& f) { f.states.assign(60, StateKind::SMA); }},
  };
  for (const Case& c : cases) {
    const Program program = fanned_out_program(minimal_program(2), c.sites, c.shape);
    REQUIRE_NOTHROW(verify_program(program));
    const Bytes bytes = seal_blobs(serialize_program(program), state);
    const Measured m = measure_restore(bytes);
    INFO(c.what, ": ", m.outcome, ", peak ", m.peak, " bytes for a ", bytes.size(), "-byte input");
    CHECK(m.outcome == "corrupt");
    // Rejected by the layout checks, not by the configuration hash that
    // seal_blobs leaves at zero.
    const std::string why = pine::test::snapshot_error_message([&] { (void)RestoreBuilder(bytes).build(); });
    INFO("message: ", why);
    CHECK((why.find("frame layout needs more state") != std::string::npos || why.find("program needs") != std::string::npos ||
           why.find("program's series need") != std::string::npos));
    // The frames and the program itself are all a rejected layout may cost.
    CHECK(m.peak < bound_for(bytes.size()));
    CHECK(m.peak < (std::int64_t{4} << 20));
  }
}

// Proves the decoders bound every count by the input: each offset of the
// program archive and of the state archive of a valid snapshot (a script
// with strings, series, builtin states and heap objects) is overwritten with
// absurd values (2^64-1, 2^32, 2^31-1, 100,001 as u64; 0xFFFFFFFF and
// 100,001 as u32) and re-sealed with valid checksums (program hash
// recomputed). Every result must be a SnapshotError or a restore, with the
// peak under the bound.
TEST_CASE("restore memory: absurd values at every offset of the program and state archives") {
  const Bytes base = snapshot_of_file("tests/snapshot/scripts/counters_strings.pine", 200);
  const Blobs blobs = blobs_of(base);
  REQUIRE(blobs.program.size() > 100);
  REQUIRE(blobs.state.size() > 100);
  struct Poke {
    std::uint64_t v;
    std::size_t width;
  };
  const Poke values[] = {{~std::uint64_t{0}, 8}, {std::uint64_t{1} << 32, 8}, {0x7FFFFFFF, 8},
                          {100'001, 8},          {0xFFFFFFFF, 4},            {100'001, 4}};
  std::map<std::string, int> outcomes;
  std::int64_t largest = 0;
  int failures = 0;
  for (int target = 0; target < 2; ++target) {
    const Bytes& blob = target == 0 ? blobs.program : blobs.state;
    for (std::size_t at = 0; at < blob.size(); ++at) {
      for (const Poke& v : values) {
        Bytes crafted = blob;
        write_le(crafted, at, v.v, v.width);
        const Bytes bytes = target == 0 ? seal_blobs(crafted, blobs.state) : seal_blobs(blobs.program, crafted);
        const Measured m = measure_restore(bytes);
        ++outcomes[m.outcome];
        largest = std::max(largest, m.peak);
        if (m.outcome.rfind("other", 0) == 0 || m.peak >= bound_for(bytes.size())) {
          if (++failures <= 10)
            FAIL_CHECK((target == 0 ? "program" : "state") << " offset " << at << " value " << v.v << " (u"
                                                           << v.width * 8 << "): " << m.outcome << ", peak " << m.peak);
        }
      }
    }
  }
  CHECK(failures == 0);
  std::ostringstream os;
  for (const auto& [k, n] : outcomes) os << " " << k << "=" << n;
  MESSAGE("absurd values: largest peak " << largest << " bytes; outcomes:" << os.str());
}

// Proves the decompressed payload is charged before it is allocated: a tiny
// file whose zstd frame expands to kRatioFreeSize (64 MiB) of zeros, which
// every format cap allows, is refused by the default memory limit before a
// byte of it is allocated. With the limit lifted it is decoded where it lies
// (the payload framing was once decoded from a std::string copy: 128 MiB).
TEST_CASE("restore memory: a 64 MiB payload from a tiny file") {
  SnapshotHeader h{};
  h.engine_version = kEngineVersion;
  const Bytes bytes = seal_snapshot(h, Bytes(static_cast<std::size_t>(kRatioFreeSize), 0));
  REQUIRE(bytes.size() < 64 * 1024);
  const Measured m = measure_restore(bytes);
  INFO("default limit: ", m.outcome, ", peak ", m.peak, " bytes for a ", bytes.size(), "-byte input");
  CHECK(m.outcome == "memory_limit");
  CHECK(m.peak < (std::int64_t{1} << 20));

  Measured lifted;
  {
    PeakMeter meter;
    lifted.outcome = pine::test::outcome([&] { (void)RestoreBuilder(bytes).memory_limit(UINT64_MAX).build(); });
    lifted.peak = meter.peak();
  }
  INFO("no limit: ", lifted.outcome, ", peak ", lifted.peak);
  CHECK(lifted.outcome == "corrupt");  // zeros are not a payload framing
  CHECK(lifted.peak >= static_cast<std::int64_t>(kRatioFreeSize));
  CHECK(lifted.peak < static_cast<std::int64_t>(kRatioFreeSize + (kRatioFreeSize >> 2)));
}

namespace {

/// Restores `bytes` with memory_limit(limit) and measures it.
Measured measure_restore_within(const Bytes& bytes, std::uint64_t limit) {
  Measured m;
  PeakMeter meter;
  m.outcome = pine::test::outcome([&] { (void)RestoreBuilder(bytes).memory_limit(limit).build(); });
  m.peak = meter.peak();
  return m;
}

/// The smallest memory limit at which `bytes` restores (binary search to
/// 1 KiB), and the peak measured at that limit.
struct TightLimit {
  std::uint64_t limit = 0;
  std::int64_t peak = 0;
};
TightLimit tightest_limit(const Bytes& bytes) {
  std::uint64_t lo = 0, hi = std::uint64_t{1} << 32;  // lo fails, hi succeeds
  REQUIRE(measure_restore_within(bytes, hi).outcome == "success");
  while (hi - lo > 1024) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    const std::string outcome = measure_restore_within(bytes, mid).outcome;
    REQUIRE_MESSAGE((outcome == "success" || outcome == "memory_limit"), outcome);
    (outcome == "success" ? hi : lo) = mid;
  }
  return {hi, measure_restore_within(bytes, hi).peak};
}

} // namespace

// Proves the charges are upper bounds of what a restore allocates, which is
// what makes the limit a bound on the peak: for valid snapshots of many
// scripts (collections, strings, objects, every builtin state kind, series
// history), restoring at the tightest limit that succeeds never peaks above
// that limit. And, since the flat kRestoreFixedBytes charge would hide a
// small uncharged allocation: the peak above an empty script's peak (the
// real fixed cost) stays within the charges above the flat one. A decoder
// that allocated more than it charged fails the second check for the script
// that exercises it.
TEST_CASE("restore memory: a restore never allocates more than it charged") {
  const Bytes empty = [] {
    CompileResult r = compile("//@version=6\nindicator(\"empty\")\nplot(na)\n");
    REQUIRE(r.ok());
    Instance inst = InstanceBuilder(r.program).build();
    return save_state(inst);
  }();
  const std::int64_t fixed_peak = tightest_limit(empty).peak;
  MESSAGE("fixed cost of a restore (an empty script): " << fixed_peak << " bytes; charged " << kRestoreFixedBytes);
  CHECK(fixed_peak < static_cast<std::int64_t>(kRestoreFixedBytes));
  const std::vector<std::string> scripts = {
      "tests/snapshot/scripts/counters_strings.pine", "tests/snapshot/scripts/functions.pine",
      "tests/snapshot/scripts/history.pine",          "tests/snapshot/scripts/ta_all.pine",
      "tests/conformance/arrays.pine",                "tests/conformance/matrices.pine",
      "tests/conformance/maps_enums.pine",            "tests/conformance/objects.pine",
      "tests/conformance/strings.pine"};
  std::uint64_t largest_slack = 0;
  for (const std::string& script : scripts) {
    const Bytes bytes = snapshot_of_file(script, 1000);
    const TightLimit t = tightest_limit(bytes);
    INFO(script, ": tightest limit ", t.limit, ", peak there ", t.peak);
    CHECK(t.peak <= static_cast<std::int64_t>(t.limit));
    CHECK(t.peak - fixed_peak <= static_cast<std::int64_t>(t.limit - kRestoreFixedBytes));
    largest_slack = std::max(largest_slack, t.limit - static_cast<std::uint64_t>(std::max<std::int64_t>(t.peak, 0)));
  }
  MESSAGE("largest charge above the measured peak: " << largest_slack << " bytes");
}

namespace {

/// A script whose state is `arrays` arrays of 100,000 zeros: a legitimate
/// state that compresses about 30,000:1.
std::string zero_arrays_script(int arrays) {
  std::string s = "//@version=6\nindicator(\"zeros\")\n";
  for (int i = 0; i < arrays; ++i) s += "var a" + std::to_string(i) + " = array.new<float>(100000, 0)\n";
  s += "a0.set(bar_index % 100000, close)\nplot(a0.sum())\n";
  return s;
}

} // namespace

// Proves a legitimate state too compressible for the default limit is
// refused with MemoryLimit (under the bound), and restores exactly once the
// host raises the limit: 45 arrays of 100,000 zeros are 36 MB of payload and
// 36 MB of instance from a file of a few KiB.
TEST_CASE("restore memory: a huge, very compressible state needs a raised limit") {
  CompileResult r = compile(zero_arrays_script(45));
  REQUIRE(r.ok());
  Instance inst = InstanceBuilder(r.program).build();
  for (std::size_t i = 0; i < 3; ++i) inst.run_bar(sample_bars()[i]);
  const Bytes bytes = save_state(inst);
  REQUIRE(bytes.size() < 64 * 1024);

  const Measured m = measure_restore(bytes);
  INFO("default limit: ", m.outcome, ", peak ", m.peak, " bytes for a ", bytes.size(), "-byte file");
  CHECK(m.outcome == "memory_limit");
  CHECK(m.peak < bound_for(bytes.size()));
  const std::string message = [&] {
    try {
      (void)RestoreBuilder(bytes).build();
    } catch (const SnapshotError& e) {
      return std::string(e.what());
    }
    return std::string();
  }();
  CHECK(message.find("memory_limit") != std::string::npos);
  CHECK(message.find("--restore-memory-limit") != std::string::npos);

  const std::uint64_t raised = std::uint64_t{256} << 20;
  const Measured ok = measure_restore_within(bytes, raised);
  INFO("raised limit: ", ok.outcome, ", peak ", ok.peak);
  CHECK(ok.outcome == "success");
  CHECK(ok.peak <= static_cast<std::int64_t>(raised));
  CHECK(ok.peak >= 2 * 45 * 100'000 * 8);  // the payload and the instance's arrays

  Instance again = RestoreBuilder(bytes).memory_limit(raised).build();
  for (std::size_t i = 3; i < 6; ++i) {
    inst.run_bar(sample_bars()[i]);
    again.run_bar(sample_bars()[i]);
    const auto bits = [](const Instance& x) {
      std::vector<std::uint64_t> out;
      for (const Value& v : x.plot_values()) out.push_back(v.u);
      return out;
    };
    CHECK(bits(again) == bits(inst));
  }
}

// Proves the string table of a restored state is sized once: a state whose
// table holds 2^20 + 1 empty strings (8 zero bytes each in the archive, a
// 8 MiB payload that compresses to a few KiB) peaks at about the payload plus
// one 32-byte header per string (~40 MiB). Growing the table by doubling,
// as the loader once did, reallocated at 2^20 and peaked near 104 MiB, over
// the bound for a file this small.
TEST_CASE("restore memory: a state of a million empty strings is sized once") {
  Bytes state = minimal_state();
  // The archive ends with the string table (u64 threshold, u64 count, the
  // strings) and the heap (u64 threshold, u64 count): 32 bytes when both
  // are empty.
  REQUIRE(state.size() > 32);
  const std::size_t count_at = state.size() - 24;
  for (std::size_t i = 0; i < 8; ++i) REQUIRE(state[count_at + i] == 0);
  constexpr std::uint64_t kStrings = (std::uint64_t{1} << 20) + 1;
  write_le(state, count_at, kStrings, 8);
  state.insert(state.begin() + static_cast<std::ptrdiff_t>(count_at + 8), kStrings * 8, 0);
  const Bytes bytes = seal_blobs(serialize_program(minimal_program(2)), state);
  const Measured m = measure_restore(bytes);
  INFO("peak ", m.peak, " bytes for a ", bytes.size(), "-byte input");
  CHECK(m.outcome == "corrupt");  // the header's configuration hash is left at zero
  CHECK(m.peak >= static_cast<std::int64_t>(kStrings * 32));
  CHECK(m.peak < bound_for(bytes.size()));
}
