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

[[noreturn]] void fail(const FunctionProto& fn, std::size_t pc, const std::string& what) {
  throw ProgramError("invalid program: function '" + fn.name + "' instruction " + std::to_string(pc) + ": " + what);
}

void require(bool ok, const std::string& what) {
  if (!ok) throw ProgramError("invalid program: " + what);
}

/// Which operands of an instruction are slots; the remaining shapes are
/// handled case by case in verify_function.
enum class Shape { None, A, AB, ABC };

Shape shape_of(Opcode op) {
  switch (op) {
    case Opcode::MOVE: case Opcode::NEGF: case Opcode::NEGI: case Opcode::I2F: case Opcode::F2I:
    case Opcode::NOT: case Opcode::ISNAF: case Opcode::ISNAI: case Opcode::ISNAC: case Opcode::ISNAS:
    case Opcode::ISNAR:
      return Shape::AB;
    case Opcode::ADDF: case Opcode::SUBF: case Opcode::MULF: case Opcode::DIVF: case Opcode::MODF:
    case Opcode::ADDI: case Opcode::SUBI: case Opcode::MULI: case Opcode::MODI:
    case Opcode::LTF: case Opcode::LEF: case Opcode::GTF: case Opcode::GEF: case Opcode::EQF: case Opcode::NEF:
    case Opcode::LTI: case Opcode::LEI: case Opcode::GTI: case Opcode::GEI: case Opcode::EQI: case Opcode::NEI:
    case Opcode::EQB: case Opcode::NEB: case Opcode::EQS: case Opcode::NES: case Opcode::EQC: case Opcode::NEC:
    case Opcode::CONCAT:
      return Shape::ABC;
    case Opcode::RAISE:
      return Shape::A;
    default:
      return Shape::None;
  }
}

