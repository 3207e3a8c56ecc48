// Saving and restoring instances: the snapshot API hosts use.
//
//   std::vector<std::uint8_t> bytes = pine::save_state(inst);
//   pine::Instance again = pine::RestoreBuilder(bytes).expect_program(program).build();
//
// The bytes are the envelope of envelope.h around a payload that embeds the
// program and the instance state, so a snapshot restores without the source.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pine/snapshot/envelope.h"
#include "pine/snapshot/snapshot_error.h"
#include "pine/vm/instance.h"

namespace pine {

/// The engine version stamped into snapshots (major, minor, patch).
inline constexpr std::uint32_t kEngineVersion = snapshot::pack_engine_version(0, 1, 0);

/// XXH3-128 over the program's canonical bytes.
std::array<std::uint8_t, 16> program_hash(const Program& program);

/// XXH3-64 over the configuration (resolved inputs, symbol, timeframe and
/// every SymbolInfo field) exactly as given: the header's config_hash
/// (docs/snapshot-format.md), which a restore checks against the archived
/// configuration (Corrupt otherwise).
std::uint64_t config_hash(const InstanceConfig& config);

/// config_hash() of the configuration normalized so that spellings the
/// script cannot tell apart hash alike: the default symbol spelled out
/// ("PINEVM:SAMPLE") equals the empty default, and a timeframe counts as its
/// canonical text ("D" = "1D" = the empty default; "W" = "1W"; "60" and "1"
/// differ). Equal to config_hash() for the default configuration.
/// RestoreBuilder::expect_config compares configurations with it, so a run
/// with `--timeframe D` restores a snapshot saved with the defaults.
std::uint64_t normalized_config_hash(const InstanceConfig& config);

/// Lowercase hex of a program hash.
std::string hash_hex(const std::array<std::uint8_t, 16>& hash);

/// Serialises the whole instance (program included) into snapshot bytes.
/// First collects the instance's garbage (Instance::collect_garbage, not
/// visible to the script), so equal live states give equal bytes whatever
/// garbage each instance had accumulated.
std::vector<std::uint8_t> save_state(Instance& instance, int zstd_level = 3);

/// A program prepared for many restores: the shared Program and its hash,
/// computed once. A server keeps one per script and restores every instance
/// of that script with RestoreBuilder::expect_program(known): the hash is not
/// recomputed, and the snapshot's embedded copy of the program is not decoded
/// again (the restored instance shares this immutable Program).
struct KnownProgram {
  std::shared_ptr<const Program> program;
  std::array<std::uint8_t, 16> hash{};

  /// Hashes `program` (the hash of program_hash()).
  static KnownProgram of(std::shared_ptr<const Program> program) {
    KnownProgram k;
    k.hash = program_hash(*program);
    k.program = std::move(program);
    return k;
  }
};

/// The memory a restore may take by default, whatever the input: 64 MiB. A
/// VM instance of a real script is kilobytes to a few megabytes; 64 MiB is
/// what any process about to build an instance can afford for a hostile file
/// of a few hundred bytes.
inline constexpr std::uint64_t kRestoreMemoryBase = std::uint64_t{64} << 20;
/// Plus this many bytes per byte of input: a snapshot that is large because
/// its state is large may take proportionally more (real states compress
/// 2-20:1 and expand about 1.5x from archive to instance).
inline constexpr std::uint64_t kRestoreMemoryPerInputByte = 16;

/// What a restore allocates whatever its input, charged up front before the
/// payload: the zstd decompression context (about 160 KiB), the Cereal
/// archives and streams, and the fixed members of Program and Instance.
/// tests/snapshot/test_restore_memory.cpp measures the real fixed cost
/// (tens of KiB) against it.
inline constexpr std::uint64_t kRestoreFixedBytes = std::uint64_t{1} << 20;

/// The default memory limit of a restore of `input_size` snapshot bytes:
/// kRestoreMemoryBase + kRestoreMemoryPerInputByte x input_size (saturating).
constexpr std::uint64_t default_restore_memory_limit(std::uint64_t input_size) {
  return input_size > (UINT64_MAX - kRestoreMemoryBase) / kRestoreMemoryPerInputByte
             ? UINT64_MAX
             : kRestoreMemoryBase + kRestoreMemoryPerInputByte * input_size;
}

/// Validates snapshot bytes and rebuilds the instance they describe. Every
/// failure is a SnapshotError whose kind says what was wrong.
///
/// A restore charges every allocation its input sizes (the decompressed
/// payload, the program, the instance) to a memory budget before making it,
/// and fails with MemoryLimit rather than pass the limit: by default
/// default_restore_memory_limit() of the input size, so a tiny hostile file
/// cannot make a server allocate gigabytes. A legitimate state of huge
/// constant-filled collections compresses so well that it can need more than
/// that default; a host that trusts its snapshots raises memory_limit().
class RestoreBuilder {
public:
  explicit RestoreBuilder(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

  /// Requires the snapshot's program to be `program` (ProgramMismatch otherwise).
  RestoreBuilder& expect_program(const Program& program) {
    expected_program_ = program_hash(program);
    return *this;
  }
  /// The same requirement with a precomputed hash; on success the instance
  /// runs `known.program` instead of a fresh decode of the embedded copy.
  RestoreBuilder& expect_program(const KnownProgram& known) {
    expected_program_ = known.hash;
    known_program_ = known.program;
    return *this;
  }
  /// Requires the snapshot's configuration to be `config`, compared with
  /// normalized_config_hash() (ConfigMismatch otherwise, naming the inputs,
  /// symbol, timeframe or syminfo fields that differ).
  RestoreBuilder& expect_config(const InstanceConfig& config) {
    expected_config_ = config;
    return *this;
  }

  /// Sets the memory budget of this restore in bytes (see the class comment);
  /// UINT64_MAX means no limit beyond the format's caps.
  RestoreBuilder& memory_limit(std::uint64_t bytes) {
    memory_limit_ = bytes;
    return *this;
  }

  /// Runs every check of docs/snapshot.md ("Restore order") in order and returns the instance.
  Instance build() const;

private:
  /// build() after the budget is set up: every check, every charge.
  Instance build_within(DecodeBudget& budget) const;

  std::optional<std::uint64_t> memory_limit_; ///< unset: default_restore_memory_limit(bytes_.size())
  std::span<const std::uint8_t> bytes_;
  std::optional<std::array<std::uint8_t, 16>> expected_program_;
  std::shared_ptr<const Program> known_program_; ///< set by expect_program(KnownProgram)
  std::optional<InstanceConfig> expected_config_;
};

} // namespace pine
