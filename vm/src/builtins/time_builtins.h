// The calendar builtins year() ... second(), timestamp(), time() of a
// period and timeframe.in_seconds()/from_seconds(): typed handlers
// BuiltinFn<ID> (see builtin_fn.h); calendar.h does the arithmetic.
//
// Time zone and timeframe arguments arrive as strings and are parsed on
// every call: they are short, and most scripts pass the same constant, so
// parsing costs less than any cache would. An na time zone gives an na
// result; a time zone or timeframe pinevm cannot read is a runtime error
// (a literal one is already a compile error).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "builtins/builtin_fn.h"
#include "pine/vm/calendar.h"

namespace pine {

/// year(time, timezone) ... second(): the field of `time` in `timezone`.
Checked<std::int64_t> calendar_field_in_zone(CalendarField field, std::int64_t time, std::string_view timezone);

/// The handler shared by year() ... second(): Field of the time in the zone.
template <CalendarField Field>
struct CalendarFieldFn {
  static Checked<std::int64_t> run(std::int64_t time, std::string_view timezone) {
    return calendar_field_in_zone(Field, time, timezone);
  }
};

template <> struct BuiltinFn<BuiltinId::TIME_YEAR> : CalendarFieldFn<CalendarField::Year> {};
template <> struct BuiltinFn<BuiltinId::TIME_MONTH> : CalendarFieldFn<CalendarField::Month> {};
template <> struct BuiltinFn<BuiltinId::TIME_WEEKOFYEAR> : CalendarFieldFn<CalendarField::WeekOfYear> {};
template <> struct BuiltinFn<BuiltinId::TIME_DAYOFMONTH> : CalendarFieldFn<CalendarField::DayOfMonth> {};
template <> struct BuiltinFn<BuiltinId::TIME_DAYOFWEEK> : CalendarFieldFn<CalendarField::DayOfWeek> {};
template <> struct BuiltinFn<BuiltinId::TIME_HOUR> : CalendarFieldFn<CalendarField::Hour> {};
template <> struct BuiltinFn<BuiltinId::TIME_MINUTE> : CalendarFieldFn<CalendarField::Minute> {};
template <> struct BuiltinFn<BuiltinId::TIME_SECOND> : CalendarFieldFn<CalendarField::Second> {};

template <> struct BuiltinFn<BuiltinId::TIMESTAMP> {
  static Checked<std::int64_t> run(std::string_view timezone, std::int64_t year, std::int64_t month, std::int64_t day,
                                   std::int64_t hour, std::int64_t minute, std::int64_t second);
};
template <> struct BuiltinFn<BuiltinId::TF_IN_SECONDS> {
  static Checked<std::int64_t> run(std::string_view timeframe);
};
template <> struct BuiltinFn<BuiltinId::TF_FROM_SECONDS> {
  /// na seconds give an na string.
  static std::optional<std::string> run(std::int64_t seconds);
};
template <> struct BuiltinFn<BuiltinId::TIME_OF_PERIOD> {
  /// The open (or, with `close`, the close) time of the `timeframe` period
  /// holding bar time `time`; na outside an optional `session`.
  static Checked<std::int64_t> run(StringTable& strings, std::int64_t time, std::string_view timeframe, Str session,
                                   std::string_view timezone, bool close);
};

} // namespace pine
