// The str.* builtins on strings (str.tostring lives with the numbers).
//
// An na string argument gives na (false for the predicates, na for
// str.length/str.pos); results longer than Pine's 40,960-character limit are
// a runtime error. Positions are 0-based byte offsets.
// str.match uses std::regex's ECMAScript grammar (Pine uses Java's regex;
// the common syntax is the same); an invalid expression is a runtime error.
// str.format_time formats in UTC or a fixed offset (text_format.h).
#include "builtins_impl.h"

#include <cctype>
#include <charconv>
#include <list>
#include <regex>
#include <string>
#include <utility>

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

/// Compiled expressions kept per thread, most recent first: scripts call
/// str.match with the same few constant patterns on every bar, and compiling
/// a std::regex costs far more than matching. A pure cache: results never
/// depend on it.
constexpr std::size_t kRegexCacheSize = 8;

/// The compiled form of `pattern`, or nullptr and `error` set when invalid.
const std::regex* compiled_regex(std::string_view pattern, std::string& error) {
  thread_local std::list<std::pair<std::string, std::regex>> cache;
  for (auto it = cache.begin(); it != cache.end(); ++it) {
    if (it->first != pattern) continue;
    cache.splice(cache.begin(), cache, it);
    return &cache.front().second;
  }
  try {
    std::regex re(pattern.begin(), pattern.end(), std::regex::ECMAScript);
    cache.emplace_front(std::string(pattern), std::move(re));
  } catch (const std::regex_error& e) {
    error = e.what();
    return nullptr;
  }
  if (cache.size() > kRegexCacheSize) cache.pop_back();
  return &cache.front().second;
}

/// Default pattern of str.format_time (Pine's reference): ISO-8601 with the offset.
constexpr std::string_view kDefaultTimeFormat = "yyyy-MM-dd'T'HH:mm:ssZ";

} // namespace

const char* call_str_builtin(BuiltinId id, const Value* args, Value& result, StringTable& strings) {
  for (int i = 0; i < builtin_info(id).arity; ++i) {
    // Only the string arguments can be na here; ints are checked below.
    const bool is_string_arg = !((id == BuiltinId::STR_REPEAT && i == 1) || (id == BuiltinId::STR_SUBSTRING && i > 0) ||
                                 (id == BuiltinId::STR_REPLACE && i == 3) || (id == BuiltinId::STR_FORMAT_TIME && i == 0));
    if (is_string_arg && args[i].i == kStringNa) {
      result = builtin_info(id).result == Type::Bool ? make_int(0) : na_value(builtin_info(id).result);
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
    case BuiltinId::STR_MATCH: {
      // The first match of the expression anywhere in the source, or "".
      std::string error;
      const std::regex* re = compiled_regex(text(args[1], strings), error);
      if (re == nullptr)
        return builtin_error("str.match: invalid regular expression \"" + std::string(text(args[1], strings)) + "\": " + error);
      const std::string_view s = text(args[0], strings);
      std::match_results<std::string_view::const_iterator> m;
      if (!std::regex_search(s.begin(), s.end(), m, *re)) return make_string(std::string(), result, strings);
      return make_string(m.str(0), result, strings);
    }
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
