// Calendar arithmetic (see calendar.h). Date conversions use Howard
// Hinnant's days_from_civil / civil_from_days algorithms on the proleptic
// Gregorian calendar; every division that can see a negative operand is a
// floor division, so dates before 1970 work the same as later ones.
#include "pine/vm/calendar.h"

#include <array>
#include <cctype>

#include "decimal_digits.h"
#include "pine/vm/value.h"

namespace pine {

namespace {

constexpr std::int64_t kMsPerMinute = 60'000;
constexpr std::int64_t kMsPerHour = 3'600'000;
/// Seconds in one "M" of a timeframe: 30.4167 days, as TradingView counts.
constexpr std::int64_t kSecondsPerMonth = 2'628'003;
/// Largest year timestamp() converts; beyond it every result is out of
/// kMaxCalendarMs anyway.
constexpr std::int64_t kMaxYear = 400'000;

/// The remainder of floor_div: always in [0, b) for positive b.
std::int64_t floor_mod(std::int64_t a, std::int64_t b) { return a - floor_div(a, b) * b; }

/// a*b+c without overflow; false when it would overflow.
bool mul_add(std::int64_t a, std::int64_t b, std::int64_t c, std::int64_t& out) {
  std::int64_t p = 0;
  return !__builtin_mul_overflow(a, b, &p) && !__builtin_add_overflow(p, c, &out);
}

/// A timestamp, or na when it is outside the calendar range.
std::int64_t in_range(std::int64_t ms) { return ms > kMaxCalendarMs || ms < -kMaxCalendarMs ? kIntNa : ms; }

/// ASCII case-insensitive equality (month and weekday names).
bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

/// The month (1..12) named by an English month name or its first three
/// letters, any case; 0 when it is none.
int month_from_name(std::string_view name) {
  static constexpr std::array<const char*, 12> names = {"january", "february", "march",     "april",   "may",      "june",
                                                        "july",    "august",   "september", "october", "november", "december"};
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string_view full = names[i];
    if (iequals(name, full) || iequals(name, full.substr(0, 3))) return static_cast<int>(i + 1);
  }
  return 0;
}

/// True for an English weekday name or its first three letters, any case.
bool is_weekday_name(std::string_view name) {
  static constexpr std::array<const char*, 7> names = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday",
                                                       "saturday"};
  for (const std::string_view full : names)
    if (iequals(name, full) || iequals(name, full.substr(0, 3))) return true;
  return false;
}

/// `s` without leading and trailing white space.
std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

/// The zone at the end of a date string: empty (UTC), "Z", an RFC 2822
/// North American zone (EST, PDT...), or a time zone string (a signed offset
/// "+0200" included).
std::optional<TimeZone> parse_date_zone(std::string_view zone) {
  zone = trim(zone);
  if (zone.empty() || zone == "Z") return TimeZone();
  struct Named {
    const char* name;
    int hours;
  };
  static constexpr std::array<Named, 8> rfc2822 = {{{"EST", -5}, {"EDT", -4}, {"CST", -6}, {"CDT", -5},
                                                    {"MST", -7}, {"MDT", -6}, {"PST", -8}, {"PDT", -7}}};
  for (const Named& n : rfc2822)
    if (zone == n.name) return TimeZone::fixed(n.hours * kMsPerHour);
  return TimeZone::parse(zone);
}

