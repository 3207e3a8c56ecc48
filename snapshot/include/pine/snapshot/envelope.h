// The snapshot envelope: everything around the instance archive.
//
// A snapshot file is a fixed 128-byte little-endian header followed by one
// zstd frame holding the payload (the Cereal archive of the instance, written
// and read by the state layer, not here). The envelope makes the bytes
// self-checking and safe to open: it is validated completely, with a typed
// SnapshotError at the first problem, before a single byte of the payload is
// decoded (docs/snapshot.md, "Restore order"; modelled on Redis RDB and SQLite headers).
//
// Header layout, format version 1 (all integers little-endian, written and
// read byte by byte, never by copying a struct):
//
//   offset size  field                      notes
//   ------ ----  -------------------------  -----------------------------------
//        0    8  magic                      "PINEVMS\0" = 50 49 4E 45 56 4D 53 00
//        8    4  format_version   u32       layout + payload format; 1 today
//       12    4  min_reader_version u32     oldest reader version that can read it; 1
//       16    8  flags            u64       bits 0..31 required, 32..63 optional
//       24    4  engine_version   u32       major<<16 | minor<<8 | patch of the writer
//       28    4  reserved                   must be zero
//       32   16  program_hash               XXH3-128 of the canonical program bytes,
//                                           canonical (big-endian) byte order as
//                                           printed by `xxh128sum`
//       48    8  config_hash      u64       XXH3-64 of resolved inputs/symbol/timeframe/syminfo
//       56    8  bars_processed   u64       confirmed bars the instance has run
//       64    8  last_bar_time    i64       epoch ms of the last bar (two's complement)
//       72    8  payload_compressed_size    bytes of the zstd frame after the header
//       80    8  payload_uncompressed_size  bytes of the archive inside the frame
//       88    8  payload_hash     u64       XXH3-64 of the compressed payload bytes
//       96   24  reserved                   must be zero (room for future fields)
//      120    8  header_hash      u64       XXH3-64 of header bytes 0..119
//      128       payload (payload_compressed_size bytes, one zstd frame)
//
// Permanence: the magic, the two version fields at 8 and 12, the 128-byte size
// and the header hash at 120 are frozen for every future format version, so an
// old reader can always check the header and then report UnsupportedVersion
// rather than a misleading checksum error. New fields go in the reserved bytes
// (an old reader rejects a file that uses them: ReservedNotZero, or earlier
// UnsupportedVersion when the writer bumps min_reader_version).
//
// Flags: the low 32 bits are "required" features; a reader that sees a
// required bit it does not know must refuse the file (UnknownFlags). None is
// defined in format version 1. The high 32 bits are optional hints a reader
// may ignore. None is defined either.
//
// The payload hash covers the compressed bytes so corruption is caught before
// decompression starts; the zstd frame must declare its content size and that
// size must equal payload_uncompressed_size.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pine/snapshot/snapshot_error.h"

