// The calendar builtins year() ... second(), timestamp() and
// timeframe.in_seconds()/from_seconds() (calendar.h does the arithmetic).
//
// Time zone and timeframe arguments arrive as strings and are parsed on
// every call: they are short, and most scripts pass the same constant, so
// parsing costs less than any cache would. An na time zone gives an na
// result; a time zone or timeframe pinevm cannot read is a runtime error
// (a literal one is already a compile error).
#include <string>

#include "builtins_impl.h"
#include "pine/vm/calendar.h"

namespace pine {

namespace {

constexpr const char* kBadTimeZone =
    "unknown time zone; supported are \"UTC\", \"GMT\", \"Etc/UTC\", UTC offsets such as \"UTC+3\" or "
    "\"GMT-05:30\", and \"Etc/GMT+N\" (IANA region names such as \"America/New_York\" are not supported)";
constexpr const char* kBadTimeframe =
    "timeframe.in_seconds: not a valid timeframe (expected e.g. \"15S\", \"60\", \"1D\", \"1W\", \"3M\")";

/// The calendar field a year() ... second() builtin returns.
CalendarField field_of(BuiltinId id) {
  switch (id) {
    case BuiltinId::TIME_YEAR: return CalendarField::Year;
    case BuiltinId::TIME_MONTH: return CalendarField::Month;
    case BuiltinId::TIME_WEEKOFYEAR: return CalendarField::WeekOfYear;
    case BuiltinId::TIME_DAYOFMONTH: return CalendarField::DayOfMonth;
    case BuiltinId::TIME_DAYOFWEEK: return CalendarField::DayOfWeek;
    case BuiltinId::TIME_HOUR: return CalendarField::Hour;
    case BuiltinId::TIME_MINUTE: return CalendarField::Minute;
    default: return CalendarField::Second;
  }
}

} // namespace

const char* call_time_builtin(BuiltinId id, const Value* args, Value& result, StringTable& strings) {
  switch (id) {
    case BuiltinId::TIMESTAMP: {
      // args: timezone, year, month, day, hour, minute, second.
      if (args[0].i == kStringNa) {
        result = make_int(kIntNa);
        return nullptr;
      }
      const auto offset = parse_time_zone(strings.get(args[0].i));
      if (!offset) return kBadTimeZone;
      result = make_int(timestamp_from_fields(*offset, args[1].i, args[2].i, args[3].i, args[4].i, args[5].i, args[6].i));
      return nullptr;
    }
    case BuiltinId::TF_IN_SECONDS: {
      if (args[0].i == kStringNa) {
        result = make_int(kIntNa);
        return nullptr;
      }
      const auto tf = parse_timeframe(strings.get(args[0].i));
      if (!tf) return kBadTimeframe;
      result = make_int(timeframe_seconds(*tf));
      return nullptr;
    }
    case BuiltinId::TF_FROM_SECONDS:
      result = make_int(args[0].i == kIntNa ? kStringNa : strings.add(timeframe_from_seconds(args[0].i)));
      return nullptr;
    case BuiltinId::TIME_OF_PERIOD: {
      // args: bar time, timeframe, session, timezone, close (bool).
      result = make_int(kIntNa);
      if (args[0].i == kIntNa || args[1].i == kStringNa || args[3].i == kStringNa) return nullptr;
      const auto tf = parse_timeframe(strings.get(args[1].i));
      if (!tf || tf->unit == Timeframe::Unit::Ticks) return "time(): not a valid timeframe (expected e.g. \"15S\", \"60\", \"1D\", \"1W\", \"3M\")";
      const auto offset = parse_time_zone(strings.get(args[3].i));
      if (!offset) return kBadTimeZone;
      if (args[2].i != kStringNa) {
        const auto session = parse_session(strings.get(args[2].i));
        if (!session) return "time(): not a valid session (expected e.g. \"0930-1600\" or \"0930-1600:23456\")";
        if (!in_session(*session, args[0].i, *offset)) return nullptr;
      }
      const std::int64_t open = period_open_time(*tf, args[0].i, *offset);
      result = make_int(args[4].i != 0 ? bar_close_time(*tf, open, *offset) : open);
      return nullptr;
    }
    default: {
      // A calendar field: args are time, timezone.
      if (args[1].i == kStringNa) {
        result = make_int(kIntNa);
        return nullptr;
      }
      const auto offset = parse_time_zone(strings.get(args[1].i));
      if (!offset) return kBadTimeZone;
      result = make_int(calendar_field(field_of(id), args[0].i, *offset));
      return nullptr;
    }
  }
}

} // namespace pine
