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

#include <cmath>
#include <cstring>

#include "builtins_impl.h"
#include "collections.h"
#include "random.h"
#include "text_format.h"
#include "compare.h"
#include "pine/vm/builtins.h"

namespace pine {

namespace {

/// Loop iterations (all loops together) one execution may run before the
/// script is stopped. TradingView stops a loop after 500 ms of wall time; a
/// count keeps runs deterministic (the same script fails on the same bar
/// everywhere), and the verifier makes every loop pass a LOOPCHECK, so even a
/// hostile program ends.
constexpr std::int64_t kMaxLoopIterations = 10'000'000;

inline bool int_na(std::int64_t v) { return v == kIntNa; }

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

const Value* Interpreter::run(std::uint32_t frame_index) {
  const FrameInfo& frame = st_.frames[frame_index];
  const FunctionProto& fn = prog_.functions[frame.function];
  Value* const regs = st_.slots.data() + frame.slot_base;
  const Value* const k = prog_.constants.data();
  const Instr* const code = fn.code.data();
  const std::int64_t bar = st_.bars_processed;

  // The instruction pointer lives in a register; pc() is its index, for
  // runtime errors (which report the instruction's source line).
  const Instr* ip = code;
  auto pc = [&] { return static_cast<std::size_t>(ip - code); };
  for (;;) {
    const Instr in = *ip++;
    Value& A = regs[in.a];
    switch (in.op) {
      case Opcode::NOP: break;
      case Opcode::MOVE: A = regs[in.b]; break;
      case Opcode::LOADK: A = k[in.bc()]; break;
      case Opcode::LOADINPUT: A = st_.inputs[in.b]; break;
      case Opcode::GETGLOBAL: A = st_.slots[in.b]; break;
      case Opcode::LOADSOURCE: A = st_.slots[static_cast<std::size_t>(st_.inputs[in.b].u)]; break;

      case Opcode::ADDF: A.f = regs[in.b].f + regs[in.c].f; break;
      case Opcode::SUBF: A.f = regs[in.b].f - regs[in.c].f; break;
      case Opcode::MULF: A.f = regs[in.b].f * regs[in.c].f; break;
      case Opcode::DIVF: A.f = regs[in.b].f / regs[in.c].f; break;
      case Opcode::MODF: A.f = std::fmod(regs[in.b].f, regs[in.c].f); break;
      case Opcode::NEGF: A.f = -regs[in.b].f; break;

      case Opcode::ADDI: {
        const std::int64_t x = regs[in.b].i, y = regs[in.c].i;
        A.i = (int_na(x) || int_na(y)) ? kIntNa : static_cast<std::int64_t>(static_cast<std::uint64_t>(x) + static_cast<std::uint64_t>(y));
        break;
      }
      case Opcode::SUBI: {
        const std::int64_t x = regs[in.b].i, y = regs[in.c].i;
        A.i = (int_na(x) || int_na(y)) ? kIntNa : static_cast<std::int64_t>(static_cast<std::uint64_t>(x) - static_cast<std::uint64_t>(y));
        break;
      }
      case Opcode::MULI: {
        const std::int64_t x = regs[in.b].i, y = regs[in.c].i;
        A.i = (int_na(x) || int_na(y)) ? kIntNa : static_cast<std::int64_t>(static_cast<std::uint64_t>(x) * static_cast<std::uint64_t>(y));
        break;
      }
      case Opcode::MODI: {
        const std::int64_t x = regs[in.b].i, y = regs[in.c].i;
        // x is never INT64_MIN here (that is na), so x % -1 cannot overflow.
        A.i = (int_na(x) || int_na(y) || y == 0) ? kIntNa : x % y;
        break;
      }
      case Opcode::NEGI: {
        const std::int64_t x = regs[in.b].i;
        A.i = int_na(x) ? kIntNa : static_cast<std::int64_t>(0 - static_cast<std::uint64_t>(x));
        break;
      }
      case Opcode::I2F: {
        const std::int64_t x = regs[in.b].i;
        A.f = int_na(x) ? kFloatNa : static_cast<double>(x);
        break;
      }
      case Opcode::F2I: A.i = float_to_int(regs[in.b].f); break;

      case Opcode::LTF: A.i = float_lt(regs[in.b].f, regs[in.c].f); break;
      case Opcode::LEF: A.i = float_le(regs[in.b].f, regs[in.c].f); break;
      case Opcode::GTF: A.i = float_lt(regs[in.c].f, regs[in.b].f); break;
      case Opcode::GEF: A.i = float_le(regs[in.c].f, regs[in.b].f); break;
      case Opcode::EQF: A.i = float_eq(regs[in.b].f, regs[in.c].f); break;
      case Opcode::NEF: A.i = float_ne(regs[in.b].f, regs[in.c].f); break;
      case Opcode::LTI: A.i = int_cmp_ok(regs[in.b].i, regs[in.c].i) && regs[in.b].i < regs[in.c].i; break;
      case Opcode::LEI: A.i = int_cmp_ok(regs[in.b].i, regs[in.c].i) && regs[in.b].i <= regs[in.c].i; break;
      case Opcode::GTI: A.i = int_cmp_ok(regs[in.b].i, regs[in.c].i) && regs[in.b].i > regs[in.c].i; break;
      case Opcode::GEI: A.i = int_cmp_ok(regs[in.b].i, regs[in.c].i) && regs[in.b].i >= regs[in.c].i; break;
      case Opcode::EQI: A.i = int_cmp_ok(regs[in.b].i, regs[in.c].i) && regs[in.b].i == regs[in.c].i; break;
      case Opcode::NEI: A.i = int_cmp_ok(regs[in.b].i, regs[in.c].i) && regs[in.b].i != regs[in.c].i; break;
      case Opcode::EQB: A.i = (regs[in.b].i != 0) == (regs[in.c].i != 0); break;
      case Opcode::NEB: A.i = (regs[in.b].i != 0) != (regs[in.c].i != 0); break;
      case Opcode::EQS:
      case Opcode::NES: {
        const std::int64_t x = regs[in.b].i, y = regs[in.c].i;
        bool result = false;
        if (x != kStringNa && y != kStringNa) {
          const bool same = st_.strings.get(x) == st_.strings.get(y);
          result = in.op == Opcode::EQS ? same : !same;
        }
        A.i = result;
        break;
      }
      case Opcode::EQC:
      case Opcode::NEC: {
        const std::int64_t x = regs[in.b].i, y = regs[in.c].i;
        A.i = x != kColorNa && y != kColorNa && ((x == y) == (in.op == Opcode::EQC));
        break;
      }
      case Opcode::NOT: A.i = regs[in.b].i == 0; break;
      case Opcode::CONCAT: {
        const std::int64_t x = regs[in.b].i, y = regs[in.c].i;
        if (x == kStringNa || y == kStringNa) {
          A.i = kStringNa;
          break;
        }
        const std::string_view l = st_.strings.get(x), r = st_.strings.get(y);
        if (l.size() + r.size() > kMaxStringLength) raise(fn, pc() - 1, "string is longer than 40960 characters");
        std::string s;
        s.reserve(l.size() + r.size());
        s.append(l).append(r);
        A.i = st_.strings.add(std::move(s));
        break;
      }

      case Opcode::ISNAF: A.i = !std::isfinite(regs[in.b].f); break;
      case Opcode::ISNAI: A.i = regs[in.b].i == kIntNa; break;
      case Opcode::ISNAC: A.i = regs[in.b].i == kColorNa; break;
      case Opcode::ISNAS: A.i = regs[in.b].i == kStringNa; break;

      case Opcode::JMP: ip = code + in.bc(); break;
      case Opcode::JMPF:
        if (A.i == 0) ip = code + in.bc();
        break;
      case Opcode::JMPT:
        if (A.i != 0) ip = code + in.bc();
        break;
      case Opcode::ONCE:
        if (A.i != 0) ip = code + in.bc();
        else A.i = 1;
        break;
      case Opcode::LOOPCHECK:
        if (++loop_iterations_ > kMaxLoopIterations)
          raise(fn, pc() - 1, "loops ran more than 10000000 iterations on one bar");
        break;

      case Opcode::SERIES_SET: st_.series[frame.series_base + in.a].set(bar, regs[in.b]); break;
      case Opcode::SERIES_GETK: A = read_history(fn, pc(), st_.series[frame.series_base + in.b], in.c); break;
      case Opcode::SERIES_GET: A = read_history(fn, pc(), st_.series[frame.series_base + in.b], regs[in.c].i); break;
      case Opcode::GSERIES_GETK: A = read_history(fn, pc(), st_.series[in.b], in.c); break;
      case Opcode::GSERIES_GET: A = read_history(fn, pc(), st_.series[in.b], regs[in.c].i); break;

      case Opcode::CALL: {
        const std::uint32_t child = st_.children[frame.child_base + in.a];
        const FunctionProto& callee = prog_.functions[st_.frames[child].function];
        Value* const callee_regs = st_.slots.data() + st_.frames[child].slot_base;
        std::memcpy(callee_regs, regs + in.b, sizeof(Value) * callee.num_params);
        const Value* results = run(child);
        std::memmove(regs + in.c, results, sizeof(Value) * callee.num_results);
        break;
      }
      case Opcode::RET: return regs + in.a;

      case Opcode::BUILTIN: {
        const char* error = call_builtin(static_cast<BuiltinId>(in.a), regs + in.b, regs[in.c], st_.strings);
        if (error != nullptr) raise(fn, pc() - 1, error);
        break;
      }
      case Opcode::TA: {
        const char* error = step_state(st_.states[frame.state_base + in.a], fn.states[in.a], regs + in.b,
                                       regs + in.c, st_.slots.data());
        if (error != nullptr) raise(fn, pc() - 1, error);
        break;
      }

      case Opcode::PLOT: st_.plot_values[in.a] = regs[in.b]; break;
      case Opcode::LOG: {
        const std::int64_t h = regs[in.b].i;
        LogRecord rec;
        rec.time = st_.slots[static_cast<std::size_t>(BuiltinVar::TIME)].i;
        rec.bar_index = bar;
        rec.level = static_cast<LogLevel>(in.a);
        rec.message = h == kStringNa ? std::string("NaN") : std::string(st_.strings.get(h));
        st_.logs.push_back(std::move(rec));
        break;
      }
      case Opcode::ALERT: {
        // Every bar an instance runs is confirmed and historical, so every
        // frequency fires on every call (B is kept for realtime updates).
        const std::int64_t h = A.i;
        LogRecord rec;
        rec.time = st_.slots[static_cast<std::size_t>(BuiltinVar::TIME)].i;
        rec.bar_index = bar;
        rec.level = LogLevel::Alert;
        rec.message = h == kStringNa ? std::string("NaN") : std::string(st_.strings.get(h));
        st_.logs.push_back(std::move(rec));
        break;
      }
      case Opcode::STRFORMAT: {
        const Value* args = regs + in.b;
        const std::int64_t pattern = args[0].i;
        if (pattern == kStringNa) {
          A.i = kStringNa;
          break;
        }
        std::string text;
        const char* error = format_message(st_.strings.get(pattern), args + 1, prog_.strings[in.c], st_.strings, text);
        if (error != nullptr) raise(fn, pc() - 1, error);
        A.i = st_.strings.add(std::move(text));
        break;
      }
      case Opcode::RANDOM: A.f = next_random(st_.random, regs[in.b].f, regs[in.b + 1].f, regs[in.b + 2].i); break;
      case Opcode::RAISE: {
        const std::int64_t h = A.i;
        raise(fn, pc() - 1, h == kStringNa ? std::string("NaN") : std::string(st_.strings.get(h)));
      }
      case Opcode::NEWOBJ: {
        const TypeDecl& t = prog_.types[in.b];
        HeapObject obj;
        obj.kind = ObjKind::Object;
        obj.type_index = in.b;
        obj.items.assign(regs + in.c, regs + in.c + t.fields.size());
        const std::int64_t h = st_.heap.add(std::move(obj));
        if (h < 0) raise(fn, pc() - 1, "too many live objects (more than 4194304)");
        regs[in.a].i = h;
        break;
      }
      case Opcode::GETFIELD: {
        const HeapObject* obj = st_.heap.get(regs[in.b].i);
        if (obj == nullptr || obj->kind != ObjKind::Object || in.c >= obj->items.size())
          raise(fn, pc() - 1, "Cannot access a field of an na object");
        A = obj->items[in.c];
        break;
      }
      case Opcode::SETFIELD: {
        HeapObject* obj = st_.heap.get(A.i);
        if (obj == nullptr || obj->kind != ObjKind::Object || in.b >= obj->items.size())
          raise(fn, pc() - 1, "Cannot assign a field of an na object");
        obj->items[in.b] = regs[in.c];
        break;
      }
      case Opcode::COLL: {
        CollContext ctx{st_.heap, st_.strings, prog_, {}};
        if (!call_collection(static_cast<CollOp>(in.a), in.spare, regs + in.b, regs + in.c, ctx))
          raise(fn, pc() - 1, ctx.error);
        break;
      }
      case Opcode::ENUMSTR: {
        const std::vector<std::uint32_t>& titles = prog_.enums[in.c].titles;
        const std::int64_t ord = regs[in.b].i;
        A.i = ord >= 0 && static_cast<std::uint64_t>(ord) < titles.size() ? titles[static_cast<std::size_t>(ord)] : kStringNa;
        break;
      }
      case Opcode::ISNAR: A.i = regs[in.b].i == kRefNa; break;
      case Opcode::LOADCONTEXT: A = st_.context.values[in.b]; break;
      case Opcode::Count: break;
    }
  }
}

} // namespace pine
