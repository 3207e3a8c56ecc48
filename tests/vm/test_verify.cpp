// Verifier tests by operand kind: for every operand of every instruction of a
// compiled program, an out-of-range value of that operand's kind (from
// opcode_format) is rejected with a message naming the opcode, the operand
// and the reason, and the unmodified program is accepted.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "pine/vm/bytecode.h"
#include "pine/vm/program.h"
#include "vm_helpers.h"

namespace {

using pine::Opcode;
using pine::Operand;

/// A script that exercises an instruction with each operand kind.
const char* const kScript = R"(type P
    float x
enum E
    a = "A"
    b
len = input.int(3, "len")
src = input.source(close, "src")
g = close
f(x) =>
    y = x + g[1] + g
    y
var arr = array.new<float>()
arr.push(f(src))
p = P.new(close)
s = str.tostring(E.a)
t = str.format("{0}", close)
r = math.random(0, 1, 42)
tk = syminfo.ticker
k = 0
for i = 0 to 3
    k += i
log.info("x" + s + t + tk)
alert("hi")
plot(ta.sma(close, len) + math.abs(r) + p.x + close[k] + arr.get(0))
)";

/// The reason the verifier should give when operand `kind` is broken as
/// break_operand breaks it.
std::string expected_reason(Operand kind) {
  switch (kind) {
    case Operand::Reg: return "slot 65535 out of range";
    case Operand::Span: return "slot range out of range";
    case Operand::Const: return "constant index out of range";
    case Operand::Jump: return "jump target out of range";
    case Operand::Input: return "input index out of range";
    case Operand::Global: return "global slot out of range";
    case Operand::Context: return "context value out of range";
    case Operand::Series: return "series out of range";
    case Operand::GlobalSeries: return "global series out of range";
    case Operand::Offset: return "constant history offset must be positive";
    case Operand::CallSite: return "call site out of range";
    case Operand::ResultCount: return "result count mismatch";
    case Operand::Builtin: return "unknown builtin";
    case Operand::State: return "builtin state out of range";
    case Operand::Plot: return "plot out of range";
    case Operand::LogLevel: return "bad log level";
    case Operand::UserType: return "type index out of range";
    case Operand::CollOp: return "unknown collection operation";
    case Operand::Enum: return "enum index out of range";
    case Operand::AlertFreq: return "bad alert frequency";
    case Operand::String: return "string index out of range";
    case Operand::ElemType: return "bad element type";
    case Operand::Zero: return "must be 0";
    default: return "";
  }
}

/// Puts an out-of-range value of `kind` into operand `which` of `in`;
/// false for kinds that have no static range (Unused, Low, Field).
bool break_operand(pine::Instr& in, char which, Operand kind) {
  std::uint32_t v = 0xFFFF;
  if (kind == Operand::Offset) v = 0;
  else if (kind == Operand::Zero) v = 1;
  else if (kind == Operand::ResultCount) v = in.b + 1u;
  else if (kind == Operand::ElemType) v = 0xFF;
  else if (kind == Operand::Unused || kind == Operand::Low || kind == Operand::Field) return false;
  switch (which) {
    case 'A': in.a = static_cast<std::uint16_t>(v); break;
    case 'B': in.b = static_cast<std::uint16_t>(v); break; // the high half of a BC operand
    case 'C': in.c = static_cast<std::uint16_t>(v); break;
    default: in.elem_type = static_cast<std::uint8_t>(v); break;
  }
  return true;
}

} // namespace

TEST_CASE("verify: a broken operand of each kind is rejected with its opcode, operand and reason") {
  const auto compiled = compile_ok(kScript);
  const pine::Program& good = *compiled;
  REQUIRE(verify_error(good).empty());

  std::set<Operand> covered;
  for (std::size_t fi = 0; fi < good.functions.size(); ++fi) {
    for (std::size_t pc = 0; pc < good.functions[fi].code.size(); ++pc) {
      const pine::OpFormat fmt = pine::opcode_format(good.functions[fi].code[pc].op);
      const std::pair<char, Operand> fields[] = {{'A', fmt.a}, {'B', fmt.b}, {'C', fmt.c}, {'T', fmt.t}};
      for (const auto& [which, kind] : fields) {
        pine::Program bad = good;
        pine::Instr& in = bad.functions[fi].code[pc];
        if (!break_operand(in, which, kind)) continue;
        covered.insert(kind);
        const std::string msg = verify_error(bad);
        const std::string prefix = std::string(pine::opcode_name(in.op)) + " operand " + which + ": ";
        INFO("function " << fi << " pc " << pc << ": " << msg);
        CHECK(msg.find("instruction " + std::to_string(pc) + ": " + prefix + expected_reason(kind)) != std::string::npos);
      }
    }
  }
  // The script reaches every kind that has a static range.
  for (Operand k : {Operand::Reg, Operand::Span, Operand::Const, Operand::Jump, Operand::Input, Operand::Global,
                    Operand::Context, Operand::Series, Operand::GlobalSeries, Operand::Offset, Operand::CallSite,
                    Operand::ResultCount, Operand::Builtin, Operand::State, Operand::Plot, Operand::LogLevel,
                    Operand::UserType, Operand::CollOp, Operand::Enum, Operand::AlertFreq, Operand::String,
                    Operand::ElemType, Operand::Zero})
    CHECK_MESSAGE(covered.count(k) == 1, "no instruction of kind " << static_cast<int>(k));
}

