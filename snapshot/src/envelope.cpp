// The snapshot envelope: header encoding, hashes, zstd, validation, file IO and
// header description. The layout and the validation order are documented in
// pine/snapshot/envelope.h; this file follows them line by line.
#include "pine/snapshot/envelope.h"

#include <xxhash.h>
#include <zstd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <new>
#include <stdexcept>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pine/vm/calendar.h"

namespace pine::snapshot {
namespace {

using Kind = SnapshotError::Kind;

// ---- Little-endian primitives ------------------------------------------------
// Written byte by byte so the encoding does not depend on the host's byte order
// or on struct padding.

/// Stores `v` at `p` as 4 little-endian bytes.
void put_u32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

/// Stores `v` at `p` as 8 little-endian bytes.
void put_u64(std::uint8_t* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

/// Loads 4 little-endian bytes at `p`.
std::uint32_t get_u32(const std::uint8_t* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

/// Loads 8 little-endian bytes at `p`.
std::uint64_t get_u64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// ---- Formatting helpers ------------------------------------------------------

/// printf into a std::string. Every message in this file is short, but the
/// buffer is sized by a first vsnprintf pass so nothing is ever cut.
[[gnu::format(printf, 1, 2)]] std::string fmt(const char* format, ...) {
  va_list args;
  va_start(args, format);
  va_list copy;
  va_copy(copy, args);
  const int n = std::vsnprintf(nullptr, 0, format, copy);
  va_end(copy);
  std::string out(n > 0 ? static_cast<std::size_t>(n) : 0, '\0');
  if (n > 0) std::vsnprintf(out.data(), out.size() + 1, format, args);
  va_end(args);
  return out;
}

/// "0x" + 16 lowercase hex digits of `v`.
std::string hex64(std::uint64_t v) { return fmt("0x%016" PRIx64, v); }

/// Lowercase hex of `bytes` with no prefix, 2 digits per byte.
std::string hex_bytes(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xF]);
  }
  return out;
}

/// The pinevm version that wrote a snapshot, as "major.minor.patch".
std::string engine_version_text(std::uint32_t v) {
  return fmt("%u.%u.%u", v >> 16, (v >> 8) & 0xFFu, v & 0xFFu);
}

/// Epoch milliseconds as ISO-8601 UTC with milliseconds, e.g.
/// "2023-11-14T22:13:20.000Z". Years outside 0000..9999 get an explicit sign
/// and as many digits as needed (ISO-8601 expanded representation).
std::string iso8601_utc_ms(std::int64_t ms) {
  // Floor division, so times before 1970 land on the right day.
  std::int64_t days = ms / kMsPerDay;
  std::int64_t rem = ms % kMsPerDay;
  if (rem < 0) {
    rem += kMsPerDay;
    --days;
  }
  const CivilDate date = civil_from_days(days);
  const auto h = static_cast<unsigned>(rem / 3'600'000);
  const auto m = static_cast<unsigned>(rem / 60'000 % 60);
  const auto s = static_cast<unsigned>(rem / 1000 % 60);
  const auto milli = static_cast<unsigned>(rem % 1000);
  const std::string y = (date.year >= 0 && date.year <= 9999) ? fmt("%04" PRId64, date.year)
                                                              : fmt("%+05" PRId64, date.year);
  return fmt("%s-%02d-%02dT%02u:%02u:%02u.%03uZ", y.c_str(), date.month, date.day, h, m, s, milli);
}

/// A byte count with a friendly unit for messages, e.g. "1073741824 bytes (1 GiB)".
std::string size_text(std::uint64_t n) {
  if (n >= (std::uint64_t{1} << 30) && n % (std::uint64_t{1} << 30) == 0) {
    return fmt("%" PRIu64 " bytes (%" PRIu64 " GiB)", n, n >> 30);
  }
  if (n >= (std::uint64_t{1} << 20) && n % (std::uint64_t{1} << 20) == 0) {
    return fmt("%" PRIu64 " bytes (%" PRIu64 " MiB)", n, n >> 20);
  }
  return fmt("%" PRIu64 " bytes", n);
}

/// The largest uncompressed payload a reader accepts for `compressed` bytes
/// of zstd frame: see kRatioFreeSize and kMaxCompressionRatio.
std::uint64_t uncompressed_cap(std::uint64_t compressed) {
  // compressed is at most kMaxFileSize here or the caller has rejected it, but
  // guard the multiplication anyway: saturate instead of wrapping.
  const std::uint64_t by_ratio = compressed > kMaxUncompressedSize / kMaxCompressionRatio
                                     ? kMaxUncompressedSize
                                     : compressed * kMaxCompressionRatio;
  return std::min(kMaxUncompressedSize, std::max(kRatioFreeSize, by_ratio));
}

/// Checks the size caps of a payload, shared by writer and reader so that
/// everything written can be read. `writing` selects the message: a reader
/// meets a corrupt or hostile file, a writer meets an unusual state.
void check_caps(std::uint64_t uncompressed, std::uint64_t compressed, bool writing) {
  if (uncompressed > kMaxUncompressedSize) {
    throw SnapshotError(
        Kind::SizeLimit,
        writing ? fmt("cannot write snapshot: the state archive is %" PRIu64 " bytes, above the limit of %s; the "
                      "instance state is far larger than pinevm supports",
                      uncompressed, size_text(kMaxUncompressedSize).c_str())
                : fmt("snapshot payload declares %" PRIu64 " uncompressed bytes, above the limit of %s: the file is "
                      "corrupt or was not written by pinevm",
                      uncompressed, size_text(kMaxUncompressedSize).c_str()));
  }
  if (uncompressed > uncompressed_cap(compressed)) {
    throw SnapshotError(
        Kind::SizeLimit,
        writing ? fmt("cannot write snapshot: the %" PRIu64 "-byte state archive compresses to %" PRIu64
                      " bytes, and above %s readers accept at most %" PRIu64 ":1; the state is too repetitive "
                      "(huge constant-filled collections?) to snapshot safely",
                      uncompressed, compressed, size_text(kRatioFreeSize).c_str(), kMaxCompressionRatio)
                : fmt("snapshot payload declares %" PRIu64 " uncompressed bytes from %" PRIu64
                      " compressed bytes, but above %s at most %" PRIu64 ":1 is accepted; refusing to allocate: "
                      "the file is corrupt or was not written by pinevm",
                      uncompressed, compressed, size_text(kRatioFreeSize).c_str(), kMaxCompressionRatio));
  }
}

} // namespace

// ---- Hashes ------------------------------------------------------------------

// XXH3 accepts a null pointer when the length is 0, which an empty span may give.
std::uint64_t xxh3_64(std::span<const std::uint8_t> bytes) { return XXH3_64bits(bytes.data(), bytes.size()); }

// The canonical form is big-endian by xxHash's definition, so the array reads
// like the hex string that xxh128sum prints, on any host.
std::array<std::uint8_t, 16> xxh3_128(std::span<const std::uint8_t> bytes) {
  const XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
  XXH128_canonical_t canonical;
  XXH128_canonicalFromHash(&canonical, h);
  std::array<std::uint8_t, 16> out{};
  static_assert(sizeof(canonical.digest) == 16);
  std::memcpy(out.data(), canonical.digest, out.size());  // a byte array, not a struct: no layout concern
  return out;
}

// ---- Header ------------------------------------------------------------------

// Every offset comes from the offset:: table in the header; the reserved
// ranges stay zero because the array is value-initialised.
std::array<std::uint8_t, kHeaderSize> encode_header(const SnapshotHeader& h) {
  std::array<std::uint8_t, kHeaderSize> out{};
  std::uint8_t* p = out.data();
  std::copy(kMagic.begin(), kMagic.end(), p + offset::kMagic);
  put_u32(p + offset::kFormatVersion, h.format_version);
  put_u32(p + offset::kMinReaderVersion, h.min_reader_version);
  put_u64(p + offset::kFlags, h.flags);
  put_u32(p + offset::kEngineVersion, h.engine_version);
  std::copy(h.program_hash.begin(), h.program_hash.end(), p + offset::kProgramHash);
  put_u64(p + offset::kConfigHash, h.config_hash);
  put_u64(p + offset::kBarsProcessed, h.bars_processed);
  put_u64(p + offset::kLastBarTime, static_cast<std::uint64_t>(h.last_bar_time));
  put_u64(p + offset::kCompressedSize, h.payload_compressed_size);
  put_u64(p + offset::kUncompressedSize, h.payload_uncompressed_size);
  put_u64(p + offset::kPayloadHash, h.payload_hash);
  put_u64(p + offset::kHeaderHash, xxh3_64(std::span<const std::uint8_t>(p, offset::kHeaderHash)));
  return out;
}

namespace {

/// Decodes every field of a header whose bytes are known to be present. No
/// validation; read_header() decides what the values mean.
SnapshotHeader decode_fields(const std::uint8_t* p) {
  SnapshotHeader h;
  h.format_version = get_u32(p + offset::kFormatVersion);
  h.min_reader_version = get_u32(p + offset::kMinReaderVersion);
  h.flags = get_u64(p + offset::kFlags);
  h.engine_version = get_u32(p + offset::kEngineVersion);
  std::copy(p + offset::kProgramHash, p + offset::kProgramHash + h.program_hash.size(), h.program_hash.begin());
  h.config_hash = get_u64(p + offset::kConfigHash);
  h.bars_processed = get_u64(p + offset::kBarsProcessed);
  h.last_bar_time = static_cast<std::int64_t>(get_u64(p + offset::kLastBarTime));
  h.payload_compressed_size = get_u64(p + offset::kCompressedSize);
  h.payload_uncompressed_size = get_u64(p + offset::kUncompressedSize);
  h.payload_hash = get_u64(p + offset::kPayloadHash);
  h.header_hash = get_u64(p + offset::kHeaderHash);
  return h;
}

/// Step 1: the bytes start with the magic (as far as they go) and hold a whole
/// header. The magic is compared first so that a short file that is not a
/// snapshot at all says "not a pinevm snapshot" rather than "truncated".
void check_magic_and_size(std::span<const std::uint8_t> bytes) {
  const std::size_t n = std::min(bytes.size(), kMagic.size());
  if (!std::equal(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n), kMagic.begin())) {
    throw SnapshotError(Kind::BadMagic,
                        fmt("not a pinevm snapshot: it starts with bytes %s instead of the magic %s (\"PINEVMS\\0\"); "
                            "check the file name",
                            hex_bytes(bytes.first(n)).c_str(), hex_bytes(kMagic).c_str()));
  }
  if (bytes.size() < kHeaderSize) {
    throw SnapshotError(Kind::Truncated, fmt("snapshot is truncated: %zu bytes, the header alone needs %zu; the "
                                             "write was interrupted or the copy is incomplete",
                                             bytes.size(), kHeaderSize));
  }
}

/// Step 3: versions. Newer than this build => UnsupportedVersion, which a
/// caller may answer by upgrading or by replaying history; values no writer
/// ever produces => Corrupt.
void check_versions(const SnapshotHeader& h) {
  if (h.format_version > kFormatVersion) {
    throw SnapshotError(Kind::UnsupportedVersion,
                        fmt("snapshot format version %u is newer than this build supports (%u): upgrade pinevm or "
                            "replay history",
                            h.format_version, kFormatVersion));
  }
  if (h.min_reader_version > kFormatVersion) {
    throw SnapshotError(Kind::UnsupportedVersion,
                        fmt("snapshot needs a reader of format version %u or newer, this build reads version %u: "
                            "upgrade pinevm or replay history",
                            h.min_reader_version, kFormatVersion));
  }
  if (h.format_version == 0 || h.min_reader_version == 0 || h.min_reader_version > h.format_version) {
    throw SnapshotError(Kind::Corrupt, fmt("snapshot header is corrupt: format version %u with minimum reader version "
                                           "%u is not a combination any pinevm writes",
                                           h.format_version, h.min_reader_version));
  }
}

/// Step 5: every reserved byte is zero. Reports the first offending offset so
/// a hex dump finds it at once.
void check_reserved(const std::uint8_t* p) {
  struct Range {
    std::size_t begin, size;
  };
  static constexpr Range kReserved[] = {{offset::kReserved0, offset::kProgramHash - offset::kReserved0},
                                        {offset::kReserved1, offset::kHeaderHash - offset::kReserved1}};
  for (const Range& r : kReserved) {
    for (std::size_t i = r.begin; i < r.begin + r.size; ++i) {
      if (p[i] != 0) {
        throw SnapshotError(Kind::ReservedNotZero,
                            fmt("snapshot header byte %zu is 0x%02x but is reserved and must be zero: the file was "
                                "written by an incompatible tool or a newer pinevm; upgrade pinevm or replay history",
                                i, p[i]));
      }
    }
  }
}

/// Step 6: the declared payload size matches the bytes present, and is not
/// more than zstd could produce from the declared uncompressed size.
void check_size_consistency(const SnapshotHeader& h, std::size_t total) {
  const std::uint64_t available = total - kHeaderSize;
  if (h.payload_compressed_size > available) {
    throw SnapshotError(Kind::Truncated,
                        fmt("snapshot is truncated: the header declares %" PRIu64 " payload bytes but only %" PRIu64
                            " follow (file is %zu bytes); the write was interrupted or the copy is incomplete",
                            h.payload_compressed_size, available, total));
  }
  if (h.payload_compressed_size < available) {
    throw SnapshotError(Kind::Corrupt, fmt("snapshot is corrupt: %" PRIu64 " unexpected byte(s) follow the declared %" PRIu64
                                           "-byte payload (file is %zu bytes)",
                                           available - h.payload_compressed_size, h.payload_compressed_size, total));
  }
  // ZSTD_compressBound is only meaningful (and only defined) up to
  // ZSTD_MAX_INPUT_SIZE; beyond that step 7 rejects the size anyway.
  if (h.payload_uncompressed_size <= kMaxUncompressedSize &&
      h.payload_compressed_size > ZSTD_compressBound(static_cast<std::size_t>(h.payload_uncompressed_size))) {
    throw SnapshotError(Kind::Corrupt,
                        fmt("snapshot is corrupt: a %" PRIu64 "-byte payload cannot compress to %" PRIu64
                            " bytes (zstd never exceeds %zu)",
                            h.payload_uncompressed_size, h.payload_compressed_size,
                            ZSTD_compressBound(static_cast<std::size_t>(h.payload_uncompressed_size))));
  }
}

} // namespace