/// "HH:MM[:SS[.fff]]" at `pos`, as milliseconds of the day.
std::optional<std::int64_t> parse_time_of_day(std::string_view s, std::size_t& pos) {
  auto h = read_digits(s, pos, 1, 2);
  if (!h || pos >= s.size() || s[pos] != ':') return std::nullopt;
  ++pos;
  auto m = read_digits(s, pos, 2, 2);
  if (!m) return std::nullopt;
  std::int64_t sec = 0, ms = 0;
  if (pos < s.size() && s[pos] == ':') {
    ++pos;
    auto sv = read_digits(s, pos, 2, 2);
    if (!sv) return std::nullopt;
    sec = *sv;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      // Fractions keep millisecond precision; further digits are dropped.
      std::int64_t scale = 100;
      std::size_t n = 0;
      while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
        ms += (s[pos] - '0') * scale;
        scale /= 10;
        ++pos;
        ++n;
      }
      if (n == 0) return std::nullopt;
    }
  }
  if (*h > 23 || *m > 59 || sec > 59) return std::nullopt;
  return *h * kMsPerHour + *m * kMsPerMinute + sec * kMsPerSecond + ms;
}

/// The UNIX time of a validated date and time of day in `zone`.
std::optional<std::int64_t> assemble(std::int64_t year, std::int64_t month, std::int64_t day, std::int64_t ms_of_day,
                                     const TimeZone& zone) {
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, static_cast<int>(month))) return std::nullopt;
  const std::int64_t t = zone.to_utc(days_from_civil(year, static_cast<int>(month), static_cast<int>(day)) * kMsPerDay + ms_of_day);
  if (in_range(t) == kIntNa) return std::nullopt;
  return t;
}

/// "YYYY-MM-DD[(T| )HH:MM[:SS[.fff]]][zone]".
std::optional<std::int64_t> parse_iso_date(std::string_view s) {
  std::size_t pos = 0;
  auto y = read_digits(s, pos, 4, 4);
  if (!y || pos >= s.size() || s[pos] != '-') return std::nullopt;
  ++pos;
  auto mo = read_digits(s, pos, 1, 2);
  if (!mo || pos >= s.size() || s[pos] != '-') return std::nullopt;
  ++pos;
  auto d = read_digits(s, pos, 1, 2);
  if (!d) return std::nullopt;
  std::int64_t ms_of_day = 0;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == ' ') && pos + 1 < s.size() &&
      std::isdigit(static_cast<unsigned char>(s[pos + 1]))) {
    ++pos;
    auto t = parse_time_of_day(s, pos);
    if (!t) return std::nullopt;
    ms_of_day = *t;
  }
  auto zone = parse_date_zone(s.substr(pos));
  if (!zone) return std::nullopt;
  return assemble(*y, *mo, *d, ms_of_day, *zone);
}

/// "[Weekday[,]] D MMM YYYY [HH:MM[:SS]] [zone]".
std::optional<std::int64_t> parse_rfc2822_date(std::string_view s) {
  std::size_t pos = 0;
  auto skip_spaces = [&]() {
    while (pos < s.size() && std::isspace(static_cast<unsigned char>(s[pos]))) ++pos;
  };
  auto word = [&]() {
    const std::size_t start = pos;
    while (pos < s.size() && std::isalpha(static_cast<unsigned char>(s[pos]))) ++pos;
    return s.substr(start, pos - start);
  };
  if (!s.empty() && std::isalpha(static_cast<unsigned char>(s[0]))) {
    if (!is_weekday_name(word())) return std::nullopt;
    if (pos < s.size() && s[pos] == ',') ++pos;
    skip_spaces();
  }
  auto d = read_digits(s, pos, 1, 2);
  if (!d) return std::nullopt;
  skip_spaces();
  const int mo = month_from_name(word());
  if (mo == 0) return std::nullopt;
  skip_spaces();
  auto y = read_digits(s, pos, 4, 4);
  if (!y) return std::nullopt;
  std::int64_t ms_of_day = 0;
  skip_spaces();
  if (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
    auto t = parse_time_of_day(s, pos);
    if (!t) return std::nullopt;
    ms_of_day = *t;
  }
  auto zone = parse_date_zone(s.substr(pos));
  if (!zone) return std::nullopt;
  return assemble(*y, mo, *d, ms_of_day, *zone);
}

} // namespace

