// Time zones as Pine names them: fixed UTC offsets ("UTC+3", "GMT-05:30",
// "Etc/GMT+5") and IANA regions with daylight saving time
// ("America/New_York", "Europe/Paris").
//
// Regions are read from the system's time zone database (Debian's tzdata,
// through Howard Hinnant's date library), never from hand-kept rules. Two
// machines agree on every result as long as their tzdata agree; historical
// offsets rarely change between tzdata releases, future ones may (a country
// that changes its rules), which is why docs/semantics.md names the
// dependency.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace date {
class time_zone;
}

namespace pine {

/// What time zone strings look like, for error messages.
inline constexpr const char* kTimeZoneHelp =
    "supported time zones are IANA names such as \"America/New_York\" or \"Europe/London\", \"UTC\", \"GMT\", "
    "fixed UTC offsets such as \"UTC+3\", \"GMT-5\", \"UTC+05:30\" or \"GMT+0100\", and \"Etc/GMT+N\"";

/// A time zone: a fixed offset from UTC or an IANA region. Cheap to copy
/// (a pointer into the process-wide database or an offset); the last
/// offset looked up is cached, so stepping through bars in time order asks
/// the database once per offset change.
class TimeZone {
 public:
  /// UTC.
  TimeZone() = default;

  /// A fixed offset from UTC, in milliseconds (east positive).
  static TimeZone fixed(std::int64_t offset_ms);

  /// The zone a time zone string names (see kTimeZoneHelp), or nullopt.
  /// Names are case-sensitive, as in the IANA database; "Etc/GMT+5" is five
  /// hours BEHIND UTC, the POSIX sign convention those names keep.
  static std::optional<TimeZone> parse(std::string_view name);

  /// The offset from UTC in milliseconds at UNIX time `utc_ms`.
  std::int64_t offset_at(std::int64_t utc_ms) const;

  /// The UNIX time of wall-clock time `local_ms` (milliseconds since
  /// 1970-01-01 00:00 local). A wall time the clocks skip (spring forward)
  /// moves later by the length of the skip; one they repeat (fall back)
  /// takes the earlier of its two instants: java.time's rule, which
  /// docs/semantics.md records as pinevm's choice.
  std::int64_t to_utc(std::int64_t local_ms) const;

 private:
  const date::time_zone* region_ = nullptr; ///< null for a fixed offset
  std::int64_t fixed_ms_ = 0;
  // The offset last found for a region and the UTC range [begin, end) in
  // which it holds.
  mutable std::int64_t cached_begin_ = 0;
  mutable std::int64_t cached_end_ = 0;
  mutable std::int64_t cached_offset_ = 0;
};

} // namespace pine