// Runs the checks in the documented order (envelope.h, docs/snapshot.md "Restore order");
// each throws at the first problem, so later checks may rely on earlier ones.
SnapshotHeader read_header(std::span<const std::uint8_t> bytes) {
  const SnapshotHeader h = read_header_alone(bytes);  // 1-5
  check_size_consistency(h, bytes.size());       // 6
  check_caps(h.payload_uncompressed_size, h.payload_compressed_size, false);  // 7
  return h;
}

// Steps 1-5 of read_header(), which need the header bytes only.
SnapshotHeader read_header_alone(std::span<const std::uint8_t> bytes) {
  check_magic_and_size(bytes);  // 1
  const std::uint8_t* p = bytes.data();
  const std::uint64_t stored = get_u64(p + offset::kHeaderHash);  // 2
  const std::uint64_t computed = xxh3_64(bytes.first(offset::kHeaderHash));
  if (stored != computed) {
    throw SnapshotError(Kind::HeaderChecksum,
                        fmt("snapshot header is corrupt: its checksum is %s but the header bytes hash to %s; the file "
                            "was damaged, restore it from a backup or replay history",
                            hex64(stored).c_str(), hex64(computed).c_str()));
  }
  const SnapshotHeader h = decode_fields(p);
  check_versions(h);  // 3
  const std::uint64_t unknown = h.flags & kRequiredFlagsMask & ~kKnownRequiredFlags;  // 4
  if (unknown != 0) {
    throw SnapshotError(Kind::UnknownFlags,
                        fmt("snapshot uses required features this build does not know (flag bits 0x%08" PRIx64
                            "): upgrade pinevm or replay history",
                            unknown));
  }
  check_reserved(p);                             // 5
  return h;
}

