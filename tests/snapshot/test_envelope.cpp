// Tests of the snapshot envelope (pine/snapshot/envelope.h): header layout,
// round trips, every rejection kind in its documented order, atomic file IO
// and the `pinevm inspect` description.
//
// Corruptions that must get past the header checksum (a newer version, a
// reserved byte, an absurd size...) patch the header bytes and then re-stamp
// the header hash, as a hostile or buggy writer would.
#include <doctest/doctest.h>

#include "pine/snapshot/envelope.h"
#include "snapshot_outcome.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <limits>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

using namespace pine;
using namespace pine::snapshot;
using Bytes = std::vector<std::uint8_t>;

namespace {

using pine::test::outcome;

/// The message of the SnapshotError `f` throws, or "" when it throws none.
std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const SnapshotError& e) {
    return e.what();
  }
  return "";
}

/// Deterministic pseudo-random bytes, so failures reproduce.
Bytes random_bytes(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Bytes out(n);
  for (auto& b : out) b = static_cast<std::uint8_t>(rng());
  return out;
}

/// Bytes of an ASCII string, for hashing.
Bytes ascii(const std::string& s) { return Bytes(s.begin(), s.end()); }

/// Header fields as the state layer would pass them to seal_snapshot.
SnapshotHeader sample_fields() {
  SnapshotHeader h;
  h.engine_version = pack_engine_version(0, 1, 0);
  h.program_hash = xxh3_128(ascii("indicator(\"x\")\nplot(close)\n"));
  h.config_hash = xxh3_64(ascii("symbol=AAPL;timeframe=1D"));
  h.bars_processed = 5000;
  h.last_bar_time = 1'700'000'000'000;
  return h;
}

/// Writes `v` little-endian at `at`, byte by byte.
void put_le(Bytes& bytes, std::size_t at, std::uint64_t v, std::size_t width) {
  for (std::size_t i = 0; i < width; ++i) bytes[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

/// Recomputes the header hash over bytes 0..119 and stores it at 120.
void restamp(Bytes& bytes) {
  put_le(bytes, offset::kHeaderHash, xxh3_64(std::span<const std::uint8_t>(bytes).first(offset::kHeaderHash)), 8);
}

/// A complete snapshot around an arbitrary (possibly hand-made) payload frame,
/// with correct sizes and hashes, so only the frame itself is under test.
Bytes assemble(const Bytes& frame, std::uint64_t uncompressed_size) {
  SnapshotHeader h = sample_fields();
  h.format_version = kFormatVersion;
  h.min_reader_version = kMinReaderVersion;
  h.payload_compressed_size = frame.size();
  h.payload_uncompressed_size = uncompressed_size;
  h.payload_hash = xxh3_64(frame);
  const auto header = encode_header(h);
  // Sized up front and filled with copies (GCC 12 warns falsely on insert here).
  Bytes out(kHeaderSize + frame.size());
  std::copy(header.begin(), header.end(), out.begin());
  std::copy(frame.begin(), frame.end(), out.begin() + kHeaderSize);
  return out;
}

/// zstd frame magic 0xFD2FB528, little-endian, per RFC 8878 section 3.1.1.
const Bytes kZstdMagic = {0x28, 0xB5, 0x2F, 0xFD};

/// A raw (stored) zstd block header: 3 bytes little-endian of
/// last | type<<1 | size<<3 with type 0 = Raw_Block (RFC 8878 section 3.1.1.2).
void append_raw_block(Bytes& frame, const Bytes& data, bool last) {
  const std::uint32_t v = (last ? 1u : 0u) | (static_cast<std::uint32_t>(data.size()) << 3);
  frame.push_back(static_cast<std::uint8_t>(v));
  frame.push_back(static_cast<std::uint8_t>(v >> 8));
  frame.push_back(static_cast<std::uint8_t>(v >> 16));
  frame.insert(frame.end(), data.begin(), data.end());
}

/// A hand-made single-segment zstd frame (descriptor 0x20: 1-byte content
/// size, no window descriptor, no checksum) declaring `declared` bytes of
/// content and holding `data` in one raw block. `declared` < 256.
Bytes frame_with_size(std::uint8_t declared, const Bytes& data) {
  Bytes f = kZstdMagic;
  f.push_back(0x20);
  f.push_back(declared);
  append_raw_block(f, data, true);
  return f;
}

/// A hand-made zstd frame that does not declare its content size (descriptor
/// 0x00, window descriptor 0x00 = 1 KiB window), one raw block of `data`.
Bytes frame_without_size(const Bytes& data) {
  Bytes f = kZstdMagic;
  f.push_back(0x00);
  f.push_back(0x00);
  append_raw_block(f, data, true);
  return f;
}

/// A scratch directory removed with its contents at scope exit.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "pinevm-envelope-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  /// Names of the entries in the directory, sorted.
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(path)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
};

} // namespace