namespace pine::snapshot {

/// The eight bytes every snapshot starts with. Printable so `head -c 8` shows
/// what the file is; the trailing NUL makes a text file never match.
inline constexpr std::array<std::uint8_t, 8> kMagic = {'P', 'I', 'N', 'E', 'V', 'M', 'S', '\0'};

/// The format this build writes and the newest it reads. Bump it for any change
/// to the header meaning or the payload encoding; see the compatibility promise
/// in docs/snapshot.md, "Restore order".
inline constexpr std::uint32_t kFormatVersion = 1;

/// The min_reader_version this build writes: format 1 is readable by format-1
/// readers, the only ones there are.
inline constexpr std::uint32_t kMinReaderVersion = 1;

/// Size of the fixed header in bytes. Frozen across format versions (see above).
inline constexpr std::size_t kHeaderSize = 128;

/// Byte offsets of the header fields, exactly the table above. Public so tests
/// and tools can patch one field and re-stamp the header hash.
namespace offset {
inline constexpr std::size_t kMagic = 0;
inline constexpr std::size_t kFormatVersion = 8;
inline constexpr std::size_t kMinReaderVersion = 12;
inline constexpr std::size_t kFlags = 16;
inline constexpr std::size_t kEngineVersion = 24;
inline constexpr std::size_t kReserved0 = 28;  ///< 4 reserved bytes
inline constexpr std::size_t kProgramHash = 32;
inline constexpr std::size_t kConfigHash = 48;
inline constexpr std::size_t kBarsProcessed = 56;
inline constexpr std::size_t kLastBarTime = 64;
inline constexpr std::size_t kCompressedSize = 72;
inline constexpr std::size_t kUncompressedSize = 80;
inline constexpr std::size_t kPayloadHash = 88;
inline constexpr std::size_t kReserved1 = 96;  ///< 24 reserved bytes
inline constexpr std::size_t kHeaderHash = 120;
} // namespace offset

/// Flags whose bits a reader must understand to read the file (low 32 bits).
inline constexpr std::uint64_t kRequiredFlagsMask = 0x00000000FFFFFFFFull;
/// Required flags this build understands: none in format version 1.
inline constexpr std::uint64_t kKnownRequiredFlags = 0;

// ---- Caps -------------------------------------------------------------------
// The reader allocates the uncompressed payload before decompressing into it,
// and a hostile file can declare any size with valid checksums (checksums are
// not signatures). These caps bound that allocation by the size of the input,
// as docs/snapshot.md ("Restore order") requires. The writer enforces the same caps, so a
// snapshot this build writes is always one it can read.

/// Absolute cap on the uncompressed payload. A Pine instance holds bounded
/// collections (100,000 elements each) and max_bars_back-sized series; real
/// states are megabytes. 1 GiB leaves two orders of magnitude of headroom
/// while keeping a single allocation within what a server can survive.
inline constexpr std::uint64_t kMaxUncompressedSize = std::uint64_t{1} << 30;

/// Up to this many uncompressed bytes are accepted whatever the compressed size.
/// Zero-filled arrays and matrices compress about 32,000:1 (zstd RLE blocks),
/// so a small but legitimate state can have an extreme ratio; allowing 64 MiB
/// unconditionally keeps those readable, and 64 MiB is an allocation any
/// process that is about to build a VM instance can afford even for a hostile
/// file of a few hundred bytes.
inline constexpr std::uint64_t kRatioFreeSize = std::uint64_t{64} << 20;

/// Above kRatioFreeSize, the payload must have at least one compressed byte per
/// kMaxCompressionRatio uncompressed bytes. So a file must really be ~1 MiB
/// long to make the reader allocate the full 1 GiB; real snapshots (floats,
/// bytecode, strings) compress 2-20:1, far below this.
inline constexpr std::uint64_t kMaxCompressionRatio = 1024;

/// Payloads up to this size are written as a zstd frame of one raw block
/// (zstd's stored mode) instead of compressed. Decoding that frame is a copy
/// (0.03 us for 1.2 KiB) where entropy decoding takes 1.5 us, a third of a
/// small restore, and compression saves at most 4 KiB on such a payload. Any
/// zstd decoder reads both, so this is a writer choice, not a format rule.
inline constexpr std::size_t kStoredPayloadMaxSize = 4096;

/// read_file() refuses larger files before reading them. A valid snapshot is at
/// most the header plus ZSTD_compressBound(1 GiB) (about 1.004 GiB); 2 GiB is a
/// round outer bound that catches a wrong path (a disk image, a huge CSV)
/// before it is pulled into memory.
inline constexpr std::uint64_t kMaxFileSize = std::uint64_t{2} << 30;

/// The decoded header. Field meanings and byte offsets: the table above.
struct SnapshotHeader {
  std::uint32_t format_version = 0;
  std::uint32_t min_reader_version = 0;
  std::uint64_t flags = 0;
  std::uint32_t engine_version = 0;  ///< major<<16 | minor<<8 | patch
  std::array<std::uint8_t, 16> program_hash{};
  std::uint64_t config_hash = 0;
  std::uint64_t bars_processed = 0;
  std::int64_t last_bar_time = 0;  ///< epoch milliseconds
  std::uint64_t payload_compressed_size = 0;
  std::uint64_t payload_uncompressed_size = 0;
  std::uint64_t payload_hash = 0;
  std::uint64_t header_hash = 0;