namespace {

// zstd contexts, one per thread and reused. Creating a context per call
// (what ZSTD_compress/ZSTD_decompress do) allocates and clears its tables
// every time, which cost more than compressing or decompressing a typical
// few-kilobyte snapshot (measured: about half of a 30 us save or restore).
// A context carries no data from one frame to the next, so instances stay
// independent; contexts are per thread because they are not thread-safe.
struct ZstdContexts {
  ZSTD_CCtx* compress = ZSTD_createCCtx();
  ZSTD_DCtx* decompress = ZSTD_createDCtx();
  ZstdContexts() = default;
  ZstdContexts(const ZstdContexts&) = delete;
  ZstdContexts& operator=(const ZstdContexts&) = delete;
  ~ZstdContexts() {
    ZSTD_freeCCtx(compress);
    ZSTD_freeDCtx(decompress);
  }
};

ZstdContexts& thread_contexts() {
  thread_local ZstdContexts contexts;
  if (contexts.compress == nullptr || contexts.decompress == nullptr) throw std::bad_alloc();
  return contexts;
}
ZSTD_CCtx* thread_compression_context() { return thread_contexts().compress; }
ZSTD_DCtx* thread_decompression_context() { return thread_contexts().decompress; }

/// Appends `payload` (at most kStoredPayloadMaxSize bytes) to `out` as a
/// single-segment zstd frame holding one raw block (RFC 8878, section 3.1.1):
/// magic; a frame header descriptor with Single_Segment set and a 2-byte
/// Frame_Content_Size (which stores the size minus 256; sizes below 256 use
/// the 1-byte field); then a 3-byte block header (Last_Block, Block_Type 0 =
/// Raw, Block_Size) and the bytes themselves. No content checksum: the
/// envelope's XXH3 covers the frame.
void append_stored_frame(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> payload) {
  static_assert(kStoredPayloadMaxSize <= 65535 + 256, "a 2-byte Frame_Content_Size must hold the size");
  static_assert(kStoredPayloadMaxSize < (std::size_t{1} << 17), "one raw block holds at most 128 KiB");
  const std::size_t n = payload.size();
  const std::uint8_t magic[4] = {0x28, 0xB5, 0x2F, 0xFD};
  out.insert(out.end(), magic, magic + 4);
  if (n < 256) {
    out.push_back(0x20);  // FCS flag 0 with Single_Segment: a 1-byte size
    out.push_back(static_cast<std::uint8_t>(n));
  } else {
    out.push_back(0x60);  // FCS flag 1: a 2-byte size, stored minus 256
    out.push_back(static_cast<std::uint8_t>((n - 256) & 0xFF));
    out.push_back(static_cast<std::uint8_t>((n - 256) >> 8));
  }
  const std::uint32_t block_header = 1u | (0u << 1) | (static_cast<std::uint32_t>(n) << 3);
  for (int i = 0; i < 3; ++i) out.push_back(static_cast<std::uint8_t>(block_header >> (8 * i)));
  out.insert(out.end(), payload.begin(), payload.end());
}

} // namespace