TEST_CASE("xxh3 helpers match the published xxHash test vectors") {
  // XXH3_64bits("") and XXH3_128bits("") from the xxHash documentation and sanity tests.
  CHECK(xxh3_64({}) == 0x2D06800538D394C2ull);
  const std::array<std::uint8_t, 16> empty128 = {0x99, 0xAA, 0x06, 0xD3, 0x01, 0x47, 0x98, 0xD8,
                                                 0x60, 0x01, 0xC3, 0x24, 0x46, 0x8D, 0x49, 0x7F};
  CHECK(xxh3_128({}) == empty128);
  CHECK(xxh3_64(ascii("a")) != xxh3_64(ascii("b")));
}

TEST_CASE("error kinds have distinct stable snake_case names") {
  using K = SnapshotError::Kind;
  const K all[] = {K::Truncated,       K::BadMagic,   K::HeaderChecksum, K::UnsupportedVersion, K::UnknownFlags,
                   K::ReservedNotZero, K::SizeLimit,  K::PayloadChecksum, K::Decompress,        K::Corrupt,
                   K::ProgramMismatch, K::ConfigMismatch, K::Io};
  std::set<std::string> names;
  for (K k : all) {
    const std::string name = snapshot_error_kind_name(k);
    CHECK(std::all_of(name.begin(), name.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; }));
    names.insert(name);
  }
  CHECK(names.size() == std::size(all));
  CHECK(std::string(snapshot_error_kind_name(K::BadMagic)) == "bad_magic");
  const SnapshotError e(K::Io, "boom");
  CHECK(e.kind() == K::Io);
  CHECK(std::string(e.what()) == "boom");
}

