// libFuzzer target: the whole restore path, pine::RestoreBuilder(bytes).build().
//
// The envelope's checksums stop almost every random mutation at the header,
// so the input is read in one of two ways, chosen by its first bytes:
//
//  * It starts with the snapshot magic ("PINEVMS\0"): a snapshot file. It is
//    restored as it is, then again with its payload hash and header hash
//    re-stamped, so mutated sizes, versions and zstd frames get past the
//    checksums and reach the checks behind them.
//  * Anything else: a decompressed payload (seeds start with Cereal's 0x01
//    endianness marker). It is sealed into a snapshot with valid checksums,
//    its program hash and, when the state decodes on its own, the
//    configuration hash and bar counters that agree with it, exactly as a
//    deliberate attacker would (checksums are not signatures). This is where
//    the program and state archive decoders meet hostile bytes.
//
// Rejection must be a SnapshotError; any other exception escapes and libFuzzer
// reports it. When an input restores, the instance runs a few bars (a script
// RuntimeError is fine), is saved again, and the saved bytes must restore
// with the same program and configuration: a restored-but-broken instance
// (an invariant the reader failed to check) shows up as a crash or abort.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "pine/snapshot/envelope.h"
#include "pine/snapshot/snapshot.h"
#include "pine/vm/bytecode.h"
#include "pine/vm/instance.h"
#include "pine/vm/state_io.h"

namespace {

using Bytes = std::vector<std::uint8_t>;

/// Bars run on a restored instance: enough to step every builtin state and
/// trigger string and heap collection on small thresholds, few enough to keep
/// executions fast.
constexpr int kBarsAfterRestore = 4;

/// Spacing of the synthetic bars: one day in milliseconds.
constexpr std::int64_t kBarSpacingMs = 86'400'000;

/// Reads a little-endian u64 at `at` (the caller checked the bounds).
std::uint64_t get_u64(std::span<const std::uint8_t> b, std::size_t at) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(b[at + i]) << (8 * i);
  return v;
}