std::int64_t calendar_field(CalendarField field, std::int64_t time_ms, const TimeZone& tz) {
  if (time_ms == kIntNa || in_range(time_ms) == kIntNa) return kIntNa;
  const std::int64_t local = time_ms + tz.offset_at(time_ms);
  const std::int64_t days = floor_div(local, kMsPerDay);
  const std::int64_t ms_of_day = local - days * kMsPerDay;
  switch (field) {
    case CalendarField::Hour: return ms_of_day / kMsPerHour;
    case CalendarField::Minute: return ms_of_day / kMsPerMinute % 60;
    case CalendarField::Second: return ms_of_day / kMsPerSecond % 60;
    case CalendarField::DayOfWeek: return floor_mod(days + 4, 7) + 1; // 1970-01-01 was a Thursday (5)
    case CalendarField::Year: return civil_from_days(days).year;
    case CalendarField::Month: return civil_from_days(days).month;
    case CalendarField::DayOfMonth: return civil_from_days(days).day;
    case CalendarField::WeekOfYear: {
      // The ISO week belongs to the year of its Thursday.
      const std::int64_t iso_weekday = floor_mod(days + 3, 7) + 1; // Monday = 1
      const std::int64_t thursday = days - iso_weekday + 4;
      const std::int64_t jan1 = days_from_civil(civil_from_days(thursday).year, 1, 1);
      return (thursday - jan1) / 7 + 1;
    }
  }
  return kIntNa;
}

std::int64_t trading_day_number(std::int64_t time_ms, const TimeZone& tz, std::int64_t start_minutes) {
  if (time_ms == kIntNa || in_range(time_ms) == kIntNa) return kIntNa;
  const std::int64_t local = time_ms + tz.offset_at(time_ms);
  const std::int64_t day = floor_div(local, kMsPerDay);
  const std::int64_t ms_of_day = local - day * kMsPerDay;
  return start_minutes > 0 && ms_of_day >= start_minutes * kMsPerMinute ? day + 1 : day;
}

std::int64_t timestamp_from_fields(const TimeZone& tz, std::int64_t year, std::int64_t month, std::int64_t day,
                                   std::int64_t hour, std::int64_t minute, std::int64_t second) {
  for (std::int64_t v : {year, month, day, hour, minute, second})
    if (v == kIntNa) return kIntNa;
  // Months roll over into years; the rest is linear in days and seconds.
  const std::int64_t y = year + floor_div(month - 1, 12);
  if (year > kMaxYear || year < -kMaxYear || y > kMaxYear || y < -kMaxYear) return kIntNa;
  const int m = static_cast<int>(floor_mod(month - 1, 12) + 1);
  std::int64_t days = 0, hours = 0, minutes = 0, seconds = 0, ms = 0;
  if (__builtin_add_overflow(days_from_civil(y, m, 1), day - 1, &days) || !mul_add(days, 24, hour, hours) ||
      !mul_add(hours, 60, minute, minutes) || !mul_add(minutes, 60, second, seconds) ||
      !mul_add(seconds, kMsPerSecond, 0, ms) || in_range(ms) == kIntNa)
    return kIntNa;
  return in_range(tz.to_utc(ms));
}

std::optional<std::int64_t> parse_date_string(std::string_view text) {
  const std::string_view s = trim(text);
  if (s.size() >= 5 && std::isdigit(static_cast<unsigned char>(s[0])) && s[4] == '-') return parse_iso_date(s);
  return parse_rfc2822_date(s);
}

