// The str.* builtins on strings (str.tostring lives with the numbers).
//
// An na string argument gives na (false for the predicates, na for
// str.length/str.pos); results longer than Pine's 40,960-character limit are
// a runtime error. Positions are 0-based byte offsets.
// str.match uses PCRE2 (see compiled_regex below for why); an invalid
// expression, or one that needs too much work, is a runtime error.
// str.format_time formats in UTC or a fixed offset (text_format.h).
#include "builtins_impl.h"

#include <cctype>
#include <charconv>
#include <list>
#include <memory>
#include <new>
#include <string>
#include <utility>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "text_format.h"

namespace pine {

namespace {

/// Makes a result string, or reports it as too long.
const char* make_string(std::string s, Value& result, StringTable& strings) {
  if (s.size() > kMaxStringLength) return "string is longer than 40960 characters";
  result = make_int(strings.add(std::move(s)));
  return nullptr;
}

std::string_view text(const Value& v, const StringTable& strings) { return strings.get(v.i); }

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
const char* regex_match(std::string_view subject, std::string_view pattern, Value& result, StringTable& strings) {
  std::string error;
  CompiledRegex* re = compiled_regex(pattern, error);
  if (re == nullptr) return builtin_error("str.match: invalid regular expression \"" + std::string(pattern) + "\": " + error);
  const int rc = pcre2_match(re->code.get(), reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0, 0,
                             re->data.get(), regex_limits());
  if (rc == PCRE2_ERROR_NOMATCH) return make_string(std::string(), result, strings);
  if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT)
    return builtin_error("str.match: the pattern \"" + std::string(pattern) + "\" needed too much work on a " +
                         std::to_string(subject.size()) + "-character string (" + pcre2_message(rc) +
                         "); simplify it, e.g. avoid nested quantifiers such as (a+)+");
  if (rc == PCRE2_ERROR_NOMEMORY) throw std::bad_alloc();
  if (rc < 0) return builtin_error("str.match: the pattern \"" + std::string(pattern) + "\" failed: " + pcre2_message(rc));
  const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(re->data.get());
  // \K can set the start after the end; that reads as an empty match.
  if (ov[0] >= ov[1] || ov[1] > subject.size()) return make_string(std::string(), result, strings);
  return make_string(std::string(subject.substr(ov[0], ov[1] - ov[0])), result, strings);
}

/// Default pattern of str.format_time (Pine's reference): ISO-8601 with the offset.
constexpr std::string_view kDefaultTimeFormat = "yyyy-MM-dd'T'HH:mm:ssZ";

} // namespace

