// The builtin registry (pine/vm/builtins.h) against the VM's handlers.
//
// The registry declares each builtin's signature once; the compiler emits
// argument registers of exactly those types. The VM's handlers read the
// registers by their own C++ parameter types (builtins/ta_step.h for the
// stateful builtins), so these tests fail when one side is edited without
// the other, before any script could read a float register as an int.
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "builtin_call.h"
#include "pine/vm/builtins.h"
#include "ta_state.h"

namespace {

using namespace pine;

std::string type_list(const std::vector<Type>& types) {
  std::string out;
  for (Type t : types) out += std::string(out.empty() ? "" : ", ") + type_name(t);
  return "(" + out + ")";
}

std::vector<Type> param_types(const BuiltinSpec& spec) {
  std::vector<Type> types;
  for (const BuiltinParam& p : spec.params) types.push_back(p.type);
  return types;
}

/// Checks that a handler reads the registry's argument and result types;
/// `what` names the entry in the failure message.
void check_handler(const BuiltinSpec& spec, const HandlerSignature& handler, const std::string& what) {
  const std::vector<Type> registry_results(spec.results.begin(), spec.results.end());
  INFO(std::string(spec.name), " (", what, "): registry ", type_list(param_types(spec)), " -> ",
       type_list(registry_results), ", handler ", type_list(handler.params), " -> ", type_list(handler.results));
  CHECK(handler.params == param_types(spec));
  CHECK(handler.results == registry_results);
}

} // namespace

TEST_CASE("registry: every stateless builtin's handler reads the registry's argument and result types") {
  for (std::size_t i = 0; i < static_cast<std::size_t>(BuiltinId::Count); ++i) {
    const auto id = static_cast<BuiltinId>(i);
    check_handler(builtin_spec(id), handler_signature(id), "builtin id " + std::to_string(i));
  }
}

TEST_CASE("registry: every stateful builtin's handler reads the registry's argument and result types") {
  for (std::size_t i = 0; i < static_cast<std::size_t>(StateKind::Count); ++i) {
    const auto kind = static_cast<StateKind>(i);
    check_handler(state_spec(kind), handler_signature(kind), "state kind " + std::to_string(i));
  }
}

TEST_CASE("registry: signatures are well formed") {
  auto check_spec = [](const BuiltinSpec& spec, std::size_t max_results) {
    INFO(std::string(spec.name));
    CHECK(spec.name != nullptr);
    CHECK(!spec.results.empty());
    CHECK(spec.results.size() <= max_results);
    std::set<std::string> names;
    bool optional_seen = false;
    for (const BuiltinParam& p : spec.params) {
      INFO("parameter ", std::string(p.name));
      CHECK(names.insert(p.name).second); // named arguments need unique names
      CHECK(p.type != Type::Void);
      // A required parameter after an optional one could never be left out
      // positionally; the compiler's binding assumes it does not happen.
      if (optional_seen) CHECK(p.has_default);
      optional_seen = optional_seen || p.has_default;
      if (p.has_default && p.type == Type::String) CHECK(p.default_value.i == kEmptyStringDefault);
    }
  };
  for (std::size_t i = 0; i < static_cast<std::size_t>(BuiltinId::Count); ++i)
    check_spec(builtin_spec(static_cast<BuiltinId>(i)), 1);
  for (std::size_t i = 0; i < static_cast<std::size_t>(StateKind::Count); ++i)
    check_spec(state_spec(static_cast<StateKind>(i)), 11);
}

TEST_CASE("registry: defaults are stored in their parameter's type") {
  // color.rgb's transp defaults to 0.0 as a float; str.substring's end_pos to int na.
  const BuiltinSpec& rgb = builtin_spec(BuiltinId::COLOR_RGB);
  REQUIRE(rgb.params.size() == 4);
  CHECK(rgb.params[3].has_default);
  CHECK(rgb.params[3].default_value.f == 0.0);
  const BuiltinSpec& substring = builtin_spec(BuiltinId::STR_SUBSTRING);
  REQUIRE(substring.params.size() == 3);
  CHECK(substring.params[2].default_value.i == kIntNa);
  const BuiltinSpec& stdev = state_spec(StateKind::STDEV);
  REQUIRE(stdev.params.size() == 3);
  CHECK(std::string(stdev.params[2].name) == "biased");
  CHECK(stdev.params[2].default_value.i == 1);
}