TEST_CASE("verify: a backward jump must land on a LOOPCHECK and LOOPCHECK takes no operands") {
  pine::Program p;
  pine::FunctionProto main;
  main.name = "main";
  main.num_slots = pine::kBuiltinVarSlots;
  main.code = {pine::Instr{Opcode::LOOPCHECK, 0, 0, 0, 0}, pine::make_abc32(Opcode::JMP, 0, 0)};
  main.lines = {1, 1};
  p.functions.push_back(main);
  CHECK(verify_error(p).empty());

  p.functions[0].code[0] = pine::Instr{Opcode::NOP, 0, 0, 0, 0};
  CHECK(verify_error(p).find("instruction 1: JMP operand B: backward jump not to a LOOPCHECK") != std::string::npos);

  p.functions[0].code[0] = pine::Instr{Opcode::LOOPCHECK, 0, 0, 0, 3};
  CHECK(verify_error(p).find("instruction 0: LOOPCHECK operand C: must be 0") != std::string::npos);
}

TEST_CASE("verify: LOADSOURCE needs a source input and STRFORMAT a signature of type letters") {
  const auto compiled = compile_ok("src = input.source(close, \"src\")\nn = input.int(1, \"n\")\n"
                                   "plot(src + n)\nlog.info(str.format(\"{0}\", close))\n");
  pine::Program p = *compiled;
  REQUIRE(verify_error(p).empty());
  bool saw_source = false, saw_format = false;
  for (pine::Instr& in : p.functions[0].code) {
    if (in.op == Opcode::LOADSOURCE) {
      pine::Program bad = p;
      // The other input is an int input.
      for (pine::Instr& b : bad.functions[0].code)
        if (b.op == Opcode::LOADSOURCE) b.b = static_cast<std::uint16_t>(1 - b.b);
      CHECK(verify_error(bad).find("LOADSOURCE operand B: not a source input") != std::string::npos);
      saw_source = true;
    }
    if (in.op == Opcode::STRFORMAT) {
      pine::Program bad = p;
      bad.strings[in.c] = "x";
      CHECK(verify_error(bad).find("STRFORMAT operand C: bad argument type in str.format signature") != std::string::npos);
      saw_format = true;
    }
  }
  CHECK(saw_source);
  CHECK(saw_format);
}

TEST_CASE("opcode_format: the table matches the instruction set's shapes") {
  static_assert(pine::opcode_format(Opcode::ADDF).a == Operand::Reg);
  static_assert(pine::opcode_format(Opcode::LOADK).b == Operand::Const);
  static_assert(pine::opcode_format(Opcode::LOADK).c == Operand::Low);
  static_assert(pine::opcode_format(Opcode::COLL).t == Operand::ElemType);
  static_assert(pine::opcode_format(Opcode::MOVE).t == Operand::Zero);
  const pine::OpFormat none = pine::opcode_format(static_cast<Opcode>(250));
  CHECK(none.a == Operand::Unused);
  CHECK(none.b == Operand::Unused);
  CHECK(none.c == Operand::Unused);
  // Only COLL carries an element type; wide operands always sit in B with C its low half.
  for (int i = 0; i < static_cast<int>(Opcode::Count); ++i) {
    const pine::OpFormat f = pine::opcode_format(static_cast<Opcode>(i));
    CHECK((f.t == Operand::ElemType) == (static_cast<Opcode>(i) == Opcode::COLL));
    const bool wide = f.b == Operand::Const || f.b == Operand::Jump;
    CHECK(wide == (f.c == Operand::Low));
    CHECK(f.a != Operand::Low);
  }
}