TEST_CASE("header layout is the documented 128 bytes, golden bytes computed from the table") {
  static_assert(kHeaderSize == 128);
  // The offsets tile the header with no gap or overlap, in table order.
  CHECK(offset::kFormatVersion == offset::kMagic + 8);
  CHECK(offset::kMinReaderVersion == offset::kFormatVersion + 4);
  CHECK(offset::kFlags == offset::kMinReaderVersion + 4);
  CHECK(offset::kEngineVersion == offset::kFlags + 8);
  CHECK(offset::kReserved0 == offset::kEngineVersion + 4);
  CHECK(offset::kProgramHash == offset::kReserved0 + 4);
  CHECK(offset::kConfigHash == offset::kProgramHash + 16);
  CHECK(offset::kBarsProcessed == offset::kConfigHash + 8);
  CHECK(offset::kLastBarTime == offset::kBarsProcessed + 8);
  CHECK(offset::kCompressedSize == offset::kLastBarTime + 8);
  CHECK(offset::kUncompressedSize == offset::kCompressedSize + 8);
  CHECK(offset::kPayloadHash == offset::kUncompressedSize + 8);
  CHECK(offset::kReserved1 == offset::kPayloadHash + 8);
  CHECK(offset::kHeaderHash == offset::kReserved1 + 24);
  CHECK(offset::kHeaderHash + 8 == kHeaderSize);

  SnapshotHeader h;
  h.format_version = 1;
  h.min_reader_version = 1;
  h.flags = 0x8000000000000000ull;  // an optional bit, so read_header accepts it below
  h.engine_version = pack_engine_version(1, 2, 3);
  for (std::uint8_t i = 0; i < 16; ++i) h.program_hash[i] = i;
  h.config_hash = 0x1122334455667788ull;
  h.bars_processed = 1000;
  h.last_bar_time = -2;
  h.payload_compressed_size = 258;
  h.payload_uncompressed_size = 0x030405;
  h.payload_hash = 0xA1B2C3D4E5F60718ull;
  h.header_hash = 0xDEADBEEF;  // ignored by encode_header

  // Written by hand from the layout table in envelope.h.
  const Bytes golden = {
      0x50, 0x49, 0x4E, 0x45, 0x56, 0x4D, 0x53, 0x00,  //   0 magic "PINEVMS\0"
      0x01, 0x00, 0x00, 0x00,                          //   8 format_version 1
      0x01, 0x00, 0x00, 0x00,                          //  12 min_reader_version 1
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80,  //  16 flags bit 63
      0x03, 0x02, 0x01, 0x00,                          //  24 engine 1.2.3
      0x00, 0x00, 0x00, 0x00,                          //  28 reserved
      0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,  //  32 program_hash
      0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F,  //
      0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,  //  48 config_hash
      0xE8, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //  56 bars_processed 1000
      0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  //  64 last_bar_time -2
      0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //  72 compressed 258
      0x05, 0x04, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00,  //  80 uncompressed 0x030405
      0x18, 0x07, 0xF6, 0xE5, 0xD4, 0xC3, 0xB2, 0xA1,  //  88 payload_hash
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,              //  96 reserved (24 bytes)
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,              //
  };
  REQUIRE(golden.size() == offset::kHeaderHash);
  const auto encoded = encode_header(h);
  CHECK(Bytes(encoded.begin(), encoded.begin() + offset::kHeaderHash) == golden);
  // The header hash is XXH3-64 of the 120 bytes above, little-endian.
  const std::uint64_t hash = xxh3_64(golden);
  for (std::size_t i = 0; i < 8; ++i) {
    CHECK(encoded[offset::kHeaderHash + i] == static_cast<std::uint8_t>(hash >> (8 * i)));
  }

  // And the reader decodes it back to the same fields (with the real hash).
  Bytes file(encoded.begin(), encoded.end());
  file.resize(kHeaderSize + 258);
  SnapshotHeader expected = h;
  expected.header_hash = hash;
  CHECK(read_header(file) == expected);
}

TEST_CASE("seal and open round trip payloads of many sizes") {
  const std::size_t sizes[] = {0, 1, 2, 7, 100, 255, 256, 257, 4096, 4097, 131072 + 1, std::size_t{1} << 20};
  std::uint64_t seed = 1;
  for (std::size_t size : sizes) {
    for (bool compressible : {false, true}) {
      CAPTURE(size);
      CAPTURE(compressible);
      Bytes payload = random_bytes(size, seed++);
      if (compressible) {
        for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<std::uint8_t>((i / 64) % 7);
      }
      const SnapshotHeader fields = sample_fields();
      const Bytes bytes = seal_snapshot(fields, payload);
      CHECK(bytes == seal_snapshot(fields, payload));  // deterministic

      const OpenedSnapshot opened = open_snapshot(bytes);
      CHECK(opened.payload == payload);
      const SnapshotHeader& h = opened.header;
      CHECK(h == read_header(bytes));
      CHECK(h.format_version == kFormatVersion);
      CHECK(h.min_reader_version == kMinReaderVersion);
      CHECK(h.engine_version == fields.engine_version);
      CHECK(h.program_hash == fields.program_hash);
      CHECK(h.config_hash == fields.config_hash);
      CHECK(h.bars_processed == fields.bars_processed);
      CHECK(h.last_bar_time == fields.last_bar_time);
      CHECK(h.payload_uncompressed_size == size);
      CHECK(h.payload_compressed_size == bytes.size() - kHeaderSize);
      CHECK(h.payload_hash == xxh3_64(std::span<const std::uint8_t>(bytes).subspan(kHeaderSize)));
      CHECK(std::equal(kMagic.begin(), kMagic.end(), bytes.begin()));
      if (compressible && size > kStoredPayloadMaxSize) CHECK(h.payload_compressed_size * 10 < size);
      // Up to kStoredPayloadMaxSize the frame is stored (RFC 8878): 4-byte
      // magic, a descriptor byte, a 1-byte (size < 256) or 2-byte content
      // size, a 3-byte raw block header, then the payload itself.
      if (size <= kStoredPayloadMaxSize) {
        CHECK(h.payload_compressed_size == size + (size < 256 ? 9u : 10u));
        CHECK(std::equal(payload.begin(), payload.end(), bytes.end() - static_cast<std::ptrdiff_t>(size)));
      }
    }
  }
}

