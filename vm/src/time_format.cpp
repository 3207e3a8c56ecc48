// Date and time text: str.format_time and the date/time formats of
// str.format, with Java SimpleDateFormat patterns (US English names).
//
// Supported letters (a run of one letter is one field; its length picks the
// form, as in Java):
//   G era (AD/BC)            y, Y year (yy: two digits; else zero-padded)
//   M, L month (1-2: number; 3: Jan; 4+: January)
//   d day of month           D day of year
//   E day name (1-3: Mon; 4+: Monday)   u day number (1 = Monday)
//   a AM/PM                  H hour 0-23   k hour 1-24   K hour 0-11   h hour 1-12
//   m minute                 s second      S millisecond (zero-padded to the run length)
//   z zone (UTC, or GMT+hh:mm)   Z zone +hhmm   X zone Z / +hh / +hhmm / +hh:mm
// Text between single quotes is literal and '' is a quote; other
// non-letters are literal; any other letter is an error (as in Java). The
// calendar is the proleptic Gregorian one; Y (week year) is treated as y.
#include <array>
#include <cstdlib>

#include "pine/vm/calendar.h"
#include "text_format.h"

namespace pine {

namespace {

constexpr std::array<const char*, 12> kMonths = {"January", "February", "March",     "April",   "May",      "June",
                                                 "July",    "August",   "September", "October", "November", "December"};
constexpr std::array<const char*, 7> kDays = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

/// A broken-down local time.
struct CivilTime {
  std::int64_t year = 1970;
  int month = 1, day = 1, day_of_year = 1, weekday = 4; ///< weekday: 1 = Monday .. 7 = Sunday
  int hour = 0, minute = 0, second = 0, millisecond = 0;
};

/// Breaks epoch milliseconds (already shifted to local time) into fields
/// (civil_from_days, calendar.h).
CivilTime civil_time(std::int64_t ms) {
  CivilTime t;
  const std::int64_t days = floor_div(ms, kMsPerDay);
  const std::int64_t in_day = ms - days * kMsPerDay;
  t.hour = static_cast<int>(in_day / 3'600'000);
  t.minute = static_cast<int>(in_day / 60'000 % 60);
  t.second = static_cast<int>(in_day / 1000 % 60);
  t.millisecond = static_cast<int>(in_day % 1000);
  const CivilDate date = civil_from_days(days);
  t.year = date.year;
  t.month = date.month;
  t.day = date.day;
  static constexpr int kCumulative[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  t.day_of_year = kCumulative[t.month - 1] + t.day + (t.month > 2 && is_leap_year(t.year) ? 1 : 0);
  t.weekday = static_cast<int>(floor_div(days + 3, 7) * -7 + days + 3) + 1; // 1970-01-01 was a Thursday
  return t;
}

/// Appends `v` zero-padded to `width` digits (a minus sign first).
void append_padded(std::string& out, std::int64_t v, std::size_t width) {
  if (v < 0) {
    out.push_back('-');
    v = -v;
  }
  const std::string digits = std::to_string(v);
  if (digits.size() < width) out.append(width - digits.size(), '0');
  out.append(digits);
}

/// Appends a zone offset as [+-]hh[sep]mm, or hh only when `minutes_too` is false.
void append_offset(std::string& out, std::int32_t offset, bool minutes_too, const char* sep) {
  out.push_back(offset < 0 ? '-' : '+');
  const std::int32_t a = std::abs(offset);
  append_padded(out, a / 60, 2);
  if (!minutes_too) return;
  out.append(sep);
  append_padded(out, a % 60, 2);
}

} // namespace

const char* format_date(std::int64_t time, std::int32_t offset_minutes, std::string_view pattern, std::string& out) {
  const CivilTime t = civil_time(time + std::int64_t{offset_minutes} * 60'000);
  for (std::size_t i = 0; i < pattern.size();) {
    const char c = pattern[i];
    if (c == '\'') {
      if (i + 1 < pattern.size() && pattern[i + 1] == '\'') {
        out.push_back('\'');
        i += 2;
        continue;
      }
      const std::size_t end = pattern.find('\'', i + 1);
      if (end == std::string_view::npos) return "unterminated quote in the date pattern";
      out.append(pattern.substr(i + 1, end - i - 1));
      i = end + 1;
      continue;
    }
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
      out.push_back(c);
      ++i;
      continue;
    }
    std::size_t n = 1;
    while (i + n < pattern.size() && pattern[i + n] == c) ++n;
    i += n;
    const int hour12 = t.hour % 12 == 0 ? 12 : t.hour % 12;
    switch (c) {
      case 'G': out.append(t.year > 0 ? "AD" : "BC"); break;
      case 'y':
      case 'Y': {
        const std::int64_t year = t.year > 0 ? t.year : 1 - t.year; // year of era
        if (n == 2) append_padded(out, year % 100, 2);
        else append_padded(out, year, n);
        break;
      }
      case 'M':
      case 'L':
        if (n >= 4) out.append(kMonths[static_cast<std::size_t>(t.month - 1)]);
        else if (n == 3) out.append(std::string_view(kMonths[static_cast<std::size_t>(t.month - 1)]).substr(0, 3));
        else append_padded(out, t.month, n);
        break;
      case 'd': append_padded(out, t.day, n); break;
      case 'D': append_padded(out, t.day_of_year, n); break;
      case 'E':
        if (n >= 4) out.append(kDays[static_cast<std::size_t>(t.weekday - 1)]);
        else out.append(std::string_view(kDays[static_cast<std::size_t>(t.weekday - 1)]).substr(0, 3));
        break;
      case 'u': append_padded(out, t.weekday, n); break;
      case 'a': out.append(t.hour < 12 ? "AM" : "PM"); break;
      case 'H': append_padded(out, t.hour, n); break;
      case 'k': append_padded(out, t.hour == 0 ? 24 : t.hour, n); break;
      case 'K': append_padded(out, t.hour % 12, n); break;
      case 'h': append_padded(out, hour12, n); break;
      case 'm': append_padded(out, t.minute, n); break;
      case 's': append_padded(out, t.second, n); break;
      case 'S': append_padded(out, t.millisecond, n); break;
      case 'z':
        if (offset_minutes == 0) {
          out.append("UTC");
        } else {
          out.append("GMT");
          append_offset(out, offset_minutes, true, ":");
        }
        break;
      case 'Z': append_offset(out, offset_minutes, true, ""); break;
      case 'X':
        if (offset_minutes == 0) out.push_back('Z');
        else append_offset(out, offset_minutes, n >= 2, n >= 3 ? ":" : "");
        break;
      default: return builtin_error(std::string("illegal date pattern character '") + c + "'");
    }
    if (out.size() > kMaxStringLength) return "string is longer than 40960 characters";
  }
  return nullptr;
}

} // namespace pine
