// Calendar arithmetic on UNIX millisecond timestamps: time zones, calendar
// fields, timestamp() and date strings, and timeframe strings.
//
// Shared by the VM (built-in variables, year()/timestamp()/timeframe.*
// builtins) and the compiler (timestamp("2020-02-20") is a compile-time
// constant). Everything here is pure and deterministic: no system time zone
// database and no locale is consulted.
//
// Time zones are TimeZone values (time_zone.h): a fixed offset or an IANA
// region whose offset depends on the instant. Everything else here is pure
// arithmetic on the proleptic Gregorian calendar: no locale is consulted.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pine/vm/time_zone.h"

namespace pine {

/// Milliseconds in a day and in a second.
inline constexpr std::int64_t kMsPerDay = 86'400'000;
inline constexpr std::int64_t kMsPerSecond = 1000;

/// Largest |timestamp| the calendar functions accept: 8.64e15 ms, about
/// 273,790 years either side of 1970 (the range of a JavaScript Date). Far
/// beyond any market data, and small enough that no intermediate product
/// overflows int64. Timestamps outside it give na.
inline constexpr std::int64_t kMaxCalendarMs = 8'640'000'000'000'000;

/// a / b rounded toward minus infinity (C++ rounds toward zero), so dates
/// before 1970 convert the same way as later ones.
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/// The Gregorian leap year rule, the one rule every date check uses.
constexpr bool is_leap_year(std::int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

/// Days in month `m` (1..12) of year `y`, for validating dates.
constexpr int days_in_month(std::int64_t y, int m) {
  constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap_year(y) ? 29 : kDays[m - 1];
}

/// Days since 1970-01-01 of a proleptic Gregorian date (month 1..12), after
/// Howard Hinnant's days_from_civil: counting from 0000-03-01 puts the leap
/// day last in a "year", so whole 400-year eras (146097 days) handle any
/// year, negative ones included.
constexpr std::int64_t days_from_civil(std::int64_t year, int month, int day) {
  const std::int64_t y = year - (month <= 2 ? 1 : 0);
  const std::int64_t era = floor_div(y, 400);
  const std::int64_t yoe = y - era * 400;                          // 0..399
  const std::int64_t mp = month > 2 ? month - 3 : month + 9;       // March = 0
  const std::int64_t doy = (153 * mp + 2) / 5 + day - 1;           // 0..365
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  // 0..146096
  return era * 146097 + doe - 719468; // 719468 days from 0000-03-01 to 1970-01-01
}

/// A calendar date.
struct CivilDate {
  std::int64_t year = 1970;
  int month = 1; ///< 1..12
  int day = 1;   ///< 1..31
};

/// The date `days` days after 1970-01-01 (Howard Hinnant's civil_from_days,
/// the inverse of days_from_civil); valid for every day count an int64
/// millisecond time can produce, unlike gmtime.
constexpr CivilDate civil_from_days(std::int64_t days) {
  const std::int64_t z = days + 719468;
  const std::int64_t era = floor_div(z, 146097);
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  CivilDate c;
  c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  c.year = yoe + era * 400 + (c.month <= 2 ? 1 : 0);
  return c;
}

/// The fields year(), month() ... second() return, Pine's numbering.
enum class CalendarField : std::uint8_t { Year, Month, WeekOfYear, DayOfMonth, DayOfWeek, Hour, Minute, Second };

/// One calendar field of UNIX time `time_ms` seen in time zone `tz`.
/// Day of week runs Sunday = 1 .. Saturday = 7; week of year is the ISO 8601
/// week (weeks start on Monday, week 1 holds the year's first Thursday).
/// na (INT64_MIN) in, or a time beyond kMaxCalendarMs, gives na.
std::int64_t calendar_field(CalendarField field, std::int64_t time_ms, const TimeZone& tz);

/// The trading day of UNIX time `time_ms` on an exchange in `tz` whose day
/// begins `start_minutes` after local midnight (SymbolInfo::trading_day_start):
/// days since 1970-01-01 of the date the day is named after (a bar at or
/// after the start belongs to the next date).
std::int64_t trading_day_number(std::int64_t time_ms, const TimeZone& tz, std::int64_t start_minutes);

/// timestamp(): the UNIX time of a wall-clock date and time in time zone
/// `tz` (a wall time the zone skips or repeats resolves as TimeZone::to_utc).
/// Fields outside their usual range roll over into the next
/// unit, as TradingView's timestamp() does (month 13 is January of the next
/// year, day 0 the last day of the previous month). Any na field, or a result
/// beyond kMaxCalendarMs, gives na.
std::int64_t timestamp_from_fields(const TimeZone& tz, std::int64_t year, std::int64_t month, std::int64_t day,
                                   std::int64_t hour, std::int64_t minute, std::int64_t second);

/// timestamp(dateString): parses "2020-02-20", "2020-02-20T15:30:00+0000",
/// "2020-02-20 15:30Z", "20 Feb 2020", "Thu, 20 Feb 2020 15:30:00 GMT+2",
/// "20 Feb 2020 15:30 UTC+05:30"... (ISO 8601 or RFC 2822 style; no zone
/// means UTC). Returns nullopt when the text is not a valid date.
std::optional<std::int64_t> parse_date_string(std::string_view text);

/// A chart timeframe: a multiplier and a unit.
struct Timeframe {
  enum class Unit : std::uint8_t { Ticks, Seconds, Minutes, Days, Weeks, Months };
  std::int64_t multiplier = 1;
  Unit unit = Unit::Days;
};

/// Largest timeframe multiplier accepted: far above any chart's (1440
/// minutes, 365 days, 12 months), and small enough that a duration in
/// milliseconds cannot overflow.
inline constexpr std::int64_t kMaxTimeframeMultiplier = 1'000'000;

/// Parses a timeframe string "<quantity>[<unit>]": unit T (ticks), S
/// (seconds), D, W or M, none for minutes ("60" is one hour); a bare unit
/// means a quantity of 1 ("D" is "1D"). nullopt when invalid.
std::optional<Timeframe> parse_timeframe(std::string_view text);

/// The canonical text of a timeframe, as timeframe.period shows it ("1D",
/// "60", "15S").
std::string timeframe_text(const Timeframe& tf);

/// Seconds of one bar of `tf`, as timeframe.in_seconds() gives them; a month
/// counts 2,628,003 s (30.4167 days), ticks have no duration (na).
std::int64_t timeframe_seconds(const Timeframe& tf);

/// timeframe.from_seconds(): the smallest standard timeframe at least
/// `seconds` long; an exact match in a larger unit wins ("1W", not "7D").
std::string timeframe_from_seconds(std::int64_t seconds);

/// The close time of a bar of `tf` opening at `time_ms` (time_close): the
/// open plus the timeframe's duration, or for monthly bars the same day and
/// time of day `multiplier` months later in the exchange time zone (clamped
/// to the last day of a shorter month). Ticks and na give na.
std::int64_t bar_close_time(const Timeframe& tf, std::int64_t time_ms, const TimeZone& tz);

/// A trading session "HHMM-HHMM[:days]": minutes of the day it opens and
/// closes (close <= open runs overnight) and the days it trades (bit d for
/// Pine's dayofweek d, Sunday = 1; every day when no days are given).
struct Session {
  int open_minute = 0;
  int close_minute = 0;
  std::uint8_t days = 0xFE;
};

/// Parses a session string; "24x7" and "" are the whole week. nullopt when
/// it is not a session.
std::optional<Session> parse_session(std::string_view text);

/// True when UNIX time `time_ms`, seen in time zone `tz`, falls in
/// the session (the opening day of an overnight session is the one that
/// counts).
bool in_session(const Session& session, std::int64_t time_ms, const TimeZone& tz);

/// The opening time of the period of `tf` that contains `time_ms`, in time
/// zone `tz`: seconds, minutes and days are aligned to multiples of
/// their length since 1970-01-01 local time, weeks start on Monday, months
/// on the 1st (multiples of the month count since January 1970).
std::int64_t period_open_time(const Timeframe& tf, std::int64_t time_ms, const TimeZone& tz);

} // namespace pine
