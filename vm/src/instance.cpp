// Instance lifecycle: layout, the bar driver and string collection.
#include "pine/vm/instance.h"

#include <utility>

#include "instance_state.h"
#include "interpreter.h"

namespace pine {

namespace {

/// Deepest chain of nested user-function calls an instance accepts. The
/// interpreter recurses once per nested call; Pine scripts nest a handful of
/// levels, and the bound keeps a hostile program from exhausting the stack.
constexpr std::uint32_t kMaxCallDepth = 256;

} // namespace

RuntimeError::RuntimeError(const std::string& message, std::int64_t bar_index, std::uint32_t line)
    : std::runtime_error(message), message_(message), bar_index_(bar_index), line_(line) {}

void InstanceState::lay_out() {
  const Program& p = *program;
  frames.clear();
  children.clear();
  std::size_t total_slots = 0, total_series = 0, total_states = 0;
  std::vector<std::uint32_t> depth;
  // Breadth-first expansion of the call tree: frame i's children are created
  // when frame i is visited, so the numbering is deterministic.
  auto add_frame = [&](std::uint32_t function, std::uint32_t d) {
    if (frames.size() >= kMaxFrames) throw ProgramError("program expands to more than 65536 function instances");
    if (d > kMaxCallDepth) throw ProgramError("user function calls nest deeper than 256 levels");
    const FunctionProto& f = p.functions[function];
    FrameInfo fr;
    fr.function = function;
    fr.slot_base = static_cast<std::uint32_t>(total_slots);
    fr.series_base = static_cast<std::uint32_t>(total_series);
    fr.state_base = static_cast<std::uint32_t>(total_states);
    fr.child_base = static_cast<std::uint32_t>(children.size());
    total_slots += f.num_slots;
    total_series += f.series.size();
    total_states += f.states.size();
    if (total_slots > kMaxSlotsTotal) throw ProgramError("program needs too many slots");
    children.resize(children.size() + f.call_sites.size());
    frames.push_back(fr);
    depth.push_back(d);
  };
  add_frame(0, 0);
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const FunctionProto& f = p.functions[frames[i].function];
    for (std::size_t c = 0; c < f.call_sites.size(); ++c) {
      const std::uint32_t child = static_cast<std::uint32_t>(frames.size());
      add_frame(f.call_sites[c], depth[i] + 1);
      children[frames[i].child_base + c] = child;
    }
  }

  slots.assign(total_slots, Value{});
  series.assign(total_series, SeriesRing{});
  states.assign(total_states, TaState{});
  for (const FrameInfo& fr : frames) {
    const FunctionProto& f = p.functions[fr.function];
    for (std::size_t s = 0; s < f.series.size(); ++s)
      series[fr.series_base + s].init(f.series[s].capacity, na_value(f.series[s].type));
    for (std::size_t s = 0; s < f.states.size(); ++s) init_ta_state(states[fr.state_base + s], f.states[s]);
    // A var reference is na until its initialiser runs (slot 0 would name an object).
    for (std::uint16_t s : f.ref_slots) slots[fr.slot_base + s].i = kRefNa;
  }
  plot_values.assign(p.plots.size(), Value{});
}

Instance::Instance(std::shared_ptr<const Program> program, InstanceConfig config)
    : state_(std::make_unique<InstanceState>()) {
  InstanceState& st = *state_;
  st.program = std::move(program);
  st.config = std::move(config);
  const Program& p = *st.program;
  if (st.config.input_values.size() != p.inputs.size() || st.config.input_strings.size() != p.inputs.size())
    throw ProgramError("instance configuration does not match the program's inputs");
  st.lay_out();
  // String inputs become constants placed after the program's own strings.
  std::vector<std::string> constants = p.strings;
  st.inputs = st.config.input_values;
  for (std::size_t i = 0; i < p.inputs.size(); ++i) {
    // A source input indexes the main frame: it must name a float built-in.
    if (p.inputs[i].kind == InputKind::Source && !is_source_var(st.inputs[i].u))
      throw ProgramError("input '" + p.inputs[i].title + "' does not select a built-in source series");
    if (p.inputs[i].kind != InputKind::String) continue;
    st.inputs[i] = make_int(static_cast<std::int64_t>(constants.size()));
    constants.push_back(st.config.input_strings[i]);
  }
  st.strings.init(constants);
}

Instance::Instance(Instance&&) noexcept = default;
Instance& Instance::operator=(Instance&&) noexcept = default;
Instance::~Instance() = default;

