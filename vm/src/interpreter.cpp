// The interpreter loop.
//
// Rules the loop relies on (checked once by verify_program, never here):
//  1. Every slot, constant, series, state, call site, plot and jump operand
//     is in range for the function being run.
//  2. The call graph is acyclic, so a call never re-enters a frame that is
//     running and the C++ recursion depth is bounded by the graph's depth.
//  3. Types are static: an instruction reads its operands as the type its
//     suffix names and never checks a tag.
// Run-time conditions that depend on data (bad lengths, history beyond the
// buffer, runtime.error) raise RuntimeError with the instruction's line.
#include "interpreter.h"

#include <chrono>
#include <cmath>
#include <cstring>
#include <new>

#include "builtin_call.h"
#include "collections.h"
#include "random.h"
#include "text_format.h"
#include "work_cost.h"
#include "compare.h"
#include "pine/vm/builtins.h"

namespace pine {

namespace {

inline bool int_na(std::int64_t v) { return v == kIntNa; }

// Int arithmetic: na in => na out; otherwise two's-complement wrap-around
// (computed in unsigned, where overflow is defined).
inline std::int64_t int_add(std::int64_t x, std::int64_t y) {
  return int_na(x) || int_na(y) ? kIntNa : static_cast<std::int64_t>(static_cast<std::uint64_t>(x) + static_cast<std::uint64_t>(y));
}
inline std::int64_t int_sub(std::int64_t x, std::int64_t y) {
  return int_na(x) || int_na(y) ? kIntNa : static_cast<std::int64_t>(static_cast<std::uint64_t>(x) - static_cast<std::uint64_t>(y));
}
inline std::int64_t int_mul(std::int64_t x, std::int64_t y) {
  return int_na(x) || int_na(y) ? kIntNa : static_cast<std::int64_t>(static_cast<std::uint64_t>(x) * static_cast<std::uint64_t>(y));
}
// x is never INT64_MIN here (that is na), so x % -1 cannot overflow; x % 0 is na.
inline std::int64_t int_mod(std::int64_t x, std::int64_t y) { return int_na(x) || int_na(y) || y == 0 ? kIntNa : x % y; }

} // namespace

Interpreter::Interpreter(InstanceState& state) : st_(state), prog_(*state.program) {}

[[noreturn]] void Interpreter::raise(const FunctionProto& fn, std::size_t pc, const std::string& message) {
  const std::uint32_t line = pc < fn.lines.size() ? fn.lines[pc] : 0;
  st_.halted = true;
  throw RuntimeError(message, st_.bars_processed, line);
}

Value Interpreter::read_history(const FunctionProto& fn, std::size_t pc, const SeriesRing& ring, std::int64_t offset) {
  const std::int64_t bar = st_.bars_processed;
  if (offset == kIntNa) return ring.get(bar, bar + 1).value; // an na offset reads na
  if (offset < 0) raise(fn, pc - 1, "history offset " + std::to_string(offset) + ": a history-reference offset cannot be negative");
  const SeriesRing::Read r = ring.get(bar, offset);
  if (r.beyond_buffer) {
    raise(fn, pc - 1, "the requested historical offset (" + std::to_string(offset) +
                          ") is beyond the historical buffer's limit (" + std::to_string(ring.capacity() - 1) + ")");
  }
  return r.value;
}

// Dispatch. With GCC and Clang each handler jumps straight to the next
// instruction's handler through a table of label addresses ("computed
// goto"): one indirect jump per instruction, predicted per handler, and no
// bounds check (the verifier guarantees every opcode is below Count). Other
// compilers get the same handlers as the cases of a switch in a loop.
#if defined(__GNUC__) || defined(__clang__)
#define PINE_COMPUTED_GOTO 1
#else
#define PINE_COMPUTED_GOTO 0
#endif

#if PINE_COMPUTED_GOTO
#define PINE_OP(name) op_##name:
#define PINE_NEXT()                                         \
  do {                                                      \
    goto* kDispatch[static_cast<std::size_t>((ip++)->op)];  \
  } while (0)
#else
#define PINE_OP(name) case Opcode::name:
#define PINE_NEXT() continue
#endif

const Value* Interpreter::run(std::uint32_t frame_index) {
  const FrameInfo& frame = st_.frames[frame_index];
  const FunctionProto& fn = prog_.functions[frame.function];
  Value* const regs = st_.slots.data() + frame.slot_base;
  const Value* const k = prog_.constants.data();
  const Instr* const code = fn.code.data();

  // The instruction pointer lives in a register; pc() is its index, for
  // runtime errors (which report the instruction's source line). Handlers
  // run with ip already past their instruction and read its operands from
  // memory where they need them (`in`): dispatch itself decodes nothing
  // but the opcode.
  const Instr* ip = code;
  auto pc = [&] { return static_cast<std::size_t>(ip - code); };
  // A failed allocation anywhere below (a collection, a string, a log
  // record, a ta.* window) becomes a runtime error at the instruction that
  // made it; the instance halts. Every container the handlers grow gives the
  // strong guarantee (push_back, insert, Heap::add), so the state stays
  // consistent: the failed instruction simply did not happen. The try block
  // costs nothing when nothing throws (table-based unwinding).
  try {
#define in (ip[-1])
#define A regs[in.a]
#define B regs[in.b]
#define C regs[in.c]

#if PINE_COMPUTED_GOTO
  // In PINE_OPCODES order, so entry i is the handler of opcode i.
#define PINE_LABEL_ADDRESS(name, a, b, c, t, doc) &&op_##name,
  static const void* const kDispatch[] = {PINE_OPCODES(PINE_LABEL_ADDRESS)};
#undef PINE_LABEL_ADDRESS
  static_assert(std::size(kDispatch) == static_cast<std::size_t>(Opcode::Count));
  PINE_NEXT();
#else
  for (;;) {
    switch ((ip++)->op) {
#endif

  PINE_OP(NOP) PINE_NEXT();
  PINE_OP(MOVE) A = B; PINE_NEXT();
  PINE_OP(LOADK) A = k[in.bc()]; PINE_NEXT();
  PINE_OP(LOADINPUT) A = st_.inputs[in.b]; PINE_NEXT();
  PINE_OP(GETGLOBAL) A = st_.slots[in.b]; PINE_NEXT();
  PINE_OP(LOADSOURCE) A = st_.slots[static_cast<std::size_t>(st_.inputs[in.b].u)]; PINE_NEXT();

  PINE_OP(ADDF) A.f = B.f + C.f; PINE_NEXT();
  PINE_OP(SUBF) A.f = B.f - C.f; PINE_NEXT();
  PINE_OP(MULF) A.f = B.f * C.f; PINE_NEXT();
  PINE_OP(DIVF) A.f = B.f / C.f; PINE_NEXT();
  PINE_OP(MODF) A.f = std::fmod(B.f, C.f); PINE_NEXT();
  PINE_OP(NEGF) A.f = -B.f; PINE_NEXT();

  PINE_OP(ADDI) A.i = int_add(B.i, C.i); PINE_NEXT();
  PINE_OP(SUBI) A.i = int_sub(B.i, C.i); PINE_NEXT();
  PINE_OP(MULI) A.i = int_mul(B.i, C.i); PINE_NEXT();
  PINE_OP(MODI) A.i = int_mod(B.i, C.i); PINE_NEXT();
  PINE_OP(NEGI) A.i = int_na(B.i) ? kIntNa : static_cast<std::int64_t>(0 - static_cast<std::uint64_t>(B.i)); PINE_NEXT();
  PINE_OP(I2F) A.f = int_na(B.i) ? kFloatNa : static_cast<double>(B.i); PINE_NEXT();
  PINE_OP(F2I) A.i = float_to_int(B.f); PINE_NEXT();

  PINE_OP(LTF) A.i = float_lt(B.f, C.f); PINE_NEXT();
  PINE_OP(LEF) A.i = float_le(B.f, C.f); PINE_NEXT();
  PINE_OP(GTF) A.i = float_lt(C.f, B.f); PINE_NEXT();
  PINE_OP(GEF) A.i = float_le(C.f, B.f); PINE_NEXT();
  PINE_OP(EQF) A.i = float_eq(B.f, C.f); PINE_NEXT();
  PINE_OP(NEF) A.i = float_ne(B.f, C.f); PINE_NEXT();
  PINE_OP(LTI) A.i = int_cmp_ok(B.i, C.i) && B.i < C.i; PINE_NEXT();
  PINE_OP(LEI) A.i = int_cmp_ok(B.i, C.i) && B.i <= C.i; PINE_NEXT();
  PINE_OP(GTI) A.i = int_cmp_ok(B.i, C.i) && B.i > C.i; PINE_NEXT();
  PINE_OP(GEI) A.i = int_cmp_ok(B.i, C.i) && B.i >= C.i; PINE_NEXT();
  PINE_OP(EQI) A.i = int_cmp_ok(B.i, C.i) && B.i == C.i; PINE_NEXT();
  PINE_OP(NEI) A.i = int_cmp_ok(B.i, C.i) && B.i != C.i; PINE_NEXT();
  PINE_OP(EQB) A.i = (B.i != 0) == (C.i != 0); PINE_NEXT();
  PINE_OP(NEB) A.i = (B.i != 0) != (C.i != 0); PINE_NEXT();
  PINE_OP(EQS) A.i = strings_equal(B.i, C.i, true); PINE_NEXT();
  PINE_OP(NES) A.i = strings_equal(B.i, C.i, false); PINE_NEXT();
  PINE_OP(EQC) A.i = B.i != kColorNa && C.i != kColorNa && B.i == C.i; PINE_NEXT();
  PINE_OP(NEC) A.i = B.i != kColorNa && C.i != kColorNa && B.i != C.i; PINE_NEXT();
  PINE_OP(NOT) A.i = B.i == 0; PINE_NEXT();
  PINE_OP(CONCAT)
    A.i = concat(fn, pc(), B.i, C.i);
    charge_memory_scan(fn, pc(), kAllocatingOpCost);
    PINE_NEXT();

  PINE_OP(ISNAF) A.i = !std::isfinite(B.f); PINE_NEXT();
  PINE_OP(ISNAI) A.i = B.i == kIntNa; PINE_NEXT();
  PINE_OP(ISNAC) A.i = B.i == kColorNa; PINE_NEXT();
  PINE_OP(ISNAS) A.i = B.i == kStringNa; PINE_NEXT();

  PINE_OP(JMP) ip = code + in.bc(); PINE_NEXT();
  PINE_OP(JMPF) if (A.i == 0) ip = code + in.bc(); PINE_NEXT();
  PINE_OP(JMPT) if (A.i != 0) ip = code + in.bc(); PINE_NEXT();
  PINE_OP(ONCE)
    if (A.i != 0) ip = code + in.bc();
    else A.i = 1;
    PINE_NEXT();
  PINE_OP(LOOPCHECK) charge_work(fn, pc(), kLoopIterationWork); PINE_NEXT();

  PINE_OP(SERIES_SET) st_.series[frame.series_base + in.a].set(st_.bars_processed, B); PINE_NEXT();
  PINE_OP(SERIES_GETK) A = read_history(fn, pc(), st_.series[frame.series_base + in.b], in.c); PINE_NEXT();
  PINE_OP(SERIES_GET) A = read_history(fn, pc(), st_.series[frame.series_base + in.b], C.i); PINE_NEXT();
  PINE_OP(GSERIES_GETK) A = read_history(fn, pc(), st_.series[in.b], in.c); PINE_NEXT();
  PINE_OP(GSERIES_GET) A = read_history(fn, pc(), st_.series[in.b], C.i); PINE_NEXT();

  PINE_OP(CALL) call(frame, in); PINE_NEXT();
  PINE_OP(RET) return regs + in.a;

  PINE_OP(BUILTIN)
    builtin(fn, pc(), static_cast<BuiltinId>(in.a), regs + in.b, C);
    charge_memory_scan(fn, pc(), kAllocatingOpCost);
    PINE_NEXT();
  PINE_OP(TA) {
    const StepFunction step = kStepFunctions[static_cast<std::size_t>(fn.states[in.a])];
    const char* error = step(st_.states[frame.state_base + in.a], regs + in.b, regs + in.c, st_.slots.data());
    if (error != nullptr) raise(fn, pc() - 1, error);
    PINE_NEXT();
  }

  PINE_OP(PLOT) st_.plot_values[in.a] = B; PINE_NEXT();
  PINE_OP(LOG)
    record_log(static_cast<LogLevel>(in.a), B.i);
    charge_memory_scan(fn, pc(), kAllocatingOpCost);
    PINE_NEXT();
  // Every bar an instance runs is confirmed and historical, so every
  // frequency fires on every call (B is kept for realtime updates).
  PINE_OP(ALERT)
    record_log(LogLevel::Alert, A.i);
    charge_memory_scan(fn, pc(), kAllocatingOpCost);
    PINE_NEXT();
  PINE_OP(STRFORMAT)
    A.i = format(fn, pc(), regs + in.b, in.c);
    charge_memory_scan(fn, pc(), kAllocatingOpCost);
    PINE_NEXT();
  PINE_OP(RANDOM) A.f = next_random(st_.random, B.f, regs[in.b + 1].f, regs[in.b + 2].i); PINE_NEXT();
  PINE_OP(RAISE) raise(fn, pc() - 1, A.i == kStringNa ? std::string("NaN") : std::string(st_.strings.get(A.i)));
  PINE_OP(NEWOBJ)
    A.i = new_object(fn, pc(), in.b, regs + in.c);
    charge_memory_scan(fn, pc(), kAllocatingOpCost);
    PINE_NEXT();
  PINE_OP(GETFIELD) A = field(fn, pc(), B.i, in.c, "Cannot access a field of an na object"); PINE_NEXT();
  PINE_OP(SETFIELD) field(fn, pc(), A.i, in.b, "Cannot assign a field of an na object") = C; PINE_NEXT();
  PINE_OP(COLL)
    collection(fn, pc(), in, regs);
    charge_memory_scan(fn, pc(), kAllocatingOpCost);
    PINE_NEXT();
  PINE_OP(ENUMSTR) {
    const std::vector<std::uint32_t>& titles = prog_.enums[in.c].titles;
    const std::int64_t ord = B.i;
    A.i = ord >= 0 && static_cast<std::uint64_t>(ord) < titles.size() ? titles[static_cast<std::size_t>(ord)] : kStringNa;
    PINE_NEXT();
  }
  PINE_OP(ISNAR) A.i = B.i == kRefNa; PINE_NEXT();
  PINE_OP(LOADCONTEXT) A = st_.context.values[in.b]; PINE_NEXT();
  // Strategy programs only (the verifier checks), which have a broker.
  PINE_OP(STRATEGY)
    if (const char* error = st_.broker->call(static_cast<StrategyFn>(in.a), regs + in.b, regs + in.c, st_.strings))
      raise(fn, pc() - 1, error);
    charge_memory_scan(fn, pc(), kAllocatingOpCost);
    PINE_NEXT();

#if !PINE_COMPUTED_GOTO
      case Opcode::Count: break;
    }
  }
#endif
  } catch (const std::bad_alloc&) {
    raise(fn, pc() - 1, "out of memory: an allocation failed while running this line");
  }
#undef A
#undef B
#undef C
#undef in
}

#undef PINE_OP
#undef PINE_NEXT

// ---- Out-of-line handlers ------------------------------------------------------
// Kept out of run() so that the rare, heavy instructions do not crowd the
// hot loop's registers.

void Interpreter::call(const FrameInfo& frame, Instr in) {
  Value* const regs = st_.slots.data() + frame.slot_base;
  const std::uint32_t child = st_.children[frame.child_base + in.a];
  const FunctionProto& callee = prog_.functions[st_.frames[child].function];
  Value* const callee_regs = st_.slots.data() + st_.frames[child].slot_base;
  std::memcpy(callee_regs, regs + in.b, sizeof(Value) * callee.num_params);
  const Value* results = run(child);
  std::memmove(regs + in.c, results, sizeof(Value) * callee.num_results);
}

bool Interpreter::strings_equal(std::int64_t x, std::int64_t y, bool want_equal) const {
  if (x == kStringNa || y == kStringNa) return false;
  return (st_.strings.get(x) == st_.strings.get(y)) == want_equal;
}

std::int64_t Interpreter::concat(const FunctionProto& fn, std::size_t pc, std::int64_t x, std::int64_t y) {
  if (x == kStringNa || y == kStringNa) return kStringNa;
  const std::string_view l = st_.strings.get(x), r = st_.strings.get(y);
  if (l.size() + r.size() > kMaxStringLength) raise(fn, pc - 1, "string is longer than 40960 characters");
  charge_work(fn, pc, string_work(l.size() + r.size()));
  std::string s;
  s.reserve(l.size() + r.size());
  s.append(l).append(r);
  return st_.strings.add(std::move(s));
}

void Interpreter::record_log(LogLevel level, std::int64_t message) {
  LogRecord rec;
  rec.time = st_.slots[static_cast<std::size_t>(BuiltinVar::TIME)].i;
  rec.bar_index = st_.bars_processed;
  rec.level = level;
  rec.message = message == kStringNa ? std::string("NaN") : std::string(st_.strings.get(message));
  st_.log_bytes += sizeof(LogRecord) + rec.message.capacity();
  st_.logs.push_back(std::move(rec));
}

std::int64_t Interpreter::format(const FunctionProto& fn, std::size_t pc, const Value* args, std::uint16_t types) {
  const std::int64_t pattern = args[0].i;
  if (pattern == kStringNa) return kStringNa;
  std::string text;
  const char* error = format_message(st_.strings.get(pattern), args + 1, prog_.strings[types], st_.strings, text);
  if (error != nullptr) raise(fn, pc - 1, error);
  charge_work(fn, pc, string_work(text.size()));
  return st_.strings.add(std::move(text));
}

std::int64_t Interpreter::new_object(const FunctionProto& fn, std::size_t pc, std::uint16_t type, const Value* fields) {
  const TypeDecl& t = prog_.types[type];
  HeapObject obj;
  obj.kind = ObjKind::Object;
  obj.type_index = type;
  obj.items.assign(fields, fields + t.fields.size());
  const std::int64_t h = st_.heap.add(std::move(obj));
  if (h < 0) raise(fn, pc - 1, "too many live objects (more than 4194304)");
  return h;
}

Value& Interpreter::field(const FunctionProto& fn, std::size_t pc, std::int64_t object, std::uint16_t index,
                          const char* na_message) {
  HeapObject* obj = st_.heap.get(object);
  if (obj == nullptr || obj->kind != ObjKind::Object || index >= obj->items.size()) raise(fn, pc - 1, na_message);
  return obj->items[index];
}

void Interpreter::scan_memory(const FunctionProto& fn, std::size_t pc) {
  st_.memory_scan_budget = kMemoryScanInterval;
  st_.work_since_measure = 0;  // run_bar need not measure again for this work
  const std::uint64_t bytes = st_.collection_bytes();
  if (bytes > st_.gc_pressure_bytes()) st_.collect_pressure = true;
  const std::uint64_t held = bytes + st_.log_bytes, limit = st_.limits.memory_bytes;
  if (held > limit)
    raise(fn, pc - 1, "memory limit exceeded: the script's arrays, matrices, maps, objects, strings and log messages take " +
                          std::to_string(held >> 20) + " MiB, more than " + std::to_string(limit >> 20) + " MiB");
}

void Interpreter::work_checkpoint(const FunctionProto& fn, std::size_t pc) {
  const RunLimits& lim = st_.limits;
  if (st_.work_done > lim.work_per_bar)
    raise(fn, pc - 1, "the script did too much work on one bar: more than " + std::to_string(lim.work_per_bar) +
                          " units (loop iterations, and elements or characters handled by built-in functions)");
  std::int64_t next = lim.work_per_bar;
  if (lim.time_per_bar.count() > 0) {
    const auto now = std::chrono::steady_clock::now();
    if (!st_.clock_started) {
      st_.clock_started = true;
      st_.clock_start = now;
    } else if (now - st_.clock_start > lim.time_per_bar) {
      raise(fn, pc - 1, "the script took too long on one bar: more than " + std::to_string(lim.time_per_bar.count()) +
                            " ms");
    }
    // Saturating: work_done may be near a huge work limit.
    if (st_.work_done < lim.work_per_bar - kClockCheckInterval) next = st_.work_done + kClockCheckInterval;
  }
  st_.work_check_at = next;
}

void Interpreter::builtin(const FunctionProto& fn, std::size_t pc, BuiltinId id, const Value* args, Value& result) {
  if (builtin_has_work(id)) charge_work(fn, pc, builtin_work(id, args, st_.strings));
  const char* error = call_builtin(id, args, result, st_.strings);
  if (error != nullptr) raise(fn, pc - 1, error);
}

void Interpreter::collection(const FunctionProto& fn, std::size_t pc, Instr in, Value* regs) {
  // Charged before the call, so a call past the budget never starts.
  const CollOp op = static_cast<CollOp>(in.a);
  if (!collection_work_is_constant(op)) charge_work(fn, pc, collection_work(op, in.elem_type, regs + in.b, st_.heap, st_.strings));
  CollContext ctx{st_.heap, st_.strings, prog_, {}};
  if (!call_collection(op, in.elem_type, regs + in.b, regs + in.c, ctx))
    raise(fn, pc - 1, ctx.error);
}

} // namespace pine