  bool operator==(const SnapshotHeader&) const = default;
};

/// Packs a version triple the way engine_version stores it (major<<16 |
/// minor<<8 | patch); minor and patch are truncated to 8 bits.
constexpr std::uint32_t pack_engine_version(std::uint32_t major, std::uint32_t minor, std::uint32_t patch) {
  return (major << 16) | ((minor & 0xFFu) << 8) | (patch & 0xFFu);
}

/// XXH3-64 of `bytes` (seed 0). Used for the payload and header hashes and by
/// the state layer for the configuration hash.
std::uint64_t xxh3_64(std::span<const std::uint8_t> bytes);

/// XXH3-128 of `bytes` (seed 0) in canonical big-endian byte order, i.e. the
/// bytes read left to right are the hex digits `xxh128sum` prints. Used for the
/// program hash.
std::array<std::uint8_t, 16> xxh3_128(std::span<const std::uint8_t> bytes);

/// Encodes `header` into its 128 bytes exactly as the layout table says, with
/// zero reserved bytes, and stamps header_hash (the hash is computed here; the
/// struct's header_hash field is ignored). No validation: a test or tool can
/// encode any field values, including ones read_header() would reject.
std::array<std::uint8_t, kHeaderSize> encode_header(const SnapshotHeader& header);

/// Builds a complete snapshot: compresses `payload` with zstd at `zstd_level`
/// (or stores it in a raw-block frame when it is at most
/// kStoredPayloadMaxSize bytes) and writes header + frame. From `fields` it takes engine_version,
/// program_hash, config_hash, bars_processed, last_bar_time and the optional
/// (high) flag bits; it sets format_version, min_reader_version, the payload
/// sizes and both hashes itself. Deterministic: the same arguments give the
/// same bytes (single-threaded zstd). Throws std::invalid_argument for a
/// zstd_level outside zstd's range or for required flags this build does not
/// know (it would write a file it cannot read), and SnapshotError(SizeLimit)
/// if the payload exceeds the caps above.
std::vector<std::uint8_t> seal_snapshot(const SnapshotHeader& fields, std::span<const std::uint8_t> payload,
                                        int zstd_level = 3);

/// Validates and decodes the header of a complete snapshot `bytes` (header and
/// payload), without touching the payload. Checks, in this order, each failing
/// with the kind in brackets:
///   1. magic [BadMagic] (as far as the bytes go) and size >= 128 [Truncated];
///   2. header hash [HeaderChecksum];
///   3. format_version and min_reader_version not newer than kFormatVersion
///      [UnsupportedVersion], and both nonzero with min <= format [Corrupt];
///   4. no unknown required flag [UnknownFlags];
///   5. reserved bytes zero [ReservedNotZero];
///   6. payload_compressed_size equals the bytes after the header [Truncated
///      when fewer follow, Corrupt when more], and is not more than zstd could
///      ever produce for payload_uncompressed_size [Corrupt];
///   7. payload_uncompressed_size within the caps [SizeLimit].
SnapshotHeader read_header(std::span<const std::uint8_t> bytes);

/// Steps 1 to 5 of read_header() on the header alone (`bytes` may hold just
/// the first kHeaderSize bytes of a file): for readers that check the header
/// before reading the payload it declares.
SnapshotHeader read_header_alone(std::span<const std::uint8_t> bytes);

/// A validated snapshot with its payload decompressed.
struct OpenedSnapshot {
  SnapshotHeader header;
  std::vector<std::uint8_t> payload;  ///< the Cereal archive, exactly payload_uncompressed_size bytes
};

/// read_header(), then the payload hash [PayloadChecksum], then decompression
/// into a buffer of exactly payload_uncompressed_size bytes [Decompress: the
/// payload is not exactly one zstd frame, the frame does not declare its
/// content size or declares a different one, or zstd fails or produces a
/// different number of bytes].
OpenedSnapshot open_snapshot(std::span<const std::uint8_t> bytes);

/// Replaces the file at `path` with `bytes` so that a crash leaves either the
/// old file or the new one, never a mix: writes a uniquely named temporary file
/// in the same directory (rename is only atomic within one file system), fsyncs
/// it, renames it over `path`, then fsyncs the directory so the rename itself
/// is durable. A new file gets mode 0666 minus the umask; a replaced file's
/// mode is kept (a 0600 state file stays 0600). If `path` is a
/// symbolic link, its final target is replaced (temporary file in the target's
/// directory) and the link is kept. An existing target that is not a regular
/// file (a directory, FIFO, device, socket) or a dangling link is refused
/// with SnapshotError(Io) before anything is written. On failure the
/// temporary file is removed and SnapshotError(Io) names the path and the OS
/// error; `kind` names what is written in those messages ("snapshot",
/// "program file").
void write_file_atomic(const std::string& path, std::span<const std::uint8_t> bytes,
                       std::string_view kind = "snapshot");

/// What kind of file a stat mode is ("a directory", "a FIFO", "a character
/// device"...), for messages refusing a path that is not a regular file;
/// shared by the snapshot writer and the CLI's path checks.
const char* file_kind_text(unsigned mode);

/// Reads a whole file. SnapshotError(Io) when it cannot be opened or read,
/// SnapshotError(SizeLimit) when it is larger than kMaxFileSize (checked before
/// reading for regular files, and while reading for pipes).
std::vector<std::uint8_t> read_file(const std::string& path);

/// Reads a snapshot file header first: the first kHeaderSize bytes are
/// checked with read_header_alone() before any more is read (so /dev/zero or
/// a large file that is no snapshot fails at once with BadMagic), then at
/// most the declared payload and one more byte are read, and the whole is
/// checked with read_header(). Works for pipes too. SnapshotError of the
/// failing check's kind, or Io when the file cannot be read.
std::vector<std::uint8_t> read_snapshot_file(const std::string& path);

/// Describes a header for `pinevm inspect`. Text: one "name: value" line per
/// field, each ending in '\n'. JSON (`json` true): one object on one line, no
/// trailing newline, with these stable keys: format_version,
/// min_reader_version, flags ("0x" + 16 hex digits), engine_version ("x.y.z"),
/// program_hash (32 hex digits), config_hash (16 hex digits), bars_processed,
/// last_bar_time (epoch ms), last_bar_time_iso (ISO-8601 UTC with
/// milliseconds), payload_compressed_size, payload_uncompressed_size,
/// compression_ratio (uncompressed / compressed with 3 decimals, null when
/// compressed is 0), payload_hash and header_hash (16 hex digits).
std::string describe_header(const SnapshotHeader& header, bool json);

} // namespace pine::snapshot
