// The disassembler: one line per instruction, stable text for tests.
//
// Format:
//   function <index> <name> params=<n> results=<n> slots=<n>
//     series <i>: <type> capacity=<n>      (one line per series)
//     state <i>: <pine name>               (one line per builtin state)
//     call <i>: <callee name>              (one line per call site)
//     <pc>  <MNEMONIC>  <operands>  ; <comment>
// describe_outputs() lists the output columns after it (pinevm disasm prints
// both).
#include <cstdio>
#include <optional>
#include <string>
#include <utility>

#include "pine/vm/collections.h"
#include "pine/vm/color.h"
#include "pine/vm/number_format.h"
#include "pine/vm/program.h"
#include "pine/vm/symbol_info.h"

namespace pine {

namespace {

/// The name a host gives input `in` (InstanceBuilder::input): its key
/// ("group/title") when its title is shared, else its title.
const std::string& input_label(const InputDecl& in) { return in.key.empty() ? in.title : in.key; }

/// A constant's value as source-like text.
std::string constant_text(const Program& p, std::size_t i) {
  const Value v = p.constants[i];
  switch (p.constant_types[i]) {
    case Type::Float: return format_pine_number(v.f);
    case Type::Int: return format_pine_int(v.i);
    case Type::Bool: return v.i ? "true" : "false";
    case Type::Color: {
      if (v.i == kColorNa) return "na";
      return color_hex_text(static_cast<std::uint32_t>(v.u & 0xFFFFFFFFu));
    }
    case Type::String:
      if (v.i == kStringNa || v.i < 0 || static_cast<std::size_t>(v.i) >= p.strings.size()) return "na";
      {
        std::string quoted;
        quoted.push_back('"');
        quoted.append(p.strings[static_cast<std::size_t>(v.i)]);
        quoted.push_back('"');
        return quoted;
      }
    case Type::Enum: return v.i == kIntNa ? "na" : "#" + std::to_string(v.i);
    case Type::Ref: return "na";
    case Type::Void: break;
  }
  return "?";
}

/// A register operand, e.g. "r3".
std::string r(std::uint32_t s) { return "r" + std::to_string(s); }

/// The COLL operation with its element types, e.g. "array.push<float>" or
/// "matrix.sum<int->float>" (operand type, then element type).
std::string coll_text(const Instr& in) {
  std::string t = type_name(static_cast<Type>(in.elem_type & 0x0F));
  if (in.elem_type >> 4) t = std::string(type_name(static_cast<Type>(in.elem_type >> 4))) + "->" + t;
  return std::string(coll_op_info(static_cast<CollOp>(in.a)).name) + "<" + t + ">";
}

/// One operand's text by its kind (empty for operands that are not shown);
/// `note` receives the trailing comment some kinds carry.
std::string operand_text(const Program& p, const FunctionProto& f, const Instr& in, Operand kind, std::uint32_t v,
                         std::optional<std::string>& note) {
  const std::string n = std::to_string(v);
  switch (kind) {
    case Operand::Unused: case Operand::Zero: case Operand::Low: case Operand::ElemType: return "";
    case Operand::Reg: case Operand::Span: return r(v);
    case Operand::Const: note = constant_text(p, v); return "k" + n;
    // An input is named as a host names it: its key when its title is shared.
    case Operand::Input: note = input_label(p.inputs[v]); return "input" + n;
    case Operand::Global: return "g" + n;
    case Operand::Context: note = context_value_info(static_cast<ContextValue>(v)).name; return "ctx" + n;
    case Operand::Series: return "s" + n;
    case Operand::GlobalSeries: return "gs" + n;
    case Operand::Jump: case Operand::Offset: case Operand::ResultCount: case Operand::LogLevel:
    case Operand::AlertFreq:
      return n;
    case Operand::CallSite: note = p.functions[f.call_sites[v]].name; return "call" + n;
    case Operand::Builtin: return std::string(builtin_spec(static_cast<BuiltinId>(v)).name);
    case Operand::State: note = state_spec(f.states[v]).name; return "state" + n;
    case Operand::Plot: return "plot" + n;
    case Operand::UserType: note = p.types[v].name; return "type" + n;
    case Operand::Field: return "field" + n;
    case Operand::CollOp: return coll_text(in);
    case Operand::Enum: note = p.enums[v].name; return "enum" + n;
    case Operand::String: return "\"" + p.strings[v] + "\"";
    case Operand::StrategyFn: return strategy_spec(static_cast<StrategyFn>(v)).name;
  }
  return "?";
}

/// Operand text for one instruction, printed by kind from opcode_format,
/// with a comment where it helps.
std::string operands(const Program& p, const FunctionProto& f, const Instr& in) {
  const OpFormat fmt = opcode_format(in.op);
  const bool wide = fmt.b == Operand::Const || fmt.b == Operand::Jump;
  const std::pair<Operand, std::uint32_t> fields[] = {{fmt.a, in.a}, {fmt.b, wide ? in.bc() : in.b}, {fmt.c, in.c}};
  std::string out;
  std::optional<std::string> note;
  for (const auto& [kind, v] : fields) {
    const std::string text = operand_text(p, f, in, kind, v, note);
    if (text.empty()) continue;
    if (!out.empty()) out += ", ";
    out += text;
  }
  if (note) out += "  ; " + *note;
  return out;
}

} // namespace

std::string disassemble(const Program& p) {
  std::string out;
  for (std::size_t fi = 0; fi < p.functions.size(); ++fi) {
    const FunctionProto& f = p.functions[fi];
    out += "function " + std::to_string(fi) + " " + f.name + " params=" + std::to_string(f.num_params) +
           " results=" + std::to_string(f.num_results) + " slots=" + std::to_string(f.num_slots) + "\n";
    for (std::size_t i = 0; i < f.series.size(); ++i)
      out += "  series " + std::to_string(i) + ": " + type_name(f.series[i].type) +
             " capacity=" + std::to_string(f.series[i].capacity) + "\n";
    for (std::size_t i = 0; i < f.states.size(); ++i)
      out += "  state " + std::to_string(i) + ": " + state_spec(f.states[i]).name + "\n";
    for (std::size_t i = 0; i < f.call_sites.size(); ++i)
      out += "  call " + std::to_string(i) + ": " + p.functions[f.call_sites[i]].name + "\n";
    for (std::size_t pc = 0; pc < f.code.size(); ++pc) {
      const Instr& in = f.code[pc];
      char head[64];
      std::snprintf(head, sizeof head, "  %4zu  %-11s ", pc, opcode_name(in.op));
      std::string line = head + operands(p, f, in);
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
  }
  return out;
}

std::string describe_outputs(const Program& p) {
  std::string out;
  for (std::size_t i = 0; i < p.plots.size(); ++i) {
    const PlotInfo& pl = p.plots[i];
    out += "output " + std::to_string(i) + ": " + plot_kind_name(pl.kind) + " \"" + pl.title + "\" " +
           (pl.field.empty() ? std::string("value") : pl.field) + " " + type_name(pl.type);
    if (pl.offset != 0) out += " offset=" + std::to_string(pl.offset);
    if (!pl.targets.empty()) {
      out += " targets=";
      for (std::size_t t = 0; t < pl.targets.size(); ++t) out += (t ? "," : "") + std::to_string(pl.targets[t]);
    }
    for (const PlotAttribute& a : pl.attributes) out += " " + a.name + "=" + a.value;
    out += "\n";
  }
  return out;
}

} // namespace pine