TEST_CASE("seal_snapshot keeps optional flags and validates its arguments") {
  SnapshotHeader fields = sample_fields();
  fields.flags = 0x0000000500000000ull;
  const Bytes payload = random_bytes(64, 7);
  CHECK(read_header(seal_snapshot(fields, payload)).flags == fields.flags);
  CHECK(open_snapshot(seal_snapshot(fields, payload, 19)).payload == payload);
  CHECK(open_snapshot(seal_snapshot(fields, payload, -5)).payload == payload);
  CHECK_THROWS_AS(seal_snapshot(fields, payload, 1000), std::invalid_argument);
  fields.flags = 1;  // a required flag no reader knows
  CHECK_THROWS_AS(seal_snapshot(fields, payload), std::invalid_argument);
}

TEST_CASE("truncation at every header length and at random payload lengths is Truncated") {
  const Bytes bytes = seal_snapshot(sample_fields(), random_bytes(10000, 3));
  for (std::size_t n = 0; n < kHeaderSize; ++n) {
    CAPTURE(n);
    const Bytes cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    CHECK(outcome([&] { read_header(cut); }) == "truncated");
    CHECK(outcome([&] { open_snapshot(cut); }) == "truncated");
  }
  std::mt19937_64 rng(11);
  std::vector<std::size_t> lengths = {kHeaderSize, kHeaderSize + 1, bytes.size() - 1};
  for (int i = 0; i < 200; ++i) lengths.push_back(kHeaderSize + rng() % (bytes.size() - kHeaderSize));
  for (std::size_t n : lengths) {
    CAPTURE(n);
    const Bytes cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    CHECK(outcome([&] { open_snapshot(cut); }) == "truncated");
  }
  CHECK(message_of([&] { read_header(Bytes(bytes.begin(), bytes.begin() + 37)); }) ==
        "snapshot is truncated: 37 bytes, the header alone needs 128; the write was interrupted or the copy is "
        "incomplete");

  Bytes longer = bytes;
  longer.push_back(0);
  CHECK(outcome([&] { open_snapshot(longer); }) == "corrupt");
}

