// The compiler's view of the builtin registry (pine/vm/builtins.h).
#include "builtin_table.h"

#include <algorithm>
#include <map>

namespace pine {

namespace {

/// The compiler's view of one registry entry.
BuiltinSig signature_of(const BuiltinSpec& spec, BuiltinSig::Kind kind, std::uint16_t id) {
  BuiltinSig sig{spec.name, {}, {spec.results.begin(), spec.results.end()}, kind, id};
  for (const BuiltinParam& p : spec.params)
    sig.params.push_back(ParamSig{p.name, p.type, p.simple, p.has_default ? std::optional<Value>(p.default_value) : std::nullopt});
  return sig;
}

/// Overload preference: an int argument must keep an int result, so the
/// overloads whose parameters are int (or bool, string) come before those
/// taking floats, which accept ints only by promotion. Among equals the
/// registry's order stands.
std::size_t float_params(const BuiltinSig& sig) {
  std::size_t n = 0;
  for (const ParamSig& p : sig.params) n += p.type == Type::Float;
  return n;
}

/// Every CALL-lowered registry entry, grouped by name in preference order.
const std::map<std::string, std::vector<BuiltinSig>>& index() {
  static const auto idx = [] {
    std::map<std::string, std::vector<BuiltinSig>> m;
    for (std::size_t i = 0; i < static_cast<std::size_t>(BuiltinId::Count); ++i) {
      const BuiltinSpec& spec = builtin_spec(static_cast<BuiltinId>(i));
      if (spec.lowering == Lowering::Call)
        m[spec.name].push_back(signature_of(spec, BuiltinSig::Kind::Builtin, static_cast<std::uint16_t>(i)));
    }
    for (std::size_t i = 0; i < static_cast<std::size_t>(StateKind::Count); ++i) {
      const BuiltinSpec& spec = state_spec(static_cast<StateKind>(i));
      if (spec.lowering == Lowering::Call)
        m[spec.name].push_back(signature_of(spec, BuiltinSig::Kind::State, static_cast<std::uint16_t>(i)));
    }
    for (std::size_t i = 0; i < static_cast<std::size_t>(StrategyFn::Count); ++i) {
      const BuiltinSpec& spec = strategy_spec(static_cast<StrategyFn>(i));
      if (spec.lowering == Lowering::Call)
        m[spec.name].push_back(signature_of(spec, BuiltinSig::Kind::Strategy, static_cast<std::uint16_t>(i)));
    }
    for (auto& [name, sigs] : m)
      std::stable_sort(sigs.begin(), sigs.end(),
                       [](const BuiltinSig& x, const BuiltinSig& y) { return float_params(x) < float_params(y); });
    return m;
  }();
  return idx;
}

} // namespace

std::vector<const BuiltinSig*> find_builtin(const std::string& name) {
  std::vector<const BuiltinSig*> out;
  if (auto it = index().find(name); it != index().end())
    for (const BuiltinSig& sig : it->second) out.push_back(&sig);
  return out;
}

bool is_builtin_function_name(const std::string& name) {
  for (const char* s : compiler_builtin_names())
    if (name == s) return true;
  return index().count(name) > 0;
}

const char* unsupported_feature(const std::string& name) {
  static const std::pair<const char*, const char*> namespaces[] = {
      {"label", "drawings (label.*)"}, {"line", "drawings (line.*)"}, {"box", "drawings (box.*)"},
      {"table", "tables (table.*)"}, {"linefill", "drawings (linefill.*)"}, {"polyline", "drawings (polyline.*)"},
      {"chart.point", "drawings (chart.point.*)"}, {"request", "other symbols and timeframes (request.*)"},
      {"ticker", "ticker.* symbol constructors"},
  };
  for (const auto& [ns, feature] : namespaces) {
    const std::size_t n = std::char_traits<char>::length(ns);
    if (name == ns || (name.size() > n && name.compare(0, n, ns) == 0 && name[n] == '.')) return feature;
  }
  return nullptr;
}

std::optional<std::uint32_t> find_color_constant(const std::string& name) {
  // Pine v6 values (Reference: color.red etc.; v6 changed several).
  static const std::map<std::string, std::uint32_t> colors = {
      {"color.aqua", 0x00BCD4FF},   {"color.black", 0x363A45FF}, {"color.blue", 0x2962FFFF},
      {"color.fuchsia", 0xE040FBFF}, {"color.gray", 0x787B86FF},  {"color.green", 0x4CAF50FF},
      {"color.lime", 0x00E676FF},   {"color.maroon", 0x880E4FFF}, {"color.navy", 0x311B92FF},
      {"color.olive", 0x808000FF},  {"color.orange", 0xFF9800FF}, {"color.purple", 0x9C27B0FF},
      {"color.red", 0xF23645FF},    {"color.silver", 0xB2B5BEFF}, {"color.teal", 0x089981FF},
      {"color.white", 0xFFFFFFFF},  {"color.yellow", 0xFDD835FF},
  };
  auto it = colors.find(name);
  if (it == colors.end()) return std::nullopt;
  return it->second;
}

} // namespace pine
