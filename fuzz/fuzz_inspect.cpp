// libFuzzer target: the `pinevm inspect` path, snapshot::read_header() and
// snapshot::describe_header() in text and JSON (cli/src/app.cpp does exactly
// this on a file's bytes).
//
// Each input is read twice: as it is, and with the header hash at bytes
// 120..127 re-stamped, so that mutated versions, flags, reserved bytes and
// sizes get past the checksum and reach the checks behind it and the
// description of arbitrary field values.
//
// Invariants checked beyond "no crash": rejection is a SnapshotError; an
// accepted header re-encodes to exactly the bytes it was read from; the text
// description is one "name: value" line per field, each ending in '\n'; the
// JSON description is one line holding no control character and starting
// and ending like an object.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "pine/snapshot/envelope.h"

namespace {

/// Lines in describe_header()'s text form: one per field it lists, whatever
/// the values (taken from a default header, so a new field needs no edit here).
std::size_t text_lines() {
  static const std::size_t lines = [] {
    const std::string text = pine::snapshot::describe_header(pine::snapshot::SnapshotHeader{}, false);
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  }();
  return lines;
}

/// Stops the fuzzer with `what` when `ok` is false (an abort is a crash).
void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_inspect invariant violated: %s\n", what);
    std::abort();
  }
}

/// read_header() then both descriptions, checking the invariants above.
void inspect(std::span<const std::uint8_t> bytes) {
  pine::snapshot::SnapshotHeader h;
  try {
    h = pine::snapshot::read_header(bytes);
  } catch (const pine::SnapshotError&) {
    return;  // rejected with a typed error, like `pinevm inspect` reports it
  }
  const auto encoded = pine::snapshot::encode_header(h);
  check(std::equal(encoded.begin(), encoded.end(), bytes.begin()), "an accepted header does not re-encode to its bytes");

  const std::string text = pine::snapshot::describe_header(h, false);
  check(!text.empty() && text.back() == '\n', "text description does not end with a newline");
  check(static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) == text_lines(),
        "text description does not have one line per field");

  const std::string json = pine::snapshot::describe_header(h, true);
  check(json.size() > 2 && json.front() == '{' && json.back() == '}', "JSON description is not one object");
  check(std::none_of(json.begin(), json.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }),
        "JSON description holds a control character");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  inspect(input);
  if (size >= pine::snapshot::kHeaderSize) {
    namespace off = pine::snapshot::offset;
    std::vector<std::uint8_t> b(input.begin(), input.end());
    const std::uint64_t hash = pine::snapshot::xxh3_64(std::span<const std::uint8_t>(b.data(), off::kHeaderHash));
    for (std::size_t i = 0; i < 8; ++i) b[off::kHeaderHash + i] = static_cast<std::uint8_t>(hash >> (8 * i));
    inspect(b);
  }
  return 0;
}
