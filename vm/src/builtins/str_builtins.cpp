// The str.* builtins' bodies (str_builtins.h declares their handlers) and
// str.tostring's.
//
// Results longer than Pine's 40,960-character limit are a runtime error
// (the VM checks every std::string result; loops that could build a much
// longer string stop early). str.match uses PCRE2 (see compiled_regex below
// for why); an invalid expression, or one that needs too much work, is a
// runtime error. str.format_time formats in any time zone (time_zone.h) with
// the patterns of text_format.h.
#include "builtins/str_builtins.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <list>
#include <memory>
#include <new>
#include <string>
#include <utility>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "builtins/math_builtins.h"
#include "pine/vm/number_format.h"
#include "pine/vm/time_zone.h"
#include "text_format.h"

namespace pine {

namespace {

/// The error of a result past Pine's string length limit.
constexpr const char* kTooLong = "string is longer than 40960 characters";

/// `s` without leading and trailing white space.
std::string_view trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

/// str.tostring(x, format): the format.* keywords, else a number pattern.
/// "mintick": rounded to the mintick, trailing zeros kept (reference manual).
/// "percent": two decimals and a percent sign, the value not scaled (Pine's
/// format.percent "adds a percent sign"; precision 2 is its default).
/// "volume": K, M, B, T suffixes with up to three decimals ("5183" ->
/// "5.183K", the manual's example). "price", "inherit" and "": the default.
std::string format_with_keyword(double x, std::string_view format) {
  if (format.empty() || format == "price" || format == "inherit") return format_pine_number(x);
  if (format == "mintick") return format_with_pattern(x, kMintickPattern);
  if (format == "percent") return std::isfinite(x) ? format_with_pattern(x, "0.00") + "%" : "NaN";
  if (format == "volume") {
    static constexpr struct {
      double scale;
      const char* suffix;
    } kUnits[] = {{1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "K"}};
    for (const auto& unit : kUnits)
      if (std::fabs(x) >= unit.scale) return format_with_pattern(x / unit.scale, "#.###") + unit.suffix;
    return format_with_pattern(x, "#.###");
  }
  return format_with_pattern(x, format);
}

// ---- str.match -------------------------------------------------------------
// The engine is PCRE2's interpreter (no JIT). Why PCRE2: Pine's regexes are
// Java's, and PCRE2 has what Java has and RE2 lacks (lookahead and
// lookbehind, backreferences, possessive quantifiers, atomic groups); with
// PCRE2_ALT_BSUX it also reads Java's \uhhhh. Why not std::regex: libstdc++'s
// executor recurses once per character (a 40,000-character `.*` overflowed
// the stack) and backtracks without bound (`(a+)+$` hung). PCRE2's
// interpreter keeps its backtracking frames on the heap and stops at three
// limits counted in steps, not time, so a pattern fails the same way on
// every machine. Why no JIT: the JIT ignores the depth limit and runs on a
// fixed-size machine stack whose overflow would make long subjects fail for
// another reason than work; Pine scripts match short strings, where the
// interpreter is fast enough. Subjects and patterns are UTF-8 (PCRE2_UTF):
// `.` matches one character, as in Java; invalid UTF-8 in a subject simply
// does not match there (PCRE2_MATCH_INVALID_UTF).

/// Backtracking steps (calls of PCRE2's internal match()) one str.match may
/// take. A linear pattern over the longest string (40,960 characters) takes
/// at most a few hundred thousand; 2,000,000 steps take about 20-50 ms, so a
/// catastrophic pattern (`(a+)+$`) fails fast. The work budget charges a call
/// only for its subject's length, so a loop of such calls is stopped by the
/// time limit, which reads the clock only every 65,536 work units: such a
/// loop can overrun it by minutes (docs/limits.md).
constexpr std::uint32_t kRegexMatchLimit = 2'000'000;
/// Nested backtracking depth: `(a|b)*` nests once per character, so 40,960
/// characters need about that many; twice the longest string.
constexpr std::uint32_t kRegexDepthLimit = 2 * kMaxStringLength + 1000;
/// Heap (in KiB) for the backtracking frames of one match: 64 MiB holds the
/// deepest legitimate nesting above with room; PCRE2 frees it after the call.
constexpr std::uint32_t kRegexHeapLimitKiB = 64 * 1024;

/// Compiled expressions kept per thread, most recent first: scripts call
/// str.match with the same few constant patterns on every bar, and compiling
/// costs far more than matching. A pure cache: results never depend on it.
constexpr std::size_t kRegexCacheSize = 8;

struct CodeDeleter {
  void operator()(pcre2_code* c) const { pcre2_code_free(c); }
};
struct MatchDataDeleter {
  void operator()(pcre2_match_data* d) const { pcre2_match_data_free(d); }
};
struct MatchContextDeleter {
  void operator()(pcre2_match_context* c) const { pcre2_match_context_free(c); }
};
struct CompileContextDeleter {
  void operator()(pcre2_compile_context* c) const { pcre2_compile_context_free(c); }
};

/// A cached pattern: its code and the match data sized for it (reused, so
/// a match allocates nothing but PCRE2's own frames).
struct CompiledRegex {
  std::string pattern;
  std::unique_ptr<pcre2_code, CodeDeleter> code;
  std::unique_ptr<pcre2_match_data, MatchDataDeleter> data;
};

/// PCRE2's text for error code `code`.
std::string pcre2_message(int code) {
  PCRE2_UCHAR buf[256];
  const int n = pcre2_get_error_message(code, buf, sizeof buf);
  return n < 0 ? "error " + std::to_string(code) : std::string(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(n));
}

/// The compiled form of `pattern`, or nullptr and `error` set when invalid.
CompiledRegex* compiled_regex(std::string_view pattern, std::string& error) {
  thread_local std::list<CompiledRegex> cache;
  for (auto it = cache.begin(); it != cache.end(); ++it) {
    if (it->pattern != pattern) continue;
    cache.splice(cache.begin(), cache, it);
    return &cache.front();
  }
  thread_local std::unique_ptr<pcre2_compile_context, CompileContextDeleter> cctx = [] {
    std::unique_ptr<pcre2_compile_context, CompileContextDeleter> c(pcre2_compile_context_create(nullptr));
    if (c) pcre2_set_compile_extra_options(c.get(), PCRE2_EXTRA_ALT_BSUX);
    return c;
  }();
  if (!cctx) throw std::bad_alloc();
  int code = 0;
  PCRE2_SIZE offset = 0;
  std::unique_ptr<pcre2_code, CodeDeleter> re(
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                    PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_ALT_BSUX, &code, &offset, cctx.get()));
  if (!re) {
    if (code == PCRE2_ERROR_NOMEMORY) throw std::bad_alloc();
    error = pcre2_message(code) + " at offset " + std::to_string(offset);
    return nullptr;
  }
  std::unique_ptr<pcre2_match_data, MatchDataDeleter> data(pcre2_match_data_create_from_pattern(re.get(), nullptr));
  if (!data) throw std::bad_alloc();
  cache.push_front(CompiledRegex{std::string(pattern), std::move(re), std::move(data)});
  if (cache.size() > kRegexCacheSize) cache.pop_back();
  return &cache.front();
}

/// The match context holding the work limits (one per thread).
pcre2_match_context* regex_limits() {
  thread_local std::unique_ptr<pcre2_match_context, MatchContextDeleter> ctx = [] {
    std::unique_ptr<pcre2_match_context, MatchContextDeleter> c(pcre2_match_context_create(nullptr));
    if (c) {
      pcre2_set_match_limit(c.get(), kRegexMatchLimit);
      pcre2_set_depth_limit(c.get(), kRegexDepthLimit);
      pcre2_set_heap_limit(c.get(), kRegexHeapLimitKiB);
    }
    return c;
  }();
  if (!ctx) throw std::bad_alloc();
  return ctx.get();
}

/// str.match: the first match of `pattern` anywhere in `subject` (the whole
/// match, not a group), "" when there is none.
Checked<std::string> regex_match(std::string_view subject, std::string_view pattern) {
  std::string error;
  CompiledRegex* re = compiled_regex(pattern, error);
  if (re == nullptr) return Error{builtin_error("str.match: invalid regular expression \"" + std::string(pattern) + "\": " + error)};
  const int rc = pcre2_match(re->code.get(), reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0, 0,
                             re->data.get(), regex_limits());
  if (rc == PCRE2_ERROR_NOMATCH) return std::string();
  if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT)
    return Error{builtin_error("str.match: the pattern \"" + std::string(pattern) + "\" needed too much work on a " +
                               std::to_string(subject.size()) + "-character string (" + pcre2_message(rc) +
                               "); simplify it, e.g. avoid nested quantifiers such as (a+)+")};
  if (rc == PCRE2_ERROR_NOMEMORY) throw std::bad_alloc();
  if (rc < 0) return Error{builtin_error("str.match: the pattern \"" + std::string(pattern) + "\" failed: " + pcre2_message(rc))};
  const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(re->data.get());
  // \K can set the start after the end; that reads as an empty match.
  if (ov[0] >= ov[1] || ov[1] > subject.size()) return std::string();
  return std::string(subject.substr(ov[0], ov[1] - ov[0]));
}

