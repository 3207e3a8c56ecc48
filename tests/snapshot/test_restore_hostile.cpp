// Hostile snapshots at the RestoreBuilder level (docs/snapshot.md, "Restore order"): every
// damaged, truncated, foreign or crafted snapshot is rejected with a typed
// SnapshotError of the documented kind, never accepted by mistake, never a
// crash, never another exception type, never a huge allocation.
//
// All cases start from a valid snapshot of a nontrivial script (inputs of
// every kind, var strings, string series, user-function frames, every kind
// of builtin state) taken in the middle of the bundled sample data.
//
// Crafted payloads: the envelope is only a checksum, not a signature, so an
// attacker (or a buggy writer) can modify the decompressed payload and re-seal
// it with valid checksums (snapshot::seal_snapshot). Those bytes pass every
// envelope check and reach the archive decoders, which must reject them as
// Corrupt or restore something that runs.
//
// To catch "huge allocation" (as opposed to a crash), this test executable
// replaces the global operator new/delete with malloc/free wrappers that, while
// a guard is active, record the largest single request and refuse requests
// above kAllocationCeiling with std::bad_alloc (so a hostile count cannot take
// the machine down, and shows up as a test failure instead).
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <new>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

#include "bars_csv.h"
#include "sample_bars.h"
#include "instance_state.h"
#include "pine/compiler/compile.h"
#include "pine/snapshot/envelope.h"
#include "crafted_snapshots.h"
#include "snapshot_outcome.h"
#include "pine/snapshot/snapshot.h"
#include "pine/vm/bytecode.h"
#include "pine/vm/instance.h"

// ---- Allocation tracking (whole executable; inert unless a guard is active) --

namespace hostile_alloc {
std::atomic<bool> active{false};
std::atomic<std::size_t> largest{0};
/// Single requests above this fail while tracking is active. A legitimate
/// restore of the small snapshots used here needs well under 1 MiB at once;
/// the largest legitimate per-call-site buffer (a ta window of kMaxLength =
/// 1,000,000 doubles) is 8 MB.
constexpr std::size_t kAllocationCeiling = std::size_t{256} << 20;

void* allocate(std::size_t n) {
  if (active.load(std::memory_order_relaxed)) {
    std::size_t seen = largest.load(std::memory_order_relaxed);
    while (n > seen && !largest.compare_exchange_weak(seen, n, std::memory_order_relaxed)) {
    }
    if (n > kAllocationCeiling) throw std::bad_alloc();
  }
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
} // namespace hostile_alloc

void* operator new(std::size_t n) { return hostile_alloc::allocate(n); }
void* operator new[](std::size_t n) { return hostile_alloc::allocate(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return hostile_alloc::allocate(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return hostile_alloc::allocate(n);
  } catch (...) {
    return nullptr;
  }
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

using namespace pine;
using namespace pine::snapshot;

using pine::test::sample_bars;

namespace {

using Bytes = std::vector<std::uint8_t>;
using Kind = SnapshotError::Kind;

/// Tracks the largest allocation while alive.
struct AllocationGuard {
  AllocationGuard() {
    hostile_alloc::largest.store(0);
    hostile_alloc::active.store(true);
  }
  ~AllocationGuard() { hostile_alloc::active.store(false); }
  std::size_t largest() const { return hostile_alloc::largest.load(); }
};

/// A script with state of every kind the archive knows.
constexpr const char* kRichScript = R"(//@version=6
indicator("rich", max_bars_back = 40)
len = input.int(14, "Length", minval = 1)
mult = input.float(2.0, "Mult")
flag = input.bool(true, "Flag")
tag = input.string("abc", "Tag")
var int count = 0
var string trail = ""
count += 1
word = tag + str.tostring(count % 13)
trail := count % 40 == 0 ? "" : trail + str.tostring(count % 10)
f(x) =>
    var float acc = 0.0
    acc += x
    ta.sma(acc, 3) + ta.ema(x, 4)
g = f(close) + f(open)
[m, s, h] = ta.macd(close, 12, 26, 9)
plot(ta.sma(close, len) + mult, "sma")
plot(ta.ema(close, len), "ema")
plot(ta.rma(close, len), "rma")
plot(ta.wma(close, 9), "wma")
plot(ta.rsi(close, len), "rsi")
plot(ta.atr(len), "atr")
plot(ta.tr(flag), "tr")
plot(ta.highest(close, 20) - ta.lowest(close, 20), "range")
plot(ta.stdev(close, 20), "stdev")
plot(ta.change(close, 2), "change")
plot(ta.crossover(close, ta.sma(close, 5)) ? 1 : 0, "xo")
plot(ta.crossunder(close, ta.sma(close, 5)) ? 1 : 0, "xu")
plot(ta.cross(close, open) ? 1 : 0, "x")
plot(m + s + h, "macd")
plot(math.sum(volume, 10), "sum")
plot(fixnan(bar_index % 3 == 0 ? na : close), "fixnan")
plot(g, "g")
plot(close[5] + nz(g[bar_index % 30]), "hist")
plot(word[1] == word ? 1 : 0, "words")
if bar_index % 20 == 0
    log.info(word + " " + trail)
// Heap objects, so every hostile test below also attacks the heap archive:
// a var array of strings, a var map, and a linked list of UDT objects that
// share a node with an array.
type Node
    float value
    Node next
var names = array.new<string>()
names.push(word)
if names.size() > 6
    names.shift()
var counts = map.new<string, int>()
counts.put(word, nz(counts.get(word)) + 1)
var Node head = na
head := Node.new(close, head)
var nodes = array.new<Node>()
nodes.push(head)
if nodes.size() > 4
    nodes.shift()
plot(names.size() + counts.size() + nodes.first().value, "heap")
)";

constexpr const char* kOtherScript = R"(//@version=6
indicator("other")
var int n = 0
n += 1
plot(n)
)";

std::shared_ptr<const Program> compile_or_die(const char* source) {
  CompileResult r = compile(source);
  if (!r.ok()) FAIL(r.format(source, "script.pine"));
  return r.program;
}

const std::shared_ptr<const Program>& rich_program() {
  static const std::shared_ptr<const Program> p = compile_or_die(kRichScript);
  return p;
}

/// Bars the base snapshot has processed.
constexpr std::size_t kSavedBars = 150;

/// A valid snapshot of the rich script after kSavedBars bars (default inputs).
const Bytes& base_snapshot() {
  static const Bytes bytes = [] {
    Instance inst = InstanceBuilder(rich_program()).symbol("NASDAQ:AAPL").timeframe("1D").build();
    for (std::size_t i = 0; i < kSavedBars; ++i) inst.run_bar(sample_bars()[i]);
    return save_state(inst);
  }();
  return bytes;
}

using pine::test::fanned_out_program;
using pine::test::minimal_program;
using pine::test::outcome;
using pine::test::seal_blobs;

/// Restores `bytes` (expecting the rich program) and drops the instance.
std::string restore_outcome(const Bytes& bytes) {
  return outcome([&] { (void)RestoreBuilder(bytes).expect_program(*rich_program()).build(); });
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const SnapshotError& e) {
    return e.what();
  }
  return "";
}

std::uint64_t get_le(const Bytes& b, std::size_t at) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(b[at + i]) << (8 * i);
  return v;
}

