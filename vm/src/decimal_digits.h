// Reading fixed-width decimal fields (dates, times, UTC offsets), shared by
// the calendar's date strings and the time zone parser.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace pine {

/// Reads an unsigned decimal of `min_digits`..`max_digits` ASCII digits at
/// `pos` and advances past it; nullopt (pos unchanged) when fewer are there.
inline std::optional<std::int64_t> read_digits(std::string_view s, std::size_t& pos, std::size_t min_digits,
                                               std::size_t max_digits) {
  std::size_t n = 0;
  std::int64_t v = 0;
  while (pos + n < s.size() && n < max_digits && s[pos + n] >= '0' && s[pos + n] <= '9') {
    v = v * 10 + (s[pos + n] - '0');
    ++n;
  }
  if (n < min_digits) return std::nullopt;
  pos += n;
  return v;
}

} // namespace pine