const char* call_str_builtin(BuiltinId id, const Value* args, Value& result, StringTable& strings) {
  const BuiltinSpec& spec = builtin_spec(id);
  for (std::size_t i = 0; i < spec.params.size(); ++i) {
    // An na string argument gives na (false for bool results); int
    // arguments are checked by each builtin below.
    if (spec.params[i].type == Type::String && args[i].i == kStringNa) {
      result = spec.results[0] == Type::Bool ? make_int(0) : na_value(spec.results[0]);
      return nullptr;
    }
  }
  switch (id) {
    case BuiltinId::STR_LENGTH: result = make_int(static_cast<std::int64_t>(text(args[0], strings).size())); return nullptr;
    case BuiltinId::STR_CONTAINS:
      result = make_int(text(args[0], strings).find(text(args[1], strings)) != std::string_view::npos);
      return nullptr;
    case BuiltinId::STR_STARTSWITH: result = make_int(text(args[0], strings).starts_with(text(args[1], strings))); return nullptr;
    case BuiltinId::STR_ENDSWITH: result = make_int(text(args[0], strings).ends_with(text(args[1], strings))); return nullptr;
    case BuiltinId::STR_UPPER:
    case BuiltinId::STR_LOWER: {
      std::string s(text(args[0], strings));
      for (char& c : s)
        c = static_cast<char>(id == BuiltinId::STR_UPPER ? std::toupper(static_cast<unsigned char>(c))
                                                        : std::tolower(static_cast<unsigned char>(c)));
      return make_string(std::move(s), result, strings);
    }
    case BuiltinId::STR_TRIM: {
      std::string_view s = text(args[0], strings);
      while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
      while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
      return make_string(std::string(s), result, strings);
    }
    case BuiltinId::STR_REPEAT: {
      const std::int64_t n = args[1].i;
      if (n == kIntNa) {
        result = make_int(kStringNa);
        return nullptr;
      }
      if (n < 0) return "str.repeat: the repeat count cannot be negative";
      const std::string_view s = text(args[0], strings), sep = text(args[2], strings);
      if (n > 0 && (s.size() + sep.size()) * static_cast<std::uint64_t>(n - 1) + s.size() > kMaxStringLength)
        return "string is longer than 40960 characters";
      std::string out;
      for (std::int64_t i = 0; i < n; ++i) {
        if (i > 0) out.append(sep);
        out.append(s);
      }
      return make_string(std::move(out), result, strings);
    }
    case BuiltinId::STR_REPLACE_ALL: {
      const std::string_view s = text(args[0], strings), target = text(args[1], strings), repl = text(args[2], strings);
      if (target.empty()) return make_string(std::string(s), result, strings);
      std::string out;
      std::size_t at = 0;
      for (std::size_t hit; (hit = s.find(target, at)) != std::string_view::npos; at = hit + target.size()) {
        out.append(s.substr(at, hit - at)).append(repl);
        if (out.size() > kMaxStringLength) return "string is longer than 40960 characters";
      }
      out.append(s.substr(at));
      return make_string(std::move(out), result, strings);
    }
    case BuiltinId::STR_POS: {
      const std::size_t hit = text(args[0], strings).find(text(args[1], strings));
      result = make_int(hit == std::string_view::npos ? kIntNa : static_cast<std::int64_t>(hit));
      return nullptr;
    }
    case BuiltinId::STR_SUBSTRING: {
      const std::string_view s = text(args[0], strings);
      const std::int64_t size = static_cast<std::int64_t>(s.size());
      const std::int64_t begin = args[1].i, end = args[2].i == kIntNa ? size : args[2].i;
      if (begin == kIntNa) {
        result = make_int(kStringNa);
        return nullptr;
      }
      if (begin < 0 || begin > size || end < begin || end > size)
        return "str.substring: the positions are outside the string";
      return make_string(std::string(s.substr(static_cast<std::size_t>(begin), static_cast<std::size_t>(end - begin))),
                         result, strings);
    }
    case BuiltinId::STR_TONUMBER: {
      std::string_view s = text(args[0], strings);
      while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
      while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
      if (!s.empty() && s.front() == '+') s.remove_prefix(1);
      double x = 0;
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
      result = make_float(ec == std::errc() && ptr == s.data() + s.size() && !s.empty() ? x : kFloatNa);
      return nullptr;
    }
    case BuiltinId::STR_REPLACE: {
      // The occurrence-th (0-based) non-overlapping match, searched from the
      // left as str.replace_all counts them; no such match: unchanged.
      const std::string_view s = text(args[0], strings), target = text(args[1], strings), repl = text(args[2], strings);
      const std::int64_t occurrence = args[3].i;
      if (occurrence == kIntNa) {
        result = make_int(kStringNa);
        return nullptr;
      }
      if (occurrence < 0) return "str.replace: the occurrence cannot be negative";
      if (target.empty()) return make_string(std::string(s), result, strings);
      std::size_t hit = s.find(target);
      for (std::int64_t k = 0; k < occurrence && hit != std::string_view::npos; ++k) hit = s.find(target, hit + target.size());
      if (hit == std::string_view::npos) return make_string(std::string(s), result, strings);
      std::string out(s.substr(0, hit));
      out.append(repl).append(s.substr(hit + target.size()));
      return make_string(std::move(out), result, strings);
    }
    case BuiltinId::STR_MATCH: return regex_match(text(args[0], strings), text(args[1], strings), result, strings);
    case BuiltinId::STR_FORMAT_TIME: {
      // An empty format is Pine's default; an empty zone is UTC.
      const std::int64_t time = args[0].i;
      if (time == kIntNa) {
        result = make_int(kStringNa);
        return nullptr;
      }
      const std::string_view zone = text(args[2], strings);
      std::int32_t offset = 0;
      if (!parse_time_zone(zone, offset))
        return builtin_error("str.format_time: time zone \"" + std::string(zone) +
                             "\" is not supported (use UTC, GMT or a fixed offset such as \"UTC+2\" or \"GMT-05:30\")");
      std::string_view format = text(args[1], strings);
      if (format.empty()) format = kDefaultTimeFormat;
      std::string out;
      if (const char* err = format_date(time, offset, format, out)) return err;
      return make_string(std::move(out), result, strings);
    }
    default: return "invalid string builtin";
  }
}

} // namespace pine
