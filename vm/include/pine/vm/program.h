// A compiled Pine program: everything an instance needs, and nothing that
// changes while bars run. Programs are immutable once built and shared by
// every instance created from them (thousands of instances, one program).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "pine/vm/builtins.h"
#include "pine/vm/bytecode.h"
#include "pine/vm/outputs.h"
#include "pine/vm/state_io.h"
#include "pine/vm/strategy.h"
#include "pine/vm/value.h"

namespace pine {

/// Deepest chain of nested user-function calls a program may contain (main
/// calls f: depth 1). Every call path gets its own frame and the
/// interpreter recurses once per nested call, so the depth bounds both the
/// native stack and the layout; real scripts nest a handful of levels. The
/// compiler rejects deeper chains at the call that passes the limit, the
/// verifier rejects programs that contain one, and an instance's layout
/// checks it again.
inline constexpr std::uint32_t kMaxUserCallDepth = 256;

/// One series with history (a variable or expression read with `[]`).
struct SeriesDecl {
  Type type = Type::Float;
  /// Ring capacity in bars: the deepest constant offset + 1, or
  /// max_bars_back + 1 when some offset is dynamic.
  std::uint32_t capacity = 1;
};

/// One function: its code and the per-instance resources each call path of
/// it owns (slots, series, builtin states, child call sites).
struct FunctionProto {
  std::string name;
  std::uint16_t num_slots = 0;   ///< registers; parameters arrive in slots 0..num_params-1
  std::uint16_t num_params = 0;
  std::uint16_t num_results = 0; ///< 0 for main
  std::vector<Instr> code;
  std::vector<std::uint32_t> lines;      ///< source line of each instruction (runtime errors)
  std::vector<std::uint32_t> call_sites; ///< callee function index of each call site
  std::vector<SeriesDecl> series;
  std::vector<StateKind> states;
  std::vector<std::uint16_t> string_slots; ///< slots of named string variables (string GC roots)
  std::vector<std::uint16_t> ref_slots;    ///< slots of `var` references (heap GC roots)
};

/// One field of a user-defined type. Only its storage type matters to the
/// VM: the collector follows Ref fields and the string collector String ones.
struct FieldDecl {
  std::string name;
  Type type = Type::Float;
};

/// A user-defined type (`type Point`): the layout of its objects. Objects
/// are created by NEWOBJ with the fields' values in declaration order.
struct TypeDecl {
  std::string name;
  std::vector<FieldDecl> fields;
};

/// A user enum: the title of each member, by ordinal, as handles into
/// Program::strings (ENUMSTR reads them for str.tostring).
struct EnumDecl {
  std::string name;
  std::vector<std::uint32_t> titles;
};

/// The kind of an input.*() call.
enum class InputKind : std::uint8_t {
  Int,
  Float,
  Bool,
  String,
  Source, ///< input.source(): the value is the BuiltinVar index of a float built-in series
  Color,  ///< input.color(): 0xRRGGBBAA
  Time,   ///< input.time(): UNIX ms
  Enum,   ///< input.enum(): the member's ordinal; `options` are the members' titles
};

/// True when built-in variable `v` may be chosen by an input.source() (a
/// float series: open, high, low, close, volume, hl2, hlc3, ohlc4, hlcc4).
bool is_source_var(std::uint64_t v);

/// What the text of a string input must look like (InstanceBuilder::input
/// checks a value the host gives).
enum class InputFormat : std::uint8_t {
  Any,       ///< input.string, input.text_area, input(): any text
  Timeframe, ///< input.timeframe(): a timeframe such as "60", "1D" (empty: the chart's)
  Symbol,    ///< input.symbol(): "EXCHANGE:TICKER" or "TICKER", no spaces
  Session,   ///< input.session(): "HHMM-HHMM[,HHMM-HHMM...][:DAYS]" or "24x7"
};

/// One input: its title (the name used by --input), default and bounds.
struct InputDecl {
  std::string title;
  InputKind kind = InputKind::Float;
  Value default_value{};         ///< String: a handle into Program::strings; Source: a BuiltinVar index
  double minval = -1e308;        ///< Int/Float bounds (inclusive)
  double maxval = 1e308;
  std::vector<std::string> options; ///< allowed values (as text), empty = any
  /// The name a host gives this input when its title is shared with
  /// another input of a different group: "group/title" ("/title" with no
  /// group). Empty when the title alone names it (then the program bytes
  /// do not carry it, see program_io.cpp).
  std::string key;
  InputFormat format = InputFormat::Any; ///< String inputs only
};

/// The compiled program.
struct Program {
  std::uint32_t bytecode_version = kBytecodeVersion;
  std::string title;                ///< indicator() title
  std::int64_t max_bars_back = 5000;
  std::vector<Value> constants;
  std::vector<Type> constant_types; ///< for the disassembler; same length as constants
  std::vector<std::string> strings; ///< string constants: handle i is strings[i]
  std::vector<FunctionProto> functions; ///< functions[0] is the main body
  std::vector<PlotInfo> plots;
  std::vector<InputDecl> inputs;
  std::vector<TypeDecl> types; ///< user-defined types, indexed by NEWOBJ's B operand
  std::vector<EnumDecl> enums; ///< user enums, indexed by ENUMSTR's C operand
  /// Set for a strategy() script: its settings. Its main frame then holds
  /// the strategy.* variables after the built-in ones (first_free_slot).
  std::optional<StrategySettings> strategy;
};

/// Thrown when a program (loaded from bytes, or built by hand) breaks a rule
/// the interpreter relies on.
class ProgramError : public std::runtime_error {
public:
  explicit ProgramError(const std::string& what) : std::runtime_error(what) {}
};

/// Checks every operand of every instruction against the program's tables,
/// jump targets, call graph acyclicity and resource limits. The interpreter
/// runs only verified programs, so it needs no checks of its own.
void verify_program(const Program& program);

/// Canonical bytes of a program (Cereal portable binary): the program hash
/// is computed over them, snapshots embed them, .pvmc files hold them.
std::vector<std::uint8_t> serialize_program(const Program& program);

/// Decodes and verifies canonical program bytes; throws ProgramError. With a
/// `budget`, every allocation sized by the bytes is charged to it first
/// (DecodeBudgetExceeded when it does not fit).
Program deserialize_program(std::span<const std::uint8_t> bytes, DecodeBudget* budget = nullptr);

/// The disassembly text of a whole program, stable for tests.
std::string disassemble(const Program& program);

/// The output columns with their metadata, one line each, stable for tests:
/// `output <i>: <kind> "<title>" <field or value> <type>[ offset=N]
/// [ targets=a,b][ <attribute>=<value>...]`.
std::string describe_outputs(const Program& program);

} // namespace pine