void verify_function(const Program& p, const FunctionProto& fn, bool is_main) {
  const std::size_t n = fn.code.size();
  require(n > 0, "function '" + fn.name + "' has no code");
  require(fn.lines.size() == n, "function '" + fn.name + "' line table size mismatch");
  require(fn.num_params <= fn.num_slots && fn.num_results <= fn.num_slots, "function '" + fn.name + "' frame too small");
  if (is_main) require(fn.num_params == 0 && fn.num_results == 0 && fn.num_slots >= kBuiltinVarSlots, "main function shape");
  for (std::uint16_t s : fn.string_slots) require(s < fn.num_slots, "string slot out of range");
  for (std::uint16_t s : fn.ref_slots) require(s < fn.num_slots, "reference slot out of range");
  for (const SeriesDecl& s : fn.series)
    require(s.capacity >= 1 && s.capacity <= kMaxSeriesCapacity && s.type != Type::Void, "bad series declaration");
  for (StateKind k : fn.states) require(k < StateKind::Count, "bad builtin state kind");
  for (std::uint32_t callee : fn.call_sites) require(callee > 0 && callee < p.functions.size(), "bad call site");

  const Opcode last = fn.code.back().op;
  require(last == Opcode::RET || last == Opcode::JMP, "function '" + fn.name + "' can fall off its end");

  auto slot = [&](std::size_t pc, std::uint32_t s) {
    if (s >= fn.num_slots) fail(fn, pc, "slot " + std::to_string(s) + " out of range");
  };
  auto span = [&](std::size_t pc, std::uint32_t first, std::uint32_t count) {
    if (first + count > fn.num_slots) fail(fn, pc, "slot range out of range");
  };
  auto target = [&](std::size_t pc, std::uint32_t t) {
    if (t >= n) fail(fn, pc, "jump target out of range");
    // Every loop passes a LOOPCHECK, so no program can run unbounded.
    if (t <= pc && fn.code[t].op != Opcode::LOOPCHECK) fail(fn, pc, "backward jump not to a LOOPCHECK");
  };

  for (std::size_t pc = 0; pc < n; ++pc) {
    const Instr& in = fn.code[pc];
    if (in.op >= Opcode::Count) fail(fn, pc, "unknown opcode");
    if (in.spare != 0 && in.op != Opcode::COLL) fail(fn, pc, "nonzero spare byte");
    switch (shape_of(in.op)) {
      case Shape::ABC: slot(pc, in.c); [[fallthrough]];
      case Shape::AB: slot(pc, in.b); [[fallthrough]];
      case Shape::A: slot(pc, in.a); continue;
      case Shape::None: break;
    }
    switch (in.op) {
      case Opcode::NOP: break;
      case Opcode::LOOPCHECK:
        if (in.a != 0 || in.b != 0 || in.c != 0) fail(fn, pc, "LOOPCHECK takes no operands");
        break;
      case Opcode::LOADK:
        slot(pc, in.a);
        if (in.bc() >= p.constants.size()) fail(fn, pc, "constant index out of range");
        break;
      case Opcode::LOADINPUT:
        slot(pc, in.a);
        if (in.b >= p.inputs.size()) fail(fn, pc, "input index out of range");
        break;
      case Opcode::LOADSOURCE:
        slot(pc, in.a);
        if (in.b >= p.inputs.size() || p.inputs[in.b].kind != InputKind::Source) fail(fn, pc, "not a source input");
        break;
      case Opcode::LOADCONTEXT:
        slot(pc, in.a);
        if (in.b >= static_cast<std::uint16_t>(ContextValue::Count)) fail(fn, pc, "context value out of range");
        break;
      case Opcode::GETGLOBAL:
        slot(pc, in.a);
        if (in.b >= p.functions[0].num_slots) fail(fn, pc, "global slot out of range");
        break;
      case Opcode::JMP: target(pc, in.bc()); break;
      case Opcode::JMPF: case Opcode::JMPT: case Opcode::ONCE:
        slot(pc, in.a);
        target(pc, in.bc());
        break;
      case Opcode::SERIES_SET:
        if (in.a >= fn.series.size()) fail(fn, pc, "series out of range");
        slot(pc, in.b);
        break;
      case Opcode::SERIES_GETK: case Opcode::SERIES_GET:
        slot(pc, in.a);
        if (in.b >= fn.series.size()) fail(fn, pc, "series out of range");
        if (in.op == Opcode::SERIES_GET) slot(pc, in.c);
        else if (in.c == 0) fail(fn, pc, "constant history offset must be positive");
        break;
      case Opcode::GSERIES_GETK: case Opcode::GSERIES_GET:
        slot(pc, in.a);
        if (in.b >= p.functions[0].series.size()) fail(fn, pc, "global series out of range");
        if (in.op == Opcode::GSERIES_GET) slot(pc, in.c);
        else if (in.c == 0) fail(fn, pc, "constant history offset must be positive");
        break;
      case Opcode::CALL: {
        if (in.a >= fn.call_sites.size()) fail(fn, pc, "call site out of range");
        const FunctionProto& callee = p.functions[fn.call_sites[in.a]];
        span(pc, in.b, callee.num_params);
        span(pc, in.c, callee.num_results);
        break;
      }
      case Opcode::RET:
        if (in.b != fn.num_results) fail(fn, pc, "result count mismatch");
        span(pc, in.a, in.b);
        break;
      case Opcode::BUILTIN: {
        if (in.a >= static_cast<std::uint16_t>(BuiltinId::Count)) fail(fn, pc, "unknown builtin");
        span(pc, in.b, builtin_spec(static_cast<BuiltinId>(in.a)).arity());
        slot(pc, in.c);
        break;
      }
      case Opcode::TA: {
        if (in.a >= fn.states.size()) fail(fn, pc, "builtin state out of range");
        const BuiltinSpec& spec = state_spec(fn.states[in.a]);
        span(pc, in.b, spec.arity());
        span(pc, in.c, spec.results.size());
        break;
      }
      case Opcode::PLOT:
        if (in.a >= p.plots.size()) fail(fn, pc, "plot out of range");
        slot(pc, in.b);
        break;
      case Opcode::LOG:
        if (in.a > 2) fail(fn, pc, "bad log level");
        slot(pc, in.b);
        break;
      case Opcode::NEWOBJ:
        slot(pc, in.a);
        if (in.b >= p.types.size()) fail(fn, pc, "type index out of range");
        span(pc, in.c, static_cast<std::uint32_t>(p.types[in.b].fields.size()));
        break;
      case Opcode::GETFIELD:
        slot(pc, in.a);
        slot(pc, in.b);
        break;
      case Opcode::SETFIELD:
        slot(pc, in.a);
        slot(pc, in.c);
        break;
      case Opcode::COLL: {
        if (in.a >= static_cast<std::uint16_t>(CollOp::Count)) fail(fn, pc, "unknown collection operation");
        if ((in.spare & 0x0F) >= kTypeCount || (in.spare >> 4) >= kTypeCount) fail(fn, pc, "bad element type");
        const CollOpInfo& info = coll_op_info(static_cast<CollOp>(in.a));
        span(pc, in.b, info.arity);
        span(pc, in.c, info.results);
        break;
      }
      case Opcode::ENUMSTR:
        slot(pc, in.a);
        slot(pc, in.b);
        if (in.c >= p.enums.size()) fail(fn, pc, "enum index out of range");
        break;
      case Opcode::ALERT:
        slot(pc, in.a);
        if (in.b > 2 || in.c != 0) fail(fn, pc, "bad alert frequency");
        break;
      case Opcode::STRFORMAT: {
        slot(pc, in.a);
        if (in.c >= p.strings.size()) fail(fn, pc, "argument type string out of range");
        const std::string& types = p.strings[in.c];
        for (char t : types)
          if (t != 'f' && t != 'i' && t != 'b' && t != 's') fail(fn, pc, "bad argument type in str.format signature");
        span(pc, in.b, static_cast<std::uint32_t>(types.size()) + 1);
        break;
      }
      case Opcode::RANDOM:
        slot(pc, in.a);
        span(pc, in.b, 3);
        break;
      default: fail(fn, pc, "unexpected opcode shape");
    }
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