std::optional<Timeframe> parse_timeframe(std::string_view text) {
  std::size_t pos = 0;
  auto digits = read_digits(text, pos, 0, 7);
  Timeframe tf;
  const bool has_digits = pos > 0;
  if (has_digits) tf.multiplier = *digits;
  const std::string_view unit = text.substr(pos);
  if (unit.empty()) {
    if (!has_digits) return std::nullopt;
    tf.unit = Timeframe::Unit::Minutes;
  } else if (unit.size() == 1) {
    switch (unit[0]) {
      case 'T': tf.unit = Timeframe::Unit::Ticks; break;
      case 'S': tf.unit = Timeframe::Unit::Seconds; break;
      case 'D': tf.unit = Timeframe::Unit::Days; break;
      case 'W': tf.unit = Timeframe::Unit::Weeks; break;
      case 'M': tf.unit = Timeframe::Unit::Months; break;
      default: return std::nullopt;
    }
  } else {
    return std::nullopt;
  }
  if (tf.multiplier < 1 || tf.multiplier > kMaxTimeframeMultiplier) return std::nullopt;
  return tf;
}

std::string timeframe_text(const Timeframe& tf) {
  std::string s = std::to_string(tf.multiplier);
  switch (tf.unit) {
    case Timeframe::Unit::Ticks: return s + "T";
    case Timeframe::Unit::Seconds: return s + "S";
    case Timeframe::Unit::Minutes: return s;
    case Timeframe::Unit::Days: return s + "D";
    case Timeframe::Unit::Weeks: return s + "W";
    case Timeframe::Unit::Months: return s + "M";
  }
  return s;
}

std::int64_t timeframe_seconds(const Timeframe& tf) {
  switch (tf.unit) {
    case Timeframe::Unit::Ticks: return kIntNa;
    case Timeframe::Unit::Seconds: return tf.multiplier;
    case Timeframe::Unit::Minutes: return tf.multiplier * 60;
    case Timeframe::Unit::Days: return tf.multiplier * 86'400;
    case Timeframe::Unit::Weeks: return tf.multiplier * 604'800;
    case Timeframe::Unit::Months: return tf.multiplier * kSecondsPerMonth;
  }
  return kIntNa;
}

std::string timeframe_from_seconds(std::int64_t seconds) {
  // Standard second timeframes; above 45 s the next step is one minute.
  static constexpr std::array<std::int64_t, 6> second_steps = {1, 5, 10, 15, 30, 45};
  if (seconds < 60) {
    for (std::int64_t step : second_steps)
      if (seconds <= step) return std::to_string(step) + "S";
    return "1";
  }
  if (seconds < 86'400) return std::to_string((seconds + 59) / 60);
  // An exact number of months (up to 12), weeks (up to 52) or days wins
  // over the rounded-up day count.
  if (seconds % kSecondsPerMonth == 0 && seconds / kSecondsPerMonth <= 12)
    return std::to_string(seconds / kSecondsPerMonth) + "M";
  if (seconds % 604'800 == 0 && seconds / 604'800 <= 52) return std::to_string(seconds / 604'800) + "W";
  const std::int64_t days = seconds / 86'400 + (seconds % 86'400 != 0 ? 1 : 0);
  // 366 days is the longest day timeframe; anything longer is a year.
  if (days <= 366) return std::to_string(days) + "D";
  return "12M";
}

std::int64_t bar_close_time(const Timeframe& tf, std::int64_t time_ms, const TimeZone& tz) {
  if (time_ms == kIntNa || tf.unit == Timeframe::Unit::Ticks || in_range(time_ms) == kIntNa) return kIntNa;
  if (tf.unit != Timeframe::Unit::Months) return in_range(time_ms + timeframe_seconds(tf) * kMsPerSecond);
  const std::int64_t local = time_ms + tz.offset_at(time_ms);
  const std::int64_t days = floor_div(local, kMsPerDay);
  const std::int64_t ms_of_day = local - days * kMsPerDay;
  const CivilDate c = civil_from_days(days);
  const std::int64_t months = c.month - 1 + tf.multiplier;
  const std::int64_t y = c.year + floor_div(months, 12);
  const int m = static_cast<int>(floor_mod(months, 12) + 1);
  const int d = c.day < days_in_month(y, m) ? c.day : days_in_month(y, m);
  return in_range(tz.to_utc(days_from_civil(y, m, d) * kMsPerDay + ms_of_day));
}

} // namespace pine