void put_le(Bytes& b, std::size_t at, std::uint64_t v) {
  for (std::size_t i = 0; i < 8; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

/// Replaces the header of `bytes` with `h` encoded (hash re-stamped).
Bytes with_header(const Bytes& bytes, const SnapshotHeader& h) {
  Bytes out = bytes;
  const auto enc = encode_header(h);
  std::copy(enc.begin(), enc.end(), out.begin());
  return out;
}

/// The decompressed payload's layout (snapshot.cpp): Cereal's one-byte
/// portable-binary endianness marker, u32 payload version, u64 program size,
/// program bytes, u64 state size, state bytes.
struct PayloadLayout {
  std::size_t program_size_at = 5, program_at = 13, program_size = 0;
  std::size_t state_size_at = 0, state_at = 0, state_size = 0;
};

PayloadLayout layout_of(const Bytes& payload) {
  REQUIRE(payload.size() > 13);
  PayloadLayout l;
  REQUIRE(payload[0] == 1);  // little-endian marker
  REQUIRE(get_le(payload, 1) % (std::uint64_t{1} << 32) == 1);  // payload version 1
  l.program_size = static_cast<std::size_t>(get_le(payload, l.program_size_at));
  REQUIRE(l.program_size + 21 <= payload.size());
  l.state_size_at = l.program_at + l.program_size;
  l.state_size = static_cast<std::size_t>(get_le(payload, l.state_size_at));
  l.state_at = l.state_size_at + 8;
  REQUIRE(l.state_at + l.state_size == payload.size());
  return l;
}

} // namespace

// Proves the base snapshot is valid and its payload layout is the one the
// crafted-payload tests assume, so the later rejections are due to the damage.
TEST_CASE("hostile: the base snapshot restores and continues like the original") {
  const Bytes& bytes = base_snapshot();
  CHECK(restore_outcome(bytes) == "success");
  const OpenedSnapshot opened = open_snapshot(bytes);
  const PayloadLayout l = layout_of(opened.payload);
  CHECK(l.program_size > 100);
  CHECK(l.state_size > 100);
  CHECK(opened.header.bars_processed == kSavedBars);
  MESSAGE("base snapshot: " << bytes.size() << " bytes, program " << l.program_size << " bytes, state " << l.state_size << " bytes");
}

// Proves every truncation is Truncated: each length 0..128 (inside or at the
// end of the header) and ~200 lengths inside the payload; and that extra
// bytes after the payload are rejected as Corrupt.
TEST_CASE("hostile: truncated snapshots are Truncated") {
  const Bytes& bytes = base_snapshot();
  for (std::size_t len = 0; len <= kHeaderSize; ++len) {
    INFO("length ", len);
    CHECK(restore_outcome(Bytes(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(len))) == "truncated");
  }
  std::mt19937_64 rng(1);
  const std::size_t payload = bytes.size() - kHeaderSize;
  REQUIRE(payload > 1);
  for (int i = 0; i < 200; ++i) {
    const std::size_t len = kHeaderSize + 1 + static_cast<std::size_t>(rng() % (payload - 1));
    INFO("length ", len, " of ", bytes.size());
    CHECK(restore_outcome(Bytes(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(len))) == "truncated");
  }
  CHECK(restore_outcome(Bytes(bytes.begin(), bytes.end() - 1)) == "truncated");
  Bytes longer = bytes;
  longer.push_back(0);
  CHECK(restore_outcome(longer) == "corrupt");
}

// Proves the header checksum covers every header bit: each of the 1,024
// single-bit flips is rejected (BadMagic inside the magic, which is checked
// first; HeaderChecksum everywhere else, including the checksum itself).
TEST_CASE("hostile: every single-bit flip in the header is rejected") {
  const Bytes& bytes = base_snapshot();
  for (std::size_t bit = 0; bit < kHeaderSize * 8; ++bit) {
    Bytes b = bytes;
    b[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    INFO("bit ", bit, " (byte ", bit / 8, ")");
    CHECK(restore_outcome(b) == (bit / 8 < 8 ? "bad_magic" : "header_checksum"));
  }
}

// Proves that header fields matter even when a writer re-stamps the header
// checksum: every single-bit flip of a field in bytes 8..119 with a valid
// header hash is rejected, except in the engine version and the optional
// (high 32) flag bits, which a reader may ignore; when those restore, the
// instance must be the same as the original (it continues identically).
TEST_CASE("hostile: single-bit flips with a re-stamped header checksum") {
  const Bytes& bytes = base_snapshot();
  std::map<std::string, int> kinds;
  for (std::size_t bit = 8 * 8; bit < offset::kHeaderHash * 8; ++bit) {
    Bytes b = bytes;
    b[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    const auto enc_hash = xxh3_64(std::span<const std::uint8_t>(b.data(), offset::kHeaderHash));
    put_le(b, offset::kHeaderHash, enc_hash);
    const std::size_t byte = bit / 8;
    const bool ignorable = (byte >= offset::kFlags + 4 && byte < offset::kFlags + 8) ||
                           (byte >= offset::kEngineVersion && byte < offset::kEngineVersion + 4);
    INFO("bit ", bit, " (byte ", byte, ")");
    const std::string got = restore_outcome(b);
    ++kinds[got];
    CHECK(got.rfind("other", 0) != 0);
    if (!ignorable) CHECK(got != "success");
  }
  std::ostringstream os;
  for (const auto& [k, n] : kinds) os << k << "=" << n << " ";
  MESSAGE("re-stamped header flips: " << os.str());
}

// Proves the payload checksum is checked before decompression: flipping any
// byte of the compressed payload (header untouched) gives PayloadChecksum.
TEST_CASE("hostile: corrupting the compressed payload is PayloadChecksum") {
  const Bytes& bytes = base_snapshot();
  std::mt19937_64 rng(2);
  for (int i = 0; i < 300; ++i) {
    Bytes b = bytes;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      const std::size_t at = kHeaderSize + static_cast<std::size_t>(rng() % (bytes.size() - kHeaderSize));
      b[at] ^= static_cast<std::uint8_t>(1 + rng() % 255);
    }
    INFO("trial ", i);
    CHECK(restore_outcome(b) == "payload_checksum");
  }
}

// Proves foreign data is BadMagic: another magic, a text file, zeros.
TEST_CASE("hostile: wrong magic is BadMagic") {
  Bytes b = base_snapshot();
  b[6] = 'X';
  CHECK(restore_outcome(b) == "bad_magic");
  const std::string text = "time,open,high,low,close\n" + std::string(300, 'x');
  CHECK(restore_outcome(Bytes(text.begin(), text.end())) == "bad_magic");
  CHECK(restore_outcome(Bytes(1000, 0)) == "bad_magic");
  CHECK(restore_outcome(Bytes{'P', 'K', 3, 4}) == "bad_magic");
}

// Proves a snapshot from a newer format is UnsupportedVersion (checked after
// the header hash, before anything else), whether only format_version is
// newer or min_reader_version too.
TEST_CASE("hostile: a newer format version is UnsupportedVersion") {
  const Bytes& bytes = base_snapshot();
  const SnapshotHeader h = read_header(bytes);
  for (std::uint32_t v : {kFormatVersion + 1, kFormatVersion + 100, std::uint32_t{0xFFFFFFFF}}) {
    INFO("version ", v);
    SnapshotHeader newer = h;
    newer.format_version = v;
    CHECK(restore_outcome(with_header(bytes, newer)) == "unsupported_version");
    newer.min_reader_version = v;
    CHECK(restore_outcome(with_header(bytes, newer)) == "unsupported_version");
  }
  // Sanity: re-stamping the unmodified header gives the original bytes.
  CHECK(with_header(bytes, h) == bytes);
}

// Proves a snapshot of another program is ProgramMismatch when the host
// expects a program, with a message that tells it to replay history; and
// that without expect_program the foreign snapshot restores its own program.
TEST_CASE("hostile: another program's snapshot is ProgramMismatch") {
  const std::shared_ptr<const Program> other = compile_or_die(kOtherScript);
  Instance inst = InstanceBuilder(other).build();
  for (std::size_t i = 0; i < 10; ++i) inst.run_bar(sample_bars()[i]);
  const Bytes bytes = save_state(inst);
  CHECK(restore_outcome(bytes) == "program_mismatch");
  const std::string msg = message_of([&] { (void)RestoreBuilder(bytes).expect_program(*rich_program()).build(); });
  CHECK(msg.find("replay history") != std::string::npos);
  CHECK(outcome([&] { (void)RestoreBuilder(bytes).build(); }) == "success");
  CHECK(outcome([&] { (void)RestoreBuilder(base_snapshot()).expect_program(*other).build(); }) == "program_mismatch");
}

// Proves other inputs, symbol or timeframe are ConfigMismatch under
// expect_config, and that the same configuration is accepted.
TEST_CASE("hostile: different inputs are ConfigMismatch") {
  const Bytes& bytes = base_snapshot();
  auto restore_with = [&](const InstanceBuilder& b) {
    return outcome([&] { (void)RestoreBuilder(bytes).expect_program(*rich_program()).expect_config(b.config()).build(); });
  };
  InstanceBuilder same(rich_program());
  same.symbol("NASDAQ:AAPL").timeframe("1D");
  CHECK(restore_with(same) == "success");
  InstanceBuilder length(rich_program());
  length.symbol("NASDAQ:AAPL").timeframe("1D").input("Length", "20");
  CHECK(restore_with(length) == "config_mismatch");
  InstanceBuilder tag(rich_program());
  tag.symbol("NASDAQ:AAPL").timeframe("1D").input("Tag", "abd");
  CHECK(restore_with(tag) == "config_mismatch");
  InstanceBuilder flag(rich_program());
  flag.symbol("NASDAQ:AAPL").timeframe("1D").input("Flag", "false");
  CHECK(restore_with(flag) == "config_mismatch");
  InstanceBuilder symbol(rich_program());
  symbol.symbol("NASDAQ:MSFT").timeframe("1D");
  CHECK(restore_with(symbol) == "config_mismatch");
  InstanceBuilder timeframe(rich_program());
  timeframe.symbol("NASDAQ:AAPL").timeframe("1W");
  CHECK(restore_with(timeframe) == "config_mismatch");
}

namespace {

/// One crafted mutation of the decompressed payload.
struct Mutation {
  std::string kind;
  Bytes payload;
};

/// Mutation number `i` (deterministic from the seed). Most mutations target
/// the state archive, since program bytes are caught by the program hash;
/// some hit the whole payload and its framing.
Mutation make_mutation(const Bytes& payload, const PayloadLayout& l, std::mt19937_64& rng) {
  Mutation m;
  m.payload = payload;
  Bytes& p = m.payload;
  auto in_state = [&](std::size_t width) {
    return l.state_at + static_cast<std::size_t>(rng() % (l.state_size - width + 1));
  };
  auto set_state_size = [&](std::size_t n) { put_le(p, l.state_size_at, n); };
  static const std::uint64_t huge[] = {
      ~std::uint64_t{0},        std::uint64_t{1} << 63, std::uint64_t{1} << 62, std::uint64_t{1} << 40,
      std::uint64_t{1} << 32,   0xFFFFFFFFull,          0x7FFFFFFFull,          std::uint64_t{1} << 24,
      (std::uint64_t{1} << 24) + 1, 1'000'001,          100'001,                65'536,
      ~std::uint64_t{0} - 7,    std::uint64_t{1} << 31,
  };
  switch (rng() % 10) {
    case 0: {  // a few random byte flips anywhere in the payload
      m.kind = "flip_any";
      const int n = 1 + static_cast<int>(rng() % 4);
      for (int i = 0; i < n; ++i) p[static_cast<std::size_t>(rng() % p.size())] ^= static_cast<std::uint8_t>(1 + rng() % 255);
      break;
    }
    case 1: {  // a few random byte flips in the state archive
      m.kind = "flip_state";
      const int n = 1 + static_cast<int>(rng() % 4);
      for (int i = 0; i < n; ++i) p[in_state(1)] ^= static_cast<std::uint8_t>(1 + rng() % 255);
      break;
    }
    case 2: {  // one bit in the state archive
      m.kind = "bit_state";
      p[in_state(1)] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
      break;
    }
    case 3: {  // the payload cut short (its framing now runs past the end)
      m.kind = "truncate_payload";
      p.resize(static_cast<std::size_t>(rng() % p.size()));
      break;
    }
    case 4: {  // the state archive cut short with a consistent blob size
      m.kind = "truncate_state";
      const std::size_t keep = static_cast<std::size_t>(rng() % l.state_size);
      p.resize(l.state_at + keep);
      set_state_size(keep);
      break;
    }
    case 5:
    case 6: {  // a huge count (or other huge integer) written into the state
      m.kind = "huge_u64";
      put_le(p, in_state(8), huge[rng() % std::size(huge)]);
      break;
    }
    case 7: {  // a small plausible integer written into the state
      m.kind = "small_u64";
      put_le(p, in_state(8), rng() % 4096);
      break;
    }
    case 8: {  // bytes inserted into the state, blob size kept consistent
      m.kind = "insert_state";
      const std::size_t at = in_state(0);
      const std::size_t n = 1 + static_cast<std::size_t>(rng() % 16);
      Bytes extra(n);
      for (auto& x : extra) x = static_cast<std::uint8_t>(rng());
      p.insert(p.begin() + static_cast<std::ptrdiff_t>(at), extra.begin(), extra.end());
      set_state_size(l.state_size + n);
      break;
    }
    default: {  // bytes deleted from the state, blob size kept consistent
      m.kind = "delete_state";
      const std::size_t at = in_state(1);
      const std::size_t n = std::min<std::size_t>(1 + static_cast<std::size_t>(rng() % 16), l.state_at + l.state_size - at);
      p.erase(p.begin() + static_cast<std::ptrdiff_t>(at), p.begin() + static_cast<std::ptrdiff_t>(at + n));
      set_state_size(l.state_size - n);
      break;
    }
  }
  return m;
}

/// Header fields for re-sealing a crafted payload. When `restamp` is set and
/// the state decodes on its own, the header is made to agree with it (the
/// configuration hash and bar counters of the decoded state), as a
/// deliberate attacker would, so the crafted state gets past the
/// header-consistency checks and is restored.
SnapshotHeader fields_for(const SnapshotHeader& original, const Bytes& payload, bool restamp) {
  SnapshotHeader h = original;
  if (!restamp || payload.size() < 13) return h;
  try {
    const PayloadLayout l = [&] {
      PayloadLayout x;
      x.program_size = static_cast<std::size_t>(get_le(payload, x.program_size_at));
      if (x.program_size > payload.size()) throw std::runtime_error("short");
      x.state_size_at = x.program_at + x.program_size;
      if (x.state_size_at + 8 > payload.size()) throw std::runtime_error("short");
      x.state_size = static_cast<std::size_t>(get_le(payload, x.state_size_at));
      x.state_at = x.state_size_at + 8;
      if (x.state_size != payload.size() - x.state_at) throw std::runtime_error("short");
      return x;
    }();
    Instance inst = load_instance_state(
        rich_program(), std::span<const std::uint8_t>(payload.data() + l.state_at, l.state_size));
    h.config_hash = config_hash(inst.config());
    h.bars_processed = static_cast<std::uint64_t>(inst.bars_processed());
    h.last_bar_time = inst.last_bar_time();
  } catch (const std::exception&) {
    // Not decodable on its own: keep the original fields; RestoreBuilder
    // must reject it anyway.
  }
  return h;
}

} // namespace

// Proves the archive decoders hold against payloads with valid checksums but
// garbage inside (2,000 deterministic mutations: byte and bit flips, cut
// payloads, cut states, huge and small integers written over counts,
// inserted and deleted bytes; half of them with the header re-stamped to
// agree with the mutated state). Each must end as SnapshotError(Corrupt), or
// restore an instance that then runs 10 more bars, where only a script
// RuntimeError is acceptable. No other exception type may escape, and no
// single allocation may approach the ceiling.
TEST_CASE("hostile: crafted payloads with valid checksums") {
  const Bytes& bytes = base_snapshot();
  const OpenedSnapshot opened = open_snapshot(bytes);
  const PayloadLayout layout = layout_of(opened.payload);
  std::mt19937_64 rng(0xC0FFEE);
  std::map<std::string, std::map<std::string, int>> stats;
  int failures = 0;
  std::size_t largest = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    Mutation m = make_mutation(opened.payload, layout, rng);
    const bool restamp = trial % 2 == 1;
    const SnapshotHeader fields = fields_for(opened.header, m.payload, restamp);
    const Bytes sealed = seal_snapshot(fields, m.payload);
    std::string result;
    std::size_t trial_largest = 0;
    {
      AllocationGuard guard;
      result = outcome([&] {
        Instance inst = RestoreBuilder(sealed).expect_program(*rich_program()).build();
        inst.set_last_bar_index(kSavedBars + 9);
        for (std::size_t i = kSavedBars; i < kSavedBars + 10; ++i) {
          try {
            inst.run_bar(sample_bars()[i]);
            (void)inst.take_logs();
            for (std::size_t p = 0; p < inst.program().plots.size(); ++p)
              if (inst.program().plots[p].type == Type::String) (void)inst.string_of(inst.plot_values()[p].i);
          } catch (const RuntimeError&) {
            throw std::logic_error("runtime_error");  // reported as "other: ... runtime_error" below
          }
        }
      });
      trial_largest = guard.largest();
    }
    if (result.find("runtime_error") != std::string::npos && result.rfind("other: ", 0) == 0) result = "runs:runtime_error";
    else if (result == "success") result = "runs:10_bars";
    ++stats[m.kind][result];
    largest = std::max(largest, trial_largest);
    const bool ok = result == "corrupt" || result.rfind("runs:", 0) == 0;
    if (!ok || trial_largest > (std::size_t{64} << 20)) {
      ++failures;
      if (failures <= 10)
        FAIL_CHECK("trial " << trial << " (" << m.kind << (restamp ? ", re-stamped" : "") << "): " << result
                            << ", largest allocation " << trial_largest << " bytes");
    }
  }
  CHECK(failures == 0);
  std::ostringstream os;
  for (const auto& [kind, results] : stats) {
    os << "\n  " << kind << ":";
    for (const auto& [r, n] : results) os << " " << r << "=" << n;
  }
  MESSAGE("crafted payload outcomes (largest allocation " << largest << " bytes):" << os.str());
}

// Proves the state decoder's own bounds at every position: a huge count
// (2^64-1) written at every byte offset of the state archive, and 2^33 at
// every fourth (re-sealed with valid checksums, header re-stamped) is rejected as Corrupt, or restores and runs, without any
// other exception and without a large allocation.
TEST_CASE("hostile: a huge integer at every offset of the state archive") {
  const Bytes& bytes = base_snapshot();
  const OpenedSnapshot opened = open_snapshot(bytes);
  const PayloadLayout l = layout_of(opened.payload);
  std::map<std::string, int> stats;
  int failures = 0;
  // 2^64-1 at every offset; 2^33 (positive as a signed count, yet far
  // beyond any input) at every fourth, to keep the run short.
  for (std::uint64_t value : {~std::uint64_t{0}, std::uint64_t{1} << 33}) {
    const std::size_t stride = value == ~std::uint64_t{0} ? 1 : 4;
    for (std::size_t at = l.state_at; at + 8 <= l.state_at + l.state_size; at += stride) {
      Bytes p = opened.payload;
      put_le(p, at, value);
      const Bytes sealed = seal_snapshot(fields_for(opened.header, p, true), p);
      std::size_t largest = 0;
      std::string result;
      {
        AllocationGuard guard;
        result = outcome([&] {
          Instance inst = RestoreBuilder(sealed).expect_program(*rich_program()).build();
          for (std::size_t i = kSavedBars; i < kSavedBars + 3; ++i) {
            try {
              inst.run_bar(sample_bars()[i]);
            } catch (const RuntimeError&) {
              break;
            }
          }
        });
        largest = guard.largest();
      }
      ++stats[result];
      if ((result != "corrupt" && result != "success") || largest > (std::size_t{64} << 20)) {
        ++failures;
        if (failures <= 10)
          FAIL_CHECK("value " << value << " at state offset " << at - l.state_at << ": " << result
                              << ", largest allocation " << largest);
      }
    }
  }
  CHECK(failures == 0);
  std::ostringstream os;
  for (const auto& [r, n] : stats) os << " " << r << "=" << n;
  MESSAGE("huge integer at every state offset:" << os.str());
}

namespace {

/// Offset, inside the decompressed payload, of the state archive's `halted`
/// byte (state_archive.cpp: endianness marker, u32 version, input values,
/// input strings, symbol, timeframe, symbol information, bars_processed,
/// last_bar_time, halted).
/// Checks the fields it walks over, so a layout change fails loudly here.
std::size_t halted_offset(const Bytes& payload, const PayloadLayout& l) {
  std::size_t at = l.state_at;
  REQUIRE(payload[at] == 1);
  at += 1 + 4;
  const std::uint64_t ninputs = get_le(payload, at);
  REQUIRE(ninputs == rich_program()->inputs.size());
  at += 8 + 8 * ninputs;
  REQUIRE(get_le(payload, at) == ninputs);
  at += 8;
  auto skip_text = [&]() {
    const std::uint64_t len = get_le(payload, at);
    REQUIRE(len < 100);
    at += 8 + len;
  };
  auto skip_optional_text = [&]() {
    REQUIRE(payload[at] <= 1);
    if (payload[at++] == 1) skip_text();
  };
  for (std::uint64_t i = 0; i < ninputs + 2; ++i) skip_text();  // input strings, symbol, timeframe
  // SymbolInfo: description, currency, basecurrency, type; pricescale,
  // minmove, pointvalue, mincontract; timezone, session, volumetype, root;
  // country?, isin, sector?, industry?
  for (int i = 0; i < 4; ++i) skip_text();
  REQUIRE(get_le(payload, at) == 100);  // the default pricescale
  at += 4 * 8;
  for (int i = 0; i < 4; ++i) skip_text();
  skip_optional_text();
  skip_text();
  skip_optional_text();
  skip_optional_text();
  REQUIRE(get_le(payload, at) == kSavedBars);
  at += 16;
  REQUIRE(payload[at] == 0);
  return at;
}

} // namespace

// Proves the archived `halted` flag is validated like every other field: a
// byte other than 0 or 1 is Corrupt (loading it into a bool is undefined
// behaviour, which UBSan reports), while 1 restores an instance that is
// still halted and refuses bars with a RuntimeError.
TEST_CASE("hostile: the halted flag must be 0 or 1") {
  const Bytes& bytes = base_snapshot();
  const OpenedSnapshot opened = open_snapshot(bytes);
  const PayloadLayout l = layout_of(opened.payload);
  const std::size_t at = halted_offset(opened.payload, l);
  for (std::uint8_t v : {std::uint8_t{2}, std::uint8_t{0x7F}, std::uint8_t{0xFF}}) {
    INFO("halted byte ", static_cast<int>(v));
    Bytes p = opened.payload;
    p[at] = v;
    CHECK(restore_outcome(seal_snapshot(opened.header, p)) == "corrupt");
  }
  Bytes p = opened.payload;
  p[at] = 1;
  Instance inst = RestoreBuilder(seal_snapshot(opened.header, p)).expect_program(*rich_program()).build();
  CHECK_THROWS_AS(inst.run_bar(sample_bars()[kSavedBars]), RuntimeError);
}

// Proves a halted instance (one that hit a runtime error) stays halted
// through save and restore: the restored instance refuses further bars.
TEST_CASE("hostile: a halted instance stays halted after restore") {
  const std::shared_ptr<const Program> program = compile_or_die(R"(//@version=6
indicator("halts")
plot(bar_index)
if bar_index == 3
    runtime.error("stop")
)");
  Instance inst = InstanceBuilder(program).build();
  for (std::size_t i = 0; i < 3; ++i) inst.run_bar(sample_bars()[i]);
  CHECK_THROWS_AS(inst.run_bar(sample_bars()[3]), RuntimeError);
  Instance restored = RestoreBuilder(save_state(inst)).expect_program(*program).build();
  CHECK(restored.bars_processed() == 3);
  CHECK_THROWS_AS(restored.run_bar(sample_bars()[4]), RuntimeError);
}

// Proves a hostile program cannot hang the host. The program hash is a
// checksum, not a signature: a snapshot whose embedded program was altered
// and re-hashed passes every integrity check, and then only the verifier
// stands between the bytes and the interpreter. Here the first JMP of a
// compiled program is pointed at itself (a backward jump with no LOOPCHECK).
// Restoring must reject it (Corrupt) or running it must stop with a
// RuntimeError; it must not loop forever. Runs in a child process with an
// alarm (10 s) so a hang fails the test instead of stalling the suite.
TEST_CASE("hostile: a re-hashed program with an unguarded backward jump does not hang") {
  const std::shared_ptr<const Program> program = compile_or_die(R"(//@version=6
indicator("jumps")
x = close > open ? 1 : 2
plot(x)
)");
  Program p = *program;
  std::vector<Instr>& code = p.functions[0].code;
  const auto jmp = std::find_if(code.begin(), code.end(), [](const Instr& in) { return in.op == Opcode::JMP; });
  REQUIRE(jmp != code.end());
  const auto pc = static_cast<std::uint32_t>(jmp - code.begin());
  *jmp = make_abc32(Opcode::JMP, 0, pc);
  Instance hostile = InstanceBuilder(std::make_shared<const Program>(p)).build();
  const Bytes bytes = save_state(hostile);

  // Child exit codes: 10 rejected as Corrupt, 11 stopped by a RuntimeError,
  // 12 ran the bar to completion (impossible for a self-loop), 13 another
  // outcome. A signal means a crash, or SIGALRM a hang.
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    alarm(10);
    int code_out = 13;
    try {
      Instance inst = RestoreBuilder(bytes).build();
      inst.run_bar(sample_bars()[0]);
      code_out = 12;
    } catch (const SnapshotError& e) {
      code_out = e.kind() == Kind::Corrupt ? 10 : 13;
    } catch (const RuntimeError&) {
      code_out = 11;
    } catch (...) {
      code_out = 13;
    }
    _exit(code_out);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  if (WIFSIGNALED(status)) {
    const std::string why = WTERMSIG(status) == SIGALRM ? " (SIGALRM: restore + one bar did not finish in 10 s)" : "";
    FAIL_CHECK("the child died of signal " << WTERMSIG(status) << why);
  } else {
    const int code_out = WEXITSTATUS(status);
    CHECK_MESSAGE((code_out == 10 || code_out == 11), "child exit code " << code_out);
  }
}

namespace {

/// A script whose heap holds exactly one object: a 2x3 matrix.
constexpr const char* kMatrixScript = R"(//@version=6
indicator("matrix state")
var m = matrix.new<float>(2, 3, 1.5)
m.set(0, 0, bar_index)
plot(m.elements_count() + m.rows())
)";

} // namespace

