// Log and alert writers. See log_writer.h for the formats.
#include "log_writer.h"

#include "json_text.h"
#include "output_writer.h"

namespace pine::cli {

/// Uppercase label of a level for stderr lines.
const char* log_level_label(LogLevel level) {
  switch (level) {
    case LogLevel::Info: return "INFO";
    case LogLevel::Warning: return "WARNING";
    case LogLevel::Error: return "ERROR";
    case LogLevel::Alert: return "ALERT";
  }
  return "UNKNOWN";
}

/// Formats one record into the line buffer and writes it.
void LogWriter::write(const LogRecord& record) {
  line_.clear();
  if (format_ == LogFormat::Json) {
    line_ += "{\"time\":";
    line_ += std::to_string(record.time);
    line_ += ",\"bar_index\":";
    line_ += std::to_string(record.bar_index);
    line_ += ",\"level\":\"";
    line_ += log_level_name(record.level);
    line_ += "\",\"message\":";
    append_json_string(line_, record.message);
    line_ += "}\n";
  } else {
    line_ += log_level_label(record.level);
    line_ += ": ";
    line_ += record.message;
    line_.push_back('\n');
  }
  out_.write(line_.data(), static_cast<std::streamsize>(line_.size()));
  ++count_;
}

/// Writes every record of `records` in order.
void LogWriter::write_all(std::span<const LogRecord> records) {
  for (const LogRecord& r : records) write(r);
}

} // namespace pine::cli
