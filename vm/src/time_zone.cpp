// Time zones (see pine/vm/time_zone.h): the fixed-offset forms are parsed
// here, regions are looked up in the system database by the date library.
#include "pine/vm/time_zone.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <exception>

#include <date/tz.h>

#include "decimal_digits.h"
#include "pine/vm/calendar.h"

namespace pine {

namespace {

constexpr std::int64_t kMsPerMinute = 60'000;
constexpr std::int64_t kMsPerHour = 3'600'000;

/// The span of time regions are looked up in: 1800-01-01 to 2400-01-01 UTC.
/// The date library counts years in a 16-bit field, so a time near the
/// calendar's limits (about 273,790 years out) must never reach it; the
/// offset in force at the nearer end holds beyond (before 1800 every region
/// is on local mean time, after 2400 the last rule repeats).
constexpr std::int64_t kLookupMinMs = days_from_civil(1800, 1, 1) * kMsPerDay;
constexpr std::int64_t kLookupMaxMs = days_from_civil(2400, 1, 1) * kMsPerDay;

/// `ms` clamped to the lookup span.
std::int64_t clamp_to_lookup(std::int64_t ms) {
  return ms < kLookupMinMs ? kLookupMinMs : (ms > kLookupMaxMs ? kLookupMaxMs : ms);
}

/// A time point of the date library in milliseconds, saturated to the
/// lookup span (its sys_info ranges end at the largest representable time).
template <class TimePoint>
std::int64_t saturated_ms(TimePoint t, std::int64_t beyond) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  if (seconds >= kLookupMaxMs / 1000) return beyond > 0 ? INT64_MAX : kLookupMaxMs;
  if (seconds <= kLookupMinMs / 1000) return beyond < 0 ? INT64_MIN : kLookupMinMs;
  return seconds * 1000;
}

/// "+3", "-05:30", "+0100", "+530": a signed offset in milliseconds (hours
/// up to 23, minutes up to 59) that must fill the whole of `s`.
std::optional<std::int64_t> parse_signed_offset(std::string_view s) {
  if (s.empty() || (s[0] != '+' && s[0] != '-')) return std::nullopt;
  const std::int64_t sign = s[0] == '-' ? -1 : 1;
  std::size_t pos = 1;
  std::int64_t hours = 0, minutes = 0;
  const std::size_t colon = s.find(':');
  if (colon != std::string_view::npos) {
    auto h = read_digits(s, pos, 1, 2);
    if (!h || pos != colon) return std::nullopt;
    ++pos;
    auto m = read_digits(s, pos, 2, 2);
    if (!m) return std::nullopt;
    hours = *h;
    minutes = *m;
  } else {
    auto digits = read_digits(s, pos, 1, 4);
    if (!digits) return std::nullopt;
    const std::size_t n = pos - 1;
    hours = n <= 2 ? *digits : *digits / 100;
    minutes = n <= 2 ? 0 : *digits % 100;
  }
  if (pos != s.size() || hours > 23 || minutes > 59) return std::nullopt;
  return sign * (hours * kMsPerHour + minutes * kMsPerMinute);
}

/// The fixed offset a name gives without the database, or nullopt: the
/// names of UTC itself, "Etc/GMT+N", "UTC+3"/"GMT-05:30" and bare "+02:00".
std::optional<std::int64_t> parse_fixed_offset(std::string_view zone) {
  static constexpr std::array<const char*, 12> utc_names = {"UTC",     "GMT",           "Etc/UTC",  "Etc/GMT",
                                                            "Etc/UCT", "Etc/Universal", "Etc/Zulu", "Etc/Greenwich",
                                                            "UCT",     "Universal",     "Zulu",     "Greenwich"};
  for (const char* name : utc_names)
    if (zone == name) return 0;
  if (zone.starts_with("Etc/GMT")) {
    // Etc/GMT+5 is five hours BEHIND UTC (POSIX sign); whole hours only.
    const std::string_view rest = zone.substr(7);
    if (rest.size() < 2 || rest.size() > 3 || (rest[0] != '+' && rest[0] != '-')) return std::nullopt;
    std::size_t pos = 1;
    auto h = read_digits(rest, pos, 1, 2);
    if (!h || pos != rest.size() || *h > 14) return std::nullopt;
    return (rest[0] == '+' ? -1 : 1) * *h * kMsPerHour;
  }
  if (zone.starts_with("UTC") || zone.starts_with("GMT")) {
    const std::string_view rest = zone.substr(3);
    if (rest == "0") return 0;
    return parse_signed_offset(rest);
  }
  return parse_signed_offset(zone);
}

/// True for a name the database may hold: "Area/Location" made of letters,
/// digits, '_', '-', '+' and '/', as IANA names are. Anything else is never
/// looked up, so hostile text (a snapshot's, a script's) never reaches the
/// file system the database reads.
bool looks_like_region(std::string_view zone) {
  if (zone.empty() || zone.size() > 64 || zone.find('/') == std::string_view::npos) return false;
  if (zone.front() == '/' || zone.back() == '/' || zone.find("..") != std::string_view::npos) return false;
  for (char c : zone) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '-' || c == '+' || c == '/';
    if (!ok) return false;
  }
  return true;
}

} // namespace

TimeZone TimeZone::fixed(std::int64_t offset_ms) {
  TimeZone tz;
  tz.fixed_ms_ = offset_ms;
  return tz;
}

std::optional<TimeZone> TimeZone::parse(std::string_view name) {
  if (const std::optional<std::int64_t> offset = parse_fixed_offset(name)) return fixed(*offset);
  if (!looks_like_region(name)) return std::nullopt;
  try {
    TimeZone tz;
    tz.region_ = date::locate_zone(name);
    return tz;
  } catch (const std::exception&) {
    // locate_zone reports an unknown name (or a missing database) by throwing.
    return std::nullopt;
  }
}

std::int64_t TimeZone::offset_at(std::int64_t utc_ms) const {
  if (region_ == nullptr) return fixed_ms_;
  if (cached_begin_ <= utc_ms && utc_ms < cached_end_) return cached_offset_;
  using std::chrono::milliseconds;
  const date::sys_info info =
      region_->get_info(date::sys_time<milliseconds>(milliseconds(clamp_to_lookup(utc_ms))));
  // A range that reaches an end of the lookup span holds beyond it too.
  cached_begin_ = saturated_ms(info.begin, -1);
  cached_end_ = saturated_ms(info.end, +1);
  cached_offset_ = std::chrono::duration_cast<milliseconds>(info.offset).count();
  return cached_offset_;
}

std::int64_t TimeZone::to_utc(std::int64_t local_ms) const {
  if (region_ == nullptr) return local_ms - fixed_ms_;
  using std::chrono::milliseconds;
  const auto local = date::local_time<milliseconds>(milliseconds(clamp_to_lookup(local_ms)));
  // For a unique wall time `first` is its offset; for a skipped one the
  // offset before the skip (which moves the result later by the skip); for
  // a repeated one the offset before the repeat (the earlier instant).
  const date::local_info info = region_->get_info(date::floor<std::chrono::seconds>(local));
  return local_ms - std::chrono::duration_cast<milliseconds>(info.first.offset).count();
}

} // namespace pine