// Compression happens before the header is built because the header records
// the compressed size and hash; the frame is written straight into the output
// after a placeholder header, then the real header is copied over it.
std::vector<std::uint8_t> seal_snapshot(const SnapshotHeader& fields, std::span<const std::uint8_t> payload,
                                        int zstd_level) {
  if (zstd_level < ZSTD_minCLevel() || zstd_level > ZSTD_maxCLevel()) {
    throw std::invalid_argument(fmt("seal_snapshot: zstd level %d is outside %d..%d", zstd_level, ZSTD_minCLevel(),
                                    ZSTD_maxCLevel()));
  }
  if ((fields.flags & kRequiredFlagsMask & ~kKnownRequiredFlags) != 0) {
    throw std::invalid_argument(fmt("seal_snapshot: required flag bits 0x%08" PRIx64
                                    " are not defined; the snapshot would be unreadable",
                                    fields.flags & kRequiredFlagsMask & ~kKnownRequiredFlags));
  }
  // Checked before compressing so an oversized state costs no zstd work; the
  // ratio cap can only be checked once the compressed size is known.
  if (payload.size() > kMaxUncompressedSize) check_caps(payload.size(), payload.size(), true);

  std::vector<std::uint8_t> out;
  std::size_t compressed = 0;
  if (payload.size() <= kStoredPayloadMaxSize) {
    out.assign(kHeaderSize, 0);
    append_stored_frame(out, payload);
    compressed = out.size() - kHeaderSize;
  } else {
    const std::size_t bound = ZSTD_compressBound(payload.size());
    out.resize(kHeaderSize + bound);
    compressed = ZSTD_compressCCtx(thread_compression_context(), out.data() + kHeaderSize, bound, payload.data(),
                                   payload.size(), zstd_level);
    if (ZSTD_isError(compressed)) {
      // Only memory exhaustion can get here with a compressBound-sized buffer.
      throw std::runtime_error(fmt("seal_snapshot: zstd compression failed: %s", ZSTD_getErrorName(compressed)));
    }
    out.resize(kHeaderSize + compressed);
  }
  check_caps(payload.size(), compressed, true);

  SnapshotHeader h = fields;
  h.format_version = kFormatVersion;
  h.min_reader_version = kMinReaderVersion;
  h.payload_compressed_size = compressed;
  h.payload_uncompressed_size = payload.size();
  h.payload_hash = xxh3_64(std::span<const std::uint8_t>(out).subspan(kHeaderSize));
  const auto header = encode_header(h);
  std::copy(header.begin(), header.end(), out.begin());
  return out;
}