// Proves a restored matrix is checked for consistency: its rows and
// columns are archived beside its elements (heap.cpp), and a payload whose
// rows * columns differs from the element count, or with a dimension above
// Pine's 100,000 limit, is Corrupt. The matrix is the heap's only object,
// so it is the archive's tail: u8 kind, u8 element type, u8 key type,
// u32 type index, u32 rows, u32 columns, u64 count, 6 doubles, u64 key count.
TEST_CASE("hostile: a matrix whose rows * columns is not its element count is rejected") {
  const std::shared_ptr<const Program> program = compile_or_die(kMatrixScript);
  Instance inst = InstanceBuilder(program).build();
  for (std::size_t i = 0; i < 5; ++i) inst.run_bar(sample_bars()[i]);
  const OpenedSnapshot opened = open_snapshot(save_state(inst));
  const Bytes& payload = opened.payload;
  const std::size_t count_at = payload.size() - 8 - 6 * 8 - 8;
  const std::size_t rows_at = count_at - 8, cols_at = count_at - 4, kind_at = rows_at - 4 - 3;
  auto u32_at = [&](const Bytes& b, std::size_t at) { return static_cast<std::uint32_t>(get_le(b, at) & 0xFFFFFFFFu); };
  REQUIRE(get_le(payload, count_at) == 6);
  REQUIRE(u32_at(payload, rows_at) == 2);
  REQUIRE(u32_at(payload, cols_at) == 3);
  REQUIRE(payload[kind_at] == 3);                   // ObjKind::Matrix
  REQUIRE(payload[kind_at + 1] == static_cast<std::uint8_t>(Type::Float));
  auto with_dims = [&](std::uint32_t rows, std::uint32_t cols) {
    Bytes p = payload;
    for (std::size_t i = 0; i < 4; ++i) {
      p[rows_at + i] = static_cast<std::uint8_t>(rows >> (8 * i));
      p[cols_at + i] = static_cast<std::uint8_t>(cols >> (8 * i));
    }
    return seal_snapshot(opened.header, p);
  };
  auto restore = [&](const Bytes& bytes) {
    return outcome([&] {
      Instance r = RestoreBuilder(bytes).expect_program(*program).build();
      r.run_bar(sample_bars()[5]);
    });
  };
  CHECK(restore(with_dims(2, 3)) == "success");
  CHECK(restore(with_dims(1, 6)) == "success");  // consistent: a reshaped matrix
  CHECK(restore(with_dims(3, 3)) == "corrupt");
  CHECK(restore(with_dims(2, 2)) == "corrupt");
  CHECK(restore(with_dims(0, 0)) == "corrupt");
  CHECK(restore(with_dims(6, 0)) == "corrupt");
  CHECK(restore(with_dims(0xFFFFFFFFu, 3)) == "corrupt");
  CHECK(restore(with_dims(200'000, 0)) == "corrupt");
  // (2^31 + 3) * 2 wraps to 6 in 32-bit arithmetic; the check must not.
  CHECK(restore(with_dims(0x80000003u, 2)) == "corrupt");
  // The kind byte of a valid matrix turned into an array: an array has no
  // dimensions, so the bytes no longer line up and the decode fails.
  Bytes as_array = payload;
  as_array[kind_at] = 0;
  CHECK(restore(seal_snapshot(opened.header, as_array)) == "corrupt");
}

// ---- Findings of the fuzzing and memory-bound work (docs/fuzzing.md) ---------

namespace {

/// Lowercase hex of the first `n` bytes of a 16-byte hash, computed here
/// independently of snapshot.cpp's hash_hex.
std::string hex_prefix(const std::array<std::uint8_t, 16>& hash, std::size_t n) {
  std::string s;
  char buf[3];
  for (std::size_t i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", hash[i]);
    s += buf;
  }
  return s;
}

} // namespace

// Proves the program mismatch message names both programs by the first 12
// hex digits of their hashes (computed here from the program bytes) and
// says what to do.
TEST_CASE("hostile: the program mismatch message names both hashes") {
  const std::shared_ptr<const Program> other = compile_or_die(kOtherScript);
  Instance inst = InstanceBuilder(other).build();
  inst.run_bar(sample_bars()[0]);
  const std::string msg = message_of([&] { (void)RestoreBuilder(save_state(inst)).expect_program(*rich_program()).build(); });
  const std::string written = hex_prefix(xxh3_128(serialize_program(*other)), 6);
  const std::string expected = hex_prefix(xxh3_128(serialize_program(*rich_program())), 6);
  CHECK(msg == "snapshot was written by program " + written + "..., this script compiles to " + expected +
                   "...: replay history from scratch");
}

// Proves the configuration mismatch message says what differs: the input by
// its title with both values, the symbol and the timeframe.
TEST_CASE("hostile: the config mismatch message names what differs") {
  const Bytes& bytes = base_snapshot();
  auto message_with = [&](const InstanceBuilder& b) {
    return message_of([&] { (void)RestoreBuilder(bytes).expect_program(*rich_program()).expect_config(b.config()).build(); });
  };
  InstanceBuilder length(rich_program());
  length.symbol("NASDAQ:AAPL").timeframe("1D").input("Length", "20");
  CHECK(message_with(length) ==
        "snapshot was taken with input 'Length' = 14 (this run: 20): pass the same "
        "--input/--symbol/--timeframe/--syminfo values, or replay history from scratch");
  InstanceBuilder several(rich_program());
  several.symbol("NASDAQ:MSFT").timeframe("1W").input("Tag", "abd").input("Mult", "2.5").input("Flag", "false");
  const std::string msg = message_with(several);
  CHECK(msg.find("input 'Mult' = 2 (this run: 2.5)") != std::string::npos);
  CHECK(msg.find("input 'Flag' = true (this run: false)") != std::string::npos);
  CHECK(msg.find("input 'Tag' = \"abc\" (this run: \"abd\")") != std::string::npos);
  CHECK(msg.find("symbol NASDAQ:AAPL (this run: NASDAQ:MSFT)") != std::string::npos);
  CHECK(msg.find("timeframe 1D (this run: 1W)") != std::string::npos);
  InstanceBuilder info(rich_program());
  SymbolInfo changed;
  changed.pricescale = 1000;
  info.symbol("NASDAQ:AAPL").timeframe("1D").syminfo(changed);
  CHECK(message_with(info).find("other symbol information (--syminfo)") != std::string::npos);
}

// Proves a program cannot make a restore allocate its frame layout before
// the state is read (memory-bound finding 1): a verified program that fans a
// function out over many frames, each with 100,001 values of series
// history (over 200 MB in all), restored with a short state, is Corrupt
// without any allocation near that size.
TEST_CASE("hostile: a program whose layout exceeds the archive is rejected before allocating it") {
  Instance empty(std::make_shared<const Program>(fanned_out_program(minimal_program(), 0, [](FunctionProto&) {})),
                 InstanceConfig{});
  const Bytes state = save_instance_state(empty);
  const Program big =
      fanned_out_program(minimal_program(), 300, [](FunctionProto& f) { f.series = {SeriesDecl{Type::Float, 100'001}}; });
  REQUIRE_NOTHROW(verify_program(big));
  const Bytes bytes = seal_blobs(serialize_program(big), state);
  AllocationGuard guard;
  const std::string got = outcome([&] { (void)RestoreBuilder(bytes).build(); });
  CHECK(got == "corrupt");
  CHECK(guard.largest() < (std::size_t{1} << 20));
  // seal_blobs leaves the header's configuration hash at zero, which a state
  // that decodes would fail too: the message names the layout check.
  CHECK(pine::test::snapshot_error_message([&] { (void)RestoreBuilder(bytes).build(); })
            .find("frame layout needs more state than the archive holds") != std::string::npos);
  // Past the absolute limits, the program is refused whatever the archive.
  const Program huge = fanned_out_program(minimal_program(), 60'000,
                                          [](FunctionProto& f) { f.series.assign(1000, SeriesDecl{Type::Float, 1}); });
  const auto restore_huge = [&] { (void)RestoreBuilder(seal_blobs(serialize_program(huge), state)).build(); };
  CHECK(outcome(restore_huge) == "corrupt");
  CHECK(pine::test::snapshot_error_message(restore_huge).find("program needs more than 65536 series") != std::string::npos);
  CHECK_THROWS_AS((void)Instance(std::make_shared<const Program>(huge), InstanceConfig{}), ProgramError);
}

// Documents fuzzing finding 1 (docs/fuzzing.md): the verifier checks
// operands, not types, so a re-hashed program whose type declaration says
// `string` for a field its code fills with floats restores (its state holds
// no such object yet), and the bars it runs then store a float's bits where a
// string handle belongs. That must stay harmless: the field reads as an
// empty string, the bar completes, and the saved state is refused as
// Corrupt on restore (never a crash, never another kind).
TEST_CASE("hostile: an ill-typed re-hashed program leaves a state the reader refuses, harmlessly") {
  const std::shared_ptr<const Program> program = compile_or_die(R"(//@version=6
indicator("typed fields")
type P
    float x
    string s
p = P.new(close, "a")
plot(p.x)
)");
  Program retyped = *program;
  REQUIRE(retyped.types.size() == 1);
  REQUIRE(retyped.types[0].fields.size() == 2);
  REQUIRE(retyped.types[0].fields[0].type == Type::Float);
  retyped.types[0].fields[0].type = Type::String;  // x now claims to hold string handles
  Instance fresh = InstanceBuilder(std::make_shared<const Program>(retyped)).build();
  Instance inst = RestoreBuilder(save_state(fresh)).build();
  inst.run_bar(sample_bars()[0]);
  bool seen = false;
  inst.state().heap.for_each_string(inst.program(), [&](std::int64_t& h) {
    if (h != kStringNa && !inst.state().strings.valid(h)) {
      seen = true;
      CHECK(inst.string_of(h).empty());
    }
  });
  CHECK(seen);
  // Saving collects garbage first: the unreachable object goes (and the
  // collector maps an invalid string handle to na), so the re-saved state is
  // clean and restores.
  const std::string again = outcome([&] { (void)RestoreBuilder(save_state(inst)).build(); });
  CHECK(again == "success");
}

// Proves a Corrupt rejection of a crafted archive says which check failed and
// what to do: the halted byte set to 2 (re-sealed with valid checksums).
TEST_CASE("hostile: a corrupt archive's message names the check and the remedy") {
  const OpenedSnapshot opened = open_snapshot(base_snapshot());
  Bytes p = opened.payload;
  p[halted_offset(p, layout_of(p))] = 2;
  const std::string msg = message_of([&] { (void)RestoreBuilder(seal_snapshot(opened.header, p)).build(); });
  CHECK(msg == "snapshot is corrupt: halted flag is not 0 or 1 (its checksums match, so it was not damaged in storage: "
               "it was written by an incompatible tool or crafted); replay history from scratch");
}

// Fuzzing finding 5 (docs/fuzzing.md): a series ring whose last written bar
// is after the instance's bar count was accepted; the next write then
// stepped backwards and wrapped the ring's bar count to zero, leaving a ring
// that the reader itself refused after one more save. Built here by saving
// an instance whose bar count was lowered below what its rings have seen:
// Corrupt. A halted instance whose rings were written on the failing bar
// (last bar == bar count) is legitimate and still restores.
TEST_CASE("hostile: a series ring written after the instance's last bar is rejected") {
  const std::shared_ptr<const Program> program = compile_or_die(R"(//@version=6
indicator("ring bars")
x = close
y = x[1]
if bar_index == 6
    runtime.error("stop")
plot(y)
)");
  Instance inst = InstanceBuilder(program).build();
  for (std::size_t i = 0; i < 6; ++i) inst.run_bar(sample_bars()[i]);
  CHECK(outcome([&] { (void)RestoreBuilder(save_state(inst)).build(); }) == "success");
  CHECK_THROWS_AS(inst.run_bar(sample_bars()[6]), RuntimeError);  // x was written on bar 6, then the script stopped
  CHECK(outcome([&] { (void)RestoreBuilder(save_state(inst)).build(); }) == "success");
  inst.state().bars_processed = 3;  // the rings have seen bars up to 6
  const std::string msg = message_of([&] { (void)RestoreBuilder(save_state(inst)).build(); });
  CHECK(msg.find("snapshot is corrupt: series ring bar out of range") == 0);
}
