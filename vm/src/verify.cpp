// The bytecode verifier: every rule the interpreter assumes, checked once.
//
// Programs reach the VM from the compiler, from .pvmc files and from
// snapshots; the last two are untrusted bytes. The interpreter does no range
// checks of its own, so this is the only line of defence: any operand that
// could index outside a table is rejected here.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "instance_state.h"
#include "pine/vm/collections.h"
#include "pine/vm/program.h"
#include "pine/vm/symbol_info.h"

namespace pine {

namespace {

/// Upper bound of a series ring (max_bars_back is capped to this).
constexpr std::uint32_t kMaxSeriesCapacity = 100'001;

/// Rejects the program, naming the function and instruction at fault.
[[noreturn]] void fail(const FunctionProto& fn, std::size_t pc, const std::string& what) {
  throw ProgramError("invalid program: function '" + fn.name + "' instruction " + std::to_string(pc) + ": " + what);
}

/// Rejects the program with `what` unless `ok`.
void require(bool ok, const std::string& what) {
  if (!ok) throw ProgramError("invalid program: " + what);
}

/// Length of the slot run a Span operand starts (`which` is 'A', 'B' or
/// 'C'); the opcode defines it. Index operands it reads were checked first.
std::uint32_t span_length(const Program& p, const FunctionProto& fn, const Instr& in, char which) {
  switch (in.op) {
    case Opcode::CALL: {
      const FunctionProto& callee = p.functions[fn.call_sites[in.a]];
      return which == 'B' ? callee.num_params : callee.num_results;
    }
    case Opcode::RET: return in.b;
    case Opcode::BUILTIN: return builtin_spec(static_cast<BuiltinId>(in.a)).arity();
    case Opcode::TA: {
      const BuiltinSpec& spec = state_spec(fn.states[in.a]);
      return which == 'B' ? spec.arity() : static_cast<std::uint32_t>(spec.results.size());
    }
    case Opcode::NEWOBJ: return static_cast<std::uint32_t>(p.types[in.b].fields.size());
    case Opcode::COLL: {
      const CollOpInfo& info = coll_op_info(static_cast<CollOp>(in.a));
      return which == 'B' ? info.arity : info.results;
    }
    // The pattern, then one slot per argument type letter.
    case Opcode::STRFORMAT: return static_cast<std::uint32_t>(p.strings[in.c].size()) + 1;
    case Opcode::RANDOM: return 3; // min, max, seed
    case Opcode::STRATEGY: {
      const BuiltinSpec& spec = strategy_spec(static_cast<StrategyFn>(in.a));
      return which == 'B' ? spec.arity() : static_cast<std::uint32_t>(spec.results.size());
    }
    default: return 0;
  }
}

/// Checks one index-like operand against the table its kind names; returns
/// the reason it is out of range, or "" when it is in range. Reg and Span
/// operands are checked by the caller (they need the frame size).
std::string index_error(const Program& p, const FunctionProto& fn, Operand kind, std::uint32_t v) {
  const auto below = [&](std::size_t limit, const char* what) {
    return v < limit ? std::string() : std::string(what) + " (" + std::to_string(v) + ", limit " + std::to_string(limit) + ")";
  };
  switch (kind) {
    case Operand::Unused: case Operand::Low: case Operand::Reg: case Operand::Span: case Operand::Jump:
    case Operand::ResultCount: case Operand::Field:
      return "";
    case Operand::Zero: return v == 0 ? "" : "must be 0 (" + std::to_string(v) + ")";
    case Operand::Const: return below(p.constants.size(), "constant index out of range");
    case Operand::Input: return below(p.inputs.size(), "input index out of range");
    case Operand::Global: return below(p.functions[0].num_slots, "global slot out of range");
    case Operand::Context: return below(static_cast<std::size_t>(ContextValue::Count), "context value out of range");
    case Operand::Series: return below(fn.series.size(), "series out of range");
    case Operand::GlobalSeries: return below(p.functions[0].series.size(), "global series out of range");
    case Operand::Offset: return v >= 1 ? "" : "constant history offset must be positive";
    case Operand::CallSite: return below(fn.call_sites.size(), "call site out of range");
    case Operand::Builtin: return below(static_cast<std::size_t>(BuiltinId::Count), "unknown builtin");
    case Operand::State: return below(fn.states.size(), "builtin state out of range");
    case Operand::Plot: return below(p.plots.size(), "plot out of range");
    case Operand::LogLevel: return below(3, "bad log level");
    case Operand::UserType: return below(p.types.size(), "type index out of range");
    case Operand::CollOp: return below(static_cast<std::size_t>(CollOp::Count), "unknown collection operation");
    case Operand::Enum: return below(p.enums.size(), "enum index out of range");
    case Operand::AlertFreq: return below(3, "bad alert frequency");
    case Operand::String: return below(p.strings.size(), "string index out of range");
    case Operand::StrategyFn:
      if (!p.strategy) return "strategy function in a program that is not a strategy";
      return below(static_cast<std::size_t>(StrategyFn::Count), "unknown strategy function");
    case Operand::ElemType:
      return (v & 0x0F) < kTypeCount && (v >> 4) < kTypeCount ? "" : "bad element type (" + std::to_string(v) + ")";
  }
  return "unknown operand kind";
}

/// Checks one function's tables and every operand of every instruction.
void verify_function(const Program& p, const FunctionProto& fn, bool is_main) {
  const std::size_t n = fn.code.size();
  require(n > 0, "function '" + fn.name + "' has no code");
  require(fn.lines.size() == n, "function '" + fn.name + "' line table size mismatch");
  require(fn.num_params <= fn.num_slots && fn.num_results <= fn.num_slots, "function '" + fn.name + "' frame too small");
  if (is_main)
    require(fn.num_params == 0 && fn.num_results == 0 && fn.num_slots >= first_free_slot(p.strategy.has_value()),
            "main function shape");
  for (std::uint16_t s : fn.string_slots) require(s < fn.num_slots, "string slot out of range");
  for (std::uint16_t s : fn.ref_slots) require(s < fn.num_slots, "reference slot out of range");
  for (const SeriesDecl& s : fn.series)
    require(s.capacity >= 1 && s.capacity <= kMaxSeriesCapacity && s.type != Type::Void, "bad series declaration");
  for (StateKind k : fn.states) require(k < StateKind::Count, "bad builtin state kind");
  for (std::uint32_t callee : fn.call_sites) require(callee > 0 && callee < p.functions.size(), "bad call site");

  const Opcode last = fn.code.back().op;
  require(last == Opcode::RET || last == Opcode::JMP, "function '" + fn.name + "' can fall off its end");

  for (std::size_t pc = 0; pc < n; ++pc) {
    const Instr& in = fn.code[pc];
    if (in.op >= Opcode::Count) fail(fn, pc, "unknown opcode");
    const OpFormat fmt = opcode_format(in.op);
    const auto bad = [&](char which, const std::string& why) {
      fail(fn, pc, std::string(opcode_name(in.op)) + " operand " + which + ": " + why);
    };
    // The BC operand stands in B's place: its kind is in B, C is Low.
    const struct {
      char name;
      Operand kind;
      std::uint32_t value;
    } fields[] = {{'A', fmt.a, in.a},
                  {'B', fmt.b, fmt.b == Operand::Const || fmt.b == Operand::Jump ? in.bc() : in.b},
                  {'C', fmt.c, in.c},
                  {'T', fmt.t, in.elem_type}};
    // Table indices first: span lengths below are looked up through them.
    for (const auto& f : fields) {
      if (f.kind == Operand::Reg && f.value >= fn.num_slots) bad(f.name, "slot " + std::to_string(f.value) + " out of range");
      if (f.kind == Operand::Jump) {
        if (f.value >= n) bad(f.name, "jump target out of range");
        // Every loop passes a LOOPCHECK, so no program can run unbounded.
        if (f.value <= pc && fn.code[f.value].op != Opcode::LOOPCHECK) bad(f.name, "backward jump not to a LOOPCHECK");
      }
      const std::string why = index_error(p, fn, f.kind, f.value);
      if (!why.empty()) bad(f.name, why);
    }
    // Semantic rules of single opcodes, beyond operand shape.
    switch (in.op) {
      case Opcode::LOADSOURCE:
        if (p.inputs[in.b].kind != InputKind::Source) bad('B', "not a source input");
        break;
      case Opcode::RET:
        if (in.b != fn.num_results) bad('B', "result count mismatch");
        break;
      case Opcode::STRFORMAT:
        for (char t : p.strings[in.c])
          if (t != 'f' && t != 'i' && t != 'b' && t != 's') bad('C', "bad argument type in str.format signature");
        break;
      default: break;
    }
    for (const auto& f : fields)
      if (f.kind == Operand::Span && std::uint64_t{f.value} + span_length(p, fn, in, f.name) > fn.num_slots)
        bad(f.name, "slot range out of range");
  }
}

/// Checks the output columns: types, how columns group into calls, and
/// that fill() targets name the first column of a plot or an hline call.
void verify_plots(const Program& p) {
  for (std::size_t i = 0; i < p.plots.size(); ++i) {
    const PlotInfo& pl = p.plots[i];
    const std::string where = "plot column " + std::to_string(i) + ": ";
    require(pl.type != Type::Void && pl.type <= Type::String, where + "bad type");
    require(pl.kind <= kLastPlotKind, where + "bad kind");
    if (pl.part == 0) continue;
    // A continuation column follows the previous column of the same call.
    require(i > 0 && p.plots[i - 1].part == pl.part - 1 && p.plots[i - 1].kind == pl.kind, where + "bad part number");
    require(pl.title == p.plots[i - 1].title, where + "title differs from its call's");
    require(pl.offset == 0 && pl.targets.empty() && pl.attributes.empty(),
            where + "only a call's first column carries its metadata");
  }
  for (std::size_t i = 0; i < p.plots.size(); ++i) {
    const PlotInfo& pl = p.plots[i];
    if (pl.kind != PlotKind::Fill || pl.part != 0) {
      require(pl.targets.empty(), "plot column " + std::to_string(i) + ": targets outside fill()");
      continue;
    }
    require(pl.targets.size() == 2, "fill column " + std::to_string(i) + ": needs two targets");
    for (std::uint16_t t : pl.targets) {
      require(t < p.plots.size() && p.plots[t].part == 0 &&
                  (p.plots[t].kind == PlotKind::Plot || p.plots[t].kind == PlotKind::Hline),
              "fill column " + std::to_string(i) + ": a target is not a plot or an hline");
      require(p.plots[t].kind == p.plots[pl.targets[0]].kind, "fill column " + std::to_string(i) + ": mixes a plot and an hline");
    }
  }
}

/// Rejects call cycles (recursion is not Pine, and frames are static) and
/// call chains deeper than kMaxUserCallDepth (an instance lays out one frame
/// per call path and the interpreter recurses once per nested call; the
/// compiler reports such chains itself, this catches hand-made programs).
void verify_acyclic(const Program& p) {
  enum class Mark : std::uint8_t { None, Active, Done };
  std::vector<Mark> mark(p.functions.size(), Mark::None);
  /// Nested calls below each finished function (0 for one that calls none).
  std::vector<std::uint32_t> height(p.functions.size(), 0);
  // Iterative DFS so a hostile deep graph cannot overflow the stack.
  std::vector<std::pair<std::uint32_t, std::size_t>> stack{{0, 0}};
  mark[0] = Mark::Active;
  while (!stack.empty()) {
    auto& [f, next] = stack.back();
    const auto& sites = p.functions[f].call_sites;
    if (next == sites.size()) {
      mark[f] = Mark::Done;
      // Every callee is finished by now (visited earlier or just below).
      for (std::uint32_t callee : sites) height[f] = std::max(height[f], height[callee] + 1);
      stack.pop_back();
      continue;
    }
    const std::uint32_t callee = sites[next++];
    require(mark[callee] != Mark::Active, "recursive call of function '" + p.functions[callee].name + "'");
    if (mark[callee] == Mark::None) {
      mark[callee] = Mark::Active;
      stack.push_back({callee, 0});
    }
  }
  require(height[0] <= kMaxUserCallDepth, "user function calls nest " + std::to_string(height[0]) +
                                              " levels deep; at most " + std::to_string(kMaxUserCallDepth) + " are allowed");
}

} // namespace

void verify_program(const Program& p) {
  require(p.bytecode_version == kBytecodeVersion, "unsupported bytecode version " + std::to_string(p.bytecode_version));
  require(!p.functions.empty(), "no main function");
  require(p.constants.size() == p.constant_types.size(), "constant type table size mismatch");
  require(p.max_bars_back >= 1 && p.max_bars_back < kMaxSeriesCapacity, "max_bars_back out of range");
  for (std::size_t i = 0; i < p.constants.size(); ++i) {
    require(p.constant_types[i] < static_cast<Type>(kTypeCount), "bad constant type");
    if (p.constant_types[i] == Type::Ref) require(p.constants[i].i == kRefNa, "a reference constant must be na");
    if (p.constant_types[i] == Type::String) {
      const std::int64_t h = p.constants[i].i;
      require(h == kStringNa || (h >= 0 && static_cast<std::uint64_t>(h) < p.strings.size()), "string constant out of range");
    }
  }
  // Keys name inputs whose titles collide, so they must tell them apart.
  std::vector<std::string_view> keys;
  for (const InputDecl& in : p.inputs)
    if (!in.key.empty()) keys.push_back(in.key);
  std::sort(keys.begin(), keys.end());
  require(std::adjacent_find(keys.begin(), keys.end()) == keys.end(), "two inputs have the same key");
  for (const InputDecl& in : p.inputs) {
    require(in.kind <= InputKind::Enum, "bad input kind");
    require(in.format <= InputFormat::Session && (in.format == InputFormat::Any || in.kind == InputKind::String),
            "bad input format");
    if (in.kind == InputKind::Enum)
      require(in.default_value.i >= 0 && static_cast<std::uint64_t>(in.default_value.i) < in.options.size(), "bad enum input default");
    if (in.kind == InputKind::Color) require((in.default_value.u >> 32) == 0, "bad color input default");
    if (in.kind == InputKind::Source) require(is_source_var(in.default_value.u), "bad source input default");
    if (in.kind == InputKind::String)
      require(in.default_value.i >= 0 && static_cast<std::uint64_t>(in.default_value.i) < p.strings.size(), "bad input default");
  }
  for (const EnumDecl& e : p.enums)
    for (std::uint32_t t : e.titles) require(t < p.strings.size(), "enum title out of range");
  for (const TypeDecl& t : p.types)
    for (const FieldDecl& f : t.fields) require(f.type != Type::Void && f.type < static_cast<Type>(kTypeCount), "bad field type");
  verify_plots(p);
  for (std::size_t f = 0; f < p.functions.size(); ++f) verify_function(p, p.functions[f], f == 0);
  verify_acyclic(p);
}

} // namespace pine