/// Default pattern of str.format_time (Pine's reference): ISO-8601 with the offset.
constexpr std::string_view kDefaultTimeFormat = "yyyy-MM-dd'T'HH:mm:ssZ";

} // namespace

std::string BuiltinFn<BuiltinId::TOSTRING_F>::run(double value) { return format_pine_number(value); }

std::string BuiltinFn<BuiltinId::TOSTRING_I>::run(std::int64_t value) { return format_pine_int(value); }

std::string BuiltinFn<BuiltinId::TOSTRING_FMT>::run(StringTable& strings, double value, Str format) {
  return format_with_keyword(value, format.handle == kStringNa ? std::string_view() : strings.get(format.handle));
}

std::string BuiltinFn<BuiltinId::STR_UPPER>::run(std::string_view source) {
  std::string s(source);
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string BuiltinFn<BuiltinId::STR_LOWER>::run(std::string_view source) {
  std::string s(source);
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string BuiltinFn<BuiltinId::STR_TRIM>::run(std::string_view source) { return std::string(trimmed(source)); }

Checked<std::optional<std::string>> BuiltinFn<BuiltinId::STR_REPEAT>::run(std::string_view source, std::int64_t repeat,
                                                                          std::string_view separator) {
  if (repeat == kIntNa) return std::optional<std::string>();
  if (repeat < 0) return Error{"str.repeat: the repeat count cannot be negative"};
  // Checked before building, so a huge count costs nothing.
  if (repeat > 0 &&
      (source.size() + separator.size()) * static_cast<std::uint64_t>(repeat - 1) + source.size() > kMaxStringLength)
    return Error{kTooLong};
  // Nothing to repeat: the count may be huge, the loop must not run.
  if (source.empty() && separator.empty()) return std::optional<std::string>(std::string());
  std::string out;
  for (std::int64_t i = 0; i < repeat; ++i) {
    if (i > 0) out.append(separator);
    out.append(source);
  }
  return std::optional<std::string>(std::move(out));
}

Checked<std::string> BuiltinFn<BuiltinId::STR_REPLACE_ALL>::run(std::string_view source, std::string_view target,
                                                                std::string_view replacement) {
  if (target.empty()) return std::string(source);
  std::string out;
  std::size_t at = 0;
  for (std::size_t hit; (hit = source.find(target, at)) != std::string_view::npos; at = hit + target.size()) {
    out.append(source.substr(at, hit - at)).append(replacement);
    if (out.size() > kMaxStringLength) return Error{kTooLong}; // stops a growing result early
  }
  out.append(source.substr(at));
  return out;
}

Checked<std::optional<std::string>> BuiltinFn<BuiltinId::STR_SUBSTRING>::run(std::string_view source,
                                                                             std::int64_t begin_pos,
                                                                             std::int64_t end_pos) {
  if (begin_pos == kIntNa) return std::optional<std::string>();
  const std::int64_t size = static_cast<std::int64_t>(source.size());
  const std::int64_t end = end_pos == kIntNa ? size : end_pos;
  if (begin_pos < 0 || begin_pos > size || end < begin_pos || end > size)
    return Error{"str.substring: the positions are outside the string"};
  return std::optional<std::string>(
      source.substr(static_cast<std::size_t>(begin_pos), static_cast<std::size_t>(end - begin_pos)));
}

double BuiltinFn<BuiltinId::STR_TONUMBER>::run(std::string_view string) {
  std::string_view s = trimmed(string);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  double x = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
  return ec == std::errc() && ptr == s.data() + s.size() && !s.empty() ? x : kFloatNa;
}

// The occurrence-th (0-based) non-overlapping match, searched from the left
// as str.replace_all counts them; no such match: unchanged.
Checked<std::optional<std::string>> BuiltinFn<BuiltinId::STR_REPLACE>::run(std::string_view source,
                                                                           std::string_view target,
                                                                           std::string_view replacement,
                                                                           std::int64_t occurrence) {
  if (occurrence == kIntNa) return std::optional<std::string>();
  if (occurrence < 0) return Error{"str.replace: the occurrence cannot be negative"};
  if (target.empty()) return std::optional<std::string>(source);
  std::size_t hit = source.find(target);
  for (std::int64_t k = 0; k < occurrence && hit != std::string_view::npos; ++k)
    hit = source.find(target, hit + target.size());
  if (hit == std::string_view::npos) return std::optional<std::string>(source);
  std::string out(source.substr(0, hit));
  out.append(replacement).append(source.substr(hit + target.size()));
  return std::optional<std::string>(std::move(out));
}

Checked<std::string> BuiltinFn<BuiltinId::STR_MATCH>::run(std::string_view source, std::string_view regex) {
  return regex_match(source, regex);
}

// An empty format is Pine's default; an empty zone is UTC.
Checked<std::optional<std::string>> BuiltinFn<BuiltinId::STR_FORMAT_TIME>::run(std::int64_t time,
                                                                               std::string_view format,
                                                                               std::string_view timezone) {
  if (time == kIntNa) return std::optional<std::string>();
  const std::optional<TimeZone> zone = timezone.empty() ? TimeZone() : TimeZone::parse(timezone);
  if (!zone)
    return Error{builtin_error("str.format_time: time zone \"" + std::string(timezone) + "\" is unknown; " + kTimeZoneHelp)};
  const auto offset_minutes = static_cast<std::int32_t>(zone->offset_at(time) / 60'000);
  std::string out;
  if (const char* err = format_date(time, offset_minutes, format.empty() ? kDefaultTimeFormat : format, out)) return Error{err};
  return std::optional<std::string>(std::move(out));
}

} // namespace pine