TEST_CASE("every single-bit flip in the header is rejected") {
  const Bytes bytes = seal_snapshot(sample_fields(), random_bytes(500, 4));
  for (std::size_t bit = 0; bit < kHeaderSize * 8; ++bit) {
    CAPTURE(bit);
    Bytes bad = bytes;
    bad[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    const std::string kind = outcome([&] { open_snapshot(bad); });
    CHECK(kind == (bit < 64 ? "bad_magic" : "header_checksum"));
  }
}

TEST_CASE("payload corruption is PayloadChecksum") {
  const Bytes bytes = seal_snapshot(sample_fields(), random_bytes(3000, 5));
  std::mt19937_64 rng(12);
  for (int i = 0; i < 300; ++i) {
    Bytes bad = bytes;
    const std::size_t at = kHeaderSize + rng() % (bytes.size() - kHeaderSize);
    bad[at] ^= static_cast<std::uint8_t>(1 + rng() % 255);
    CAPTURE(at);
    CHECK(outcome([&] { read_header(bad); }) == "success");  // the header alone is fine
    CHECK(outcome([&] { open_snapshot(bad); }) == "payload_checksum");
  }
}

TEST_CASE("wrong magic is BadMagic, even for short files") {
  Bytes bytes = seal_snapshot(sample_fields(), random_bytes(50, 6));
  bytes[0] = 'Q';
  CHECK(outcome([&] { open_snapshot(bytes); }) == "bad_magic");
  CHECK(outcome([&] { read_header(ascii("time,open,high,low,close\n")); }) == "bad_magic");
  CHECK(outcome([&] { read_header(ascii("PK")); }) == "bad_magic");
  CHECK(outcome([&] { read_header(ascii("PINE")); }) == "truncated");  // a prefix of the magic
  CHECK(outcome([&] { read_header(Bytes{}); }) == "truncated");
  CHECK(message_of([&] { read_header(ascii("PK")); }).find("not a pinevm snapshot") != std::string::npos);
}

TEST_CASE("newer or invalid versions with a valid header checksum") {
  const Bytes bytes = seal_snapshot(sample_fields(), random_bytes(50, 8));
  auto with_versions = [&](std::uint32_t format, std::uint32_t min_reader) {
    Bytes b = bytes;
    put_le(b, offset::kFormatVersion, format, 4);
    put_le(b, offset::kMinReaderVersion, min_reader, 4);
    restamp(b);
    return b;
  };
  CHECK(outcome([&] { open_snapshot(with_versions(7, 1)); }) == "unsupported_version");
  CHECK(message_of([&] { read_header(with_versions(7, 1)); }) ==
        "snapshot format version 7 is newer than this build supports (1): upgrade pinevm or replay history");
  CHECK(outcome([&] { open_snapshot(with_versions(2, 2)); }) == "unsupported_version");
  CHECK(outcome([&] { open_snapshot(with_versions(0xFFFFFFFFu, 1)); }) == "unsupported_version");
  // A current format that claims to need a newer reader is still refused.
  CHECK(outcome([&] { open_snapshot(with_versions(1, 2)); }) == "unsupported_version");
  // Values no writer produces.
  CHECK(outcome([&] { open_snapshot(with_versions(0, 0)); }) == "corrupt");
  CHECK(outcome([&] { open_snapshot(with_versions(1, 0)); }) == "corrupt");
  CHECK(outcome([&] { open_snapshot(with_versions(1, 1)); }) == "success");
}

TEST_CASE("unknown required flags are refused, optional flags ignored") {
  const Bytes bytes = seal_snapshot(sample_fields(), random_bytes(50, 9));
  for (int bit = 0; bit < 64; ++bit) {
    CAPTURE(bit);
    Bytes b = bytes;
    put_le(b, offset::kFlags, std::uint64_t{1} << bit, 8);
    restamp(b);
    CHECK(outcome([&] { open_snapshot(b); }) == (bit < 32 ? "unknown_flags" : "success"));
  }
}

TEST_CASE("nonzero reserved bytes are refused") {
  const Bytes bytes = seal_snapshot(sample_fields(), random_bytes(50, 10));
  std::vector<std::size_t> reserved;
  for (std::size_t i = offset::kReserved0; i < offset::kProgramHash; ++i) reserved.push_back(i);
  for (std::size_t i = offset::kReserved1; i < offset::kHeaderHash; ++i) reserved.push_back(i);
  CHECK(reserved.size() == 28);
  for (std::size_t at : reserved) {
    CAPTURE(at);
    Bytes b = bytes;
    b[at] = 0x01;
    restamp(b);
    CHECK(outcome([&] { open_snapshot(b); }) == "reserved_not_zero");
  }
}

TEST_CASE("absurd sizes with valid checksums are SizeLimit before any allocation") {
  const Bytes bytes = seal_snapshot(sample_fields(), random_bytes(50, 13));
  auto with_uncompressed = [&](std::uint64_t size) {
    Bytes b = bytes;
    put_le(b, offset::kUncompressedSize, size, 8);
    restamp(b);
    return b;
  };
  CHECK(outcome([&] { open_snapshot(with_uncompressed(std::numeric_limits<std::uint64_t>::max())); }) == "size_limit");
  CHECK(outcome([&] { open_snapshot(with_uncompressed(std::uint64_t{1} << 40)); }) == "size_limit");
  CHECK(outcome([&] { open_snapshot(with_uncompressed(kMaxUncompressedSize + 1)); }) == "size_limit");
  // Under 1 GiB but far beyond 1024:1 for a ~60-byte frame.
  CHECK(outcome([&] { open_snapshot(with_uncompressed(kRatioFreeSize + 1)); }) == "size_limit");
  // Exactly the ratio-free allowance passes the header checks; the frame then disagrees.
  CHECK(outcome([&] { read_header(with_uncompressed(kRatioFreeSize)); }) == "success");
  CHECK(outcome([&] { open_snapshot(with_uncompressed(kRatioFreeSize)); }) == "decompress");

  // A huge declared compressed size is simply more than the file holds.
  Bytes b = bytes;
  put_le(b, offset::kCompressedSize, std::numeric_limits<std::uint64_t>::max(), 8);
  restamp(b);
  CHECK(outcome([&] { open_snapshot(b); }) == "truncated");
  // More compressed bytes than zstd could ever produce for the declared size.
  const Bytes padded = assemble(Bytes(200, 0), 1);
  CHECK(outcome([&] { read_header(padded); }) == "corrupt");
}

TEST_CASE("the writer refuses what the reader would refuse") {
  // 100 MiB of zeros compresses ~30,000:1, beyond the 1024:1 accepted above 64 MiB.
  const Bytes zeros(std::size_t{100} << 20, 0);
  CHECK(outcome([&] { seal_snapshot(sample_fields(), zeros); }) == "size_limit");
  // Within the ratio-free allowance any ratio is fine.
  const Bytes small_zeros(std::size_t{8} << 20, 0);
  CHECK(open_snapshot(seal_snapshot(sample_fields(), small_zeros)).payload == small_zeros);
}

TEST_CASE("frames that do not decompress to exactly the declared size are Decompress") {
  const Bytes payload = random_bytes(100, 14);
  const Bytes bytes = seal_snapshot(sample_fields(), payload);
  for (std::uint64_t size : {std::uint64_t{99}, std::uint64_t{101}, std::uint64_t{5000}}) {
    CAPTURE(size);
    Bytes b = bytes;
    put_le(b, offset::kUncompressedSize, size, 8);
    restamp(b);
    CHECK(outcome([&] { open_snapshot(b); }) == "decompress");
  }

  const Bytes data = random_bytes(40, 15);
  // The hand-made frames are valid zstd: a correct one opens.
  CHECK(open_snapshot(assemble(frame_with_size(40, data), 40)).payload == data);
  // Content size declared as 41 (matching the header) but only 40 bytes inside.
  CHECK(outcome([&] { open_snapshot(assemble(frame_with_size(41, data), 41)); }) == "decompress");
  // A frame that does not declare its content size.
  CHECK(outcome([&] { open_snapshot(assemble(frame_without_size(data), 40)); }) == "decompress");
  // Two frames back to back.
  Bytes two = frame_with_size(40, data);
  const Bytes second = frame_with_size(0, {});
  two.insert(two.end(), second.begin(), second.end());
  CHECK(outcome([&] { open_snapshot(assemble(two, 40)); }) == "decompress");
  // A skippable frame (magic 0x184D2A50, 4-byte length, no content).
  CHECK(outcome([&] { open_snapshot(assemble({0x50, 0x2A, 0x4D, 0x18, 0, 0, 0, 0}, 0)); }) == "decompress");
  // Not zstd at all.
  CHECK(outcome([&] { open_snapshot(assemble(random_bytes(30, 16), 30)); }) == "decompress");
  CHECK(outcome([&] { open_snapshot(assemble({}, 0)); }) == "decompress");
  // A raw block longer than the frame holds.
  Bytes cut = frame_with_size(40, data);
  cut.resize(cut.size() - 1);
  CHECK(outcome([&] { open_snapshot(assemble(cut, 40)); }) == "decompress");
}

TEST_CASE("atomic write then read back; overwrite; no temporary files left") {
  TempDir dir;
  const std::string path = (dir.path / "state.bin").string();
  const Bytes first = seal_snapshot(sample_fields(), random_bytes(5000, 17));
  write_file_atomic(path, first);
  CHECK(read_file(path) == first);
  CHECK(open_snapshot(read_file(path)).payload == random_bytes(5000, 17));

  const Bytes second = seal_snapshot(sample_fields(), random_bytes(10, 18));
  write_file_atomic(path, second);
  CHECK(read_file(path) == second);
  write_file_atomic(path, {});
  CHECK(read_file(path).empty());
  CHECK(dir.entries() == std::vector<std::string>{"state.bin"});

  // A bare file name goes to the current directory.
  const auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir.path);
  write_file_atomic("bare.bin", second);
  std::filesystem::current_path(cwd);
  CHECK(read_file((dir.path / "bare.bin").string()) == second);
}