// The payload hash is checked before zstd sees a byte, and the frame's own
// claims are checked against the header before anything is allocated.
OpenedSnapshot open_snapshot(std::span<const std::uint8_t> bytes) {
  OpenedSnapshot result;
  result.header = read_header(bytes);
  const SnapshotHeader& h = result.header;
  const std::span<const std::uint8_t> frame = bytes.subspan(kHeaderSize);

  const std::uint64_t computed = xxh3_64(frame);
  if (computed != h.payload_hash) {
    throw SnapshotError(Kind::PayloadChecksum,
                        fmt("snapshot payload is corrupt: its checksum is %s but the payload bytes hash to %s; the "
                            "file was damaged, restore it from a backup or replay history",
                            hex64(h.payload_hash).c_str(), hex64(computed).c_str()));
  }

  // Exactly one zstd frame, not a skippable frame, nothing after it.
  if (frame.size() < 4 || get_u32(frame.data()) != ZSTD_MAGICNUMBER) {
    throw SnapshotError(Kind::Decompress, "snapshot payload is not a zstd frame: the file is corrupt");
  }
  const std::size_t frame_size = ZSTD_findFrameCompressedSize(frame.data(), frame.size());
  if (ZSTD_isError(frame_size)) {
    throw SnapshotError(Kind::Decompress,
                        fmt("snapshot payload is not a valid zstd frame: %s", ZSTD_getErrorName(frame_size)));
  }
  if (frame_size != frame.size()) {
    throw SnapshotError(Kind::Decompress, fmt("snapshot payload has %zu bytes after its zstd frame: the file is corrupt",
                                              frame.size() - frame_size));
  }
  const unsigned long long content = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (content == ZSTD_CONTENTSIZE_ERROR || content == ZSTD_CONTENTSIZE_UNKNOWN) {
    throw SnapshotError(Kind::Decompress, "snapshot payload's zstd frame does not declare its size: the file is "
                                          "corrupt or was not written by pinevm");
  }
  if (content != h.payload_uncompressed_size) {
    throw SnapshotError(Kind::Decompress,
                        fmt("snapshot payload's zstd frame declares %llu bytes but the header declares %" PRIu64
                            ": the file is corrupt",
                            content, h.payload_uncompressed_size));
  }

  // Sizes are within the caps (read_header step 7), so this allocation is bounded.
  result.payload.resize(static_cast<std::size_t>(h.payload_uncompressed_size));
  std::uint8_t empty = 0;  // zstd wants a writable pointer even for 0 bytes
  std::uint8_t* dst = result.payload.empty() ? &empty : result.payload.data();
  const std::size_t produced =
      ZSTD_decompressDCtx(thread_decompression_context(), dst, result.payload.size(), frame.data(), frame.size());
  if (ZSTD_isError(produced)) {
    throw SnapshotError(Kind::Decompress,
                        fmt("snapshot payload does not decompress: %s; the file is corrupt", ZSTD_getErrorName(produced)));
  }
  if (produced != result.payload.size()) {
    throw SnapshotError(Kind::Decompress, fmt("snapshot payload decompressed to %zu bytes but the header declares %zu: "
                                              "the file is corrupt",
                                              produced, result.payload.size()));
  }
  return result;
}