/// Writes `v` as a little-endian u64 at `at`.
void put_u64(Bytes& b, std::size_t at, std::uint64_t v) {
  for (std::size_t i = 0; i < 8; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

/// The program and state blobs of a payload (snapshot.cpp's framing: marker
/// byte, u32 payload version, u64 size + program, u64 size + state), or empty
/// spans when the framing does not hold together.
struct Blobs {
  std::span<const std::uint8_t> program, state;
  bool ok = false;
};

Blobs split_payload(std::span<const std::uint8_t> p) {
  Blobs b;
  constexpr std::size_t kProgramSizeAt = 5;
  if (p.size() < kProgramSizeAt + 8) return b;
  const std::uint64_t np = get_u64(p, kProgramSizeAt);
  const std::size_t program_at = kProgramSizeAt + 8;
  if (np > p.size() - program_at || p.size() - program_at - np < 8) return b;
  const std::size_t state_size_at = program_at + static_cast<std::size_t>(np);
  const std::uint64_t ns = get_u64(p, state_size_at);
  if (ns > p.size() - state_size_at - 8) return b;
  b.program = p.subspan(program_at, static_cast<std::size_t>(np));
  b.state = p.subspan(state_size_at + 8, static_cast<std::size_t>(ns));
  b.ok = true;
  return b;
}

/// Header fields a deliberate attacker would write for `payload`: the hash
/// of the embedded program and, when program and state decode on their own,
/// the configuration hash and counters of that state.
pine::snapshot::SnapshotHeader attacker_fields(std::span<const std::uint8_t> payload) {
  pine::snapshot::SnapshotHeader h{};
  h.engine_version = pine::kEngineVersion;
  const Blobs blobs = split_payload(payload);
  if (!blobs.ok) return h;
  h.program_hash = pine::snapshot::xxh3_128(blobs.program);
  try {
    auto program = std::make_shared<const pine::Program>(pine::deserialize_program(blobs.program));
    const pine::Instance inst = pine::load_instance_state(program, blobs.state);
    h.config_hash = pine::config_hash(inst.config());
    h.bars_processed = static_cast<std::uint64_t>(inst.bars_processed());
    h.last_bar_time = inst.last_bar_time();
  } catch (const pine::ProgramError&) {
    // Not decodable on its own; RestoreBuilder must reject it anyway.
  } catch (const pine::StateDecodeError&) {
  }
  return h;
}

/// True when some function of `program` has a loop (every loop passes a
/// LOOPCHECK, the verifier makes sure of it).
bool has_loops(const pine::Program& program) {
  for (const pine::FunctionProto& f : program.functions)
    for (const pine::Instr& in : f.code)
      if (in.op == pine::Opcode::LOOPCHECK) return true;
  return false;
}

/// Runs a few synthetic bars after the restored instance's last bar, unless
/// the program loops: a loop may run 10,000,000 iterations per bar and make
/// a 40 KB string or a 100,000-element array on each, gigabytes in one bar,
/// whether the program is hostile or compiled from a legitimate script
/// (docs/fuzzing.md, finding 6: a runtime limit, not a reader one). The
/// fuzzer's memory limits would report that on every such mutation and
/// drown the reader's own findings.
void run_some_bars(pine::Instance& inst) {
  if (has_loops(inst.program())) return;
  const std::int64_t last = inst.last_bar_time();
  const std::int64_t start = last == pine::kIntNa ? 1'700'000'000'000 : last;
  if (start > std::numeric_limits<std::int64_t>::max() - kBarSpacingMs * (kBarsAfterRestore + 1)) return;
  for (int i = 1; i <= kBarsAfterRestore; ++i) {
    const double base = 100.0 + i;
    pine::Bar bar{start + kBarSpacingMs * i, base, base + 2.0, base - 2.0, base + 0.5, 1000.0 * i};
    try {
      inst.run_bar(bar);
    } catch (const pine::RuntimeError&) {
      return;  // the script stopped itself: the instance is halted, as designed
    }
    (void)inst.take_logs();
    const auto values = inst.plot_values();
    for (std::size_t p = 0; p < values.size() && p < inst.program().plots.size(); ++p)
      if (inst.program().plots[p].type == pine::Type::String) (void)inst.string_of(values[p].i);
  }
}

/// Saves `inst` (which collects its garbage) and restores the bytes expecting its program and
/// configuration; returns the rejection's message, or an empty string on
/// success.
std::string resave_rejection(pine::Instance& inst) {
  const Bytes again = pine::save_state(inst, 1);
  try {
    (void)pine::RestoreBuilder(again).expect_program(inst.program()).expect_config(inst.config()).build();
  } catch (const pine::SnapshotError& e) {
    return std::string(pine::snapshot_error_kind_name(e.kind())) + ": " + e.what();
  }
  return {};
}

/// True for the one rejection an instance may earn by running bars after a
/// restore (finding 1 in docs/fuzzing.md): ill-typed code of a hostile
/// program left a value that is not a handle in a string or reference
/// variable, series or heap object, which the reader refuses.
bool is_ill_typed_handle(const std::string& rejection) {
  return rejection.rfind("corrupt: ", 0) == 0 &&
         (rejection.find("holds an invalid") != std::string::npos ||
          rejection.find("dangling heap reference") != std::string::npos);
}

/// Restores `bytes` (known to restore with `config`) expecting another
/// symbol and default-looking inputs, so the mismatch message is built from
/// the hostile program's inputs and configuration: it must be ConfigMismatch.
void expect_other_config(std::span<const std::uint8_t> bytes, const pine::InstanceConfig& config) {
  pine::InstanceConfig other = config;
  other.symbol = config.symbol == "FUZZ:OTHER" ? "FUZZ:ANOTHER" : "FUZZ:OTHER";
  for (pine::Value& v : other.input_values) v.u = ~v.u;
  for (std::string& text : other.input_strings) text += "?";
  try {
    (void)pine::RestoreBuilder(bytes).expect_config(other).build();
  } catch (const pine::SnapshotError& e) {
    if (e.kind() == pine::SnapshotError::Kind::ConfigMismatch) return;
    std::fprintf(stderr, "a restorable snapshot gave %s instead of config_mismatch\n", e.what());
    std::abort();
  }
  std::fprintf(stderr, "a different configuration was accepted\n");
  std::abort();
}

/// Restores `bytes`. A restored instance must save and restore again at once
/// (whatever the reader accepts, the writer must reproduce and the reader
/// accept again). Then it runs a few bars and is saved and restored once
/// more: the bars must not crash, and the only acceptable rejection is the
/// known one of is_ill_typed_handle() (the verifier checks operands, not
/// types).
void restore_and_exercise(std::span<const std::uint8_t> bytes) {
  try {
    pine::Instance inst = pine::RestoreBuilder(bytes).build();
    expect_other_config(bytes, inst.config());
    if (const std::string why = resave_rejection(inst); !why.empty()) {
      std::fprintf(stderr, "a restored instance does not survive save + restore: %s\n", why.c_str());
      std::abort();
    }
    run_some_bars(inst);
    if (const std::string why = resave_rejection(inst); !why.empty() && !is_ill_typed_handle(why)) {
      std::fprintf(stderr, "an instance run after restore saves to a snapshot that is refused: %s\n", why.c_str());
      std::abort();
    }
  } catch (const pine::SnapshotError&) {
    // Rejected with a typed error: the expected outcome for hostile bytes.
  }
}

/// True when `data` starts with the snapshot magic.
bool has_magic(std::span<const std::uint8_t> data) {
  const auto& magic = pine::snapshot::kMagic;
  if (data.size() < magic.size()) return false;
  for (std::size_t i = 0; i < magic.size(); ++i)
    if (data[i] != magic[i]) return false;
  return true;
}

/// `bytes` with the payload hash and then the header hash recomputed.
Bytes restamped(std::span<const std::uint8_t> bytes) {
  namespace off = pine::snapshot::offset;
  Bytes b(bytes.begin(), bytes.end());
  const auto payload = std::span<const std::uint8_t>(b).subspan(pine::snapshot::kHeaderSize);
  put_u64(b, off::kPayloadHash, pine::snapshot::xxh3_64(payload));
  put_u64(b, off::kHeaderHash, pine::snapshot::xxh3_64(std::span<const std::uint8_t>(b.data(), off::kHeaderHash)));
  return b;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  if (has_magic(input)) {
    restore_and_exercise(input);
    if (size >= pine::snapshot::kHeaderSize) restore_and_exercise(restamped(input));
    return 0;
  }
  Bytes sealed;
  try {
    sealed = pine::snapshot::seal_snapshot(attacker_fields(input), input, 1);
  } catch (const pine::SnapshotError&) {
    return 0;  // a payload beyond the writer's caps cannot be sealed
  }
  restore_and_exercise(sealed);
  return 0;
}