TEST_CASE("file IO failures are Io naming the path; huge files are SizeLimit") {
  TempDir dir;
  const std::string missing_dir = (dir.path / "no-such-dir" / "state.bin").string();
  CHECK(outcome([&] { write_file_atomic(missing_dir, Bytes{1, 2, 3}); }) == "io");
  const std::string msg = message_of([&] { write_file_atomic(missing_dir, Bytes{1, 2, 3}); });
  CHECK(msg.find(missing_dir) != std::string::npos);
  CHECK(msg.find("No such file or directory") != std::string::npos);

  // Renaming over a directory fails after the temporary file was written: it must be removed.
  std::filesystem::create_directory(dir.path / "taken");
  CHECK(outcome([&] { write_file_atomic((dir.path / "taken").string(), Bytes{1}); }) == "io");
  CHECK(dir.entries() == std::vector<std::string>{"taken"});

  CHECK(outcome([&] { read_file((dir.path / "absent.bin").string()); }) == "io");
  CHECK(message_of([&] { read_file((dir.path / "absent.bin").string()); }).find("absent.bin") != std::string::npos);
  CHECK(outcome([&] { read_file(dir.path.string()); }) == "io");

  // A sparse file just over the cap costs no disk space and must not be read.
  const std::string huge = (dir.path / "huge.bin").string();
  const int fd = ::open(huge.c_str(), O_WRONLY | O_CREAT, 0600);
  REQUIRE(fd >= 0);
  const bool sized = ::ftruncate(fd, static_cast<off_t>(kMaxFileSize + 1)) == 0;
  ::close(fd);
  if (sized) CHECK(outcome([&] { read_file(huge); }) == "size_limit");
}

