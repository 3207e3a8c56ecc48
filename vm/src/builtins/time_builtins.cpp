// The bodies of the calendar and timeframe builtins (time_builtins.h).
#include "builtins/time_builtins.h"

#include <string>

#include "text_format.h"

namespace pine {

namespace {

/// The runtime error of a time zone argument nobody knows.
const char* bad_time_zone(std::string_view timezone) {
  return builtin_error("unknown time zone \"" + std::string(timezone) + "\"; " + kTimeZoneHelp);
}
constexpr const char* kBadTimeframe =
    "timeframe.in_seconds: not a valid timeframe (expected e.g. \"15S\", \"60\", \"1D\", \"1W\", \"3M\")";

} // namespace

Checked<std::int64_t> calendar_field_in_zone(CalendarField field, std::int64_t time, std::string_view timezone) {
  const std::optional<TimeZone> zone = TimeZone::parse(timezone);
  if (!zone) return Error{bad_time_zone(timezone)};
  return calendar_field(field, time, *zone);
}

Checked<std::int64_t> BuiltinFn<BuiltinId::TIMESTAMP>::run(std::string_view timezone, std::int64_t year,
                                                           std::int64_t month, std::int64_t day, std::int64_t hour,
                                                           std::int64_t minute, std::int64_t second) {
  const std::optional<TimeZone> zone = TimeZone::parse(timezone);
  if (!zone) return Error{bad_time_zone(timezone)};
  return timestamp_from_fields(*zone, year, month, day, hour, minute, second);
}

Checked<std::int64_t> BuiltinFn<BuiltinId::TF_IN_SECONDS>::run(std::string_view timeframe) {
  const auto tf = parse_timeframe(timeframe);
  if (!tf) return Error{kBadTimeframe};
  return timeframe_seconds(*tf);
}

std::optional<std::string> BuiltinFn<BuiltinId::TF_FROM_SECONDS>::run(std::int64_t seconds) {
  if (seconds == kIntNa) return std::nullopt;
  return timeframe_from_seconds(seconds);
}

Checked<std::int64_t> BuiltinFn<BuiltinId::TIME_OF_PERIOD>::run(StringTable& strings, std::int64_t time,
                                                                std::string_view timeframe, Str session,
                                                                std::string_view timezone, bool close) {
  if (time == kIntNa) return kIntNa;
  const auto tf = parse_timeframe(timeframe);
  if (!tf || tf->unit == Timeframe::Unit::Ticks)
    return Error{"time(): not a valid timeframe (expected e.g. \"15S\", \"60\", \"1D\", \"1W\", \"3M\")"};
  const std::optional<TimeZone> zone = TimeZone::parse(timezone);
  if (!zone) return Error{bad_time_zone(timezone)};
  if (session.handle != kStringNa) {
    const auto hours = parse_session(strings.get(session.handle));
    if (!hours) return Error{"time(): not a valid session (expected e.g. \"0930-1600\" or \"0930-1600:23456\")"};
    if (!in_session(*hours, time, *zone)) return kIntNa;
  }
  const std::int64_t open = period_open_time(*tf, time, *zone);
  return close ? bar_close_time(*tf, open, *zone) : open;
}

} // namespace pine