const Program& Instance::program() const { return *state_->program; }
std::shared_ptr<const Program> Instance::program_ptr() const { return state_->program; }
const InstanceConfig& Instance::config() const { return state_->config; }
std::int64_t Instance::bars_processed() const { return state_->bars_processed; }
std::int64_t Instance::last_bar_time() const { return state_->last_bar_time; }
std::span<const Value> Instance::plot_values() const { return state_->plot_values; }
void Instance::set_last_bar_index(std::int64_t index) { state_->last_bar_index = index; }
InstanceState& Instance::state() { return *state_; }
const InstanceState& Instance::state() const { return *state_; }

std::vector<LogRecord> Instance::take_logs() {
  std::vector<LogRecord> out;
  out.swap(state_->logs);
  return out;
}

std::string_view Instance::string_of(std::int64_t handle) const {
  if (handle == kStringNa) return "NaN";
  return state_->strings.get(handle);
}

namespace {

/// Loads the built-in variables of `bar` into the main frame's fixed slots.
void load_bar_variables(InstanceState& st, const Bar& bar) {
  Value* g = st.slots.data();
  auto set_f = [&](BuiltinVar v, double x) { g[static_cast<std::size_t>(v)].f = x; };
  auto set_i = [&](BuiltinVar v, std::int64_t x) { g[static_cast<std::size_t>(v)].i = x; };
  const std::int64_t index = st.bars_processed;
  set_f(BuiltinVar::OPEN, bar.open);
  set_f(BuiltinVar::HIGH, bar.high);
  set_f(BuiltinVar::LOW, bar.low);
  set_f(BuiltinVar::CLOSE, bar.close);
  set_f(BuiltinVar::VOLUME, bar.volume);
  set_i(BuiltinVar::TIME, bar.time);
  set_i(BuiltinVar::BAR_INDEX, index);
  set_f(BuiltinVar::HL2, (bar.high + bar.low) / 2);
  set_f(BuiltinVar::HLC3, (bar.high + bar.low + bar.close) / 3);
  set_f(BuiltinVar::OHLC4, (bar.open + bar.high + bar.low + bar.close) / 4);
  set_f(BuiltinVar::HLCC4, (bar.high + bar.low + 2 * bar.close) / 4);
  set_i(BuiltinVar::LAST_BAR_INDEX, st.last_bar_index);
  set_i(BuiltinVar::IS_FIRST, index == 0);
  set_i(BuiltinVar::IS_LAST, st.last_bar_index != kIntNa && index == st.last_bar_index);
  set_i(BuiltinVar::IS_CONFIRMED, 1);
  set_i(BuiltinVar::IS_HISTORY, 1);
  set_i(BuiltinVar::IS_REALTIME, 0);
  set_i(BuiltinVar::IS_NEW, 1);
}

/// Calls `fn` on every slot and series value of storage type `want`
/// (String or Ref) that can outlive the bar: `var` slots and series rings.
template <class Fn>
void for_each_root(InstanceState& st, Type want, Fn&& fn) {
  const Program& p = *st.program;
  for (const FrameInfo& fr : st.frames) {
    const FunctionProto& f = p.functions[fr.function];
    for (std::uint16_t s : want == Type::String ? f.string_slots : f.ref_slots) fn(st.slots[fr.slot_base + s].i);
    for (std::size_t s = 0; s < f.series.size(); ++s)
      if (f.series[s].type == want) st.series[fr.series_base + s].for_each_value([&](Value& v) { fn(v.i); });
  }
}

/// Reclaims unreachable heap objects, then strings no live variable, series,
/// plot value or object refers to. The heap goes first so that strings held
/// only by garbage objects are freed too.
void collect_garbage(InstanceState& st) {
  const Program& p = *st.program;
  std::vector<std::int64_t*> refs;
  for_each_root(st, Type::Ref, [&](std::int64_t& h) { refs.push_back(&h); });
  st.heap.collect(p, refs);
  std::vector<std::int64_t*> roots;
  for_each_root(st, Type::String, [&](std::int64_t& h) { roots.push_back(&h); });
  for (std::size_t i = 0; i < p.plots.size(); ++i)
    if (p.plots[i].type == Type::String) roots.push_back(&st.plot_values[i].i);
  st.heap.for_each_string(p, [&](std::int64_t& h) { roots.push_back(&h); });
  st.strings.collect(roots);
}

} // namespace

void Instance::run_bar(const Bar& bar) {
  InstanceState& st = *state_;
  if (st.halted) throw RuntimeError("the script was halted by an earlier runtime error", st.bars_processed, 0);
  load_bar_variables(st, bar);
  const Program& p = *st.program;
  for (std::size_t i = 0; i < p.plots.size(); ++i) st.plot_values[i] = na_value(p.plots[i].type);
  Interpreter(st).run(0);
  st.bars_processed += 1;
  st.last_bar_time = bar.time;
  if (st.strings.wants_collection() || st.heap.wants_collection()) collect_garbage(st);
}

} // namespace pine
