// What both snapshot stores share: key validation and the spec parser of
// open_store(). The backends are in file_store.cpp and sqlite_store.cpp.
#include "pine/snapshot/store.h"

#include <optional>
#include <stdexcept>
#include <string>

namespace pine {

namespace {

/// The prefix of open_store() specs that select the SQLite backend.
constexpr std::string_view kSqlitePrefix = "sqlite:";

/// A key for an error message: quoted, cut to a readable length, since a bad
/// key may be huge or hold a NUL.
std::string quoted_key(std::string_view key) {
  // 40 bytes identify a key in a message without flooding the log with a
  // multi-kilobyte one; NUL is shown as \0 so the message stays one C string.
  constexpr std::size_t kShown = 40;
  std::string out = "'";
  for (std::size_t i = 0; i < key.size() && i < kShown; ++i) {
    out += key[i] == '\0' ? std::string("\\0") : std::string(1, key[i]);
  }
  out += key.size() > kShown ? "...'" : "'";
  return out;
}

} // namespace

// The rules are the ones the file store needs (a key becomes part of a file
// name); the SQLite store applies them too so keys are portable between the
// two backends.
void validate_key(std::string_view key) {
  if (key.empty()) throw std::invalid_argument("snapshot store key is empty: give each instance a non-empty name");
  if (key.size() > kMaxKeyLength) {
    throw std::invalid_argument("snapshot store key " + quoted_key(key) + " is " + std::to_string(key.size()) +
                                " bytes long; the limit is " + std::to_string(kMaxKeyLength) +
                                " (it becomes part of a file name)");
  }
  if (key.find('/') != std::string_view::npos) {
    throw std::invalid_argument("snapshot store key " + quoted_key(key) +
                                " contains '/': a key is a file name, not a path");
  }
  if (key.find('\0') != std::string_view::npos) {
    throw std::invalid_argument("snapshot store key " + quoted_key(key) + " contains a NUL byte");
  }
}

// A spec that starts like a URI scheme ("<letter><letters, digits, + - .>:"
// before any '/') names a backend; only "sqlite:" exists, so any other
// scheme (sqlite3:, SQLITE:, redis://...) is refused rather than silently
// becoming a directory of that name. A directory whose name has a ':' before
// any '/' is written "./name:x"; "data/run:1" is a directory as it stands.
std::unique_ptr<SnapshotStore> open_store(std::string_view spec, std::size_t keep) {
  validate_store_spec(spec);
  if (spec.starts_with(kSqlitePrefix)) return open_sqlite_store(std::filesystem::path(spec.substr(kSqlitePrefix.size())), keep);
  return open_file_store(std::filesystem::path(spec), keep);
}

// Split from open_store so a caller can refuse a bad spec before doing any
// work, and open (create) the store only when it is needed.
void validate_store_spec(std::string_view spec) {
  if (spec.empty()) throw std::invalid_argument("snapshot store spec is empty: give a directory or sqlite:PATH");
  if (spec.starts_with(kSqlitePrefix)) {
    if (spec.size() == kSqlitePrefix.size()) {
      throw std::invalid_argument("snapshot store spec 'sqlite:' has no database path: use sqlite:PATH");
    }
    return;
  }
  if (const std::optional<std::string_view> scheme = store_spec_scheme(spec)) {
    throw std::invalid_argument("unknown snapshot store scheme '" + std::string(*scheme) +
                                ":' in '" + std::string(spec) +
                                "': the stores are sqlite:PATH (lowercase) and a directory; write ./" +
                                std::string(spec) + " for a directory whose name holds a ':'");
  }
}

// RFC 3986 scheme syntax: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":".
std::optional<std::string_view> store_spec_scheme(std::string_view spec) {
  const std::size_t colon = spec.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  const auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!alpha(spec[0])) return std::nullopt;
  for (std::size_t i = 1; i < colon; ++i) {
    const char c = spec[i];
    if (!alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') return std::nullopt;
  }
  return spec.substr(0, colon);
}

} // namespace pine
