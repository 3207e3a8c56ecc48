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
/// every SymbolInfo field).
std::uint64_t config_hash(const InstanceConfig& config);

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

/// Validates snapshot bytes and rebuilds the instance they describe. Every
/// failure is a SnapshotError whose kind says what was wrong.
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
  /// Requires the snapshot's configuration to be `config` (ConfigMismatch
  /// otherwise, naming the inputs or symbol settings that differ).
  RestoreBuilder& expect_config(const InstanceConfig& config) {
    expected_config_ = config;
    return *this;
  }

  /// Runs every check of DESIGN.md section 4 in order and returns the instance.
  Instance build() const;

private:
  std::span<const std::uint8_t> bytes_;
  std::optional<std::array<std::uint8_t, 16>> expected_program_;
  std::shared_ptr<const Program> known_program_; ///< set by expect_program(KnownProgram)
  std::optional<InstanceConfig> expected_config_;
};

} // namespace pine
