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
#include <string>

#include "pine/vm/collections.h"
#include "pine/vm/number_format.h"
#include "pine/vm/program.h"
#include "pine/vm/symbol_info.h"

namespace pine {

namespace {

/// The name a host gives input `in` (InstanceBuilder::input): its key
/// ("group/title") when its title is shared, else its title.
const std::string& input_label(const InputDecl& in) { return in.key.empty() ? in.title : in.key; }

const char* type_name(Type t) {
  switch (t) {
    case Type::Enum: return "enum";
    case Type::Ref: return "ref";
    case Type::Void: return "void";
    case Type::Int: return "int";
    case Type::Float: return "float";
    case Type::Bool: return "bool";
    case Type::Color: return "color";
    case Type::String: return "string";
  }
  return "?";
}

/// A constant's value as source-like text.
std::string constant_text(const Program& p, std::size_t i) {
  const Value v = p.constants[i];
  switch (p.constant_types[i]) {
    case Type::Float: return format_pine_number(v.f);
    case Type::Int: return format_pine_int(v.i);
    case Type::Bool: return v.i ? "true" : "false";
    case Type::Color: {
      if (v.i == kColorNa) return "na";
      char buf[16];
      std::snprintf(buf, sizeof buf, "#%08X", static_cast<unsigned>(v.u & 0xFFFFFFFFu));
      return buf;
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

std::string r(std::uint32_t s) { return "r" + std::to_string(s); }

/// Operand text for one instruction, with a comment where it helps.
std::string operands(const Program& p, const FunctionProto& f, const Instr& in) {
  switch (in.op) {
    case Opcode::NOP: return "";
    case Opcode::LOADK: return r(in.a) + ", k" + std::to_string(in.bc()) + "  ; " + constant_text(p, in.bc());
    // An input is named as a host names it: its key when its title is shared.
    case Opcode::LOADINPUT: return r(in.a) + ", input" + std::to_string(in.b) + "  ; " + input_label(p.inputs[in.b]);
    case Opcode::LOADSOURCE: return r(in.a) + ", input" + std::to_string(in.b) + "  ; " + input_label(p.inputs[in.b]);
    case Opcode::GETGLOBAL: return r(in.a) + ", g" + std::to_string(in.b);
    case Opcode::LOADCONTEXT:
      return r(in.a) + ", ctx" + std::to_string(in.b) + "  ; " + context_value_info(static_cast<ContextValue>(in.b)).name;
    case Opcode::JMP: return std::to_string(in.bc());
    case Opcode::JMPF: case Opcode::JMPT: case Opcode::ONCE: return r(in.a) + ", " + std::to_string(in.bc());
    case Opcode::LOOPCHECK: return "";
    case Opcode::RAISE: return r(in.a);
    case Opcode::SERIES_SET: return "s" + std::to_string(in.a) + ", " + r(in.b);
    case Opcode::SERIES_GETK: return r(in.a) + ", s" + std::to_string(in.b) + ", " + std::to_string(in.c);
    case Opcode::SERIES_GET: return r(in.a) + ", s" + std::to_string(in.b) + ", " + r(in.c);
    case Opcode::GSERIES_GETK: return r(in.a) + ", gs" + std::to_string(in.b) + ", " + std::to_string(in.c);
    case Opcode::GSERIES_GET: return r(in.a) + ", gs" + std::to_string(in.b) + ", " + r(in.c);
    case Opcode::CALL:
      return "call" + std::to_string(in.a) + ", " + r(in.b) + ", " + r(in.c) + "  ; " +
             p.functions[f.call_sites[in.a]].name;
    case Opcode::RET: return r(in.a) + ", " + std::to_string(in.b);
    case Opcode::BUILTIN:
      return std::string(builtin_spec(static_cast<BuiltinId>(in.a)).name) + ", " + r(in.b) + ", " + r(in.c);
    case Opcode::TA:
      return "state" + std::to_string(in.a) + ", " + r(in.b) + ", " + r(in.c) + "  ; " +
             state_spec(f.states[in.a]).name;
    case Opcode::PLOT: return "plot" + std::to_string(in.a) + ", " + r(in.b);
    case Opcode::LOG: return std::to_string(in.a) + ", " + r(in.b);
    case Opcode::NEWOBJ: return r(in.a) + ", type" + std::to_string(in.b) + ", " + r(in.c) + "  ; " + p.types[in.b].name;
    case Opcode::GETFIELD:
      return r(in.a) + ", " + r(in.b) + ", field" + std::to_string(in.c);
    case Opcode::SETFIELD: return r(in.a) + ", field" + std::to_string(in.b) + ", " + r(in.c);
    case Opcode::COLL: {
      std::string t = type_name(static_cast<Type>(in.spare & 0x0F));
      if (in.spare >> 4) t = std::string(type_name(static_cast<Type>(in.spare >> 4))) + "->" + t;
      return std::string(coll_op_info(static_cast<CollOp>(in.a)).name) + "<" + t + ">, " + r(in.b) + ", " + r(in.c);
    }
    case Opcode::ENUMSTR: return r(in.a) + ", " + r(in.b) + ", enum" + std::to_string(in.c) + "  ; " + p.enums[in.c].name;
    case Opcode::ALERT: return r(in.a) + ", " + std::to_string(in.b);
    case Opcode::STRFORMAT: return r(in.a) + ", " + r(in.b) + ", \"" + p.strings[in.c] + "\"";
    case Opcode::RANDOM: return r(in.a) + ", " + r(in.b);
    default: break;
  }
  // Register-only shapes: print the registers the opcode uses.
  switch (in.op) {
    case Opcode::MOVE: case Opcode::NEGF: case Opcode::NEGI: case Opcode::I2F: case Opcode::F2I:
    case Opcode::NOT: case Opcode::ISNAF: case Opcode::ISNAI: case Opcode::ISNAC: case Opcode::ISNAS:
    case Opcode::ISNAR:
      return r(in.a) + ", " + r(in.b);
    default: return r(in.a) + ", " + r(in.b) + ", " + r(in.c);
  }
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
