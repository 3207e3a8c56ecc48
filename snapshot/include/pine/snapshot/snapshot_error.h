// The one exception type of the snapshot layer.
//
// Every way a snapshot can be rejected (docs/snapshot.md, "Restore order") has its own Kind,
// so callers (the CLI maps any SnapshotError to exit code 3, a server may
// decide to replay history on UnsupportedVersion but alert on PayloadChecksum)
// can branch on the kind instead of parsing text. The message (what()) is
// written for a human: it says what is wrong with which numbers, and what to
// do about it where there is something to do.
#pragma once

#include <stdexcept>
#include <string>

namespace pine {

/// A snapshot was rejected, or could not be read or written.
class SnapshotError : public std::runtime_error {
public:
  /// Why the snapshot was rejected. Listed in the order the checks run
  /// (docs/snapshot.md, "Restore order"), so the first failing check names the kind.
  enum class Kind {
    Truncated,          ///< fewer bytes than the header or the declared payload needs
    BadMagic,           ///< not a pinevm snapshot at all
    HeaderChecksum,     ///< header bytes do not match their XXH3-64
    UnsupportedVersion, ///< written by a newer format than this build reads
    UnknownFlags,       ///< a required flag this build does not understand
    ReservedNotZero,    ///< a reserved header byte is not zero
    SizeLimit,          ///< a declared or actual size beyond a documented cap
    MemoryLimit,        ///< restoring would take more memory than the restore's limit
    PayloadChecksum,    ///< compressed payload does not match its XXH3-64
    Decompress,         ///< the zstd frame is invalid or has the wrong size
    Corrupt,            ///< inconsistent header fields or an undecodable archive
    ProgramMismatch,    ///< snapshot was taken from a different program
    ConfigMismatch,     ///< same program, different inputs/symbol/timeframe
    Io,                 ///< the operating system failed a read or a write
  };

  /// Builds an error of `kind` whose what() is `message`.
  SnapshotError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}

  /// The kind of failure, for programmatic handling.
  Kind kind() const noexcept { return kind_; }

private:
  Kind kind_;
};

/// A stable snake_case name for `kind` ("bad_magic", "payload_checksum"...),
/// for logs, JSON output and test messages. Never returns null.
constexpr const char* snapshot_error_kind_name(SnapshotError::Kind kind) noexcept {
  switch (kind) {
  case SnapshotError::Kind::Truncated: return "truncated";
  case SnapshotError::Kind::BadMagic: return "bad_magic";
  case SnapshotError::Kind::HeaderChecksum: return "header_checksum";
  case SnapshotError::Kind::UnsupportedVersion: return "unsupported_version";
  case SnapshotError::Kind::UnknownFlags: return "unknown_flags";
  case SnapshotError::Kind::ReservedNotZero: return "reserved_not_zero";
  case SnapshotError::Kind::SizeLimit: return "size_limit";
  case SnapshotError::Kind::MemoryLimit: return "memory_limit";
  case SnapshotError::Kind::PayloadChecksum: return "payload_checksum";
  case SnapshotError::Kind::Decompress: return "decompress";
  case SnapshotError::Kind::Corrupt: return "corrupt";
  case SnapshotError::Kind::ProgramMismatch: return "program_mismatch";
  case SnapshotError::Kind::ConfigMismatch: return "config_mismatch";
  case SnapshotError::Kind::Io: return "io";
  }
  return "unknown";
}

} // namespace pine