TEST_CASE("describe_header text and JSON") {
  SnapshotHeader h;
  h.format_version = 1;
  h.min_reader_version = 1;
  h.engine_version = pack_engine_version(2, 10, 7);
  for (std::uint8_t i = 0; i < 16; ++i) h.program_hash[i] = static_cast<std::uint8_t>(0xF0 + i);
  h.config_hash = 0xABCDEF;
  h.bars_processed = 42;
  h.last_bar_time = 1'700'000'000'123;
  h.payload_compressed_size = 400;
  h.payload_uncompressed_size = 1000;
  h.payload_hash = 1;
  h.header_hash = 0x10;

  CHECK(describe_header(h, true) ==
        "{\"format_version\":1,\"min_reader_version\":1,\"flags\":\"0x0000000000000000\",\"engine_version\":\"2.10.7\","
        "\"program_hash\":\"f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff\",\"config_hash\":\"0000000000abcdef\","
        "\"bars_processed\":42,\"last_bar_time\":1700000000123,\"last_bar_time_iso\":\"2023-11-14T22:13:20.123Z\","
        "\"payload_compressed_size\":400,\"payload_uncompressed_size\":1000,\"compression_ratio\":2.500,"
        "\"payload_hash\":\"0000000000000001\",\"header_hash\":\"0000000000000010\"}");

  const std::string text = describe_header(h, false);
  CHECK(text.find("engine version:      2.10.7\n") != std::string::npos);
  CHECK(text.find("program hash:        f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff\n") != std::string::npos);
  CHECK(text.find("last bar time:       1700000000123 ms (2023-11-14T22:13:20.123Z)\n") != std::string::npos);
  CHECK(text.find("compression ratio:   2.500\n") != std::string::npos);
  CHECK(text.find("bars processed:      42\n") != std::string::npos);
  CHECK(std::count(text.begin(), text.end(), '\n') == 12);

  // ISO-8601 across the epoch, a leap day and the int64 extremes.
  const std::pair<std::int64_t, const char*> times[] = {
      {0, "1970-01-01T00:00:00.000Z"},
      {-1, "1969-12-31T23:59:59.999Z"},
      {951'782'400'000, "2000-02-29T00:00:00.000Z"},
      {std::numeric_limits<std::int64_t>::max(), "+292278994-08-17T07:12:55.807Z"},
      {std::numeric_limits<std::int64_t>::min(), "-292275055-05-16T16:47:04.192Z"},
  };
  for (const auto& t : times) {
    CAPTURE(t.first);
    h.last_bar_time = t.first;
    CHECK(describe_header(h, true).find(std::string("\"last_bar_time_iso\":\"") + t.second + "\"") !=
          std::string::npos);
  }
  h.payload_compressed_size = 0;
  CHECK(describe_header(h, true).find("\"compression_ratio\":null") != std::string::npos);
  CHECK(describe_header(h, false).find("compression ratio:   n/a\n") != std::string::npos);
}
