// The str.* builtins on strings (str.tostring lives with the numbers).
//
// An na string argument gives na (false for the predicates, na for
// str.length/str.pos); results longer than Pine's 40,960-character limit are
// a runtime error. Positions are 0-based byte offsets.
#include "builtins_impl.h"

#include <cctype>
#include <charconv>
#include <string>

namespace pine {

namespace {

/// Makes a result string, or reports it as too long.
const char* make_string(std::string s, Value& result, StringTable& strings) {
  if (s.size() > kMaxStringLength) return "string is longer than 40960 characters";
  result = make_int(strings.add(std::move(s)));
  return nullptr;
}

std::string_view text(const Value& v, const StringTable& strings) { return strings.get(v.i); }

} // namespace

const char* call_str_builtin(BuiltinId id, const Value* args, Value& result, StringTable& strings) {
  for (int i = 0; i < builtin_info(id).arity; ++i) {
    // Only the string arguments can be na here; ints are checked below.
    const bool is_string_arg = !((id == BuiltinId::STR_REPEAT && i == 1) || (id == BuiltinId::STR_SUBSTRING && i > 0));
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
    default: return "invalid string builtin";
  }
}

} // namespace pine