namespace pine {

std::optional<Session> parse_session(std::string_view text) {
  Session s;
  if (text.empty() || text == "24x7") {
    s.open_minute = s.close_minute = 0;
    return s;
  }
  auto hhmm = [](std::string_view t) -> std::optional<int> {
    if (t.size() != 4) return std::nullopt;
    int v = 0;
    for (char c : t) {
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + (c - '0');
    }
    const int h = v / 100, m = v % 100;
    if (h > 24 || m > 59 || (h == 24 && m != 0)) return std::nullopt;
    return h * 60 + m;
  };
  if (text.size() < 9 || text[4] != '-') return std::nullopt;
  const auto open = hhmm(text.substr(0, 4)), close = hhmm(text.substr(5, 4));
  if (!open || !close) return std::nullopt;
  s.open_minute = *open;
  s.close_minute = *close;
  if (text.size() > 9) {
    if (text[9] != ':' || text.size() == 10) return std::nullopt;
    s.days = 0;
    for (char c : text.substr(10)) {
      if (c < '1' || c > '7') return std::nullopt;
      s.days = static_cast<std::uint8_t>(s.days | (1u << (c - '0')));
    }
  }
  return s;
}

bool in_session(const Session& session, std::int64_t time_ms, const TimeZone& tz) {
  if (time_ms == kIntNa) return false;
  const std::int64_t local = time_ms + tz.offset_at(time_ms);
  const std::int64_t days = floor_div(local, kMsPerDay);
  const auto minute = static_cast<int>((local - days * kMsPerDay) / 60'000);
  // 1970-01-01 was a Thursday (dayofweek 5).
  auto day_ok = [&](std::int64_t d) { return (session.days >> (floor_mod(d + 4, 7) + 1)) & 1u; };
  const int open = session.open_minute, close = session.close_minute;
  if (open == close) return day_ok(days); // the whole day
  if (open < close) return day_ok(days) && minute >= open && minute < close;
  // Overnight: the evening part belongs to today's session, the morning
  // part to the session that opened yesterday.
  if (minute >= open) return day_ok(days);
  return minute < close && day_ok(days - 1);
}

std::int64_t period_open_time(const Timeframe& tf, std::int64_t time_ms, const TimeZone& tz) {
  if (time_ms == kIntNa || in_range(time_ms) == kIntNa) return kIntNa;
  const std::int64_t local = time_ms + tz.offset_at(time_ms);
  switch (tf.unit) {
    case Timeframe::Unit::Ticks: return kIntNa;
    case Timeframe::Unit::Seconds:
    case Timeframe::Unit::Minutes:
    case Timeframe::Unit::Days: {
      const std::int64_t len = timeframe_seconds(tf) * kMsPerSecond;
      return tz.to_utc(floor_div(local, len) * len);
    }
    case Timeframe::Unit::Weeks: {
      // Day 0 (1970-01-01) was a Thursday; Monday 1969-12-29 is day -3.
      const std::int64_t days = floor_div(local, kMsPerDay);
      const std::int64_t weeks = floor_div(days + 3, 7 * tf.multiplier);
      return tz.to_utc((weeks * 7 * tf.multiplier - 3) * kMsPerDay);
    }
    case Timeframe::Unit::Months: {
      const CivilDate c = civil_from_days(floor_div(local, kMsPerDay));
      const std::int64_t months = (c.year - 1970) * 12 + (c.month - 1);
      const std::int64_t start = floor_div(months, tf.multiplier) * tf.multiplier;
      const std::int64_t y = 1970 + floor_div(start, 12);
      const int m = static_cast<int>(floor_mod(start, 12) + 1);
      return tz.to_utc(days_from_civil(y, m, 1) * kMsPerDay);
    }
  }
  return kIntNa;
}

} // namespace pine