// ---- Description ---------------------------------------------------------------

// Both forms list the same fields in the same order; the JSON keys are part of
// the CLI's output contract and must not change.
std::string describe_header(const SnapshotHeader& h, bool json) {
  const std::string engine = engine_version_text(h.engine_version);
  const std::string program = hex_bytes(h.program_hash);
  const std::string iso = iso8601_utc_ms(h.last_bar_time);
  const bool has_ratio = h.payload_compressed_size != 0;
  const double ratio = has_ratio ? static_cast<double>(h.payload_uncompressed_size) /
                                       static_cast<double>(h.payload_compressed_size)
                                 : 0.0;
  const std::string ratio_text = has_ratio ? fmt("%.3f", ratio) : std::string(json ? "null" : "n/a");
  if (json) {
    return fmt("{\"format_version\":%u,\"min_reader_version\":%u,\"flags\":\"%s\",\"engine_version\":\"%s\","
               "\"program_hash\":\"%s\",\"config_hash\":\"%016" PRIx64 "\",\"bars_processed\":%" PRIu64
               ",\"last_bar_time\":%" PRId64 ",\"last_bar_time_iso\":\"%s\",\"payload_compressed_size\":%" PRIu64
               ",\"payload_uncompressed_size\":%" PRIu64 ",\"compression_ratio\":%s,\"payload_hash\":\"%016" PRIx64
               "\",\"header_hash\":\"%016" PRIx64 "\"}",
               h.format_version, h.min_reader_version, hex64(h.flags).c_str(), engine.c_str(), program.c_str(),
               h.config_hash, h.bars_processed, h.last_bar_time, iso.c_str(), h.payload_compressed_size,
               h.payload_uncompressed_size, ratio_text.c_str(), h.payload_hash, h.header_hash);
  }
  return fmt("format version:      %u (minimum reader version %u)\n"
             "flags:               %s\n"
             "engine version:      %s\n"
             "program hash:        %s\n"
             "config hash:         %016" PRIx64 "\n"
             "bars processed:      %" PRIu64 "\n"
             "last bar time:       %" PRId64 " ms (%s)\n"
             "payload compressed:  %" PRIu64 " bytes\n"
             "payload size:        %" PRIu64 " bytes\n"
             "compression ratio:   %s\n"
             "payload hash:        %016" PRIx64 "\n"
             "header hash:         %016" PRIx64 "\n",
             h.format_version, h.min_reader_version, hex64(h.flags).c_str(), engine.c_str(), program.c_str(),
             h.config_hash, h.bars_processed, h.last_bar_time, iso.c_str(), h.payload_compressed_size,
             h.payload_uncompressed_size, ratio_text.c_str(), h.payload_hash, h.header_hash);
}

} // namespace pine::snapshot
