// Log and alert output of `pinevm run` (README.md, "CLI reference").
//
// JSON mode (`--log FILE`, `-` for stdout): one object per line, keys in this
// order: {"time":<epoch ms>,"bar_index":<int>,"level":"info|warning|error|alert","message":"..."}
// The message is JSON-escaped as in the plot writer (control characters
// escaped, invalid UTF-8 replaced by U+FFFD).
// Text mode (no `--log`, writing to stderr): `INFO: message`, `WARNING: ...`,
// `ERROR: ...`, `ALERT: ...`, one record per write, the message verbatim (a
// message holding line breaks spans several lines).
#pragma once

#include <cstddef>
#include <ostream>
#include <span>
#include <string>

#include "pine/vm/outputs.h"

namespace pine::cli {

enum class LogFormat { Json, Text };

/// Writes LogRecords to one stream in one format.
class LogWriter {
 public:
  /// `out` must outlive the writer.
  LogWriter(std::ostream& out, LogFormat format) : out_(out), format_(format) {}

  /// Writes one record (one line in JSON mode).
  void write(const LogRecord& record);

  /// Writes records in order.
  void write_all(std::span<const LogRecord> records);

  /// Number of records written so far.
  std::size_t count() const { return count_; }

 private:
  std::ostream& out_;
  LogFormat format_;
  std::size_t count_ = 0;
  std::string line_; ///< reused line buffer
};

/// "INFO", "WARNING", "ERROR" or "ALERT": the text-mode prefix of a level.
const char* log_level_label(LogLevel level);

} // namespace pine::cli
